import { runImportCli } from '../src/import/cli.js';

// `npm run import -- <file> [--format …] [--review KGZ-3] [--dry-run] [--json]`: see src/import/cli.ts.
process.exitCode = await runImportCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
