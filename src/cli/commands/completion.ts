import { Argument, Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { Shell } from '../completion-scripts.js';
import type { CliIO } from '../options.js';

export function completionCommand(io: CliIO): Command {
  return new Command('completion')
    .description('print the shell completion script for bash, zsh or fish')
    .addArgument(new Argument('[shell]', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    // Used by the scripts themselves to complete --location.
    .addOption(new Option('--zones', 'print the time-zone names --location accepts').hideHelp())
    .addHelpText(
      'after',
      `
Examples:
  $ source <(dalga completion bash)                     # bash, this shell only
  $ dalga completion zsh > "\${fpath[1]}/_dalga"          # zsh
  $ dalga completion fish > ~/.config/fish/completions/dalga.fish`,
    )
    .action(async (shell: Shell | undefined, opts: { zones?: boolean }, command: Command) => {
      // The generators are loaded only for this command.
      const { completionScript, zoneNames } = await import('../completion-scripts.js');
      if (opts.zones) {
        io.stdout.write(`${zoneNames().join('\n')}\n`);
        return;
      }
      if (shell === undefined) throw new UsageError('which shell? — give bash, zsh or fish');
      io.stdout.write(completionScript(shell, rootOf(command)));
    });
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}
