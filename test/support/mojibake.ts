import { fixWindows1252, plausibility, repairStep } from '../../src/import/encoding.js';

// Shapes of mis-decoded text ("mojibake") to look for in imported texts: what the repair of
// src/import/encoding.ts fixes, and what it leaves as the source printed it. Used by the real-data check
// (test/import-shared-data.test.ts), which asserts how many of each remain.

const table = (encoding: 'windows-1252' | 'macintosh') => {
  const decoded = new TextDecoder(encoding).decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  const chars = [...(encoding === 'windows-1252' ? fixWindows1252(decoded) : decoded)];
  return new Map(chars.map((char, byte) => [char, byte]));
};
const BYTE = { 'windows-1252': table('windows-1252'), macintosh: table('macintosh') };

/** The character a run of characters spells when their single-byte bytes are read as UTF-8 (a Latin or punctuation one). */
function utf8Of(chars: string[], encoding: keyof typeof BYTE): string | undefined {
  const bytes = chars.map((c) => BYTE[encoding].get(c));
  const lead = bytes[0];
  if (lead === undefined) return undefined;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || bytes.length < length) return undefined;
  const sequence = bytes.slice(0, length);
  if (sequence.slice(1).some((b) => b === undefined || b < 0x80 || b > 0xbf)) return undefined;
  let char: string;
  try {
    char = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(sequence as number[]));
  } catch {
    return undefined;
  }
  const code = char.codePointAt(0)!;
  return (code >= 0xa0 && code <= 0x24f) || (code >= 0x2000 && code <= 0x206f) || code === 0x20ac ? char : undefined;
}

export type MojibakeShape =
  | 'UTF-8 read as Windows-1252 (Ã©, â€™)'
  | 'UTF-8 read as Mac Roman (√©, ‚Äô)'
  | 'stray Â (a UTF-8 no-break space read as Windows-1252)'
  | 'replacement character U+FFFD'
  | 'C1 control character'
  | 'Mac Roman mis-encoding left (a symbol where a repair step reads a letter or quote)'
  | 'Windows-1252 read as Mac Roman (í for ’ before s)'
  | 'lone accented letter that is no word (vis-ö-vis)'
  | 'ã opening a word (a mis-encoded „)'
  | 'œ before a, e or o (a mis-encoded ú)'
  | 'em dash inside a word with accented letters (mis-encoded ó)'
  | 'one-letter word with ’ after it (a mis-encoded í: "Yo s’ puedo")'
  | 'low double quote „ (as printed)'
  | 'character lost as _ or ? inside a word (as printed)';

const LETTER = /\p{L}/u;
const at = (text: string, i: number) => (i >= 0 && i < text.length ? text[i]! : '');

/** Every shape of mojibake in a text, at the index where it starts. */
export function mojibakeIn(text: string): { shape: MojibakeShape; index: number }[] {
  const found: { shape: MojibakeShape; index: number }[] = [];
  const chars = [...text];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const prev = at(text, i - 1);
    const next = at(text, i + 1);
    if (c === '_' || c === '?') {
      if ((c === '_' && (LETTER.test(prev) || LETTER.test(next))) || (c === '?' && LETTER.test(prev) && LETTER.test(next))) {
        found.push({ shape: 'character lost as _ or ? inside a word (as printed)', index: i });
      }
      continue;
    }
    if (c.charCodeAt(0) < 0x80) continue;
    const push = (shape: MojibakeShape) => found.push({ shape, index: i });
    if (c === '’' && LETTER.test(prev) && /^\s?$/.test(at(text, i - 2)) && /\s/.test(next)) {
      push('one-letter word with ’ after it (a mis-encoded í: "Yo s’ puedo")');
      continue;
    }
    const run = chars.slice(i, i + 4);
    if (utf8Of(run, 'windows-1252') !== undefined) push('UTF-8 read as Windows-1252 (Ã©, â€™)');
    else if (utf8Of(run, 'macintosh') !== undefined) push('UTF-8 read as Mac Roman (√©, ‚Äô)');
    else if (c === 'Â' && !LETTER.test(next)) push('stray Â (a UTF-8 no-break space read as Windows-1252)');
    else if (c === '\ufffd') push('replacement character U+FFFD');
    else if (c.charCodeAt(0) <= 0x9f) push('C1 control character');
    else if (c === '„') push('low double quote „ (as printed)');
    else if (c === 'ã' && !LETTER.test(prev) && LETTER.test(next)) push('ã opening a word (a mis-encoded „)');
    else if (c === 'œ' && /[aeo]/i.test(next)) push('œ before a, e or o (a mis-encoded ú)');
    else if (c === '—' && LETTER.test(prev) && LETTER.test(next) && /[^\x00-\x7f]/.test(prev + next)) {
      push('em dash inside a word with accented letters (mis-encoded ó)');
    } else if (/\p{Ll}/u.test(c) && !LETTER.test(prev) && !LETTER.test(next) && c !== 'à') {
      push('lone accented letter that is no word (vis-ö-vis)');
    } else if (c === 'í' && LETTER.test(prev) && next === 's' && !LETTER.test(at(text, i + 2))) {
      push('Windows-1252 read as Mac Roman (í for ’ before s)');
    } else if (!/[’‘“”]/.test(c) && plausibility(prev, c, next) < 0) {
      // (A quote where a repair step would read a letter is left out: "Shari’a", "Baha’i" are transliterations.)
      let repaired = c;
      for (let step = 1; step <= 3; step++) {
        repaired = repairStep(repaired);
        if (plausibility(prev, repaired, next) > 0) {
          push('Mac Roman mis-encoding left (a symbol where a repair step reads a letter or quote)');
          break;
        }
      }
    }
  }
  return found;
}

/** How many of each shape the texts hold (shapes with none left out), with up to `examples` excerpts each. */
export function countMojibake(
  texts: Iterable<string>,
  examples = 0,
): { counts: Partial<Record<MojibakeShape, number>>; examples: Partial<Record<MojibakeShape, string[]>> } {
  const counts: Partial<Record<MojibakeShape, number>> = {};
  const excerpts: Partial<Record<MojibakeShape, string[]>> = {};
  for (const text of texts) {
    for (const { shape, index } of mojibakeIn(text)) {
      counts[shape] = (counts[shape] ?? 0) + 1;
      const list = (excerpts[shape] ??= []);
      if (list.length < examples) list.push(text.slice(Math.max(0, index - 25), index + 25));
    }
  }
  return { counts, examples: excerpts };
}
