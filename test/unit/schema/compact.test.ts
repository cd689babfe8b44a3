// The compact form generated modules embed their model in: it must give back
// exactly the model the loader builds (same values, same key order), for
// every kernel spec with the project's overlays, and for odd specs.
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../src/schema/load.js';
import { SPEC_FILES, loadProjectSpec } from '../../helpers/specs.js';
import { compactSpec, expandSpec, reviveSpec, type FamilySpec } from '../../../src/schema/model.js';

const FILES = SPEC_FILES;

/** JSON text with bigints marked, so that key order and bigint-ness both count. */
const exact = (spec: FamilySpec): string => JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

describe('compactSpec / expandSpec', () => {
  it.each(FILES)('%s: expands back to the loaded model, key for key', (file) => {
    const spec = loadProjectSpec(file);
    const compact = compactSpec(spec);
    expect(exact(expandSpec(compact))).toBe(exact(spec));
    expect(exact(reviveSpec(JSON.stringify(compact)))).toBe(exact(spec));
  });

  it('keeps what the loader does not derive: explicit numbers, prefixes, bigint checks, subsets that override', () => {
    const spec = parseSpec(
      `
name: odd
protocol: genetlink
definitions:
  - { name: e, type: enum, value-start: 3, entries: [ a, b, { name: c, value: 10 }, d ] }
  - { name: f, type: flags, name-prefix: my-, entries: [ x, y ] }
  - name: s
    type: struct
    members:
      - { name: a, type: u16, byte-order: big-endian }
      - { name: p, type: pad, len: 2 }
      - { name: b, type: binary, len: 6, display-hint: mac }
attribute-sets:
  - name: main
    attributes:
      - { name: small, type: s64, checks: { min: -9223372036854775808, max: 5 } }
      - { name: big, type: u64, value: 7, checks: { max: 18446744073709551615 } }
      - { name: next, type: u32, multi-attr: true }
      - { name: nest, type: nest, nested-attributes: sub }
  - name: sub
    subset-of: main
    attributes:
      - { name: big }
      - { name: next, checks: { max: 3 } }
operations:
  list:
    - { name: get, attribute-set: main, do: { request: { attributes: [ small ] } } }
    - { name: ntf, notify: get, mcgrp: g }
mcast-groups:
  list:
    - { name: g }
`,
      { fileName: 'odd.yaml' },
    );
    expect(exact(reviveSpec(JSON.stringify(compactSpec(spec))))).toBe(exact(spec));
  });

  it('reads the older form: the model written out, bigints as { "$bigint": "..." }', () => {
    const json = '{ "name": "x", "checks": { "max": { "$bigint": "18446744073709551615" } } }';
    expect(reviveSpec(json)).toEqual({ name: 'x', checks: { max: 18446744073709551615n } });
  });
});
