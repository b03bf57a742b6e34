// The window of jobs the view holds: a few pages of the daemon's listing, never the whole table.
// Pages are fetched in one direction (from the first job, or from the last one after End), each
// remembering the cursor it was fetched after, so a refresh re-fetches only the pages on screen
// and moving down follows the last page's cursor.

import type { JobJson } from '../../client/types.js';
import { UsageError } from '../../errors.js';
import { jobKey, matchesFilter } from './format.js';
import type { SortBy, WatchClient } from './watch-client.js';

export interface Page {
  /** Cursor this page was fetched after; null for the first page. */
  readonly after: string | null;
  readonly jobs: readonly JobJson[];
  /** Cursor of the next page; '' when this is the last one. */
  readonly next: string;
}

export interface Row {
  readonly job: JobJson;
  /** Index of the page it came from. */
  readonly page: number;
}

export interface WindowQuery {
  readonly path?: string;
  readonly sortBy: SortBy;
  /** Effective fetch direction (the user's --reverse, flipped again when showing the far end). */
  readonly reverse: boolean;
}

export interface SyncPlan {
  /** First page to re-fetch; the pages before it are kept as they are. */
  readonly fromPage: number;
  /** Stop once this many (filtered) rows are held... */
  readonly needRows: number;
  /** ...or this many pages were fetched in this sync. */
  readonly maxPages: number;
  /** `limit` of a fresh listing (continuations keep the limit of their listing). */
  readonly pageSize: number;
  /** The first page is all there is to see (`--limit`): it is held as the end of the listing. */
  readonly only?: boolean;
}

/** Extra rows fetched beyond the screen, so a few moves down need no request. */
export const MARGIN_ROWS = 10;
/** The filter searches this many jobs from the anchored end: one page, the API's largest limit. */
export const FILTER_WINDOW = 1000;
const MAX_LIMIT = 1000;

/** The rows held, in fetch order, without duplicates (a job may move between pages fetched at different times). */
export function flatten(pages: readonly Page[], filter = ''): Row[] {
  const seen = new Set<string>();
  const rows: Row[] = [];
  pages.forEach((page, index) => {
    for (const job of page.jobs) {
      const key = jobKey(job);
      if (seen.has(key)) continue;
      seen.add(key);
      if (matchesFilter(job, filter)) rows.push({ job, page: index });
    }
  });
  return rows;
}

/** True when the last page held is the end of the listing. */
export function isComplete(pages: readonly Page[]): boolean {
  const last = pages[pages.length - 1];
  return last !== undefined && last.next === '';
}

/**
 * What to fetch for a view whose nearest visible row is `edge` and selection `sel` (indexes into
 * the filtered rows), showing `visible` rows. Filtering fetches one fixed window instead.
 */
export function planSync(
  pages: readonly Page[],
  view: {
    readonly edge: number;
    readonly sel: number;
    readonly visible: number;
    readonly filter: string;
    readonly filtering: boolean;
    /** `ls --watch --limit n`: only the first n jobs, one page, filtered within them. */
    readonly limit?: number;
  },
): SyncPlan {
  if (view.limit !== undefined) return { fromPage: 0, needRows: view.limit, maxPages: 1, pageSize: Math.min(MAX_LIMIT, view.limit), only: true };
  if (view.filtering) return { fromPage: 0, needRows: Number.POSITIVE_INFINITY, maxPages: 1, pageSize: FILTER_WINDOW };
  const pageSize = Math.min(MAX_LIMIT, Math.max(1, view.visible) + MARGIN_ROWS);
  const rows = flatten(pages, view.filter);
  const fromPage = rows[Math.min(view.edge, rows.length - 1)]?.page ?? 0;
  const needRows = Math.max(view.edge + view.visible, view.sel + 1) + MARGIN_ROWS;
  // Enough pages to cover the screen from its first page, plus one to follow the selection down.
  const maxPages = Math.ceil((view.visible + MARGIN_ROWS) / pageSize) + 2;
  return { fromPage, needRows, maxPages, pageSize };
}

/**
 * Re-fetch pages from `plan.fromPage` on, following cursors until the plan is met or the listing
 * ends. A cursor the daemon no longer accepts (it restarted, say) restarts from the first page.
 */
export async function syncWindow(
  client: Pick<WatchClient, 'list' | 'listContinue'>,
  query: WindowQuery,
  pages: readonly Page[],
  plan: SyncPlan,
  filter = '',
): Promise<Page[]> {
  const from = Math.min(plan.fromPage, Math.max(0, pages.length - 1));
  const start = pages[from]?.after ?? null;
  try {
    return await fetchPages(client, query, pages.slice(0, start === null ? 0 : from), start, plan, filter);
  } catch (error) {
    if (!(error instanceof UsageError) || start === null) throw error;
    return fetchPages(client, query, [], null, plan, filter);
  }
}

async function fetchPages(
  client: Pick<WatchClient, 'list' | 'listContinue'>,
  query: WindowQuery,
  kept: readonly Page[],
  start: string | null,
  plan: SyncPlan,
  filter: string,
): Promise<Page[]> {
  const result = [...kept];
  let after = start;
  for (let fetched = 0; ; ) {
    const answer =
      after === null
        ? await client.list({ ...listParams(query), limit: Math.min(MAX_LIMIT, plan.pageSize) })
        : await client.listContinue(after);
    result.push({ after, jobs: answer.jobs, next: plan.only ? '' : answer.cursor });
    fetched += 1;
    if (plan.only) return result;
    if (answer.cursor === '' || fetched >= plan.maxPages) return result;
    if (flatten(result, filter).length >= plan.needRows) return result;
    after = answer.cursor;
  }
}

function listParams(query: WindowQuery): { path?: string; sortBy: SortBy; reverse: boolean } {
  return query.path === undefined
    ? { sortBy: query.sortBy, reverse: query.reverse }
    : { path: query.path, sortBy: query.sortBy, reverse: query.reverse };
}
