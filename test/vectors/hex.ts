// Hex text to bytes, for the captured vectors in this folder.

/** Bytes of hex text given as lines of space-separated pairs ('4c 04 00 00 ...'). */
export function fromHex(...lines: string[]): Uint8Array {
  const text = lines.join(' ').replace(/\s+/g, '');
  if (!/^(?:[0-9a-f]{2})*$/i.test(text)) throw new TypeError('fromHex: not an even run of hex digits');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lower-case space-separated hex of bytes, for readable expectations. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
