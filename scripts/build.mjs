// `npm run build` (run by `npm start` first): the server as one ES module, dist/src/server.js, so that a start
// loads one file instead of having tsx compile and Node resolve hundreds of modules. Plain JavaScript, so
// that it runs without tsx. Kept out: better-sqlite3 (a native module) and @fastify/swagger-ui (it serves its
// assets from its own folder). The bundle sits at dist/src/ so that paths the code resolves from its own
// location (`../../migrations`) land where they do from src/.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/server.ts'],
  outfile: 'dist/src/server.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', '@fastify/swagger-ui'],
  // Bundled CommonJS packages call require() for Node's own modules.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});
