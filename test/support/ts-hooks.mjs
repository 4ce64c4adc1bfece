import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Module hooks for ts-register.mjs: `./x.js` resolves to `./x.ts` when only the TypeScript source exists
// (imports name the emitted file, as NodeNext requires), and .ts files load as ES modules transpiled by
// esbuild with an inline source map, which coverage and stack traces follow back to the source.
//
// Every test file, and every server or script a test starts, is a new process that loads the same ~170
// TypeScript modules: the transpiled code is kept in a cache directory, named after a hash of the source,
// its path (the source map names it) and the options, so a process only starts esbuild for a file it has
// not seen (or that changed). Writes go through a rename, so parallel processes never read half a file.

const TS = /\.ts$/;
const OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  sourcesContent: false,
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
};
const CACHE = join(tmpdir(), 'upr-tracker-ts-cache');
let esbuild;

const TAP_FILE = new URL('./tap-file.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  // In a shard of npm test (test/support/shard.mjs), a test file's tap is its own subtest.
  const parent = context.parentURL?.startsWith('file:') ? new URL(context.parentURL) : undefined;
  if (specifier === 'tap' && process.env.UPR_TEST_SHARD === '1' && parent?.pathname.endsWith('.test.ts')) {
    return { url: `${TAP_FILE}?file=${encodeURIComponent(context.parentURL)}`, shortCircuit: true };
  }
  if (/^\.{1,2}\//.test(specifier) && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
    const url = new URL(specifier, context.parentURL);
    if (!existsSync(url) && existsSync(new URL(specifier.replace(/js$/, 'ts'), context.parentURL))) {
      return nextResolve(specifier.replace(/js$/, 'ts'), context);
    }
  }
  return nextResolve(specifier, context);
}

async function transpile(path, source) {
  esbuild ??= await import('esbuild');
  const key = createHash('sha256')
    .update(`${esbuild.version}\0${JSON.stringify(OPTIONS)}\0${path}\0`)
    .update(source)
    .digest('hex');
  const cached = join(CACHE, `${key}.js`);
  try {
    return await readFile(cached, 'utf8');
  } catch {
    const { code } = await esbuild.transform(source, { ...OPTIONS, sourcefile: path });
    mkdirSync(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    await writeFile(partial, code);
    await rename(partial, cached);
    return code;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !TS.test(new URL(url).pathname) || url.includes('/node_modules/')) {
    return nextLoad(url, context);
  }
  const path = fileURLToPath(url);
  const source = await transpile(path, await readFile(path, 'utf8'));
  return { format: 'module', source, shortCircuit: true };
}
