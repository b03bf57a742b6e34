import { describe, expect, it } from 'vitest';
import { readGoCommandLine, translateGoCommandLine } from '../../../src/cli/go-command-line.js';

// Go's flag package: one or two dashes, `-flag=value` or `-flag value`, booleans as `-flag` or
// `-flag=<strconv.ParseBool>`. Anything else stays ours.
const translate = (argv: string[]): string[] | undefined => {
  const go = readGoCommandLine(argv);
  return go && translateGoCommandLine(go);
};

describe('Go Dalga command line', () => {
  it.each([
    [['-config', 'dalga.toml'], ['--config', 'dalga.toml', 'serve']],
    [['-config', 'dalga.toml', '-create-tables'], ['--config', 'dalga.toml', 'create-tables']],
    [['--config=dalga.toml', '--create-tables=true'], ['--config', 'dalga.toml', 'create-tables']],
    [['-config=/etc/dalga.toml'], ['--config', '/etc/dalga.toml', 'serve']],
    [['--config', 'a=b.toml', '-debug'], ['--config', 'a=b.toml', '--debug', 'serve']],
    [['-config', 'dalga.toml', '-create-tables=false'], ['--config', 'dalga.toml', 'serve']],
    [['-debug'], ['--debug', 'serve']],
    [['-create-tables'], ['create-tables']],
    [['-version'], ['--version']],
    [['--version'], ['--version']],
    [['-version', '-config', 'x.toml'], ['--version']],
    [['-h'], ['--help']],
    [['-help'], ['--help']],
  ])('%j is %j', (argv, ours) => {
    expect(translate(argv)).toEqual(ours);
  });

  it.each([[[]], [['serve']], [['-c', 'x.toml', 'serve']], [['-c', 'x.toml']], [['--config', 'x.toml', 'ls']], [['--url', 'http://x']], [['-V']], [['-config']], [['-create-tables=maybe']], [['-config', 'x', '-json']]])(
    '%j is left to our parser',
    (argv) => {
      expect(readGoCommandLine(argv)).toBeUndefined();
    },
  );
});
