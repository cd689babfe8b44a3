import { describe, expect, it } from 'vitest';
import { HOST_LITTLE_ENDIAN, dataViewOf, decodeString, encodeString, encodeStringInto, maxUtf8Length } from '../../../src/core/bytes.js';
import { fromHex } from '../../vectors/hex.js';

// decodeString(bytes, start, end) over 'lo\0' style data: where the text stops.
const DECODINGS = [
  { name: 'a NUL-terminated name', hex: '6c 6f 00 00', start: 0, end: 4, text: 'lo' },
  { name: 'a name without NUL', hex: '76 65 74 68 30', start: 0, end: 5, text: 'veth0' },
  { name: 'a range inside the buffer', hex: '00 61 62 63 00', start: 1, end: 3, text: 'ab' },
  { name: 'an empty range', hex: '61', start: 0, end: 0, text: '' },
  { name: 'a leading NUL', hex: '00 61', start: 0, end: 2, text: '' },
  { name: 'UTF-8 text', hex: 'c3 a9 74 c3 a9 00', start: 0, end: 6, text: 'été' },
  { name: 'an invalid UTF-8 byte (replaced, never thrown)', hex: '61 ff 62 00', start: 0, end: 4, text: 'a\ufffdb' },
  {
    name: 'ASCII longer than the 32-byte fast path',
    hex: Array.from('abcdefghijklmnopqrstuvwxyz0123456789', (ch) => ch.charCodeAt(0).toString(16)).join(' '),
    start: 0,
    end: 36,
    text: 'abcdefghijklmnopqrstuvwxyz0123456789',
  },
] as const;

describe('decodeString', () => {
  it.each(DECODINGS)('reads $name', ({ hex, start, end, text }) => {
    expect(decodeString(fromHex(hex), start, end)).toBe(text);
  });
});

describe('encodeString and encodeStringInto', () => {
  it('encode UTF-8 without a NUL', () => {
    expect(Array.from(encodeString('é1'))).toEqual([0xc3, 0xa9, 0x31]);
  });

  it('write at an offset and say how many bytes they wrote', () => {
    const target = new Uint8Array(6);
    expect(encodeStringInto('ab€', target, 1)).toBe(5);
    expect(Array.from(target)).toEqual([0, 0x61, 0x62, 0xe2, 0x82, 0xac]);
  });

  it('bound the UTF-8 length by three bytes per UTF-16 unit', () => {
    for (const text of ['', 'a', 'é', '€', '😀', '\ud800']) expect(encodeString(text).length).toBeLessThanOrEqual(maxUtf8Length(text));
  });
});

describe('dataViewOf', () => {
  it('views exactly the bytes of a subarray, sharing its memory', () => {
    const whole = fromHex('00 11 22 33 44 55');
    const dv = dataViewOf(whole.subarray(2, 5));
    expect([dv.byteLength, dv.getUint8(0), dv.buffer === whole.buffer]).toEqual([3, 0x22, true]);
  });

  it('agrees with the byte order the host reports', () => {
    const dv = dataViewOf(new Uint8Array(new Uint16Array([0x0102]).buffer));
    expect(dv.getUint16(0, HOST_LITTLE_ENDIAN)).toBe(0x0102);
  });
});
