import { register } from 'node:module';

// Loads TypeScript in the tests (and in the servers and scripts they start) with esbuild: transpile only
// (`tsc --noEmit` type-checks before tap runs), so each test process skips loading the TypeScript compiler.
// Unlike tsx, the output keeps its whitespace: tsx minifies each module onto a few lines, which made the
// line coverage count every loaded line as run.
register('./ts-hooks.mjs', import.meta.url);
