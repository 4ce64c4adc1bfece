// CRC-32 as zip writes it (IEEE 802.3, reflected, polynomial 0xEDB88320). Node's zlib.crc32 exists only from
// 20.15 / 22.2, and the engines range starts at 20.6: this one runs on every Node the service supports.
const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c >>> 0;
}

/** The CRC-32 of `bytes`, an unsigned 32-bit integer (as a zip header stores it). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
