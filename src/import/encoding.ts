import type { EncodingReport } from './types.js';

// The text encoding of an imported CSV file, judged on the whole file (first streaming pass): UTF-8 when
// the bytes are valid UTF-8; otherwise Windows-1252 or Mac Roman, whichever reads more plausibly. Text that
// was mis-encoded again after it was written (a Mac Roman ’ shown as Õ, or as Í one step further) is then
// repaired: one repair step re-encodes a character as Windows-1252 and reads the byte as Mac Roman
// (Í → Õ → ’). The number of steps is the one that makes the whole file most plausible; each distinct
// character then takes the step count (up to that number) that reads best over all its occurrences in the
// file, so a cell that escaped the mis-encoding ("Curaçao", "Hissène") keeps its letters, and a
// character no context argues for either way is left as printed — unless its own cell proves the step count:
// a cell is mis-encoded as a whole, so one holding a character the file repairs with k steps was mis-encoded
// k times, and a character of that cell which reads equally well with and without the repair takes k steps
// too ("Mr. T—‡s—" → "Mr. Tóásó", the ‡ proving one step for the two dashes). Apart from the steps, a lone
// "Â" is what a UTF-8 no-break space (bytes C2 A0) becomes when read as Windows-1252: it is read as that
// no-break space.

export type SingleByteEncoding = 'windows-1252' | 'macintosh';
type Encoding = EncodingReport['encoding'];

// Windows-1252 bytes 0x80–0x9F (WHATWG Encoding Standard). Node 20's TextDecoder('windows-1252') reads them
// as Latin-1 control characters, so they are mapped here; newer versions already decode them like this.
const WINDOWS_1252_80_9F = [
  '€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008d', 'Ž', '\u008f',
  '\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009d', 'ž', 'Ÿ',
];

/** Corrects what TextDecoder('windows-1252') returned for bytes 0x80–0x9F. */
export function fixWindows1252(text: string): string {
  return text.replace(/[\x80-\x9f]/g, (char) => WINDOWS_1252_80_9F[char.charCodeAt(0) - 0x80]!);
}

function byteTable(encoding: SingleByteEncoding): string[] {
  const decoded = new TextDecoder(encoding).decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  return [...(encoding === 'windows-1252' ? fixWindows1252(decoded) : decoded)];
}

/** A streaming decoder: call with each chunk of bytes, then once without to flush. */
export function createDecoder(encoding: Encoding): (bytes?: Uint8Array) => string {
  const decoder = new TextDecoder(encoding);
  return (bytes) => {
    const text = bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    return encoding === 'windows-1252' ? fixWindows1252(text) : text;
  };
}

const MAC_ROMAN = byteTable('macintosh');
const WINDOWS_1252 = byteTable('windows-1252');
const WINDOWS_1252_BYTE = new Map(WINDOWS_1252.map((char, byte) => [char, byte]));

/** One repair step: the character's Windows-1252 byte read as Mac Roman (unchanged when it has no such byte). */
export function repairStep(char: string): string {
  const byte = WINDOWS_1252_BYTE.get(char);
  return byte === undefined ? char : MAC_ROMAN[byte]!;
}

function repeatStep(char: string, steps: number): string {
  let result = char;
  for (let i = 0; i < steps; i++) result = repairStep(result);
  return result;
}

const LOWER = /\p{Ll}/u;
const UPPER = /[\p{Lu}\p{Lt}]/u;
const isLetter = (c: string) => LOWER.test(c) || UPPER.test(c);
const isLetterOrDigit = (c: string) => isLetter(c) || /[0-9]/.test(c);
const NEUTRAL_MARKS = new Set(['–', '—', '…', '°', '€', '£', '§', '•', '«', '»', '©', '®', '\u00a0']);
const ONE_LETTER_WORDS = new Set(['à']);

/**
 * How plausible a non-ASCII character is between its neighbours in English, French or Spanish text:
 * positive for typographic quotes where quotes go (the low „ opens a quote, as in German), for letters
 * inside words and for "à" as a word of its own; negative for a capital inside a word ("RapporteurÕs"), a
 * quote where none goes, œ where French never writes it, or a symbol ("C™te").
 */
export function plausibility(prev: string, char: string, next: string): number {
  switch (char) {
    case '’':
      if (isLetter(prev) && isLetter(next)) return /[dl]/i.test(prev) || /[stdmlrv]/i.test(next) ? 2 : -1;
      return isLetterOrDigit(prev) || isLetter(next) ? 1 : 0;
    case '‘':
    case '“':
    case '„':
      return !isLetterOrDigit(prev) && isLetterOrDigit(next) ? 2 : -1;
    case '”':
      return prev !== '' && !/\s/.test(prev) && !isLetterOrDigit(next) ? 2 : -1;
  }
  if (NEUTRAL_MARKS.has(char)) return 1;
  // œ is French ("cœur", "œuvre", "sœur") and never comes before a, e or o there ("Charrœa" is "Charrúa").
  if ((char === 'œ' || char === 'Œ') && /[aeo]/i.test(next)) return -1;
  // A letter standing alone is a word: "à" is one (French: "vis-à-vis", "à la"); other accented ones are
  // no word of these languages, and argue neither way.
  if (LOWER.test(char)) return isLetter(prev) || isLetter(next) ? 1 : ONE_LETTER_WORDS.has(char) ? 1 : 0;
  if (UPPER.test(char)) {
    if (LOWER.test(prev)) return -1;
    return LOWER.test(next) || UPPER.test(prev) || UPPER.test(next) ? 1 : 0;
  }
  return -1;
}

/** Counts each non-ASCII character with its neighbours, over text fed in chunks. */
export class ContextCounter {
  /** "prev char next" → occurrences (prev/next are '' at the start/end of the text). */
  readonly counts = new Map<string, { prev: string; char: string; next: string; count: number }>();
  private carry = '';

  push(chunk: string): void {
    if (chunk === '') return;
    const text = this.carry + chunk;
    // The last character waits for the next chunk: its right neighbour is not known yet.
    this.scan(text, Math.max(0, this.carry.length - 1), text.length - 1);
    this.carry = text.slice(-2);
  }

  end(): void {
    if (this.carry !== '') this.scan(this.carry, this.carry.length - 1, this.carry.length);
    this.carry = '';
  }

  private scan(text: string, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const char = text[i]!;
      if (char.charCodeAt(0) < 0x80) continue;
      const prev = i > 0 ? text[i - 1]! : '';
      const next = i + 1 < text.length ? text[i + 1]! : '';
      const key = prev + char + next;
      const entry = this.counts.get(key);
      if (entry) entry.count++;
      else this.counts.set(key, { prev, char, next, count: 1 });
    }
  }
}

function score(counter: ContextCounter, steps: number): number {
  let total = 0;
  for (const { prev, char, next, count } of counter.counts.values()) {
    total += count * plausibility(repeatStep(prev, steps), repeatStep(char, steps), repeatStep(next, steps));
  }
  return total;
}

export interface TextDecision {
  encoding: Encoding;
  repairSteps: number;
  /** character → its replacement, for the characters the repair changes */
  replacements: Map<string, string>;
  /**
   * The characters the file proves a step count for (one reading reads best, and another step count would
   * read otherwise): character → the step counts that give its reading.
   */
  proven: Map<string, number[]>;
  /**
   * The characters the file leaves open (several readings read equally well; `replacements` has the one of
   * the fewest steps): character → its reading after each step count. Their cell may decide (repairCell).
   */
  open: Map<string, string[]>;
  repairs: number;
  repaired: Record<string, number>;
}

const MAX_STEPS = 3;

/**
 * Chooses among candidate readings of the same file (each already counted by a ContextCounter) the
 * encoding and number of repair steps that read most plausibly; ties go to fewer steps, then to the
 * earlier candidate.
 */
export function decideText(candidates: { encoding: Encoding; counter: ContextCounter }[]): TextDecision {
  let best: { encoding: Encoding; counter: ContextCounter; steps: number; score: number } | undefined;
  for (let steps = 0; steps <= MAX_STEPS; steps++) {
    for (const candidate of candidates) {
      const s = score(candidate.counter, steps);
      if (best === undefined || s > best.score) best = { ...candidate, steps, score: s };
    }
  }
  const { encoding, counter, steps } = best!;
  const replacements = new Map<string, string>();
  const proven = new Map<string, number[]>();
  const open = new Map<string, string[]>();
  const repaired: Record<string, number> = {};
  let repairs = 0;
  if (steps > 0) {
    // Per distinct character: the step count (0..steps) that reads best over all its occurrences; on a
    // tie, the fewer steps (a character no context argues for is left as printed, unless its cell decides).
    const byChar = new Map<string, { prev: string; next: string; count: number }[]>();
    for (const entry of counter.counts.values()) {
      const list = byChar.get(entry.char) ?? [];
      list.push(entry);
      byChar.set(entry.char, list);
    }
    for (const [char, contexts] of byChar) {
      const readings: string[] = [];
      const scores: number[] = [];
      for (let j = 0; j <= steps; j++) {
        const candidate = repeatStep(char, j);
        let s = 0;
        for (const { prev, next, count } of contexts) {
          s += count * plausibility(repeatStep(prev, steps), candidate, repeatStep(next, steps));
        }
        readings.push(candidate);
        scores.push(s);
      }
      const top = Math.max(...scores);
      const chosen = scores.indexOf(top);
      const replacement = readings[chosen]!;
      const tied = new Set(readings.filter((_, j) => scores[j] === top));
      if (tied.size > 1) open.set(char, readings);
      else if (new Set(readings).size > 1) proven.set(char, readings.flatMap((r, j) => (r === replacement ? [j] : [])));
      if (replacement !== char) {
        replacements.set(char, replacement);
        const count = contexts.reduce((sum, c) => sum + c.count, 0);
        repaired[`${char} → ${replacement}`] = count;
        repairs += count;
      }
    }
  }
  return { encoding, repairSteps: steps, replacements, proven, open, repairs, repaired };
}

/** Applies the chosen repairs to decoded text, character by character (see repairCell for a cell's). */
export function repairText(text: string, replacements: Map<string, string>): string {
  if (replacements.size === 0) return text;
  return text.replace(/[^\x00-\x7f]/g, (char) => replacements.get(char) ?? char);
}

/** What a UTF-8 no-break space (C2 A0) read as Windows-1252 leaves when it stands alone: "Â". */
const STRAY_A_CIRCUMFLEX = 'Â';
const NO_BREAK_SPACE = '\u00a0';
export const NO_BREAK_SPACE_REPAIR = 'Â → (no-break space)';

/** A character of a word around a "Â": an ASCII letter, or any non-ASCII character but a space ("Â«" is another). */
function isWordChar(char: string | undefined): boolean {
  if (char === undefined) return false;
  const code = char.charCodeAt(0);
  if (code < 0x80) return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
  return !/\s/.test(char);
}

export type RepairTally = Pick<EncodingReport, 'repairs' | 'repaired'>;
export type CellDecision = Pick<TextDecision, 'replacements' | 'proven' | 'open'>;

function count(tally: RepairTally | undefined, key: string, by: number): void {
  if (tally === undefined) return;
  const n = (tally.repaired[key] ?? 0) + by;
  if (n === 0) delete tally.repaired[key];
  else tally.repaired[key] = n;
  tally.repairs += by;
}

/**
 * Repairs one cell of a decoded file as the file's decision says: each character as the file decided,
 * except a character the file leaves open (decision.open), which takes the step count the cell's proven
 * characters agree on, when they do and that gives one reading (a cell is mis-encoded as a whole: in
 * "Mr. T—‡s—" the ‡ is á after one step, so the dashes take one step too: "Mr. Tóásó"). Then a lone "Â"
 * (no letter, nor any other non-ASCII character but a space, on either side) is a no-break space, dropped
 * when one follows. Changes to what the decision counted go to `tally`.
 */
export function repairCell(text: string, decision: CellDecision, tally?: RepairTally): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return text;
  const { replacements, proven, open } = decision;
  let out = replacements.size === 0 ? text : repairText(text, replacements);
  if (open.size > 0) {
    const chars = [...text];
    if (chars.some((c) => open.has(c))) {
      let steps: number[] | undefined;
      for (const c of new Set(chars)) {
        const given = proven.get(c);
        if (given !== undefined) steps = steps === undefined ? given : steps.filter((j) => given.includes(j));
      }
      if (steps !== undefined && steps.length > 0) {
        const agreed = new Map<string, string>();
        for (const [c, readings] of open) {
          const options = new Set(steps.map((j) => readings[j]!));
          if (options.size === 1) agreed.set(c, [...options][0]!);
        }
        out = chars
          .map((c) => {
            const reading = agreed.get(c);
            if (reading === undefined) return replacements.get(c) ?? c;
            const given = replacements.get(c) ?? c;
            if (reading !== given) {
              if (given !== c) count(tally, `${c} → ${given}`, -1);
              if (reading !== c) count(tally, `${c} → ${reading}`, 1);
            }
            return reading;
          })
          .join('');
      }
    }
  }
  if (out.includes(STRAY_A_CIRCUMFLEX)) {
    let result = '';
    let done = 0;
    for (let i = out.indexOf(STRAY_A_CIRCUMFLEX); i >= 0; i = out.indexOf(STRAY_A_CIRCUMFLEX, i + 1)) {
      if (isWordChar(out[i - 1]) || isWordChar(out[i + 1])) continue;
      result += out.slice(done, i) + (out[i + 1] === NO_BREAK_SPACE ? '' : NO_BREAK_SPACE);
      done = i + 1;
      count(tally, NO_BREAK_SPACE_REPAIR, 1);
    }
    out = result + out.slice(done);
  }
  return out;
}

/** Counts line endings over byte chunks: CRLF, a lone CR, a lone LF. */
export class LineEndingCounter {
  private crlf = 0;
  private cr = 0;
  private lf = 0;
  private pendingCr = false;

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.pendingCr) {
        this.pendingCr = false;
        if (b === 0x0a) {
          this.crlf++;
          continue;
        }
        this.cr++;
      }
      if (b === 0x0d) this.pendingCr = true;
      else if (b === 0x0a) this.lf++;
    }
  }

  result(): EncodingReport['lineEndings'] {
    const cr = this.cr + (this.pendingCr ? 1 : 0);
    const kinds = [this.crlf > 0 && 'CRLF', cr > 0 && 'CR', this.lf > 0 && 'LF'].filter(Boolean) as (
      | 'CRLF'
      | 'CR'
      | 'LF'
    )[];
    if (kinds.length === 0) return 'none';
    return kinds.length === 1 ? kinds[0]! : 'mixed';
  }
}

export interface TextAnalysis extends TextDecision {
  lineEndings: EncodingReport['lineEndings'];
}

/**
 * Counts each non-ASCII byte with its neighbours, over byte chunks: the contexts of a single-byte encoding,
 * read through its table afterwards.
 */
class ByteContexts {
  readonly counts = new Map<number, number>();
  private before = -1; // the byte before `last`
  private last = -1;

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.last >= 0x80) this.add(this.before, this.last, b);
      this.before = this.last;
      this.last = b;
    }
  }

  end(): void {
    if (this.last >= 0x80) this.add(this.before, this.last, -1);
  }

  private add(prev: number, byte: number, next: number): void {
    const key = ((prev + 1) << 18) | (byte << 9) | (next + 1);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The contexts as characters of a single-byte encoding. */
  read(table: string[]): ContextCounter {
    const counter = new ContextCounter();
    const char = (b: number) => (b < 0 ? '' : table[b]!);
    for (const [key, count] of this.counts) {
      const prev = char((key >> 18) - 1);
      const c = char((key >> 9) & 0x1ff);
      const next = char((key & 0x1ff) - 1);
      const id = prev + c + next;
      const entry = counter.counts.get(id);
      if (entry) entry.count += count;
      else counter.counts.set(id, { prev, char: c, next, count });
    }
    return counter;
  }
}

/**
 * The first pass over a file's bytes: validates UTF-8, counts line endings and the contexts of non-ASCII
 * bytes, then decides. Only a file that is valid UTF-8 and not ASCII is read once more, as UTF-8 text.
 */
export async function analyseText(chunks: () => AsyncIterable<Uint8Array>): Promise<TextAnalysis> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const lines = new LineEndingCounter();
  const bytes = new ByteContexts();
  let validUtf8 = true;
  for await (const chunk of chunks()) {
    lines.push(chunk);
    bytes.push(chunk);
    if (validUtf8) {
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        validUtf8 = false;
      }
    }
  }
  bytes.end();
  try {
    utf8.decode();
  } catch {
    validUtf8 = false; // a multi-byte sequence cut off at the end
  }
  let candidates: { encoding: Encoding; counter: ContextCounter }[];
  if (bytes.counts.size === 0) {
    candidates = [{ encoding: 'utf-8', counter: new ContextCounter() }]; // ASCII
  } else if (validUtf8) {
    const counter = new ContextCounter();
    const decode = createDecoder('utf-8');
    for await (const chunk of chunks()) counter.push(decode(chunk));
    counter.push(decode());
    counter.end();
    candidates = [{ encoding: 'utf-8', counter }];
  } else {
    candidates = [
      { encoding: 'windows-1252', counter: bytes.read(WINDOWS_1252) },
      { encoding: 'macintosh', counter: bytes.read(MAC_ROMAN) },
    ];
  }
  return { ...decideText(candidates), lineEndings: lines.result() };
}

/** The second pass: the file's text in chunks, decoded (each cell is then repaired: repairCell). */
export async function* decodeText(chunks: AsyncIterable<Uint8Array>, encoding: Encoding): AsyncGenerator<string> {
  const decode = createDecoder(encoding);
  // A UTF-8 byte order mark before bytes that are not UTF-8 (an Excel "CSV UTF-8" with a legacy file joined on):
  // no text in either encoding. Decoded as one, it began the header's first cell ("Ôªøtext"), and the file was
  // refused for lacking that column. The first three bytes are judged together, however the chunks cut them.
  let head: Uint8Array | undefined = encoding === 'utf-8' ? undefined : new Uint8Array(0);
  for await (let bytes of chunks) {
    if (head !== undefined) {
      bytes = Buffer.concat([head, bytes]);
      if (bytes.length < 3) {
        head = bytes;
        continue;
      }
      head = undefined;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    const text = decode(bytes);
    if (text !== '') yield text;
  }
  const rest = (head === undefined ? '' : decode(head)) + decode(); // head: a file of fewer than three bytes
  if (rest !== '') yield rest;
}
