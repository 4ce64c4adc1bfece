import { dropOutputWhenReaderGoes } from '../src/common/closed-output.js';
import { runImportCli } from '../src/import/cli.js';

// `npm run import -- <file> [--format …] [--review KGZ-3] [--dry-run] [--json]`: see src/import/cli.ts.
dropOutputWhenReaderGoes(process.stdout, process.stderr);
process.exitCode = await runImportCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
