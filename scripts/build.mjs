// `npm run build` (run by `npm start` first): the server as one ES module, dist/src/server.js, so that a start
// loads one file instead of having tsx compile and Node resolve hundreds of modules. Plain JavaScript, so
// that it runs without tsx. Kept out: better-sqlite3 (a native module). The bundle sits at dist/src/ so that
// paths the code resolves from its own location (`../../migrations`) land where they do from src/.
import { readFile, stat, writeFile } from 'node:fs/promises';

// `--outfile=dist/<folder>/server.js` builds elsewhere (the tests' own copy, which `npm run build` cannot
// rewrite while a test runs it); two folders deep, as dist/src/ is.
const outfile = process.argv.find((arg) => arg.startsWith('--outfile='))?.slice('--outfile='.length) ?? 'dist/src/server.js';
/** What the last build read (every file esbuild bundled) and when it began. */
const inputsFile = outfile.replace(/\.js$/, '.inputs.json');
const ALWAYS_CHECKED = ['scripts/build.mjs', 'tsconfig.json', 'package-lock.json', 'node_modules/.package-lock.json'];

// `npm start` runs `build.mjs --if-changed`: when no file the last build read has been modified since it
// began (npm install rewrites node_modules/.package-lock.json), the bundle is current and is kept, which
// saves a start the build's seconds. `npm run build` always builds.
async function current() {
  const last = await readFile(inputsFile, 'utf8').then(JSON.parse, () => undefined);
  if (last === undefined || !(await stat(outfile).then(() => true, () => false))) return false;
  const times = await Promise.all([...ALWAYS_CHECKED, ...last.inputs].map((file) => stat(file).then((s) => s.mtimeMs, () => Infinity)));
  return times.every((time) => time < last.began);
}
if (process.argv.includes('--if-changed') && (await current())) process.exit(0);
const began = Date.now();
const { build } = await import('esbuild');

// @fastify/swagger-ui serves its assets from its own folder (`__dirname`, which an ES module does not have):
// bundled, each of its files gets its folder back from where Node resolves the package. Left out of the
// bundle, it had Node load its 60-odd CommonJS files at every start (a tenth of the start's CPU).
const swaggerUiFolders = {
  name: 'swagger-ui-folders',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@fastify[\\/]swagger-ui[\\/](index|lib[\\/]routes)\.js$/ }, async (args) => {
      // Told by the file's own path: a URL's pathname is percent-encoded, so a checkout under "/home/a b/" had
      // lib/routes.js given the package's folder, and Swagger UI's CSS and logo answered 404.
      const folder = /[\\/]lib[\\/]routes\.js$/.test(args.path) ? "'lib'" : "''";
      const dirname = `const __dirname = require('node:path').join(require('node:path').dirname(require.resolve('@fastify/swagger-ui')), ${folder});\n`;
      return { contents: dirname + (await readFile(args.path, 'utf8')), loader: 'js' };
    });
  },
};

// Both bundles: ESM for Node 20, with source maps. Node decodes a bundle's source before it compiles it: two
// thirds the bytes without whitespace and comments, and ASCII only (below), it decodes in a third of the time
// (the largest item of a start's profile after the tagger's model). Names are kept, so that stack traces
// still say which function.
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  minifyWhitespace: true,
  charset: 'ascii',
  logLevel: 'warning',
  metafile: true,
};

const result = await build({
  ...common,
  entryPoints: ['src/server.ts'],
  outfile,
  external: ['better-sqlite3'],
  plugins: [swaggerUiFolders],
  // Bundled CommonJS packages call require() for Node's own modules.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});

// The relations' worker thread (src/related/neighbours-thread.ts starts ./neighbours-worker.js beside the
// bundle): a bundle of its own, its few modules only.
const worker = await build({
  ...common,
  entryPoints: ['src/related/neighbours-worker.ts'],
  outfile: outfile.replace(/[^/]*$/, 'neighbours-worker.js'),
});

// The import thread (src/import/import-thread.ts starts ./import-worker.js beside the bundle): the importers,
// the database and the tagger, as the server has them.
const importWorker = await build({
  ...common,
  entryPoints: ['src/import/import-worker.ts'],
  outfile: outfile.replace(/[^/]*$/, 'import-worker.js'),
  external: ['better-sqlite3'],
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});

// The checkpoint thread (src/db/wal-thread.ts starts ./wal-worker.js beside the bundle): SQLite and wal.ts only.
const walWorker = await build({
  ...common,
  entryPoints: ['src/db/wal-worker.ts'],
  outfile: outfile.replace(/[^/]*$/, 'wal-worker.js'),
  external: ['better-sqlite3'],
});

// esbuild leaves non-ASCII characters in regular expression literals (a few, such as ’ and –), and one is
// enough to make Node decode the whole file the slow way: written as \u escapes, they mean the same
// characters in a regular expression (as UTF-16 units, surrogate pairs included) as in a string.
for (const file of [outfile, outfile.replace(/[^/]*$/, 'import-worker.js')]) {
  const bundle = await readFile(file, 'utf8');
  await writeFile(file, bundle.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
await writeFile(inputsFile, JSON.stringify({ began, inputs: [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(worker.metafile.inputs), ...Object.keys(importWorker.metafile.inputs), ...Object.keys(walWorker.metafile.inputs)])] }));
