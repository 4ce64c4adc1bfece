import { parseArgs, type ParseArgsConfig } from 'node:util';

// The contract every command keeps (README, "The commands' contract"): exit status 0 done, 1 failed (the environment, a file,
// the database, the work itself: nothing written), 2 wrong usage (checked before anything is opened). With
// --json, stdout holds one JSON document whatever happens: the command's report, or a CommandFailure.

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** A CliOutput onto writers of lines (keys', seed's: console.log and a test's list): each text without its last line break. */
export const byLines = (io: CliOutput): CliOutput => ({
  out: (text) => io.out(text.replace(/\n$/, '')),
  err: (text) => io.err(text.replace(/\n$/, '')),
});

/** What stopped the command: its arguments (`usage`), the environment's configuration, the file it was given, or the work itself. */
export type FailureKind = 'usage' | 'environment' | 'file' | 'failed';

/** Why a command stopped, as --json prints it on stdout. */
export interface CommandFailure {
  error: { kind: FailureKind; message: string; exitStatus: number };
}

/**
 * Says why the command stops and returns its exit status (2 for `usage`, else 1). The message (and the usage, when
 * given) goes to stderr for whoever reads it; with `json`, the CommandFailure goes to stdout as well, where a
 * script reads the report (import's went to stderr; tag, relate and db:copy printed prose only).
 */
export function commandFailure(io: CliOutput, json: boolean, kind: FailureKind, message: string, usage?: string): number {
  const exitStatus = kind === 'usage' ? EXIT_USAGE : EXIT_FAILED;
  if (json) io.out(`${JSON.stringify({ error: { kind, message, exitStatus } } satisfies CommandFailure)}\n`);
  io.err(`${message}\n${usage === undefined ? '' : `${usage}\n`}`);
  return exitStatus;
}

/** Whether the arguments ask for JSON: read before they are parsed, so that a wrong option is answered in JSON too. */
export const wantsJson = (argv: string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
};

/**
 * parseArgs that refuses an option with a value given twice unless it is `multiple`: parseArgs kept the last, so
 * `--review KGZ-1 --review KGZ-2` imported KGZ-2 alone and `db:copy --to a --to b` copied into b, unsaid.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const parsed = parseArgs({ ...config, tokens: true });
  const first = new Map<string, string>();
  for (const token of parsed.tokens!) {
    if (token.kind !== 'option') continue;
    // A flag given twice says the same thing twice.
    const option = config.options?.[token.name];
    if (option?.type !== 'string' || option.multiple === true) continue;
    const earlier = first.get(token.name);
    if (earlier !== undefined) {
      throw new Error(`--${token.name} is given more than once (${JSON.stringify(earlier)}, ${JSON.stringify(token.value)}): give it once.`);
    }
    first.set(token.name, token.value!);
  }
  return parsed as ReturnType<typeof parseArgs<T>>;
}
