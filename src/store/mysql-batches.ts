// Batched outcome and claim statements: rows per statement are bounded, IN lists padded to
// powers of two (few distinct prepared statements), and each job id appears once per statement.
import type { Outcome } from '../schedule/job.js';
import type { MysqlQueries } from './mysql-queries.js';
import { toSqlTime } from './mysql-rows.js';

type UpdateOutcome = Extract<Outcome, { kind: 'update' }>;
type DeleteOutcome = Extract<Outcome, { kind: 'delete' }>;

/** Rows per batched statement; IN lists are padded to powers of two to reuse prepared statements. */
const MAX_BATCH = 256;

/** The statements that write `outcomes`, each conditional on its claim (instance_id and claim_token). */
export function outcomeStatements(q: MysqlQueries, outcomes: readonly Outcome[]): [string, unknown[]][] {
  const statements: [string, unknown[]][] = [];
  for (const round of distinctIdRounds(outcomes)) {
    for (const [instanceId, group] of groupByInstance(round)) {
      for (const chunk of chunks(group.deletes)) statements.push(deleteClaimed(q, instanceId, chunk));
      for (const chunk of chunks(group.updates)) statements.push(updateClaimed(q, instanceId, chunk));
    }
  }
  return statements;
}

function deleteClaimed(q: MysqlQueries, instanceId: number, chunk: readonly DeleteOutcome[]): [string, unknown[]] {
  const rows = padded(chunk);
  // Plain loops: this runs for every delivered one-off job.
  const params: unknown[] = new Array(rows.length * 3 + 1);
  let at = 0;
  for (const o of rows) params[at++] = o.id;
  params[at++] = instanceId;
  for (const o of rows) {
    params[at++] = o.id;
    params[at++] = o.claimToken;
  }
  return [q.deleteClaimed(rows.length), params];
}

/** One statement for a chunk of updates, padded to a power of two by repeating the last one. */
function updateClaimed(q: MysqlQueries, instanceId: number, chunk: readonly UpdateOutcome[]): [string, unknown[]] {
  const rows = padded(chunk);
  const params: unknown[] = [];
  const pairs = (value: (o: UpdateOutcome) => string | number | null): void => {
    for (const o of rows) params.push(o.id, value(o));
  };
  pairs((o) => toSqlTime(o.nextRun));
  pairs((o) => toSqlTime(o.nextSched));
  pairs((o) => toSqlTime(o.lastRun));
  pairs((o) => o.lastStatus.slice(0, 255));
  pairs((o) => o.failures);
  for (const o of rows) params.push(o.id);
  params.push(instanceId);
  pairs((o) => o.claimToken);
  return [q.updateClaimed(rows.length), params];
}

/**
 * The statements pick each row's values with CASE id, so an id may appear once per statement.
 * Two outcomes of one job (claimed, replaced and claimed again, both finished in one batch) go
 * to separate rounds; at most one of them still holds the claim.
 */
function distinctIdRounds(outcomes: readonly Outcome[]): Outcome[][] {
  // The usual batch has each job once: one round, without a search per outcome.
  const ids = new Set<number>();
  for (const o of outcomes) ids.add(o.id);
  if (ids.size === outcomes.length) return [outcomes as Outcome[]];
  const rounds: { ids: Set<number>; outcomes: Outcome[] }[] = [];
  for (const o of outcomes) {
    let round = rounds.find((r) => !r.ids.has(o.id));
    if (round === undefined) rounds.push((round = { ids: new Set(), outcomes: [] }));
    round.ids.add(o.id);
    round.outcomes.push(o);
  }
  return rounds.map((r) => r.outcomes);
}

function groupByInstance(outcomes: readonly Outcome[]): Map<number, { deletes: DeleteOutcome[]; updates: UpdateOutcome[] }> {
  const groups = new Map<number, { deletes: DeleteOutcome[]; updates: UpdateOutcome[] }>();
  for (const o of outcomes) {
    let group = groups.get(o.instanceId);
    if (group === undefined) groups.set(o.instanceId, (group = { deletes: [], updates: [] }));
    if (o.kind === 'delete') group.deletes.push(o);
    else group.updates.push(o);
  }
  return groups;
}

export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH) out.push(items.slice(i, i + MAX_BATCH));
  return out;
}

/** Pad to the next power of two with the last item, so few distinct statements get prepared. */
export function padded<T>(items: readonly T[]): T[] {
  let size = 1;
  while (size < items.length) size *= 2;
  const out = items.slice();
  const last = items[items.length - 1]!;
  while (out.length < size) out.push(last);
  return out;
}
