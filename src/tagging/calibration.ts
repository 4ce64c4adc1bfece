import { givenLabels } from './model.js';

// A label's confidence: the chance that a label given at that probability is right. The blend's own
// probability is not that (three linear models summed at 0.5 each and a network beside them, thresholds tuned
// per label from 0.05: held out, labels shown at 0.3–0.5 were right 71 % of the time; session 40). Platt
// scaling: confidence = σ(a · logit(p) + b), a > 0, so it is monotone in p and never changes which labels are
// given (p against its label's threshold). One (a, b) for all labels, fitted on the labels the tuned thresholds
// give on the out-of-fold probabilities: per label, fits of this and of isotonic regression were no closer
// held out, and swung on the rarest labels (docs/tagging-experiments.md). Deterministic: Newton's method
// from (1, 0), a fixed number of steps.

/** [a, b]; [1, 0] is the probability itself. */
export type Calibration = [a: number, b: number];

const NEWTON_STEPS = 50;
/** Log-odds beyond this are this: a probability of 1 in float64 is not infinite evidence. */
const MAX_LOG_ODDS = 30;

export const logOdds = (p: number) => Math.max(-MAX_LOG_ODDS, Math.min(MAX_LOG_ODDS, Math.log(p / (1 - p))));

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A label's confidence at probability `p` under a calibration (none: p). */
export const calibrated = (ab: readonly [number, number] | undefined, p: number) => (ab === undefined ? p : sigmoid(ab[0] * logOdds(p) + ab[1]));

/**
 * The [a, b] minimising the log loss of σ(a · logit(p) + b) against whether each label given (by these
 * thresholds, as the tagger gives them) is right, with Platt's targets ((right + 1) / (right + 2) for a right
 * label, 1 / (wrong + 2) for a wrong one: none is ever 0 or 1 from a finite sample). Rounded to 4 decimals.
 * Without both right and wrong labels, or when the fit is not increasing: [1, 0].
 */
export function fitCalibration(probabilities: readonly Float64Array[], gold: readonly Int32Array[], thresholds: readonly number[]): Calibration {
  const z: number[] = [];
  const y: boolean[] = [];
  probabilities.forEach((p, i) => {
    for (const l of givenLabels(p, thresholds)) {
      z.push(logOdds(p[l]!));
      y.push(gold[i]!.includes(l));
    }
  });
  const right = y.filter(Boolean).length;
  const wrong = y.length - right;
  if (right === 0 || wrong === 0) return [1, 0];
  const [a, b] = platt(z, y, (right + 1) / (right + 2), 1 / (wrong + 2));
  const r = (v: number) => Math.round(v * 1e4) / 1e4;
  return a > 0 && Number.isFinite(b) ? [r(a), r(b)] : [1, 0];
}

function platt(z: readonly number[], y: readonly boolean[], right: number, wrong: number): [number, number] {
  let a = 1;
  let b = 0;
  for (let step = 0; step < NEWTON_STEPS; step++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < z.length; i++) {
      const p = sigmoid(a * z[i]! + b);
      const d = p - (y[i] ? right : wrong);
      const w = p * (1 - p);
      ga += d * z[i]!;
      gb += d;
      haa += w * z[i]! * z[i]!;
      hab += w * z[i]!;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    a -= (hbb * ga - hab * gb) / det;
    b -= (haa * gb - hab * ga) / det;
  }
  return [a, b];
}
