// Go Dalga's command line, understood as it is: `dalga -config dalga.toml -create-tables`,
// `dalga -config dalga.toml`, `dalga -version`, `dalga -debug`. Go's flag package takes one or
// two dashes, `-flag=value` or `-flag value`, and `-flag`, `-flag=true|false` for booleans; it
// stops at the first argument that is not a flag. Such a command line has no subcommand, so it is
// translated into ours before commander sees it (commander would read `-config` as `-c onfig`).

/** A Go Dalga command line, read. */
export interface GoCommandLine {
  config?: string;
  createTables: boolean;
  version: boolean;
  debug: boolean;
  help: boolean;
}

const BOOLEAN_FLAGS = new Set(['create-tables', 'version', 'debug', 'help', 'h']);

/** strconv.ParseBool, which Go's flag package uses for `-flag=value`. */
const GO_BOOLEANS: Readonly<Record<string, boolean>> = {
  '1': true, t: true, T: true, true: true, TRUE: true, True: true,
  '0': false, f: false, F: false, false: false, FALSE: false, False: false,
};

/**
 * Reads argv as Go Dalga's flags; undefined when it is not such a command line (empty, a
 * subcommand, or a flag Go Dalga does not have), so that it goes to our own parser unchanged.
 * Like Go Dalga, `dalga -debug` (or `-config x`) alone runs the daemon; `--help` and
 * `--version` mean what they mean to both.
 */
export function readGoCommandLine(argv: readonly string[]): GoCommandLine | undefined {
  if (argv.length === 0) return undefined;
  const read: GoCommandLine = { createTables: false, version: false, debug: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--?([a-z][a-z-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) return undefined;
    const [, name, value] = match as unknown as [string, string, string | undefined];
    if (name === 'config') {
      const file = value ?? argv[++i];
      if (file === undefined) return undefined;
      read.config = file;
      continue;
    }
    if (!BOOLEAN_FLAGS.has(name)) return undefined;
    const on = value === undefined ? true : GO_BOOLEANS[value];
    if (on === undefined) return undefined;
    if (name === 'create-tables') read.createTables = on;
    else if (name === 'version') read.version = on;
    else if (name === 'debug') read.debug = on;
    else read.help = on;
  }
  return read;
}

/** The equivalent command line of ours: `serve`, `create-tables` or `--version`. */
export function translateGoCommandLine(go: GoCommandLine): string[] {
  if (go.help) return ['--help'];
  if (go.version) return ['--version'];
  const globals = [...(go.config === undefined ? [] : ['--config', go.config]), ...(go.debug ? ['--debug'] : [])];
  return [...globals, go.createTables ? 'create-tables' : 'serve'];
}

// Single-dash words are Go's alone (ours are --config, --debug, -c, -V): a command line that
// starts with one (`-config`, or a misspelt `-confgi`) was meant as Go Dalga's, even when it
// cannot be read as such.
const GO_ONLY_START = /^-[a-z][a-z-]*[a-z](=|$)/;
const GO_FLAGS_HINT = "Go Dalga's flags are -config <file>, -create-tables, -version and -debug; see `dalga --help`";

/**
 * Why argv, meant as a Go Dalga command line, cannot be read as one, in the words of Go's flag
 * package; undefined when it reads (see readGoCommandLine) or was not meant as Go's. Without
 * this, commander reads `-config` as `-c onfig` and blames the file name as an unknown command.
 */
export function goCommandLineMistake(argv: readonly string[]): string | undefined {
  if (argv.length === 0 || !GO_ONLY_START.test(argv[0]!) || readGoCommandLine(argv) !== undefined) return undefined;
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      const withCommand = ['dalga', ...(config === undefined ? [] : ['-c', config]), ...argv.slice(i)].join(' ');
      return `"${arg}" after Go Dalga's flags — its command line takes flags only; with a command, write --config or -c: ${withCommand}`;
    }
    const [, name, value] = match as unknown as [string, string, string | undefined];
    if (name === 'config') {
      config = value ?? argv[++i];
      if (config === undefined) return `flag needs an argument: -config — ${GO_FLAGS_HINT}`;
      continue;
    }
    if (!BOOLEAN_FLAGS.has(name)) return `flag provided but not defined: ${arg.replace(/=.*$/s, '')} — ${GO_FLAGS_HINT}`;
    if (value !== undefined && GO_BOOLEANS[value] === undefined) {
      return `invalid boolean value ${JSON.stringify(value)} for -${name} — ${GO_FLAGS_HINT}`;
    }
  }
  return undefined;
}
