import { inflateRawSync } from 'node:zlib';
import { crc32 } from './crc32.js';
import { ImportLimitError } from './limits.js';
import { ImportError } from './types.js';

// A .docx is a zip archive. Its central directory (at the end, small) names every entry with its sizes, so
// an archive's cost is known before anything is inflated: too many entries, or parts whose declared sizes
// exceed the budget, are refused up front; an entry is inflated with its declared size as a hard cap, so a
// header that lies stops the inflation where it said it would end. An entry read is held to its checksum
// (CRC-32): a bit flipped in a stored part, or deflated data that still inflated to the declared size, was read
// as another text and imported.

interface Entry {
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const damaged = (what: string) => new ImportError(`Not a readable .docx (a zip archive): ${what}.`);

export class ZipArchive {
  private remaining: number;

  private constructor(
    private readonly bytes: Buffer,
    private readonly entries: Map<string, Entry>,
    maxInflatedBytes: number,
  ) {
    this.remaining = maxInflatedBytes;
  }

  /** Reads the central directory; refuses an archive of more than `maxEntries` entries before listing them. */
  static open(bytes: Buffer, limits: { maxZipEntries: number; maxInflatedBytes: number }): ZipArchive {
    // The end-of-central-directory record: 22 bytes, then a comment of up to 65535 bytes.
    let end = -1;
    for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
      if (bytes.readUInt32LE(i) === EOCD) {
        end = i;
        break;
      }
    }
    if (end < 0) throw damaged('no central directory');
    const count = bytes.readUInt16LE(end + 10);
    const directorySize = bytes.readUInt32LE(end + 12);
    const directoryOffset = bytes.readUInt32LE(end + 16);
    if (count === 0xffff || directoryOffset === 0xffffffff) throw damaged('ZIP64 archives are not supported');
    if (count > limits.maxZipEntries) {
      throw new ImportLimitError(`The .docx holds ${count} entries; at most ${limits.maxZipEntries} are read.`);
    }
    if (directoryOffset + directorySize > end) throw damaged('the central directory lies outside the file');

    const entries = new Map<string, Entry>();
    let at = directoryOffset;
    for (let n = 0; n < count; n++) {
      if (at + 46 > end || bytes.readUInt32LE(at) !== CENTRAL) throw damaged('a damaged central directory');
      const nameLength = bytes.readUInt16LE(at + 28);
      const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
      if (!entries.has(name)) {
        entries.set(name, {
          flags: bytes.readUInt16LE(at + 8),
          method: bytes.readUInt16LE(at + 10),
          crc: bytes.readUInt32LE(at + 16),
          compressedSize: bytes.readUInt32LE(at + 20),
          size: bytes.readUInt32LE(at + 24),
          localOffset: bytes.readUInt32LE(at + 42),
        });
      }
      at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    }
    return new ZipArchive(bytes, entries, limits.maxInflatedBytes);
  }

  /** The bytes of every entry inflated, as the directory declares them (inflation never goes beyond). */
  inflatedBytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.size;
    return total;
  }

  /**
   * An entry's bytes, inflated; undefined when there is no such entry. Its declared size counts against the
   * budget of the whole archive before inflating, and caps the inflation.
   */
  read(name: string): Buffer | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    if (entry.size > this.remaining) {
      throw new ImportLimitError(
        `The .docx part ${name} inflates to ${entry.size} bytes: more than the ${this.remaining} bytes left of ` +
          `the import's budget of inflated bytes.`,
      );
    }
    this.remaining -= entry.size;
    if (entry.flags & 1) throw damaged(`${name} is encrypted`);
    const local = entry.localOffset;
    if (local + 30 > this.bytes.length || this.bytes.readUInt32LE(local) !== LOCAL) throw damaged(`${name} is damaged`);
    const start = local + 30 + this.bytes.readUInt16LE(local + 26) + this.bytes.readUInt16LE(local + 28);
    if (start + entry.compressedSize > this.bytes.length) throw damaged(`${name} is cut off`);
    const data = this.bytes.subarray(start, start + entry.compressedSize);
    let inflated: Buffer;
    if (entry.method === 0) inflated = Buffer.from(data);
    else if (entry.method === 8) {
      try {
        // One byte more than declared, so that a longer output is seen (and stopped there).
        inflated = inflateRawSync(data, { maxOutputLength: entry.size + 1 });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw damaged(`${name} inflates to more than the ${entry.size} bytes its header declares`);
        }
        throw damaged(`${name} cannot be inflated (${(error as Error).message})`);
      }
    } else throw damaged(`${name} is compressed with method ${entry.method}; only stored and deflated parts are read`);
    if (inflated.length !== entry.size) {
      throw damaged(`${name} holds ${inflated.length} bytes, not the ${entry.size} its header declares`);
    }
    if (crc32(inflated) !== entry.crc) throw damaged(`${name} is not what was written: its checksum (CRC-32) does not match`);
    return inflated;
  }
}

/**
 * The bytes an import of this file reads: a zip archive's (a .docx's) entries inflated, as its directory
 * declares them, else the file's own. It decides where the file is imported (IMPORT_THREAD_MIN_BYTES): a .docx
 * of 30 KB can hold 32 MiB of XML, seconds of reading that held the event loop when the file's own size sent it
 * to the request's thread. A damaged archive counts its own bytes (reading it fails at once).
 */
export function importedBytes(bytes: Uint8Array): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 30 || buffer.readUInt32LE(0) !== LOCAL) return buffer.length;
  try {
    return Math.max(buffer.length, ZipArchive.open(buffer, { maxZipEntries: 0xffff, maxInflatedBytes: Infinity }).inflatedBytes());
  } catch {
    return buffer.length;
  }
}
