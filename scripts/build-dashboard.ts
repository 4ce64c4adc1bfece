// Builds the dashboard (dashboard/ → dashboard/dist/): one bundled, minified script with Chart.js inside, the
// page and its stylesheet. No CDN: the service serves all of it. Run by `npm install` (prepare) and by hand.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const source = fileURLToPath(new URL('../dashboard/', import.meta.url));
const out = `${source}dist/`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${source}main.ts`],
  outfile: `${out}app.js`,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css']) copyFileSync(`${source}${file}`, `${out}${file}`);
process.stderr.write(`dashboard built in ${out}\n`);
