import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHELLS, completionScript, describeProgram } from '../../../src/cli/completion-scripts.js';
import { EXIT_STATUSES } from '../../../src/cli/exit-codes.js';
import type { CliIO } from '../../../src/cli/options.js';
import { buildProgram } from '../../../src/cli/program.js';
import { ALL_PATHS } from '../../../src/config/keys.js';

// The checked-in completion scripts and the man page against the commander program: a command,
// flag, configuration key or exit status missing from them fails here.

const ROOT = resolve(import.meta.dirname, '../../..');
const FILES = { bash: 'completions/dalga.bash', zsh: 'completions/_dalga', fish: 'completions/dalga.fish' } as const;
const io: CliIO = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/', now: () => 0 };
const program: Command = buildProgram(io, '0.0.0');
const spec = describeProgram(program);
const man = readFileSync(join(ROOT, 'man/dalga.1'), 'utf8');

/** How a word is written in roff source: every hyphen escaped. */
function roff(text: string): string {
  return text.replace(/-/g, '\\-');
}

/**
 * Whether a shell or tool the checks below run is installed. Under CI (where .ci/run installs
 * them) a missing one is a failure, not a skip.
 */
function which(name: string): boolean {
  return process.env.CI === 'true' || spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

describe('completion scripts', () => {
  it.each(SHELLS)('completions for %s are what `dalga completion` prints (regenerate: node bin/dalga completion <shell> > <file>)', (shell) => {
    expect(readFileSync(join(ROOT, FILES[shell]), 'utf8')).toBe(completionScript(shell, program));
  });

  it.each(SHELLS)('the %s script names every command and flag', (shell) => {
    const script = readFileSync(join(ROOT, FILES[shell]), 'utf8');
    const fish = shell === 'fish';
    const flag = (f: string): string => (fish ? (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`) : f);
    for (const cmd of spec.commands) {
      expect(script, cmd.name).toContain(cmd.name);
      for (const o of cmd.options) for (const f of [o.short, o.long]) if (f) expect(script, `${cmd.name} ${f}`).toContain(flag(f));
    }
    for (const o of spec.globals) for (const f of [o.short, o.long]) if (f) expect(script, f).toContain(flag(f));
  });

  it('covers the commands the program really has', () => {
    expect(spec.commands.map((c) => c.name)).toEqual(
      expect.arrayContaining(['schedule', 'get', 'cancel', 'enable', 'disable', 'ls', 'status', 'serve', 'create-tables', 'completion']),
    );
    expect(spec.commands.find((c) => c.name === 'ls')!.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(['--path', '--sort', '--reverse', '--limit', '--all', '--watch', '--refresh']),
    );
  });

  it.skipIf(!which('zsh'))('zsh parses its script', () => {
    expect(spawnSync('zsh', ['-n', join(ROOT, FILES.zsh)]).status).toBe(0);
  });

  describe('in real shells', () => {
    let dir: string;
    beforeAll(() => {
      // A stand-in `dalga` on PATH for the scripts' `dalga completion --zones` call.
      dir = mkdtempSync(join(tmpdir(), 'dalga-compl-'));
      writeFileSync(join(dir, 'dalga'), '#!/bin/sh\nprintf "Europe/Istanbul\\nEurope/Berlin\\nUTC\\n"\n');
      chmodSync(join(dir, 'dalga'), 0o755);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function bash(words: string[]): string[] {
      const script = [
        `source ${JSON.stringify(join(ROOT, FILES.bash))}`,
        `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')})`,
        `COMP_CWORD=${words.length - 1}`,
        '_dalga',
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n');
      const out = execFileSync('bash', ['-c', script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8' });
      return out.split('\n').filter((l) => l !== '');
    }

    it('bash completes commands, flags and their values', () => {
      expect(bash(['dalga', 'sch'])).toEqual(['schedule']);
      expect(bash(['dalga', 'ls', '--so'])).toEqual(['--sort']);
      expect(bash(['dalga', 'ls', '--sort', 'next-'])).toEqual(['next-run', 'next-sched']);
      expect(bash(['dalga', '--url', 'http://x', 'ls', '--al'])).toEqual(['--all']);
      expect(bash(['dalga', 'schedule', 'p', 'b', '--location', 'Europe/'])).toEqual(['Europe/Istanbul', 'Europe/Berlin']);
      expect(bash(['dalga', 'completion', 'z'])).toEqual(['zsh']);
      expect(bash(['dalga', 'get', '--j'])).toEqual(['--json']);
    });

    it('bash offers --help once, and no file names for a URL, a token or a job path', () => {
      expect(bash(['dalga', 'get', '--h'])).toEqual(['--help']);
      expect(bash(['dalga', 'ls', '--he'])).toEqual(['--help']);
      expect(bash(['dalga', '--url', ''])).toEqual([]);
      expect(bash(['dalga', 'get', '--url', ''])).toEqual([]);
      // bash falls back to file names when COMPREPLY is empty only under "-o default".
      expect(readFileSync(join(ROOT, FILES.bash), 'utf8')).toMatch(/^complete -F _dalga dalga$/m);
      expect(bash(['dalga', '-c', 'package.j'])).toEqual(['package.json']);
    });

    it.skipIf(!which('fish'))('fish completes commands, flags and their values', () => {
      const fish = (line: string): string[] =>
        execFileSync('fish', ['--no-config', '-c', `source ${JSON.stringify(join(ROOT, FILES.fish))}; complete -C ${JSON.stringify(line)}`], {
          env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
          encoding: 'utf8',
        })
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => l.split('\t')[0]!);
      expect(fish('dalga sch')).toEqual(['schedule']);
      expect(fish('dalga ls --sort next-')).toEqual(['next-run', 'next-sched']);
      expect(fish('dalga schedule p b --location Europe/I')).toEqual(['Europe/Istanbul']);
      expect(fish('dalga ls --wa')).toEqual(['--watch']);
    });
  });
});

describe('man page', () => {
  it('is installed by npm: package.json lists it in an array (npm 11 links no man page named by a string)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man?: unknown; files?: string[] };
    expect(pkg.man).toEqual(['./man/dalga.1']);
    expect(pkg.files).toContain('man');
  });

  it('documents every command and every flag', () => {
    for (const cmd of spec.commands) {
      expect(man, cmd.name).toContain(roff(cmd.name));
      for (const o of cmd.options) for (const f of [o.short, o.long]) if (f) expect(man, `${cmd.name} ${f}`).toContain(roff(f));
    }
    for (const o of spec.globals) for (const f of [o.short, o.long]) if (f) expect(man, f).toContain(roff(f));
  });

  it('documents every configuration key', () => {
    for (const key of ALL_PATHS) expect(man, key).toMatch(new RegExp(`^\\.B ${roff(key).replace(/[.\\]/g, '\\$&')}$`, 'm'));
  });

  it('documents the environment', () => {
    const section = man.slice(man.indexOf('.SH ENVIRONMENT'), man.indexOf('.SH FILES'));
    for (const name of ['DALGA_URL', 'DALGA_TOKEN', 'DALGA_CONFIG', 'DALGA_STORE', 'NO_COLOR']) expect(section, name).toContain(`.B ${name}\n`);
    expect(section).toContain('.BI DALGA_ SECTION _ KEY');
  });

  it('lists exactly the exit statuses of exit-codes.ts', () => {
    const section = man.slice(man.indexOf('.SH EXIT STATUS'), man.indexOf('.SH EXAMPLES'));
    const codes = [...section.matchAll(/^\.B (\d+)$/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual(EXIT_STATUSES.map((s) => s.code));
    const text = section.replace(/\\-/g, '-').replace(/^\.B /gm, '').replace(/\s+/g, ' ');
    for (const s of EXIT_STATUSES) expect(text, String(s.code)).toContain(s.meaning.replace(/\s+/g, ' '));
  });

  it.skipIf(!which('groff'))('renders without warnings', () => {
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-P-c', '-P-b', '-P-u', join(ROOT, 'man/dalga.1')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('EXIT STATUS');
  });
});
