// Text forms of the addresses netlink carries as bytes: IPv4, IPv6 (RFC 5952
// like inet_ntop), and link-layer (MAC) addresses. Parsers throw TypeError
// naming the field they were given for.

function need(bytes: Uint8Array, offset: number, size: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > bytes.length) {
    throw new RangeError(`${what} needs ${size} bytes at offset ${offset}, the buffer has ${bytes.length}`);
  }
}

const DEC = Array.from({ length: 256 }, (_, i) => String(i));
const DEC_DOT = DEC.map((d) => `${d}.`);
// Dumps repeat a few addresses many times (gateways, preferred sources): a
// small direct-mapped memo of address -> text saves most of the string
// building. It only ever holds results of this pure function, so it cannot
// change what any caller sees.
const MEMO_SIZE = 4096;
const memoKeys = new Int32Array(MEMO_SIZE);
const memoText: string[] = new Array<string>(MEMO_SIZE).fill('');

/** Dotted quad of 4 bytes at `offset` (this runs for every address of a dump). */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  need(bytes, offset, 4, 'an IPv4 address');
  const b0 = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  const b3 = bytes[offset + 3]!;
  const key = (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
  const slot = (key ^ (key >>> 12) ^ (key >>> 20)) & (MEMO_SIZE - 1);
  const hit = memoText[slot]!;
  if (hit !== '' && memoKeys[slot] === key) return hit;
  const text = DEC_DOT[b0]! + DEC_DOT[b1]! + DEC_DOT[b2]! + DEC[b3]!;
  memoKeys[slot] = key;
  memoText[slot] = text;
  return text;
}

/** RFC 5952 text of 16 bytes at `offset` (longest zero run compressed, IPv4-mapped tail dotted). */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  need(bytes, offset, 16, 'an IPv6 address');
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);
  // glibc's inet_ntop prints a dotted IPv4 tail for ::ffff:a.b.c.d and for the
  // old compatible form ::a.b.c.d (when word 6 is not zero, so ::1 stays ::1).
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0) {
    if (words[5] === 0xffff) return `::ffff:${formatIPv4(bytes, offset + 12)}`;
    if (words[5] === 0 && words[6] !== 0) return `::${formatIPv4(bytes, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    out += words[i]!.toString(16);
    if (i < 7) out += ':';
  }
  return out;
}

/** IPv4 for 4 bytes, IPv6 for 16, otherwise colon-separated hex. */
export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return formatIPv4(bytes);
  if (bytes.length === 16) return formatIPv6(bytes);
  return formatMac(bytes);
}

/** Lower-case colon-separated hex bytes (link-layer address form). */
export function formatMac(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (i) s += ':';
    s += (b < 16 ? '0' : '') + b.toString(16);
  }
  return s;
}

/**
 * Parses a dotted quad; throws TypeError naming `field`. Like glibc's
 * inet_pton, a part may not have a leading zero ('010' would be octal 8 to
 * inet_aton, so it is refused rather than read one way or the other).
 */
export function parseIPv4(text: string, field = 'address'): Uint8Array {
  const parts = typeof text === 'string' ? text.split('.') : [];
  if (parts.length !== 4) throw new TypeError(`${field}: '${String(text)}' is not an IPv4 address`);
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) throw new TypeError(`${field}: '${text}' is not an IPv4 address`);
    out[i] = Number(p);
  }
  return out;
}

/** Parses IPv6 text (with :: and an optional dotted IPv4 tail); throws TypeError naming `field`. */
export function parseIPv6(text: string, field = 'address'): Uint8Array {
  const bad = (): TypeError => new TypeError(`${field}: '${String(text)}' is not an IPv6 address`);
  if (typeof text !== 'string' || text.length < 2 || text.length > 45) throw bad();
  const out = new Uint8Array(16);
  let head = text;
  let tail4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > lastColon) {
    try {
      tail4 = parseIPv4(text.slice(lastColon + 1), field);
    } catch {
      throw bad(); // name the whole text, not just its IPv4 tail
    }
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) throw bad();
  const parse = (s: string): number[] =>
    s === ''
      ? []
      : s.split(':').map((w) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(w)) throw bad();
          return parseInt(w, 16);
        });
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  const words = halves.length === 2 ? left.length + right.length : left.length;
  if ((halves.length === 2 && words > 7) || (halves.length === 1 && words !== 8)) throw bad();
  const all = [...left, ...new Array<number>(8 - words).fill(0), ...right];
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >> 8;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  if (tail4) out.set(tail4, 12);
  return out;
}

/** Parses an IPv4 or IPv6 address. */
export function parseIP(text: string, field = 'address'): Uint8Array {
  return typeof text === 'string' && text.includes(':') ? parseIPv6(text, field) : parseIPv4(text, field);
}

/** Parses colon- or dash-separated hex bytes; `length` (e.g. 6) is enforced when given. */
export function parseMac(text: string, field = 'address', length?: number): Uint8Array {
  if (typeof text !== 'string' || !/^[0-9a-fA-F]{1,2}([:-][0-9a-fA-F]{1,2})*$/.test(text)) {
    throw new TypeError(`${field}: '${String(text)}' is not a link-layer address`);
  }
  const parts = text.split(/[:-]/);
  if (length !== undefined && parts.length !== length) {
    throw new TypeError(`${field}: '${text}' has ${parts.length} bytes, expected ${length}`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}
