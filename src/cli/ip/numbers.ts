// Numbers read the way iproute2 reads them: glibc's strtoul() / strtol() on
// a 64-bit system (leading white space, a sign, base 0 meaning 0x hex / 0
// octal / decimal, wrap-around of a negative unsigned value, ERANGE on
// overflow), and the checks lib/utils.c puts around them (get_unsigned,
// get_u32, get_u16, get_u8, get_u64, get_integer, get_s32): no empty
// string, no trailing characters, no overflow, within the type's range.

const ULONG_MAX = (1n << 64n) - 1n;
const LONG_MAX = (1n << 63n) - 1n;

/** A number as ip's print_0xhex / "0x%x" with 0 as 0: 0, or 0x and lower-case hex. */
export function hex0x(v: number): string {
  return v ? '0x' + (v >>> 0).toString(16) : '0';
}

/** What strtoul() / strtol() read: the value, how many characters were used (0: no number), and whether it overflowed (errno ERANGE). */
export interface StrtoResult {
  value: bigint;
  end: number;
  overflow: boolean;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function digitValue(c: string | undefined): number {
  if (c === undefined) return 99;
  const x = c.charCodeAt(0);
  if (x >= 48 && x <= 57) return x - 48;
  if (x >= 97 && x <= 122) return x - 87;
  if (x >= 65 && x <= 90) return x - 55;
  return 99;
}

// The digits of a number and its sign, as glibc's ____strtoul_l_internal scans them.
function scan(s: string, base: number): { magnitude: bigint; negative: boolean; end: number; big: boolean } {
  let i = 0;
  while (isSpace(s[i])) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  if (base === 0 || base === 16) {
    // "0x" is a prefix only when a hex digit follows; "0x" alone reads as 0, stopping at the x.
    if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && digitValue(s[i + 2]) < 16) {
      i += 2;
      base = 16;
    } else if (base === 0) base = s[i] === '0' ? 8 : 10;
  }
  const start = i;
  let magnitude = 0n;
  let big = false;
  const b = BigInt(base);
  for (; digitValue(s[i]) < base; i++) {
    magnitude = magnitude * b + BigInt(digitValue(s[i]));
    if (magnitude > ULONG_MAX) big = true;
  }
  if (i === start) return { magnitude: 0n, negative: false, end: 0, big: false };
  return { magnitude, negative, end: i, big };
}

/** glibc strtoul() with an unsigned long of 64 bits: "-1" is ULONG_MAX, an overflow is ULONG_MAX with ERANGE. */
export function strtoul(s: string, base = 0): StrtoResult {
  const r = scan(s, base);
  if (r.big) return { value: ULONG_MAX, end: r.end, overflow: true };
  const value = r.negative ? (ULONG_MAX + 1n - r.magnitude) & ULONG_MAX : r.magnitude;
  return { value, end: r.end, overflow: false };
}

/** glibc strtol() with a long of 64 bits. */
export function strtol(s: string, base = 0): StrtoResult {
  const r = scan(s, base);
  if (r.negative) {
    if (r.big || r.magnitude > LONG_MAX + 1n) return { value: -LONG_MAX - 1n, end: r.end, overflow: true };
    return { value: -r.magnitude, end: r.end, overflow: false };
  }
  if (r.big || r.magnitude > LONG_MAX) return { value: LONG_MAX, end: r.end, overflow: true };
  return { value: r.magnitude, end: r.end, overflow: false };
}

/**
 * A number in plain decimal (digits only, no leading zero, at most 15 of
 * them), which strtoul() in base 0 or 10 reads as written; -1 for anything
 * else. Most numbers ip reads look like this: they skip the bigint scan.
 */
export function plainDecimal(s: string, from = 0, to = s.length): number {
  const n = to - from;
  if (n <= 0 || n > 15) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (d === 0 && i === from && n > 1)) return -1;
    v = v * 10 + d;
  }
  return v;
}

// The checks every get_uN() makes: a whole, non-empty number that did not overflow and is at most `max`.
function getUnsignedMax(s: string, base: number, max: bigint): number | undefined {
  if (s === '') return undefined;
  if (base === 0 || base === 10) {
    const v = plainDecimal(s);
    if (v >= 0) return v <= Number(max) ? v : undefined;
  }
  const r = strtoul(s, base);
  if (r.end === 0 || r.end !== s.length || r.overflow || r.value > max) return undefined;
  return Number(r.value);
}

/** get_unsigned() / get_u32(): an unsigned 32-bit number, or undefined. */
export function getUnsigned(s: string, base = 0): number | undefined {
  return getUnsignedMax(s, base, 0xffffffffn);
}
/** get_u32(). */
export const getU32 = getUnsigned;
/** get_u16(). */
export function getU16(s: string, base = 0): number | undefined {
  return getUnsignedMax(s, base, 0xffffn);
}
/** get_u8(). */
export function getU8(s: string, base = 0): number | undefined {
  return getUnsignedMax(s, base, 0xffn);
}

/** get_u64(). */
export function getU64(s: string, base = 0): bigint | undefined {
  if (s === '') return undefined;
  const r = strtoul(s, base);
  if (r.end === 0 || r.end !== s.length || r.overflow) return undefined;
  return r.value;
}

/** get_integer() / get_s32(): a signed 32-bit number, or undefined. */
export function getInteger(s: string, base = 0): number | undefined {
  if (s === '') return undefined;
  const r = strtol(s, base);
  if (r.end === 0 || r.end !== s.length || r.overflow) return undefined;
  if (r.value < -0x80000000n || r.value > 0x7fffffffn) return undefined;
  return Number(r.value);
}
/** get_s32(). */
export const getS32 = getInteger;

/**
 * The `strtoul(arg, &end, base)` then `if (!end || end == arg || *end || res > max)`
 * test of the rt_names.c readers (no overflow check: an overflow is ULONG_MAX, above any max).
 */
export function strtoulWithin(s: string, base: number, max: number): number | undefined {
  const r = strtoul(s, base);
  if (r.end === 0 || r.end !== s.length || r.value > BigInt(max)) return undefined;
  return Number(r.value);
}

/** atoi(): strtol's value truncated to an int, 0 when there is no number. */
export function atoi(s: string): number {
  return Number(BigInt.asIntN(32, strtol(s, 10).value));
}
