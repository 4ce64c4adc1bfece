// `npm run build` (run by `npm start` first): the server as one ES module, dist/src/server.js, so that a start
// loads one file instead of having tsx compile and Node resolve hundreds of modules. Plain JavaScript, so
// that it runs without tsx. Kept out: better-sqlite3 (a native module). The bundle sits at dist/src/ so that
// paths the code resolves from its own location (`../../migrations`) land where they do from src/.
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { build } from 'esbuild';

// @fastify/swagger-ui serves its assets from its own folder (`__dirname`, which an ES module does not have):
// bundled, each of its files gets its folder back from where Node resolves the package. Left out of the
// bundle, it had Node load its 60-odd CommonJS files at every start (a tenth of the start's CPU).
const swaggerUiFolders = {
  name: 'swagger-ui-folders',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@fastify[\\/]swagger-ui[\\/](index|lib[\\/]routes)\.js$/ }, async (args) => {
      const inPackage = relative(new URL('../node_modules/@fastify/swagger-ui', import.meta.url).pathname, args.path);
      const folder = inPackage.startsWith('lib') ? "'lib'" : "''";
      const dirname = `const __dirname = require('node:path').join(require('node:path').dirname(require.resolve('@fastify/swagger-ui')), ${folder});\n`;
      return { contents: dirname + (await readFile(args.path, 'utf8')), loader: 'js' };
    });
  },
};

await build({
  entryPoints: ['src/server.ts'],
  outfile: 'dist/src/server.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3'],
  plugins: [swaggerUiFolders],
  // Bundled CommonJS packages call require() for Node's own modules.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});
