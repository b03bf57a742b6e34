// The environment layer: DALGA_<SECTION>_<KEY> for every key (any case; underscores inside the
// key are ignored, so DALGA_JOBS_MAX_RUNNING works too) and DALGA_STORE. Values stay strings;
// validateConfig converts them.
import { KEYS, STORE_KEY, keyPath, lookupKey, lookupSection, suggest } from './keys.js';
import type { RawTree } from './schema.js';

const PREFIX = 'DALGA_';

/**
 * Read by the client or by loadConfig itself, not configuration keys. EXTRA_CA_CERTS is set by
 * bin/dalga's shell line (it moves NODE_EXTRA_CA_CERTS there for client commands).
 */
const NOT_KEYS = new Set(['URL', 'TOKEN', 'CONFIG', 'EXTRA_CA_CERTS']);

/** Names after the prefix (`JOBS_MAXRUNNING`), so suggestions compare the part a user typed. */
const ENV_SUFFIXES: readonly string[] = ['STORE', ...KEYS.map((k) => envName(k.section, k.key).slice(PREFIX.length))];

export function envName(section: string, key: string): string {
  return `${PREFIX}${section}_${key}`.toUpperCase();
}

/**
 * The configuration given by DALGA_* variables, under canonical names. `names`, when given,
 * receives the variable behind each dotted path, for error messages.
 */
export function envLayer(
  env: Readonly<Record<string, string | undefined>>,
  warn: (msg: string) => void,
  names: Record<string, string> = {},
): RawTree {
  const tree: RawTree = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    if (!upper.startsWith(PREFIX)) continue;
    const rest = upper.slice(PREFIX.length);
    if (NOT_KEYS.has(rest)) continue;
    if (rest === STORE_KEY.toUpperCase()) {
      tree[STORE_KEY] = value;
      names[STORE_KEY] = name;
      continue;
    }
    const path = setKey(tree, rest, value);
    if (path === undefined) warn(unknownVariable(name, rest));
    else names[path] = name;
  }
  return tree;
}

/** Sets `SECTION_KEY` in the tree and answers its dotted path; undefined when no such key exists. */
function setKey(tree: RawTree, rest: string, value: string): string | undefined {
  const split = rest.indexOf('_');
  if (split <= 0) return undefined;
  const section = lookupSection(rest.slice(0, split));
  const spec = section === undefined ? undefined : lookupKey(section, rest.slice(split + 1).replaceAll('_', ''));
  if (spec === undefined) return undefined;
  const target = (tree[spec.section] ??= {}) as Record<string, unknown>;
  target[spec.key] = value;
  return keyPath(spec);
}

function unknownVariable(name: string, rest: string): string {
  const guess = suggest(rest, ENV_SUFFIXES);
  const hint = guess === undefined ? '' : ` (did you mean ${PREFIX}${guess}?)`;
  return `unknown environment variable ${name}${hint}`;
}
