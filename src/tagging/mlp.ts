import { shuffle } from '../common/random.js';

// What the tagger's two networks share (src/tagging/embedding.ts over pretrained word vectors, src/tagging/bag.ts
// over trained term vectors): one hidden layer of ReLUs and a log-odds per label (a sigmoid each, trained on
// the cross-entropy), its starting weights, its gradients, Adam over seeded shuffles, and its rounding in and
// out of the model file. Each network makes its own input vector.

/** The dense layers. Input-major: w1[input * hidden + unit]; w2[unit * labels + label]. */
export interface Layers {
  hidden: number;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/** The layers as the model file keeps them (rounded to 4 decimals). */
export interface LayersFile {
  hidden: number;
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
}

/** The model file's rounding of weights: 4 decimals. */
export const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

export function layersFile(net: Layers): LayersFile {
  return { hidden: net.hidden, w1: Array.from(net.w1, round4), b1: Array.from(net.b1, round4), w2: Array.from(net.w2, round4), b2: Array.from(net.b2, round4) };
}

export function loadLayers(file: LayersFile): Layers {
  return { hidden: file.hidden, w1: Float64Array.from(file.w1), b1: Float64Array.from(file.b1), w2: Float64Array.from(file.w2), b2: Float64Array.from(file.b2) };
}

/** Int8 vectors (base64, vector-major, `d` components each) times each vector's scale. */
export function decodeVectors(base64: string, scales: readonly number[], d: number): Float64Array {
  const bytes = Buffer.from(base64, 'base64');
  const raw = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw[i]! * scales[Math.floor(i / d)]!;
  return out;
}

/** Standard normal draws from a uniform generator (Box–Muller). */
function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Starting layers for `nIn` inputs and `ys.length` texts' labels (indexes below `nLabels`): w1 then w2
 * normal from `rand` (He-scaled), b1 zero, b2 each label's prior log-odds.
 */
export function initialLayers(nIn: number, hidden: number, ys: readonly Int32Array[], nLabels: number, rand: () => number): Layers {
  const gauss = normal(rand);
  const w1 = Float64Array.from({ length: nIn * hidden }, () => gauss() * Math.sqrt(2 / Math.max(1, nIn)));
  const b1 = new Float64Array(hidden);
  const w2 = Float64Array.from({ length: hidden * nLabels }, () => gauss() * Math.sqrt(1 / hidden));
  const positives = new Float64Array(nLabels);
  for (const y of ys) for (const l of y) positives[l]!++;
  const b2 = Float64Array.from(positives, (p) => {
    const prior = Math.min(1 - 1e-4, Math.max(1e-4, p / Math.max(1, ys.length)));
    return Math.log(prior / (1 - prior));
  });
  return { hidden, w1, b1, w2, b2 };
}

/** The log-odds per label of input `x`, into `out`; `h`: scratch of `hidden` units, left with their outputs (after the ReLU). */
// Scratch of layerScores: the places of the non-zero inputs and of the active hidden units.
let nonZero = new Int32Array(0);
let active = new Int32Array(0);

export function layerScores(net: Layers, x: Float64Array, h: Float64Array, out: Float64Array): void {
  const { hidden: H, w1, b1, w2, b2 } = net;
  if (nonZero.length < x.length) nonZero = new Int32Array(x.length);
  if (active.length < H) active = new Int32Array(H);
  const L = out.length;
  for (let u = 0; u < H; u++) h[u] = b1[u]!;
  // The non-zero inputs four at a time: each unit's sum takes them in the same order, one rounding each, as
  // a loop over one input at a time would, with a quarter of the loads and stores of the sums.
  let n = 0;
  for (let f = 0; f < x.length; f++) if (x[f] !== 0) nonZero[n++] = f;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const f0 = nonZero[i]!;
    const f1 = nonZero[i + 1]!;
    const f2 = nonZero[i + 2]!;
    const f3 = nonZero[i + 3]!;
    const v0 = x[f0]!;
    const v1 = x[f1]!;
    const v2 = x[f2]!;
    const v3 = x[f3]!;
    const a = f0 * H;
    const b = f1 * H;
    const c = f2 * H;
    const d = f3 * H;
    for (let u = 0; u < H; u++) h[u] = h[u]! + v0 * w1[a + u]! + v1 * w1[b + u]! + v2 * w1[c + u]! + v3 * w1[d + u]!;
  }
  for (; i < n; i++) {
    const f = nonZero[i]!;
    const v = x[f]!;
    const base = f * H;
    for (let u = 0; u < H; u++) h[u]! += v * w1[base + u]!;
  }
  // The ReLU, then the active units four at a time into the log-odds (the same order of sums again).
  let m = 0;
  for (let u = 0; u < H; u++) {
    if (h[u]! <= 0) h[u] = 0;
    else active[m++] = u;
  }
  for (let l = 0; l < L; l++) out[l] = b2[l]!;
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    const u0 = active[j]!;
    const u1 = active[j + 1]!;
    const u2 = active[j + 2]!;
    const u3 = active[j + 3]!;
    const a0 = h[u0]!;
    const a1 = h[u1]!;
    const a2 = h[u2]!;
    const a3 = h[u3]!;
    const a = u0 * L;
    const b = u1 * L;
    const c = u2 * L;
    const d = u3 * L;
    for (let l = 0; l < L; l++) out[l] = out[l]! + a0 * w2[a + l]! + a1 * w2[b + l]! + a2 * w2[c + l]! + a3 * w2[d + l]!;
  }
  for (; j < m; j++) {
    const u = active[j]!;
    const a = h[u]!;
    const base = u * L;
    for (let l = 0; l < L; l++) out[l]! += a * w2[base + l]!;
  }
}

/** Scratch for `backward`. */
export interface Backward {
  /** Gradients, summed over a batch. */
  grads: Layers;
  /** The hidden units' gradient (of `hidden` units). */
  gh: Float64Array;
  /** Dropout's multipliers of the hidden units (0 or 1 / (1 − rate)), when the forward pass used them. */
  mask?: Float64Array | undefined;
  /** When given, the gradient of the input is left here (as long as the input). */
  gx?: Float64Array | undefined;
}

/**
 * Adds one text's gradients × `inv` to `b.grads`, from its forward pass: input `x`, hidden outputs `h`,
 * log-odds `z` (overwritten: the loss' gradient) and its labels `y`.
 */
export function backward(net: Layers, b: Backward, x: Float64Array, h: Float64Array, z: Float64Array, y: Int32Array, inv: number): void {
  const { hidden: H, w1, w2 } = net;
  const { grads, gh, mask, gx } = b;
  const { w1: gw1, b1: gb1, w2: gw2, b2: gb2 } = grads;
  const L = z.length;
  for (let l = 0; l < L; l++) z[l] = 1 / (1 + Math.exp(-z[l]!));
  for (const l of y) z[l]! -= 1;
  gh.fill(0);
  for (let u = 0; u < H; u++) {
    const a = mask === undefined ? h[u]! : h[u]! * mask[u]!;
    if (a <= 0) continue;
    const base = u * L;
    let back = 0;
    for (let l = 0; l < L; l++) {
      const g = z[l]! * inv;
      gw2[base + l]! += a * g;
      back += g * w2[base + l]!;
    }
    gh[u] = mask === undefined ? back : back * mask[u]!;
  }
  for (let l = 0; l < L; l++) gb2[l]! += z[l]! * inv;
  for (let u = 0; u < H; u++) gb1[u]! += gh[u]!;
  if (gx === undefined) {
    for (let f = 0; f < x.length; f++) {
      const v = x[f]!;
      if (v === 0) continue;
      const base = f * H;
      for (let u = 0; u < H; u++) gw1[base + u]! += v * gh[u]!;
    }
    return;
  }
  for (let f = 0; f < x.length; f++) {
    const v = x[f]!;
    const base = f * H;
    let back = 0;
    for (let u = 0; u < H; u++) {
      const g = gh[u]!;
      if (g === 0) continue;
      gw1[base + u]! += v * g;
      back += g * w1[base + u]!;
    }
    gx[f] = back;
  }
}

export const zeroLayers = (net: Layers): Layers => ({
  hidden: net.hidden,
  w1: new Float64Array(net.w1.length),
  b1: new Float64Array(net.b1.length),
  w2: new Float64Array(net.w2.length),
  b2: new Float64Array(net.b2.length),
});

export interface AdamOptions {
  epochs: number;
  /** Texts per step. */
  batch: number;
  learningRate: number;
  /** L2 on w1 and w2 (decoupled, AdamW-style, × the learning rate); none when absent. */
  weightDecay?: number;
}

/**
 * Adam on `net` over `nTexts` texts: each epoch in a new order from `rand`, in batches. `example(n, inv)`
 * adds text n's gradients × inv (1 / the batch's size) to `grads`, zeroed before each batch; after each
 * step `afterStep(c1, c2)` gets Adam's bias corrections, for parameters the network steps itself.
 */
export function adam(
  net: Layers,
  grads: Layers,
  nTexts: number,
  o: AdamOptions,
  rand: () => number,
  example: (n: number, inv: number) => void,
  afterStep: (c1: number, c2: number) => void = () => {},
  afterEpoch: (epoch: number) => void = () => {},
): void {
  const params = [net.w1, net.b1, net.w2, net.b2];
  const gs = [grads.w1, grads.b1, grads.w2, grads.b2];
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const order = Int32Array.from({ length: nTexts }, (_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffle(order, rand);
    for (let start = 0; start < order.length; start += o.batch) {
      const end = Math.min(order.length, start + o.batch);
      for (const g of gs) g.fill(0);
      const inv = 1 / (end - start);
      for (let s = start; s < end; s++) example(order[s]!, inv);
      step++;
      const c1 = 1 - 0.9 ** step;
      const c2 = 1 - 0.999 ** step;
      for (let p = 0; p < params.length; p++) {
        const w = params[p]!;
        const g = gs[p]!;
        const a = m1[p]!;
        const b = m2[p]!;
        const decay = p % 2 === 0 ? (o.weightDecay ?? 0) * o.learningRate : 0;
        for (let i = 0; i < w.length; i++) {
          a[i] = 0.9 * a[i]! + 0.1 * g[i]!;
          b[i] = 0.999 * b[i]! + 0.001 * g[i]! * g[i]!;
          w[i]! -= (o.learningRate * (a[i]! / c1)) / (Math.sqrt(b[i]! / c2) + 1e-8) + decay * w[i]!;
        }
      }
      afterStep(c1, c2);
    }
    afterEpoch(epoch + 1);
  }
}
