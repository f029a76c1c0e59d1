/**
 * The `coffer` command: finds the command in src/cli/commands.ts (where each one is registered
 * with its help) and runs it. `--help` (or `-h`) anywhere prints that command's help, exit 0;
 * a usage error prints the message and the command's usage, exit 2; a refused start, exit 1.
 */
import { StartupError, UsageError } from '../config.ts';
import { findCommand, helpOf, mainHelp, type Command } from './commands.ts';

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  let found: { command: Command; args: string[] } | undefined;
  try {
    if (name === undefined || name === '--help' || name === '-h') return void process.stdout.write(mainHelp());
    // `coffer help` and `coffer help COMMAND [SUBCOMMAND]`, as git and npm have it.
    if (name === 'help') {
      const topic = rest.length > 0 ? findCommand(rest) : undefined;
      if (rest.length > 0 && !topic) throw new UsageError(`no help for '${rest.join(' ')}': unknown command`);
      return void process.stdout.write(topic ? await helpOf(topic.command) : mainHelp());
    }
    found = findCommand(argv);
    if (!found) throw new UsageError(`unknown command '${name}'`);
    if (wantsHelp(found.args)) return void process.stdout.write(await helpOf(found.command));
    await found.command.run(found.args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`coffer: ${err.message}\n\n${found ? await helpOf(found.command) : mainHelp()}`);
      process.exit(2);
    }
    if (err instanceof StartupError) {
      process.stderr.write(`coffer: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
