import { crc32, deflateRawSync } from 'node:zlib';

// A .docx's zip container damaged the ways a broken writer, a cut download or a hostile file damage one (used
// by test/support/import-mutants.ts): an entry's data cut, garbled or stored under the wrong method; an entry
// duplicated, renamed or given another's name; sizes and checksums that lie; two directory entries sharing
// one entry's data (a zip bomb's trick); a local header whose name or extra field disagrees with the directory;
// bytes before or after the archive; the directory's count wrong; data descriptors, as streaming writers
// write them (a valid file); a part the relationships name left out.

type Rand = () => number;
const int = (rand: Rand, below: number) => Math.floor(rand() * below);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)]!;

export interface ZipEntry {
  name: string;
  /** The name its local header gives, when not the directory's. */
  localName?: string;
  method: number;
  flags: number;
  data: Buffer; // as stored (compressed or not)
  size: number; // declared, inflated
  crc: number; // declared
  /** Extra bytes of the local header's extra field. */
  extra?: Buffer;
  /** The directory entry points at another entry's local header (its index). */
  sharesDataOf?: number;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const EOCD = 0x06054b50;

/** The entries of a well-formed archive (as JSZip writes it), in the directory's order. */
export function readZip(bytes: Uint8Array): ZipEntry[] {
  const buffer = Buffer.from(bytes);
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buffer.readUInt16LE(end + 10);
  const entries: ZipEntry[] = [];
  for (let at = buffer.readUInt32LE(end + 16), n = 0; n < count; n++) {
    const nameLength = buffer.readUInt16LE(at + 28);
    const local = buffer.readUInt32LE(at + 42);
    const compressed = buffer.readUInt32LE(at + 20);
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    entries.push({
      name: buffer.toString('utf8', at + 46, at + 46 + nameLength),
      method: buffer.readUInt16LE(at + 10),
      flags: buffer.readUInt16LE(at + 8),
      crc: buffer.readUInt32LE(at + 16),
      size: buffer.readUInt32LE(at + 24),
      data: Buffer.from(buffer.subarray(start, start + compressed)),
    });
    at += 46 + nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
  }
  return entries;
}

export interface ZipLayout {
  /** Bytes before the first local header (a self-extracting stub), after the directory's end, in its count. */
  prefix?: Buffer;
  suffix?: Buffer;
  countDelta?: number;
}

export function writeZip(entries: ZipEntry[], layout: ZipLayout = {}): Uint8Array {
  const prefix = layout.prefix ?? Buffer.alloc(0);
  const locals: Buffer[] = [prefix];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = prefix.length;
  for (const entry of entries) {
    const descriptor = (entry.flags & 8) !== 0; // sizes and checksum after the data, zeros in the local header
    const localName = Buffer.from(entry.localName ?? entry.name);
    const extra = entry.extra ?? Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.flags, 6);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(descriptor ? 0 : entry.crc, 14);
    local.writeUInt32LE(descriptor ? 0 : entry.data.length, 18);
    local.writeUInt32LE(descriptor ? 0 : entry.size, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const trailer = Buffer.alloc(descriptor ? 16 : 0);
    if (descriptor) {
      trailer.writeUInt32LE(0x08074b50, 0);
      trailer.writeUInt32LE(entry.crc, 4);
      trailer.writeUInt32LE(entry.data.length, 8);
      trailer.writeUInt32LE(entry.size, 12);
    }
    offsets.push(offset);
    locals.push(local, localName, extra, entry.data, trailer);
    offset += local.length + localName.length + extra.length + entry.data.length + trailer.length;
  }
  const directoryOffset = offset;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.flags, 8);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt32LE(entry.crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    const own = entries.indexOf(entry);
    central.writeUInt32LE(offsets[entry.sharesDataOf ?? own]!, 42);
    centrals.push(central, name);
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  const count = Math.max(0, Math.min(0xfffe, entries.length + (layout.countDelta ?? 0)));
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return Uint8Array.from(Buffer.concat([...locals, directory, end, layout.suffix ?? Buffer.alloc(0)]));
}

const noise = (rand: Rand, length: number) => Buffer.from(Array.from({ length }, () => int(rand, 256)));

/** An entry's data stored again as the method says, its size and checksum the truth. */
function restored(entry: ZipEntry, inflated: Buffer, method = entry.method): ZipEntry {
  return { ...entry, method, data: method === 8 ? deflateRawSync(inflated) : inflated, size: inflated.length, crc: crc32(inflated) };
}

/** The main entries a reader needs first: the document, its relationships, the package's. */
const MAIN = /^(word\/document\.xml|_rels\/\.rels|word\/_rels\/document\.xml\.rels|word\/header1\.xml)$/;

type ContainerMutation = (entries: ZipEntry[], rand: Rand, inflated: (entry: ZipEntry) => Buffer) => { entries: ZipEntry[]; layout?: ZipLayout; what: string };

export const CONTAINER_MUTATIONS: Record<string, ContainerMutation> = {
  truncateEntry: (entries, rand) => {
    const i = entryIndex(entries, rand);
    const entry = entries[i]!;
    const kept = int(rand, entry.data.length);
    entries[i] = { ...entry, data: entry.data.subarray(0, kept) };
    return { entries, what: `${entry.name} cut to ${kept} of ${entry.data.length} bytes` };
  },
  duplicateEntry: (entries, rand) => {
    const entry = entries[entryIndex(entries, rand)]!;
    const other = pick(rand, entries);
    // The same name again, with its own data or another entry's, before or after it.
    const copy = rand() < 0.5 ? { ...entry } : { ...other, name: entry.name };
    entries.splice(int(rand, entries.length + 1), 0, copy);
    return { entries, what: `${entry.name} twice (${copy.data === entry.data ? 'the same data' : `${other.name}'s data`})` };
  },
  renameEntry: (entries, rand) => {
    const i = entryIndex(entries, rand);
    const entry = entries[i]!;
    const name = pick(rand, [entry.name.toUpperCase(), `/${entry.name}`, entry.name.replaceAll('/', '\\'), `${entry.name} `, `${entry.name}\u0000`, pick(rand, entries).name, 'é'.repeat(300)]);
    entries[i] = { ...entry, name };
    return { entries, what: `${entry.name} renamed ${JSON.stringify(name.slice(0, 40))}` };
  },
  hugeSize: (entries, rand) => {
    const i = entryIndex(entries, rand);
    const entry = entries[i]!;
    const size = pick(rand, [0xffffffff, 0x7fffffff, 32 * 1024 * 1024 + 1, entry.size * 1000]);
    entries[i] = rand() < 0.5 ? { ...entry, size } : { ...entry, data: entry.data, size, method: 0 };
    return { entries, what: `${entry.name} declares ${size} bytes${entries[i]!.method === 0 ? ', stored' : ''}` };
  },
  deflateGarbage: (entries, rand) => {
    const i = entryIndex(entries, rand);
    const entry = entries[i]!;
    const kind = int(rand, 3);
    if (kind === 0) entries[i] = { ...entry, method: 8, data: noise(rand, 1 + int(rand, 2 * entry.data.length + 1)) };
    else if (kind === 1) entries[i] = { ...entry, method: entry.method === 8 ? 0 : 8 }; // the method the data is not
    else {
      // Valid deflate of other bytes, the size and checksum of those: the reader cannot tell, the parser can.
      entries[i] = restored(entry, noise(rand, 1 + int(rand, 200)), 8);
    }
    return { entries, what: `${entry.name} ${['deflate garbage', 'under the other method', 'deflated noise'][kind]}` };
  },
  wrongChecksum: (entries, rand) => {
    const i = entryIndex(entries, rand);
    entries[i] = { ...entries[i]!, crc: (entries[i]!.crc ^ (1 << int(rand, 32))) >>> 0 };
    return { entries, what: `${entries[i]!.name}'s checksum wrong` };
  },
  flippedData: (entries, rand, inflated) => {
    // A bit of the inflated data flipped and stored again (the archive's structure intact), its old checksum kept.
    const i = entryIndex(entries, rand);
    const entry = entries[i]!;
    const bytes = Buffer.from(inflated(entry));
    if (bytes.length > 0) bytes[int(rand, bytes.length)]! ^= 1 << int(rand, 7);
    entries[i] = { ...restored(entry, bytes), crc: entry.crc };
    return { entries, what: `a bit of ${entry.name} flipped, its checksum the old one` };
  },
  sharedData: (entries, rand) => {
    // Every entry's directory record points at one entry's data (declared under their own names and sizes).
    const target = entryIndex(entries, rand);
    const all = rand() < 0.5;
    const out = entries.map((entry, i) => (all || i === entryIndex(entries, rand) ? { ...entries[target]!, name: entry.name, sharesDataOf: target } : entry));
    return { entries: out, what: `${all ? 'every entry' : 'an entry'} pointing at ${entries[target]!.name}'s data` };
  },
  localHeader: (entries, rand) => {
    const i = entryIndex(entries, rand);
    const entry = entries[i]!;
    entries[i] = rand() < 0.5 ? { ...entry, localName: pick(rand, ['x', entry.name.slice(1), pick(rand, entries).name]) } : { ...entry, extra: noise(rand, pick(rand, [1, 100, 65535])) };
    return { entries, what: `${entry.name}'s local header ${entries[i]!.localName === undefined ? 'with an extra field' : 'names another'}` };
  },
  layout: (entries, rand) => {
    const layout: ZipLayout = pick(rand, [{ prefix: noise(rand, 1 + int(rand, 1000)) }, { suffix: noise(rand, 1 + int(rand, 1000)) }, { countDelta: pick(rand, [-1, 1, 100]) }]);
    return { entries, layout, what: `archive ${Object.keys(layout)[0]} ${JSON.stringify(Object.values(layout)[0]).slice(0, 20)}` };
  },
  dataDescriptors: (entries) => ({ entries: entries.map((entry) => ({ ...entry, flags: entry.flags | 8 })), what: 'data descriptors (valid)' }),
  dropped: (entries, rand) => {
    const main = entries.filter((entry) => MAIN.test(entry.name));
    const gone = pick(rand, main.length > 0 ? main : entries);
    return { entries: entries.filter((entry) => entry !== gone), what: `${gone.name} left out` };
  },
};

/** An entry, one of the main ones three times in four. */
function entryIndex(entries: ZipEntry[], rand: Rand): number {
  const main = entries.flatMap((entry, i) => (MAIN.test(entry.name) ? [i] : []));
  return main.length > 0 && rand() < 0.75 ? pick(rand, main) : int(rand, entries.length);
}
