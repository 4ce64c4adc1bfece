import { dropOutputWhenReaderGoes } from '../src/common/closed-output.js';
import { runRelateCli } from '../src/related/cli.js';

// `npm run relate [-- --state KGZ] [--json]`: see src/related/cli.ts.
dropOutputWhenReaderGoes(process.stdout, process.stderr);
process.exitCode = runRelateCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
