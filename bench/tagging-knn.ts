import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LabelledText } from '../src/tagging/corpus.js';
import { termCounts } from '../src/tagging/text.js';
import { MODEL_FORMAT, Tagger } from '../src/tagging/model.js';
import { DEFAULT_TRAIN_OPTIONS, tuneThresholds } from '../src/tagging/train.js';
import { blendFigures, SPLIT_OPTION, type SplitCorpus, splitCorpus } from './tagging-split.js';

// Issue 11, session 18: nearest-neighbour label transfer as a fourth member of the tagger's blend (an
// experiment, measurement only). Texts are L2-normalised TF-IDF vectors of the tagger's stemmed words and
// word pairs (src/tagging/text.ts termCounts; (1 + log tf) × idf, idf from the indexed texts); an inverted
// index (term → postings of (text, weight)) answers a text's cosine to every indexed text sharing a term.
// A label's kNN score: s = Σ sim^p·y / Σ sim^p over the k nearest, as log-odds log(s/(1−s)) with s clipped to
// [eps, 1 − eps]; with tau > 0 the member only speaks when the nearest neighbour's cosine is at least tau.
// Out of fold on the training sessions (the folds `fit` and tagging-split's memberScores use: sessions dealt
// round), from the index of all training texts on the measured ones. Blends with the saved linear and network
// scores (bench/tagging-scores.ts, bench/tagging-bag.ts: `linear-SPLIT-*.f32`, `bag-SPLIT-*.f32` in --scores),
// thresholds tuned on the out-of-fold blend (tagging-split's blendFigures), two forms:
//   convex:   z = (1 − w)·B + w·K   (K = B where the member is silent)
//   additive: z = B + w·K           (K = 0 where silent)
// with B = 0.75 × linear + 0.25 × network log-odds (the shipped blend).
// `node --import tsx bench/tagging-knn.ts --split validation|held-out --scores DIR [--grid 'k=5,10,20;p=1,3;tau=0,0.5,0.8;w=0.1,0.2,0.3'] [--forms convex,additive] [--same-state] [--save]`
// (--save: each (k, p, tau)'s kNN log-odds as `knn[-state]-kK-pP-tT-SPLIT-{oof,measured}.f32` in --scores, the
// format bench/tagging-blend3.ts reads; --only 'k,p,tau,w,form': that one setting, e.g. for the held-out run)
// Session 20, --same-state: a text's neighbours are only the training texts to the same state under review
// from earlier sessions than its own (out of fold: and not in its fold), often reworded repeats of its
// state's last review; the member is silent for a text without one. Each setting is reported on all the
// measured texts and on those whose state has such earlier training texts (`withEarlier`).

const { values: args } = parseArgs({
  options: {
    ...SPLIT_OPTION,
    scores: { type: 'string', default: tmpdir() },
    grid: { type: 'string', default: 'k=5,10,20;p=1,3;tau=0,0.5,0.8;w=0.1,0.2,0.3' },
    forms: { type: 'string', default: 'convex,additive' },
    only: { type: 'string' },
    eps: { type: 'string', default: '0.02' },
    save: { type: 'boolean', default: false },
    'same-state': { type: 'boolean', default: false },
  },
});
const grid = Object.fromEntries(args.grid.split(';').map((part) => part.split('=')).map(([key, values]) => [key!, values!.split(',').map(Number)])) as Record<
  'k' | 'p' | 'tau' | 'w',
  number[]
>;
let forms = args.forms.split(',') as ('convex' | 'additive')[];
if (args.only !== undefined) {
  const [k, p, tau, w, form] = args.only.split(',');
  Object.assign(grid, { k: [Number(k)], p: [Number(p)], tau: [Number(tau)], w: [Number(w)] });
  forms = [form as 'convex' | 'additive'];
}
const EPS = Number(args.eps);
const K_MAX = Math.max(...grid.k);
const SAME_STATE = args['same-state'];

/** An inverted index of L2-normalised TF-IDF vectors: term → postings (text, weight). */
class KnnIndex {
  readonly termIndex = new Map<string, number>();
  idf: Float64Array = new Float64Array(0);
  docs: Int32Array[] = [];
  weights: Float32Array[] = [];
  constructor(readonly size: number) {}

  static build(texts: readonly string[]): KnnIndex {
    const index = new KnnIndex(texts.length);
    const counted = texts.map((t) => termCounts(t));
    const df: number[] = [];
    for (const counts of counted) {
      for (const term of counts.keys()) {
        let i = index.termIndex.get(term);
        if (i === undefined) index.termIndex.set(term, (i = df.length)), df.push(0);
        df[i]!++;
      }
    }
    index.idf = Float64Array.from(df, (n) => Math.log((1 + texts.length) / (1 + n)) + 1);
    const docs = df.map((n) => new Int32Array(n));
    const weights = df.map((n) => new Float32Array(n));
    const fill = new Int32Array(df.length);
    counted.forEach((counts, d) => {
      const v = index.vector(counts);
      for (let j = 0; j < v.idx.length; j++) {
        const t = v.idx[j]!;
        docs[t]![fill[t]!] = d;
        weights[t]![fill[t]!++] = v.val[j]!;
      }
    });
    index.docs = docs;
    index.weights = weights;
    return index;
  }

  /** A text's terms known to the index and their L2-normalised TF-IDF weights. */
  vector(counts: Map<string, number>) {
    const idx: number[] = [];
    const val: number[] = [];
    let norm2 = 0;
    for (const [term, count] of counts) {
      const i = this.termIndex.get(term);
      if (i === undefined) continue;
      const x = (1 + Math.log(count)) * this.idf[i]!;
      idx.push(i);
      val.push(x);
      norm2 += x * x;
    }
    const scale = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
    return { idx, val: val.map((x) => x * scale) };
  }

  /** Bytes as it would be stored: per term its string and df, per posting a 4-byte text id and a 4-byte weight. */
  bytes(): number {
    let b = 0;
    for (const term of this.termIndex.keys()) b += Buffer.byteLength(term) + 1 + 4;
    for (const d of this.docs) b += d.length * 8;
    return b;
  }

  private acc = new Float32Array(0);
  private touched = new Int32Array(0);

  /** The k nearest indexed texts (cosine, best first) among those `allow`ed (all when not given): ids and similarities. */
  nearest(text: string, k: number, allow?: (d: number) => boolean): { ids: Int32Array; sims: Float32Array } {
    if (this.acc.length !== this.size) {
      this.acc = new Float32Array(this.size);
      this.touched = new Int32Array(this.size);
    }
    const acc = this.acc;
    const touched = this.touched;
    let nTouched = 0;
    const v = this.vector(termCounts(text));
    for (let j = 0; j < v.idx.length; j++) {
      const docs = this.docs[v.idx[j]!]!;
      const ws = this.weights[v.idx[j]!]!;
      const q = v.val[j]!;
      for (let m = 0; m < docs.length; m++) {
        const d = docs[m]!;
        if (acc[d] === 0) touched[nTouched++] = d;
        acc[d] = acc[d]! + q * ws[m]!;
      }
    }
    // top k by insertion into a small sorted array (k ≤ 20)
    const ids = new Int32Array(k).fill(-1);
    const sims = new Float32Array(k).fill(-1);
    for (let m = 0; m < nTouched; m++) {
      const d = touched[m]!;
      const s = acc[d]!;
      acc[d] = 0;
      if (s <= sims[k - 1]! || (allow !== undefined && !allow(d))) continue;
      let pos = k - 1;
      while (pos > 0 && sims[pos - 1]! < s) {
        sims[pos] = sims[pos - 1]!;
        ids[pos] = ids[pos - 1]!;
        pos--;
      }
      sims[pos] = s;
      ids[pos] = d;
    }
    return { ids, sims };
  }
}

interface Neighbours {
  /** Per text: the K_MAX nearest as global training-text indexes (−1: none) and their cosines. */
  ids: Int32Array[];
  sims: Float32Array[];
}

/** --same-state: may training text `d` (global index) be a neighbour of a text of this state and session? */
function sameStateEarlier(c: SplitCorpus, t: LabelledText): ((d: number) => boolean) | undefined {
  if (!SAME_STATE) return undefined;
  const state = t.meta?.stateUnderReview ?? null;
  return (d) => {
    const u = c.training[d]!;
    return state !== null && u.session < t.session && u.meta?.stateUnderReview === state;
  };
}

function neighbours(c: SplitCorpus) {
  const folds = DEFAULT_TRAIN_OPTIONS.folds;
  const sessions = [...new Set(c.training.map((t) => t.session))].sort((a, b) => a - b);
  const foldOf = new Map(sessions.map((s, i) => [s, i % folds]));
  const oof: Neighbours = { ids: new Array(c.training.length), sims: new Array(c.training.length) };
  for (let fold = 0; fold < folds; fold++) {
    const rows = c.training.flatMap((t, i) => (foldOf.get(t.session) === fold ? [] : [i]));
    const index = KnnIndex.build(rows.map((i) => c.training[i]!.text));
    c.training.forEach((t, i) => {
      if (foldOf.get(t.session) !== fold) return;
      const allow = sameStateEarlier(c, t);
      const n = index.nearest(t.text, K_MAX, allow && ((d) => allow(rows[d]!)));
      oof.ids[i] = n.ids.map((d) => (d < 0 ? -1 : rows[d]!));
      oof.sims[i] = n.sims;
    });
  }
  let cpu = process.cpuUsage();
  const index = KnnIndex.build(c.training.map((t) => t.text));
  const buildCpu = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const measured: Neighbours = { ids: [], sims: [] };
  for (const t of c.measured) {
    const n = index.nearest(t.text, K_MAX, sameStateEarlier(c, t));
    measured.ids.push(n.ids);
    measured.sims.push(n.sims);
  }
  const queryCpu = process.cpuUsage(cpu);
  const postings = index.docs.reduce((s, d) => s + d.length, 0);
  return {
    oof,
    measured,
    cost: {
      indexedTexts: index.size,
      terms: index.termIndex.size,
      postings,
      indexMB: Number((index.bytes() / 1e6).toFixed(2)),
      buildSeconds: Number(((buildCpu.user + buildCpu.system) / 1e6).toFixed(2)),
      msPerText: Number(((queryCpu.user + queryCpu.system) / 1e3 / c.measured.length).toFixed(4)),
    },
  };
}

/** kNN log-odds per text (Float64, text-major), NaN where silent (nearest cosine below tau, or no neighbour). */
function knnLogOdds(n: Neighbours, ys: Int32Array[], L: number, k: number, p: number, tau: number): Float64Array {
  const out = new Float64Array(n.ids.length * L);
  const lo = Math.log(EPS / (1 - EPS));
  const votes = new Float64Array(L);
  n.ids.forEach((ids, i) => {
    const sims = n.sims[i]!;
    if (ids[0]! < 0 || sims[0]! < tau || sims[0]! <= 0) {
      out.fill(Number.NaN, i * L, (i + 1) * L);
      return;
    }
    votes.fill(0);
    let total = 0;
    for (let j = 0; j < k && ids[j]! >= 0; j++) {
      const w = Math.max(sims[j]!, 0) ** p;
      total += w;
      for (const l of ys[ids[j]!]!) votes[l]! += w;
    }
    for (let l = 0; l < L; l++) {
      const s = Math.min(1 - EPS, Math.max(EPS, total > 0 ? votes[l]! / total : 0));
      out[i * L + l] = total > 0 ? Math.log(s / (1 - s)) : lo;
    }
  });
  return out;
}

const c = await splitCorpus(args.split);
const L = c.labels.length;
const started = process.cpuUsage();
const nn = neighbours(c);
process.stderr.write(`${JSON.stringify({ split: args.split, training: c.training.length, measured: c.measured.length, ...nn.cost })}\n`);
const nearCopies = nn.measured.sims.filter((s) => s[0]! >= 0.9).length;
process.stderr.write(`measured texts with a neighbour at cosine >= 0.9: ${nearCopies} of ${c.measured.length}\n`);

const read = (name: string, part: string, logit: boolean) => {
  const path = join(args.scores, `${name}-${args.split}-${part}.f32`);
  if (!existsSync(path)) throw new Error(`no ${path}`);
  const f = new Float32Array(new Uint8Array(readFileSync(path)).buffer);
  return Float64Array.from(f, (v) => (logit ? Math.log(v / (1 - v)) : v));
};
const base = (part: 'oof' | 'measured') => {
  const lin = read('linear', part, true);
  const bag = read('bag', part, false);
  return lin.map((z, i) => 0.75 * z + 0.25 * bag[i]!);
};
const B = { oof: base('oof'), measured: base('measured') };
const rows = (z: Float64Array) => Array.from({ length: z.length / L }, (_, i) => Float64Array.from(z.subarray(i * L, (i + 1) * L), (v) => 1 / (1 + Math.exp(-v))));
// --same-state: the measured texts whose state under review has training texts from earlier sessions.
const firstSession = new Map<string | null, number>();
for (const u of c.training) {
  const state = u.meta?.stateUnderReview ?? null;
  firstSession.set(state, Math.min(u.session, firstSession.get(state) ?? Infinity));
}
const withEarlier = c.measured.flatMap((t, i) => {
  const state = t.meta?.stateUnderReview ?? null;
  return SAME_STATE && state !== null && (firstSession.get(state) ?? Infinity) < t.session ? [i] : [];
});
if (SAME_STATE) process.stderr.write(`measured texts whose state has earlier training texts: ${withEarlier.length} of ${c.measured.length}\n`);
const subset = { ...c, measured: withEarlier.map((i) => c.measured[i]!), gold: withEarlier.map((i) => c.gold[i]!) };
const report = (setting: object, oofZ: Float64Array, measuredZ: Float64Array) => {
  const oofRows = rows(oofZ);
  const measuredRows = rows(measuredZ);
  const f = blendFigures(c, oofRows, measuredRows);
  const sub = SAME_STATE ? blendFigures(subset, oofRows, withEarlier.map((i) => measuredRows[i]!)) : undefined;
  const withEarlierFigures = sub && { withEarlierMicro: sub.micro, withEarlierMacro: sub.macro };
  console.log(JSON.stringify({ split: args.split, ...setting, micro: f.micro, macro: f.macro, ...withEarlierFigures, weakest: f.weakest.slice(0, 4) }));
};
if (args.only === undefined) report({ setting: 'shipped blend (linear 0.75, bag 0.25)' }, B.oof, B.measured);
// Where labels transfer: on the measured texts whose nearest training text is at cosine >= 0.9 (0.8), micro-F1
// of the shipped blend (its thresholds tuned on its out-of-fold scores) against the nearest text's labels copied.
if (args.only === undefined) {
  const thresholds = tuneThresholds(rows(B.oof), c.ys, L, DEFAULT_TRAIN_OPTIONS.thresholdMicroWeight);
  const decider = new Tagger({ format: MODEL_FORMAT, trainedOn: '', labels: c.labels, bias: c.labels.map(() => 0), thresholds, terms: {} });
  const predicted = rows(B.measured).map((p) => decider.decide(p).map((m) => c.labels.indexOf(m.themeId)));
  const micro = (texts: number[], guess: (i: number) => number[]) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const i of texts) {
      const g = new Set(c.gold[i]!);
      const q = new Set(guess(i));
      for (const l of q) g.has(l) ? tp++ : fp++;
      for (const l of g) if (!q.has(l)) fn++;
    }
    return Number(((2 * tp) / (2 * tp + fp + fn)).toFixed(4));
  };
  for (const [lo, hi] of [[0.9, 2], [0.8, 0.9], [0.5, 0.8], [0, 0.5], ...(SAME_STATE ? [[-2, 0]] : [])] as const) {
    const texts = c.measured.flatMap((_, i) => (nn.measured.sims[i]![0]! >= lo && nn.measured.sims[i]![0]! < hi ? [i] : []));
    const nearestLabels = (i: number) => (nn.measured.ids[i]![0]! < 0 ? [] : [...c.ys[nn.measured.ids[i]![0]!]!]);
    process.stderr.write(`${JSON.stringify({ nearestCosine: lo < 0 ? 'no neighbour' : `[${lo}, ${hi === 2 ? 1 : hi})`, texts: texts.length, blendMicro: micro(texts, (i) => predicted[i]!), nearestLabelsMicro: micro(texts, nearestLabels) })}\n`);
  }
}
for (const k of grid.k) {
  for (const p of grid.p) {
    if (k === 1 && p !== grid.p[0]) continue; // one neighbour: its weight cancels out whatever p
    for (const tau of grid.tau) {
      const K = { oof: knnLogOdds(nn.oof, c.ys, L, k, p, tau), measured: knnLogOdds(nn.measured, c.ys, L, k, p, tau) };
      const spoke = (z: Float64Array) => z.filter((_, i) => i % L === 0 && !Number.isNaN(z[i]!)).length;
      if (args.save) {
        for (const part of ['oof', 'measured'] as const)
          writeFileSync(join(args.scores, `knn${SAME_STATE ? '-state' : ''}-k${k}-p${p}-t${tau}-${args.split}-${part}.f32`), Buffer.from(Float32Array.from(K[part], (v) => (Number.isNaN(v) ? 0 : v)).buffer));
      }
      if (tau === 0 && args.only === undefined) {
        const alone = (z: Float64Array) => z.map((v) => (Number.isNaN(v) ? Math.log(EPS / (1 - EPS)) : v));
        report({ k, p, tau, member: 'knn alone', spokeOof: spoke(K.oof), spokeMeasured: spoke(K.measured) }, alone(K.oof), alone(K.measured));
      }
      for (const w of grid.w) {
        for (const form of forms) {
          const mix = (b: Float64Array, z: Float64Array) =>
            b.map((bv, i) => {
              const kv = z[i]!;
              if (form === 'convex') return Number.isNaN(kv) ? bv : (1 - w) * bv + w * kv;
              return Number.isNaN(kv) ? bv : bv + w * kv;
            });
          report({ k, p, tau, w, form, spokeMeasured: spoke(K.measured) }, mix(B.oof, K.oof), mix(B.measured, K.measured));
        }
      }
    }
  }
}
const cpu = process.cpuUsage(started);
process.stderr.write(`done: ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU\n`);
