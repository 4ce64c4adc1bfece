import type { ParseArgsConfig } from 'node:util';
import { commandFailure, parseCommandArgs, wantsJson } from '../src/common/command-line.js';

/** The options a command takes, as parseArgs reads them, each with a description for its usage where it says one. */
export type CommandOptions = Record<string, NonNullable<ParseArgsConfig['options']>[string] & { description?: string }>;

export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CommandOutput = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

/**
 * For the bench, training and seed commands: the exit code when `argv` asks for help (`--help`, `-h`: the usage on
 * stdout, 0) or holds what `options` do not take (the reason and the usage on stderr, 2, and with --json, when
 * the command takes it, the reason as a CommandFailure on stdout); undefined when the
 * command is to run. Without it parseArgs threw a stack trace at `--help`, and a command reading
 * process.argv itself took `--help` for nothing and started a run of minutes.
 */
export function helpOrUsageError(argv: string[], options: CommandOptions, usage: string, io = processOutput): number | undefined {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${usage}\n`);
    return 0;
  }
  try {
    parseCommandArgs({ args: argv, options, strict: true, allowPositionals: false });
    return undefined;
  } catch (error) {
    return commandFailure(io, 'json' in options && wantsJson(argv), 'usage', (error as Error).message, usage);
  }
}

/** helpOrUsageError on this process's arguments, exiting with its code when it has one. */
export function exitOnHelpOrUsageError(
  options: CommandOptions,
  usage: string,
  argv = process.argv.slice(2),
  exit: (code: number) => void = process.exit,
  io = processOutput,
): void {
  const code = helpOrUsageError(argv, options, usage, io);
  if (code !== undefined) exit(code);
}
