import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { csvRecords } from '../src/import/csv.js';
import { type Fit, fittingPairs, type Probe } from '../src/import/match-candidates.js';
import { fittingScore, type Key, keyOf, SIMILARITY_THRESHOLD } from '../src/import/match-score.js';
import { matchKey } from '../src/import/reconcile.js';
import { sharedDataDir } from './support/shared-data.js';

// The indexed candidate search of the reconciliation must find exactly what scoring every pair finds.

/** The oracle: every record against every stored record (a record of the same key as some: only those). */
function exhaustive(probes: Probe[], targets: Key[][]): Fit[] {
  const fits: Fit[] = [];
  probes.forEach(({ text, excludes }, record) => {
    const open = targets.map((_, target) => target).filter((target) => !excludes(target));
    const exact = open.filter((target) => targets[target]!.some((k) => k.text === text));
    if (exact.length > 0) return fits.push(...exact.map((target) => ({ record, target, score: 3 })));
    for (const target of open) {
      const score = Math.max(-1, ...targets[target]!.map((k) => fittingScore(k, keyOf(text))));
      if (score >= SIMILARITY_THRESHOLD) fits.push({ record, target, score });
    }
  });
  return fits;
}

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Texts like another: a word dropped, added or changed, cut at any character, spaces doubled or dropped, repeated. */
function variant(text: string, next: () => number, vocabulary: string[]): string {
  const words = text.split(' ');
  const at = Math.floor(next() * words.length);
  const word = vocabulary[Math.floor(next() * vocabulary.length)]!;
  switch (Math.floor(next() * 8)) {
    case 0:
      return words.filter((_, i) => i !== at).join(' ');
    case 1:
      return [...words.slice(0, at), word, ...words.slice(at)].join(' ');
    case 2:
      return words.map((w, i) => (i === at ? word : w)).join(' ');
    case 3:
      return text.slice(Math.floor(next() * 4), text.length - Math.floor(next() * 4));
    case 4:
      return `${word} ${text} ${word}`;
    case 5:
      return text.replace(' ', '  ');
    case 6:
      return text.replace(' ', '');
    default:
      return text;
  }
}

function check(t: Test, name: string, probeTexts: string[], targetTexts: string[][], next: () => number) {
  const excluded = new Set<string>();
  probeTexts.forEach((_, r) => targetTexts.forEach((_, s) => next() < 0.05 && excluded.add(`${r} ${s}`)));
  const probes = probeTexts.map((text, r) => ({ text, excludes: (s: number) => excluded.has(`${r} ${s}`) }));
  const targets = targetTexts.map((texts) => texts.map(keyOf));
  const expected = exhaustive(probes, targets);
  t.same(fittingPairs(probes, targets), expected, `${name}: ${expected.length} pairs, as every pair scored finds`);
  // leaveOutSettled: without the lesser pairs of a stored record one record alone fits exactly, and fits alone.
  const exact = expected.filter((f) => f.score === 3);
  const settled = new Set(
    exact
      .filter((f) => exact.filter((g) => g.record === f.record).length === 1 && exact.filter((g) => g.target === f.target).length === 1)
      .map((f) => f.target),
  );
  const kept = expected.filter((f) => f.score === 3 || !settled.has(f.target));
  t.same(fittingPairs(probes, targets, { leaveOutSettled: true }), kept, `${name}: ${expected.length - kept.length} pairs left out as settled`);
  return expected;
}

t.test('generated texts: the same pairs and scores as scoring every pair', async (t) => {
  const vocabulary = ['the', 'state', 'of', 'law', 'ratify', 'rights', 'a', 'to', 'and', 'women', 'protect', 'x', 'ensure', 'on'];
  const kinds = { exact: 0, similar: 0, contained: 0 };
  for (let seed = 1; seed <= 40; seed++) {
    const next = random(seed);
    const sentence = () => Array.from({ length: Math.floor(next() * 14) }, () => vocabulary[Math.floor(next() * vocabulary.length)]).join(' ');
    const targets = Array.from({ length: 30 }, () => Array.from({ length: 1 + Math.floor(next() * 2) }, sentence));
    const probes = Array.from({ length: 40 }, () => {
      const like = targets[Math.floor(next() * targets.length)]![0]!;
      return next() < 0.2 ? sentence() : variant(next() < 0.5 ? like : variant(like, next, vocabulary), next, vocabulary);
    });
    probes.push('', '   ', 'a    b', 'a b c d');
    targets.push([''], ['a    b'], ['x  y   z']);
    for (const fit of check(t, `seed ${seed}`, probes, targets, next)) {
      if (fit.score === 3) kinds.exact++;
      else if (fit.score > 1) kinds.contained++;
      else kinds.similar++;
    }
  }
  t.ok(kinds.exact > 100 && kinds.similar > 100 && kinds.contained > 100, `every kind of fit met: ${JSON.stringify(kinds)}`);
});

const DATA = sharedDataDir();

t.test('real texts: the corpus of 2010, review by review, against variants of its own texts', { skip: DATA ? false : 'no shared data' }, async (t) => {
  const file = join(DATA!, 'terman-upr-2008-2014/2010data.csv');
  const byReview = new Map<string, string[]>();
  async function* text() {
    for await (const chunk of createReadStream(file, 'utf8')) yield chunk as string;
  }
  for await (const [cell, to] of csvRecords(text())) {
    if (!byReview.has(to!)) byReview.set(to!, []);
    byReview.get(to!)!.push(matchKey(cell!));
  }
  const next = random(2010);
  const vocabulary = [...new Set([...byReview.values()].flat().join(' ').split(' '))];
  let pairs = 0;
  for (const [review, keys] of [...byReview].slice(1, 9)) {
    const probes = [...keys.filter(() => next() < 0.3), ...keys.map((k) => variant(k, next, vocabulary))];
    pairs += check(t, review, probes, keys.map((k) => [k]), next).length;
  }
  t.ok(pairs > 1000, `${pairs} pairs found`);
});
