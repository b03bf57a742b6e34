import type { Command, Option } from 'commander';

// Shell completion scripts, generated from the commander program itself so that they cannot
// drift from the real commands and flags. completions/* hold copies of the output, checked by
// test/unit/cli/docs.test.ts. Time-zone names for --location are asked of `dalga` at completion
// time (`dalga completion --zones`, from Intl.supportedValuesOf), so the scripts do not depend
// on the ICU version they were generated with.

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

export type ValueKind = { readonly kind: 'none' } | { readonly kind: 'free' } | { readonly kind: 'files' } | { readonly kind: 'zones' } | { readonly kind: 'words'; readonly words: readonly string[] };

export interface OptionSpec {
  readonly short?: string;
  readonly long?: string;
  readonly description: string;
  readonly valueName?: string;
  readonly value: ValueKind;
}

export interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly args: readonly ArgumentSpec[];
}

export interface ProgramSpec {
  readonly name: string;
  readonly globals: readonly OptionSpec[];
  readonly commands: readonly CommandSpec[];
}

const HELP: OptionSpec = { short: '-h', long: '--help', description: 'display help', value: { kind: 'none' } };
const ZONES_COMMAND = 'completion --zones';

/**
 * The commands and flags of `program`, hidden options left out, `-h/--help` added once, to the
 * global flags (every command accepts them; listing it per command offered it twice).
 */
export function describeProgram(program: Command): ProgramSpec {
  return {
    name: program.name(),
    globals: [...visibleOptions(program), HELP],
    commands: program.commands.map((cmd) => ({
      name: cmd.name(),
      description: cmd.description(),
      options: visibleOptions(cmd),
      args: cmd.registeredArguments.map((arg) => ({
        name: arg.name(),
        description: arg.description,
        ...(arg.argChoices ? { choices: arg.argChoices } : {}),
      })),
    })),
  };
}

function visibleOptions(cmd: Command): OptionSpec[] {
  return cmd.options.filter((o) => !o.hidden).map(optionSpec);
}

function optionSpec(o: Option): OptionSpec {
  const valueName = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1];
  return {
    ...(o.short ? { short: o.short } : {}),
    ...(o.long ? { long: o.long } : {}),
    description: o.description,
    ...(valueName ? { valueName } : {}),
    value: valueKind(o, valueName),
  };
}

function valueKind(o: Option, valueName: string | undefined): ValueKind {
  if (valueName === undefined) return { kind: 'none' };
  if (o.argChoices) return { kind: 'words', words: o.argChoices };
  if (valueName === 'zone') return { kind: 'zones' };
  if (valueName === 'file') return { kind: 'files' };
  return { kind: 'free' };
}

export function completionScript(shell: Shell, program: Command): string {
  const spec = describeProgram(program);
  if (shell === 'bash') return bashScript(spec);
  if (shell === 'zsh') return zshScript(spec);
  return fishScript(spec);
}

/** The names --location completes to. */
export function zoneNames(): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

function flagsOf(o: OptionSpec): string[] {
  return [o.short, o.long].filter((f): f is string => f !== undefined);
}

// ---------------------------------------------------------------------------------------------
// bash

function bashValueCase(options: readonly OptionSpec[], bin: string, indent: string): string {
  const lines: string[] = [];
  for (const o of options) {
    if (o.value.kind === 'none') continue;
    const pattern = flagsOf(o).join('|');
    lines.push(`${indent}${pattern}) ${bashValueAction(o.value, bin)}; return ;;`);
  }
  return lines.join('\n');
}

function bashValueAction(value: ValueKind, bin: string): string {
  if (value.kind === 'files') return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))';
  if (value.kind === 'zones') return `COMPREPLY=($(compgen -W "$(${bin} ${ZONES_COMMAND} 2>/dev/null)" -- "$cur"))`;
  if (value.kind === 'words') return `COMPREPLY=($(compgen -W "${value.words.join(' ')}" -- "$cur"))`;
  return 'COMPREPLY=()';
}

function bashScript(spec: ProgramSpec): string {
  const bin = spec.name;
  const fn = `_${bin}`;
  const globalWords = spec.globals.flatMap(flagsOf).join(' ');
  const globalValueFlags = spec.globals.filter((o) => o.value.kind !== 'none').flatMap(flagsOf).join('|');
  const commandCases = spec.commands
    .map((cmd) => {
      const words = [...cmd.options.flatMap(flagsOf), ...cmd.args.flatMap((a) => a.choices ?? [])].join(' ');
      const valueCase = bashValueCase(cmd.options, bin, '        ');
      const prevCase = valueCase === '' ? [] : [`      case "$prev" in`, valueCase, `      esac`];
      return [`    ${cmd.name})`, ...prevCase, `      COMPREPLY=($(compgen -W "${words} $global_opts" -- "$cur")) ;;`].join('\n');
    })
    .join('\n');
  return `# bash completion for ${bin}; generated by \`${bin} completion bash\`, do not edit.
# Install: source this file, or copy it to /usr/share/bash-completion/completions/${bin}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local commands="${spec.commands.map((c) => c.name).join(' ')}"
  local global_opts="${globalWords}"
  local cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${globalValueFlags}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
${bashValueCase(spec.globals, bin, '    ')}
  esac
  case "$cmd" in
    "") COMPREPLY=($(compgen -W "$commands $global_opts" -- "$cur")) ;;
${commandCases}
  esac
}
# No "-o default": a URL, a token or a job path is not a file name.
complete -F ${fn} ${bin}
`;
}

// ---------------------------------------------------------------------------------------------
// zsh

function zshQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function zshDescription(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\[/g, '\\[').replace(/\]/g, '\\]');
}

function zshAction(value: ValueKind, bin: string): string {
  if (value.kind === 'files') return '_files';
  if (value.kind === 'zones') return `{_values zone \${(f)"$(${bin} ${ZONES_COMMAND} 2>/dev/null)"}}`;
  if (value.kind === 'words') return `(${value.words.join(' ')})`;
  return ' ';
}

function zshOptionSpecs(o: OptionSpec, bin: string): string[] {
  const flags = flagsOf(o);
  const desc = `[${zshDescription(o.description)}]`;
  const value = o.value.kind === 'none' ? '' : `:${o.valueName ?? 'value'}:${zshAction(o.value, bin)}`;
  if (flags.length === 1) return [zshQuote(`${flags[0]}${desc}${value}`)];
  // Either spelling, not both.
  const exclusion = `(${flags.join(' ')})`;
  return flags.map((f) => zshQuote(`${exclusion}${f}${desc}${value}`));
}

function zshScript(spec: ProgramSpec): string {
  const bin = spec.name;
  const globals = spec.globals.flatMap((o) => zshOptionSpecs(o, bin)).map((s) => `    ${s}`);
  const commandList = spec.commands.map((c) => `    ${zshQuote(`${c.name}:${c.description}`)}`);
  const commandCases = spec.commands.map((cmd) => {
    const opts = cmd.options.flatMap((o) => zshOptionSpecs(o, bin));
    const args = cmd.args.map((a, i) => zshQuote(`${i + 1}:${a.name}:${a.choices ? `(${a.choices.join(' ')})` : ' '}`));
    return [`        ${cmd.name})`, `          _arguments -s "\${global_opts[@]}" \\`, ...[...opts, ...args].map((s) => `            ${s} \\`), `            && ret=0 ;;`].join('\n');
  });
  return `#compdef ${bin}
# zsh completion for ${bin}; generated by \`${bin} completion zsh\`, do not edit.
# Install: copy to a directory in $fpath as _${bin}, then run compinit.
_${bin}() {
  local curcontext="$curcontext" state line ret=1
  local -a global_opts commands
  global_opts=(
${globals.join('\n')}
  )
  commands=(
${commandList.join('\n')}
  )
  _arguments -C -s "\${global_opts[@]}" '1: :->command' '*:: :->args' && ret=0
  case $state in
    command)
      _describe -t commands '${bin} command' commands && ret=0 ;;
    args)
      case $line[1] in
${commandCases.join('\n')}
      esac ;;
  esac
  return ret
}
_${bin} "$@"
`;
}

// ---------------------------------------------------------------------------------------------
// fish

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishOption(bin: string, o: OptionSpec, condition: string | undefined): string {
  const parts = [`complete -c ${bin}`];
  if (condition) parts.push(`-n ${fishQuote(condition)}`);
  if (o.short) parts.push(`-s ${o.short.slice(1)}`);
  if (o.long) parts.push(`-l ${o.long.slice(2)}`);
  if (o.value.kind === 'files') parts.push('-r -F');
  else if (o.value.kind === 'zones') parts.push(`-x -a ${fishQuote(`(${bin} ${ZONES_COMMAND} 2>/dev/null)`)}`);
  else if (o.value.kind === 'words') parts.push(`-x -a ${fishQuote(o.value.words.join(' '))}`);
  else if (o.value.kind === 'free') parts.push('-x');
  parts.push(`-d ${fishQuote(o.description)}`);
  return parts.join(' ');
}

function fishScript(spec: ProgramSpec): string {
  const bin = spec.name;
  const names = spec.commands.map((c) => c.name).join(' ');
  const lines = [
    `# fish completion for ${bin}; generated by \`${bin} completion fish\`, do not edit.`,
    `# Install: copy to ~/.config/fish/completions/${bin}.fish`,
    `complete -c ${bin} -f`,
    ...spec.commands.map((c) => `complete -c ${bin} -n ${fishQuote(`not __fish_seen_subcommand_from ${names}`)} -a ${c.name} -d ${fishQuote(c.description)}`),
    ...spec.globals.map((o) => fishOption(bin, o, undefined)),
  ];
  for (const cmd of spec.commands) {
    const condition = `__fish_seen_subcommand_from ${cmd.name}`;
    for (const o of cmd.options) lines.push(fishOption(bin, o, condition));
    for (const a of cmd.args) {
      if (a.choices) lines.push(`complete -c ${bin} -n ${fishQuote(condition)} -x -a ${fishQuote(a.choices.join(' '))} -d ${fishQuote(a.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
