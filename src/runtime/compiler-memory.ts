import { setFlagsFromString } from 'node:v8';

// Two transient costs of V8 that set most of the daemon's peak memory, each limited at start-up
// (the flags are read when they apply, so setting them here takes effect); see BENCHMARKS.md.
//
// - undici parses HTTP responses with llhttp compiled to WebAssembly. V8 first compiles it with
//   its baseline compiler (Liftoff), then, once the parser is hot, recompiles it with TurboFan
//   in a background thread: llhttp's state machine is one huge function, and that compilation
//   takes 10–20 MB of memory that glibc keeps in the thread's arena afterwards (idle RSS +9 MB
//   in most starts, +15–20 MB at the start of a drain). Baseline code parses a response in a few
//   microseconds more, against ~70 µs of CPU per delivered job.
// - V8 doubles the young generation (up to 2 × 16 MB) each time as many bytes as it holds have
//   survived a scavenge, which any sustained drain does within a second: +24–30 MB while
//   draining. Growth factor 1 keeps it at its start-up size.

export const COMPILER_MEMORY_FLAGS = ['--liftoff-only', '--semi-space-growth-factor=1'] as const;

/** The flag's name, for matching the operator's own spelling (`--foo_bar=1`, `--no-foo-bar`). */
function flagName(flag: string): string {
  return flag.replace(/^--(no-)?/, '').replace(/=.*$/, '').replace(/_/g, '-');
}

/**
 * Applies each of COMPILER_MEMORY_FLAGS unless the operator set that flag (or a related wasm
 * tiering flag) on node's command line. Answers the flags applied.
 */
export function limitCompilerMemory(execArgv: readonly string[] = process.execArgv): string[] {
  const given = new Set(execArgv.filter((arg) => arg.startsWith('--')).map(flagName));
  const operatorTunedWasm = [...given].some((name) => name.startsWith('liftoff') || name.startsWith('wasm-'));
  const applied: string[] = [];
  for (const flag of COMPILER_MEMORY_FLAGS) {
    const name = flagName(flag);
    if (given.has(name) || (name === 'liftoff-only' && operatorTunedWasm)) continue;
    setFlagsFromString(flag);
    applied.push(flag);
  }
  return applied;
}
