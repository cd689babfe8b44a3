// Checks of values given by users, shared by every layer so that a refused
// value reads the same wherever it is refused: the field first, then what
// was expected and what was given (`mtu: expected an integer, got 'x'`,
// `tos: 256 is out of range 0..255`), as the generated codecs word it.
// TypeError when the kind of value is wrong, RangeError when its value is.
import { IFNAMSIZ } from './constants.js';

/** A value as an error message shows it: strings quoted (cut after 40 characters), bigints with their n, objects by their kind. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (x instanceof Uint8Array) return 'a Uint8Array';
  switch (typeof x) {
    case 'string':
      return `'${x.length > 40 ? `${x.slice(0, 40)}...` : x}'`;
    case 'bigint':
      return `${x}n`;
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(x);
    case 'object':
      return 'an object';
    default:
      return `a ${typeof x}`;
  }
}

/**
 * The error for a value that is not an integer in [min, max]: build it once
 * a check has failed, so that hot paths (the message writer) check inline
 * and pay for the field's name only when they throw.
 */
export function integerError(x: unknown, field: string, min: number | bigint, max: number | bigint): TypeError | RangeError {
  if (typeof x !== 'number' || !Number.isInteger(x)) return new TypeError(`${field}: expected an integer, got ${describe(x)}`);
  return new RangeError(`${field}: ${x} is out of range ${min}..${max}`);
}

/** An integer (a number) in [min, max]. */
export function checkInteger(x: unknown, field: string, min: number, max: number): number {
  if (typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max) return x;
  throw integerError(x, field, min, max);
}

/** An integer in 0..2^32-1. */
export function checkU32(x: unknown, field: string): number {
  return checkInteger(x, field, 0, 0xffffffff);
}

/** The error for a value that is not a bigint or safe integer in [min, max] (see integerError). */
export function bigIntegerError(x: unknown, field: string, min: bigint, max: bigint): TypeError | RangeError {
  if (typeof x !== 'bigint' && !(typeof x === 'number' && Number.isSafeInteger(x))) return new TypeError(`${field}: expected a bigint or a safe integer, got ${describe(x)}`);
  return new RangeError(`${field}: ${x} is out of range ${min}..${max}`);
}

/** A bigint, or a safe integer, in [min, max] (64-bit values), as a bigint. */
export function checkBigInteger(x: unknown, field: string, min: bigint, max: bigint): bigint {
  const v = typeof x === 'bigint' ? x : typeof x === 'number' && Number.isSafeInteger(x) ? BigInt(x) : undefined;
  if (v !== undefined && v >= min && v <= max) return v;
  throw bigIntegerError(x, field, min, max);
}

/** A boolean. */
export function checkBool(x: unknown, field: string): boolean {
  if (typeof x !== 'boolean') throw new TypeError(`${field} must be true or false, got ${describe(x)}`);
  return x;
}

/** A string. */
export function checkString(x: unknown, field: string): string {
  if (typeof x !== 'string') throw new TypeError(`${field} must be a string, got ${describe(x)}`);
  return x;
}

/** A device name the kernel accepts (dev_valid_name() in net/core/dev.c): 1..15 bytes, not '.' or '..', no '/', ':', NUL or white space. */
export function checkIfname(x: unknown, field: string): string {
  const name = checkString(x, field);
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0 || bytes >= IFNAMSIZ) throw new RangeError(`${field}: '${name}' must be 1..${IFNAMSIZ - 1} bytes long`);
  if (name === '.' || name === '..' || /[/:\s\0]/.test(name)) throw new RangeError(`${field}: '${name}' is not a valid device name`);
  return name;
}
