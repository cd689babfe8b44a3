// ynl-shaped values from the codec's objects, against the kernel's ynl
// library decoding the same bytes (shape-vectors.json, captured with
// shape-vectors.py): key order, header fields after attributes, a header
// field shadowing an attribute, padded strings, flags, unknown values and
// attributes, structs, arrays, nests, sub-messages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MessageView } from '../../../src/core/message.js';
import { pyJson, pyPformat } from '../../../src/cli/pyvalue.js';
import { YnlDecodeError, YnlShaper } from '../../../src/cli/shape.js';
import { compileFamily } from '../../../src/schema/compile.js';
import { parseSpec } from '../../../src/schema/load.js';

interface Vectors {
  spec: string;
  cases: Array<{ name: string; message: string; json: string }>;
}

const vectors = JSON.parse(readFileSync(new URL('./shape-vectors.json', import.meta.url), 'utf8')) as Vectors;
const family = compileFamily(parseSpec(vectors.spec));
const op = family.spec.operations.find((o) => o.name === 'get')!;

function shape(hex: string, processUnknown = true) {
  const view = new MessageView(Uint8Array.from(Buffer.from(hex, 'hex')), 0);
  const decoded = family.decode(view);
  return new YnlShaper(family, { processUnknown }).message(op, view, decoded.msg);
}

describe('YnlShaper', () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))('gives %s like lib/ynl.py', (_name, c) => {
    expect(pyJson(shape(c.message))).toBe(c.json);
  });

  it('prints the same values in pprint form with sorted keys and sets', () => {
    const text = pyPformat(shape(vectors.cases[2]!.message));
    expect(text).toBe(
      "{'data': {'hi': '0x4', 'lo': 3, 'x': 9, 'y': 'sub'},\n" +
        " 'family': 2,\n 'hcolor': 'green',\n 'hflags': {'Unknown(3)', 'b'},\n 'index': -7,\n 'kind': 'p',\n 'table': 252}",
    );
  });

  it("refuses unknown attributes without --process-unknown, with ynl's message", () => {
    expect(() => shape(vectors.cases[3]!.message, false)).toThrow(new YnlDecodeError("Space 'main' has no attribute with value '99'"));
  });

  it('refuses unknown enum values without --process-unknown', () => {
    expect(() => shape(vectors.cases[0]!.message, false)).toThrow("'color': 7 is not a value of enum 'color'");
  });
});
