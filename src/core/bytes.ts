// Small byte helpers shared by the reader and the writer.

/** Netlink headers and most attributes are in host byte order. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A DataView over exactly the bytes of `bytes` (same memory, no copy). */
export function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A u32 in host byte order at `at`, read byte by byte: no DataView, so a
 * small typed array kept in V8's heap is not given an ArrayBuffer of its own
 * (which `.buffer` does, with an allocation outside the heap).
 */
export function hostU32(bytes: Uint8Array, at: number): number {
  const b0 = bytes[at]!;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  const b3 = bytes[at + 3]!;
  return (HOST_LITTLE_ENDIAN ? b0 | (b1 << 8) | (b2 << 16) | (b3 << 24) : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

/**
 * Decodes a NUL-terminated (or NUL-less) UTF-8 string from bytes[start, end).
 * Short ASCII strings, the common case for interface names, skip TextDecoder.
 */
export function decodeString(bytes: Uint8Array, start: number, end: number): string {
  let stop = start;
  let ascii = true;
  while (stop < end) {
    const c = bytes[stop]!;
    if (c === 0) break;
    if (c > 0x7f) ascii = false;
    stop++;
  }
  if (ascii && stop - start <= 32) {
    let s = '';
    for (let i = start; i < stop; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return utf8Decoder.decode(bytes.subarray(start, stop));
}

/** UTF-8 bytes of a string (a fresh array). */
export function encodeString(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Writes the UTF-8 bytes of `text` at `offset`; returns how many were written (space must suffice). */
export function encodeStringInto(text: string, target: Uint8Array, offset: number): number {
  return utf8Encoder.encodeInto(text, target.subarray(offset)).written;
}

/** Upper bound of the UTF-8 length of a string. */
export function maxUtf8Length(text: string): number {
  return text.length * 3;
}
