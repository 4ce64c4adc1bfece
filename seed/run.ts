import { runSeedCommand } from './cli.js';

// `npm run seed`: see seed/cli.ts.
process.exitCode = await runSeedCommand(process.env, { out: (line) => console.log(line), err: (line) => console.error(line) });
