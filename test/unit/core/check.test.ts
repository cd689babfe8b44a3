import { describe as suite, expect, it } from 'vitest';
import { checkBigInteger, checkBool, checkIfname, checkInteger, checkString, checkU32, describe } from '../../../src/core/check.js';

// How a refused value is shown in a message, by kind.
const SHOWN = [
  ['a string', 'eth0', "'eth0'"],
  ['a long string, cut after 40 characters', 'x'.repeat(50), `'${'x'.repeat(40)}...'`],
  ['a number', 1.5, '1.5'],
  ['NaN', NaN, 'NaN'],
  ['a bigint', 5n, '5n'],
  ['a boolean', true, 'true'],
  ['undefined', undefined, 'undefined'],
  ['null', null, 'null'],
  ['an array', [1], 'an array'],
  ['bytes', new Uint8Array(2), 'a Uint8Array'],
  ['an object', {}, 'an object'],
  ['a function', () => 1, 'a function'],
] as const;

// One wording for every refused value: the field, then what was expected or the range.
const REFUSED = [
  ['a fraction', () => checkInteger(1.5, 'mtu', 0, 10), TypeError, 'mtu: expected an integer, got 1.5'],
  ['a numeric string', () => checkInteger('7', 'mtu', 0, 10), TypeError, "mtu: expected an integer, got '7'"],
  ['an integer below the range', () => checkInteger(-1, 'tos', 0, 255), RangeError, 'tos: -1 is out of range 0..255'],
  ['a u32 of 2^32', () => checkU32(2 ** 32, 'mark'), RangeError, 'mark: 4294967296 is out of range 0..4294967295'],
  ['an unsafe number as a bigint', () => checkBigInteger(2 ** 53, 'id', 0n, 2n ** 64n - 1n), TypeError, 'id: expected a bigint or a safe integer, got 9007199254740992'],
  ['a bigint above the range', () => checkBigInteger(2n ** 64n, 'id', 0n, 2n ** 64n - 1n), RangeError, 'id: 18446744073709551616 is out of range 0..18446744073709551615'],
  ['a number as a boolean', () => checkBool(1, 'up'), TypeError, 'up must be true or false, got 1'],
  ['a number as a string', () => checkString(1, 'name'), TypeError, 'name must be a string, got 1'],
  ['a device name of 16 bytes', () => checkIfname('abcdefghijklmnop', 'name'), RangeError, "name: 'abcdefghijklmnop' must be 1..15 bytes long"],
  ['a device name with a colon', () => checkIfname('a:1', 'name'), RangeError, "name: 'a:1' is not a valid device name"],
  ['a device name with a NUL', () => checkIfname('a\0', 'name'), RangeError, "name: 'a\0' is not a valid device name"],
] as const;

suite('value checks', () => {
  it.each(SHOWN)('shows %s as it is refused', (_, value, text) => {
    expect(describe(value)).toBe(text);
  });

  it.each(REFUSED)('refuses %s', (_, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  it('returns what it accepts', () => {
    expect(checkInteger(-5, 'x', -10, 10)).toBe(-5);
    expect(checkBigInteger(7, 'x', 0n, 10n)).toBe(7n);
    expect(checkIfname('eth0', 'x')).toBe('eth0');
  });
});
