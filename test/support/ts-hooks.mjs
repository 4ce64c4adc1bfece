import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

// Module hooks for ts-register.mjs: `./x.js` resolves to `./x.ts` when only the TypeScript source exists
// (imports name the emitted file, as NodeNext requires), and .ts files load as ES modules transpiled by
// esbuild with an inline source map, which coverage and stack traces follow back to the source.

const TS = /\.ts$/;

export async function resolve(specifier, context, nextResolve) {
  if (/^\.{1,2}\//.test(specifier) && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
    const url = new URL(specifier, context.parentURL);
    if (!existsSync(url) && existsSync(new URL(specifier.replace(/js$/, 'ts'), context.parentURL))) {
      return nextResolve(specifier.replace(/js$/, 'ts'), context);
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !TS.test(new URL(url).pathname) || url.includes('/node_modules/')) {
    return nextLoad(url, context);
  }
  const path = fileURLToPath(url);
  const source = await readFile(path, 'utf8');
  const { code } = await transform(source, {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: path,
    sourcesContent: false,
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
