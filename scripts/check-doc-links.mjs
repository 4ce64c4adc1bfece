// Checks every relative link and anchor in README.md and docs/*.md: the file must exist and, for a
// `#anchor`, the Markdown file must have a heading whose GitHub slug is that anchor.
// Usage: node scripts/check-doc-links.mjs   (exit 1 and one line per broken link)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The text outside fenced code blocks, with inline code spans blanked (their length kept). */
function prose(text) {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** GitHub's heading anchors: lower case, punctuation but `-` and `_` dropped, spaces to `-`, repeats numbered. */
function anchors(text) {
  const seen = new Map();
  const out = new Set();
  for (const line of prose(text).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const anchorCache = new Map();
function anchorsOf(path) {
  if (!anchorCache.has(path)) anchorCache.set(path, anchors(readFileSync(path, 'utf8')));
  return anchorCache.get(path);
}

let checked = 0;
const broken = [];
for (const file of files) {
  const path = join(root, file);
  const lines = prose(readFileSync(path, 'utf8').replace(/`[^`\n]*`/g, (s) => ' '.repeat(s.length))).split('\n');
  lines.forEach((line, i) => {
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      checked++;
      const [pathPart, anchor] = target.split('#', 2);
      const targetPath = pathPart === '' ? path : resolve(dirname(path), decodeURIComponent(pathPart));
      const where = `${file}:${i + 1}: ${target}`;
      if (!existsSync(targetPath)) {
        broken.push(`${where}: no file ${relative(root, targetPath)}`);
        continue;
      }
      if (anchor !== undefined && anchor !== '') {
        if (!targetPath.endsWith('.md')) broken.push(`${where}: an anchor into a file that is not Markdown`);
        else if (!anchorsOf(targetPath).has(decodeURIComponent(anchor))) broken.push(`${where}: no heading #${anchor}`);
      }
    }
  });
}
for (const b of broken) console.log(b);
console.log(`${files.length} files, ${checked} relative links, ${broken.length} broken`);
process.exit(broken.length ? 1 : 0);
