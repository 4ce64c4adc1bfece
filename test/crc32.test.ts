import t from 'tap';
import { crc32 } from '../src/import/crc32.js';

t.test('CRC-32 as zip stores it: the standard check values', async (t) => {
  t.equal(crc32(new Uint8Array()), 0);
  t.equal(crc32(Buffer.from('123456789')), 0xcbf43926, "the polynomial's published check value");
  t.equal(crc32(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  t.equal(crc32(new Uint8Array(32).fill(0xff)), 0xff6cab0b, 'a value past 2^31 is unsigned');
});
