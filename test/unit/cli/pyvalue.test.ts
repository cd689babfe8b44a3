// The printers of `nlkit ynl` against Python's own output for the same values
// (python-vectors.json, captured with python-vectors.py: pprint.pformat with
// compact=True, json.dumps with cli.py's YnlEncoder, textwrap.fill).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { textwrapFill } from '../../../src/cli/doc.js';
import { bytesRepr, pyJson, pyPformat, PyDict, PySet, pyLen, strRepr, type PyValue } from '../../../src/cli/pyvalue.js';

interface Vectors {
  pprint: Array<{ name: string; width: number; value: unknown; pformat: string; json: string }>;
  textwrap: Array<{ name: string; width: number; indent: string; text: string; fill: string }>;
}

const vectors = JSON.parse(readFileSync(new URL('./python-vectors.json', import.meta.url), 'utf8')) as Vectors;

/** Tagged JSON of the vectors -> Python values ({$bytes}, {$set}, {$dict: [[k, v]]}, {$int}). */
function py(v: unknown): PyValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(py);
  const o = v as Record<string, unknown>;
  if ('$bytes' in o) return Uint8Array.from(Buffer.from(o.$bytes as string, 'hex'));
  if ('$int' in o) return BigInt(o.$int as string);
  if ('$set' in o) return new PySet((o.$set as unknown[]).map(py));
  return PyDict.of((o.$dict as Array<[string | number, unknown]>).map(([k, x]) => [k, py(x)] as const));
}

describe('pyPformat', () => {
  it.each(vectors.pprint.map((c) => [c.name, c] as const))('prints %s like pprint.pformat(compact=True)', (_name, c) => {
    expect(pyPformat(py(c.value), c.width)).toBe(c.pformat);
  });

  it('prints sets sorted even when they fit on one line (Python uses hash order there)', () => {
    expect(pyPformat(PyDict.of([['f', new PySet(['up', 'broadcast', 'multicast'])]]))).toBe("{'f': {'broadcast', 'multicast', 'up'}}");
    expect(pyPformat(new PySet([]))).toBe('set()');
  });
});

describe('pyJson', () => {
  it.each(vectors.pprint.map((c) => [c.name, c] as const))('writes %s like json.dumps(cls=YnlEncoder)', (_name, c) => {
    expect(pyJson(py(c.value))).toBe(c.json);
  });

  it('writes int keys of indexed arrays as strings, bytes as hex, sets as sorted lists', () => {
    const v = [
      PyDict.of([
        [
          2,
          PyDict.of([
            ['flags', new PySet(['b', 'a'])],
            ['raw', Uint8Array.of(0, 255)],
          ]),
        ],
      ]),
    ];
    expect(pyJson(v)).toBe('[{"2": {"flags": ["a", "b"], "raw": "00ff"}}]');
  });
});

describe('repr', () => {
  const strs: Array<[string, string]> = [
    ["it's", `"it's"`],
    ['say "x"', `'say "x"'`],
    [`both ' and "`, `'both \\' and "'`],
    ['\x00\x1f\x7f\x80\xa0', "'\\x00\\x1f\\x7f\\x80\\xa0'"],
    ['\u200b\ud800', "'\\u200b\\ud800'"],
    ['é😀', "'é😀'"],
  ];
  it.each(strs)('repr(%j) is %s', (s, r) => {
    expect(strRepr(s)).toBe(r);
  });

  it('quotes bytes like Python', () => {
    expect(bytesRepr(Uint8Array.from(Buffer.from("a'b")))).toBe(`b"a'b"`);
    expect(bytesRepr(Uint8Array.from(Buffer.from(`a'b"`)))).toBe(`b'a\\'b"'`);
    expect(bytesRepr(new Uint8Array(0))).toBe("b''");
  });

  it('counts code points like len()', () => {
    expect(pyLen('a😀')).toBe(2);
  });
});

describe('textwrapFill', () => {
  it.each(vectors.textwrap.map((c) => [c.name, c] as const))('wraps %s like textwrap.fill', (_name, c) => {
    expect(textwrapFill(c.text, c.width, c.indent)).toBe(c.fill);
  });
});
