import { dropOutputWhenReaderGoes } from '../src/common/closed-output.js';
import { runTagCli } from '../src/tagging/cli.js';

// `npm run tag [-- --review KGZ-3] [--all] [--json]`: see src/tagging/cli.ts.
dropOutputWhenReaderGoes(process.stdout, process.stderr);
process.exitCode = await runTagCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
