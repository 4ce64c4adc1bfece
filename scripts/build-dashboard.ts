// Builds the dashboard (dashboard/ → dashboard/dist/): one bundled, minified script with Chart.js inside, the
// page and its stylesheet. No CDN: the service serves all of it. Run by `npm install` (prepare) and by hand.
// The script and the stylesheet are named after their content (app-<hash>.js, app-<hash>.css), and the page names
// them: the service lets a browser keep them for good (src/dashboard/routes.ts), and a new build is new names.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const source = fileURLToPath(new URL('../dashboard/', import.meta.url));
const out = `${source}dist/`;
rmSync(out, { recursive: true, force: true }); // no build's files left beside the next's
mkdirSync(out, { recursive: true });
const { metafile } = await build({
  entryPoints: { app: `${source}main.ts` },
  outdir: out,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
});
const script = basename(Object.keys(metafile.outputs).find((file) => file.endsWith('.js'))!);
const css = readFileSync(`${source}app.css`);
const stylesheet = `app-${createHash('sha256').update(css).digest('hex').slice(0, 10)}.css`;
writeFileSync(`${out}${stylesheet}`, css);
const page = readFileSync(`${source}index.html`, 'utf8');
const named = page.replace('href="app.css"', `href="${stylesheet}"`).replace('src="app.js"', `src="${script}"`);
if (!named.includes(stylesheet) || !named.includes(script)) throw new Error('dashboard/index.html no longer names app.css and app.js');
writeFileSync(`${out}index.html`, named);
process.stderr.write(`dashboard built in ${out}\n`);
