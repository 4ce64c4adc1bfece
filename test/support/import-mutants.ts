import { inflateRawSync } from 'node:zlib';
import JSZip from 'jszip';
import { random } from '../../src/common/random.js';
import { CONTAINER_MUTATIONS, readZip, writeZip } from './import-zip-mutants.js';

// Import files mutated at random, reproducibly: mutant(seedFile, seed, index) is the same bytes on every run.
// Used by test/import-mutation-fuzz.test.ts (the fixtures) and bench/import-fuzz.ts (slices of the real data).

export interface SeedFile {
  name: string;
  kind: 'csv' | 'docx';
  bytes: Uint8Array;
}

export interface Mutant {
  /** The mutation's name and its draws, enough to say what was done (with seed and index, to make it again). */
  what: string;
  bytes: Uint8Array;
}

type Rand = () => number;
const int = (rand: Rand, below: number) => Math.floor(rand() * below);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)]!;
const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const fromLatin1 = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));

/** A range [from, to) of at most `max` bytes. */
function range(rand: Rand, length: number, max = 64): [number, number] {
  const from = int(rand, length + 1);
  return [from, Math.min(length, from + 1 + int(rand, max))];
}

// ── byte-level mutations (any file) ──

const BYTE_MUTATIONS: Record<string, (bytes: Uint8Array, rand: Rand) => Uint8Array> = {
  flip: (bytes, rand) => {
    const out = Uint8Array.from(bytes);
    for (let n = 1 + int(rand, 4); n > 0 && out.length > 0; n--) out[int(rand, out.length)]! ^= 1 << int(rand, 8);
    return out;
  },
  insert: (bytes, rand) => {
    const at = int(rand, bytes.length + 1);
    const noise = Uint8Array.from({ length: 1 + int(rand, 32) }, () => int(rand, 256));
    return concat(bytes.subarray(0, at), noise, bytes.subarray(at));
  },
  delete: (bytes, rand) => {
    const [from, to] = range(rand, bytes.length);
    return concat(bytes.subarray(0, from), bytes.subarray(to));
  },
  duplicate: (bytes, rand) => {
    const [from, to] = range(rand, bytes.length, 256);
    return concat(bytes.subarray(0, to), bytes.subarray(from, to), bytes.subarray(to));
  },
  truncate: (bytes, rand) => bytes.subarray(0, int(rand, bytes.length)),
};

// ── CSV mutations: lines, encodings, delimiters, quotes, the header ──

const splitLines = (text: string) => text.split(/(?<=\r\n|\r(?!\n)|\n)/);

const CSV_MUTATIONS: Record<string, (bytes: Uint8Array, rand: Rand) => Uint8Array> = {
  swapLines: (bytes, rand) => {
    const lines = splitLines(latin1(bytes));
    const i = int(rand, lines.length);
    const j = int(rand, lines.length);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return fromLatin1(lines.join(''));
  },
  duplicateLine: (bytes, rand) => {
    const lines = splitLines(latin1(bytes));
    const i = int(rand, lines.length);
    lines.splice(int(rand, lines.length + 1), 0, lines[i]!);
    return fromLatin1(lines.join(''));
  },
  bom: (bytes) => concat(Uint8Array.of(0xef, 0xbb, 0xbf), bytes),
  utf16: (bytes, rand) => {
    const text = new TextDecoder('macintosh').decode(bytes);
    const le = Buffer.from(text, 'utf16le');
    return rand() < 0.5 ? concat(Uint8Array.of(0xff, 0xfe), le) : Uint8Array.from(le);
  },
  // Mac Roman text re-saved as Latin-1 (characters Latin-1 lacks become "?"), or Latin-1 read as UTF-8's bytes.
  latin1: (bytes, rand) => {
    const text = new TextDecoder('macintosh').decode(bytes);
    return rand() < 0.5 ? fromLatin1(text.replace(/[^\x00-\xff]/g, '?')) : Uint8Array.from(Buffer.from(text, 'utf8'));
  },
  delimiter: (bytes, rand) => toggle(bytes, rand, 0x2c),
  quote: (bytes, rand) => toggle(bytes, rand, 0x22),
  newline: (bytes, rand) => toggle(bytes, rand, pick(rand, [0x0d, 0x0a])),
  headerCell: (bytes, rand) => {
    const text = latin1(bytes);
    const end = text.search(/\r|\n|$/);
    const cells = text.slice(0, end).split(',');
    const i = int(rand, cells.length);
    if (rand() < 0.5) cells.splice(i, 1);
    else cells[i] = pick(rand, ['', 'Text', 'TEXT ', cells[i] + 'x', '"to"', cells[(i + 1) % cells.length]!]);
    return fromLatin1(cells.join(',') + text.slice(end));
  },
};

/** One byte `value` removed where there is one, or added at random. */
function toggle(bytes: Uint8Array, rand: Rand, value: number): Uint8Array {
  const at = [...bytes.keys()].filter((i) => bytes[i] === value);
  if (at.length > 0 && rand() < 0.5) {
    const i = pick(rand, at);
    return concat(bytes.subarray(0, i), bytes.subarray(i + 1));
  }
  const i = int(rand, bytes.length + 1);
  return concat(bytes.subarray(0, i), Uint8Array.of(value), bytes.subarray(i));
}

// ── .docx: document.xml mutated and the zip rebuilt, or the zip itself damaged ──

const XML_MUTATIONS: Record<string, (xml: string, rand: Rand) => string> = {
  deleteTag: (xml, rand) => {
    const tags = [...xml.matchAll(/<[^>]*>/g)];
    const tag = pick(rand, tags);
    return xml.slice(0, tag.index) + xml.slice(tag.index + tag[0].length);
  },
  duplicateTag: (xml, rand) => {
    const tag = pick(rand, [...xml.matchAll(/<[^>]*>/g)]);
    return xml.slice(0, tag.index) + tag[0] + xml.slice(tag.index);
  },
  // An element's close tag moved before the close of the one inside it.
  breakNesting: (xml, rand) => {
    const closes = [...xml.matchAll(/<\/(w:tc|w:tr|w:p|w:r|w:t|w:tbl|Relationships|w:hdr)>/g)];
    if (closes.length === 0) return xml.slice(0, int(rand, xml.length));
    const close = pick(rand, closes);
    const next = xml.indexOf('</', close.index + close[0].length);
    if (next < 0) return xml.slice(0, close.index);
    const nextEnd = xml.indexOf('>', next) + 1;
    return xml.slice(0, close.index) + xml.slice(next, nextEnd) + close[0] + xml.slice(close.index + close[0].length, next) + xml.slice(nextEnd);
  },
  doubleBreak: (xml, rand) => {
    const breaks = [...xml.matchAll(/<w:br\/>|<w:tab\/>/g)];
    if (breaks.length === 0) return xml.replace('</w:t>', '</w:t></w:r><w:r><w:br/><w:br/>');
    const at = pick(rand, breaks);
    const times = 1 + int(rand, 50);
    return xml.slice(0, at.index) + at[0].repeat(times) + xml.slice(at.index);
  },
  hugeAttribute: (xml, rand) => {
    const starts = [...xml.matchAll(/<(w:tc|w:tbl|w:t|w:hdr|Relationship|w:document)(?=[\s>\/])/g)];
    if (starts.length === 0) return xml;
    const at = pick(rand, starts);
    const end = at.index + at[0].length;
    return `${xml.slice(0, end)} w:x="${'a'.repeat(pick(rand, [1_000, 100_000, 1_000_000]))}"${xml.slice(end)}`;
  },
  controlCharacters: (xml, rand) => {
    const texts = [...xml.matchAll(/<w:t[^>]*>|Target="/g)];
    if (texts.length === 0) return xml;
    const at = pick(rand, texts);
    const end = at.index + at[0].length;
    const chars = String.fromCharCode(...Array.from({ length: 1 + int(rand, 5) }, () => pick(rand, [0, 1, 8, 0x0b, 0x1b, 0x7f, 0xfffe, 0xd800, 0x200b, 0xfeff])));
    return xml.slice(0, end) + chars + xml.slice(end);
  },
  entity: (xml, rand) => {
    const at = xml.indexOf('</w:t>', int(rand, xml.length));
    const entity = pick(rand, ['&amp;', '&#0;', '&#x1F600;', '&#xD800;', '&nope;', '&', '&#99999999;', '<![CDATA[x]]>', '<!-- c -->', '<?pi x?>']);
    return at < 0 ? xml + entity : xml.slice(0, at) + entity + xml.slice(at);
  },
  text: (xml, rand) => {
    const at = xml.indexOf('</w:t>', int(rand, xml.length));
    const text = pick(rand, ['121.1', ' (France, Spain);', 'Source of Position: A/HRC/99/1 - Para 9', 'Theme: A1', '\u00a0', '999999999999.1 ', 'x'.repeat(20_000)]);
    return at < 0 ? xml : xml.slice(0, at) + text + xml.slice(at);
  },
};

const ZIP_DAMAGE: Record<string, (bytes: Uint8Array, rand: Rand) => Uint8Array> = {
  cutDirectory: (bytes, rand) => {
    const dir = centralDirectory(bytes);
    return bytes.subarray(0, dir < 0 ? int(rand, bytes.length) : dir + int(rand, bytes.length - dir));
  },
  // A size or offset field of a local or central header rewritten.
  wrongSizes: (bytes, rand) => {
    const out = Buffer.from(bytes);
    const headers = signatures(out, rand() < 0.5 ? 0x04034b50 : 0x02014b50);
    if (headers.length === 0) return out;
    const at = pick(rand, headers);
    const central = out.readUInt32LE(at) === 0x02014b50;
    const field = pick(rand, central ? [20, 24, 28, 42] : [18, 22, 26]);
    const value = pick(rand, [0, 1, 0xffff, 0xffffffff, int(rand, 1 << 20)]);
    if (at + field + 4 <= out.length) {
      if (field === 26 || field === 28) out.writeUInt16LE(value & 0xffff, at + field);
      else out.writeUInt32LE(value >>> 0, at + field);
    }
    return Uint8Array.from(out);
  },
};

/** The offset of the first central directory header, or -1. */
function centralDirectory(bytes: Uint8Array): number {
  return Buffer.from(bytes).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
}

function signatures(bytes: Buffer, signature: number): number[] {
  const found: number[] = [];
  for (let i = bytes.indexOf(signature === 0x04034b50 ? 'PK\x03\x04' : 'PK\x01\x02', 0, 'latin1'); i >= 0; ) {
    found.push(i);
    i = bytes.indexOf(signature === 0x04034b50 ? 'PK\x03\x04' : 'PK\x01\x02', i + 1, 'latin1');
  }
  return found;
}

async function docxMutant(bytes: Uint8Array, rand: Rand): Promise<Mutant> {
  const choice = int(rand, 10);
  if (choice < 5) {
    const zip = await JSZip.loadAsync(bytes);
    // Mostly the document; else another XML part (the page header naming the review, the relationships, the title).
    const parts = Object.keys(zip.files).filter((path) => /\.(xml|rels)$/.test(path));
    const part = rand() < 0.75 ? 'word/document.xml' : pick(rand, parts);
    const name = pick(rand, Object.keys(XML_MUTATIONS));
    let xml = await zip.file(part)!.async('string');
    for (let n = 1 + int(rand, 2); n > 0; n--) xml = XML_MUTATIONS[name]!(xml, rand);
    zip.file(part, xml);
    return { what: `${part} ${name}`, bytes: await zip.generateAsync({ type: 'uint8array', compression: rand() < 0.5 ? 'DEFLATE' : 'STORE' }) };
  }
  if (choice === 5) {
    const zip = await JSZip.loadAsync(bytes);
    const part = pick(rand, Object.keys(zip.files).filter((p) => !zip.files[p]!.dir));
    zip.remove(part);
    return { what: `part missing: ${part}`, bytes: await zip.generateAsync({ type: 'uint8array' }) };
  }
  if (choice < 9) {
    // The container: its entries rewritten (one time in four, a field of the zip as it is).
    if (rand() < 0.25) {
      const name = pick(rand, Object.keys(ZIP_DAMAGE));
      return { what: `zip ${name}`, bytes: ZIP_DAMAGE[name]!(bytes, rand) };
    }
    const name = pick(rand, Object.keys(CONTAINER_MUTATIONS));
    const inflated = (entry: { method: number; data: Buffer }) => (entry.method === 8 ? inflateRawSync(entry.data) : entry.data);
    const made = CONTAINER_MUTATIONS[name]!(readZip(bytes), rand, inflated);
    return { what: `zip ${name}: ${made.what}`, bytes: writeZip(made.entries, made.layout) };
  }
  const name = pick(rand, Object.keys(BYTE_MUTATIONS));
  return { what: `bytes ${name}`, bytes: BYTE_MUTATIONS[name]!(bytes, rand) };
}

function csvMutant(bytes: Uint8Array, rand: Rand): Mutant {
  const all = { ...BYTE_MUTATIONS, ...CSV_MUTATIONS };
  const names: string[] = [];
  let out = bytes;
  for (let n = 1 + int(rand, 3); n > 0; n--) {
    const name = pick(rand, Object.keys(all));
    names.push(name);
    out = all[name]!(out, rand);
  }
  return { what: names.join('+'), bytes: out };
}

/** The index-th mutant of a seed file under a seed: the same bytes on every run. */
export async function mutant(file: SeedFile, seed: number, index: number): Promise<Mutant> {
  // The file's name in the draw too: else the index-th mutant of every file was the same mutation.
  const rand = random((nameHash(file.name) ^ (seed * 100_003 + index)) >>> 0);
  const made = file.kind === 'docx' ? await docxMutant(file.bytes, rand) : csvMutant(file.bytes, rand);
  return { what: `${file.name} #${index}: ${made.what}`, bytes: made.bytes };
}

/** FNV-1a of a name. */
function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
