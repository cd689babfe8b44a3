// Property-based round trips, generated from each family model: for every
// attribute set and every operation of every spec, a decoded-form value
// encodes and decodes back to itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetlinkDecodeError } from '../../../src/core/errors.js';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { compileFamily } from '../../../src/schema/compile.js';
import type { Family } from '../../../src/schema/family.js';
import { SPEC_FILES, loadProjectSpec } from '../../helpers/specs.js';
import { SpecArbitraries } from './arbitrary.js';

// Kernel specs and the project's own, with the project's overlays, as the generator builds them.
const FILES = SPEC_FILES;
const RUNS = { numRuns: 15, seed: 20261121 };

// Each spec runs against the run-time compiled family and the generated module.
const CASES = FILES.flatMap(
  (file) =>
    [
      [file, 'compiled'],
      [file, 'generated'],
    ] as const,
);

describe.each(CASES)('%s (%s)', async (file, source) => {
  const spec = loadProjectSpec(file);
  const generated = source === 'generated' ? ((await import(`../../../src/families/generated/${spec.name}.ts`)) as { family: Family; spec: unknown }) : undefined;
  const family: Family = generated ? generated.family : compileFamily(spec);
  const arbs = new SpecArbitraries(spec);

  if (generated) {
    it('embeds the model the loader builds', () => {
      expect(generated.spec).toEqual(spec);
    });
  }

  it('round-trips every attribute set', () => {
    for (const set of spec.attributeSets) {
      const codec = family.sets.get(set.name)!;
      fc.assert(
        fc.property(arbs.set(set.name), (value) => {
          const w = new MessageWriter();
          w.beginMessage(0x100);
          codec.encode(w, value as Record<string, unknown>);
          w.endMessage();
          const bytes = w.finish();
          expect(codec.decode(bytes, 16, bytes.length), set.name).toEqual(value);
        }),
        RUNS,
      );
    }
  });

  it('round-trips every operation message', () => {
    for (const op of Object.values(family.ops)) {
      fc.assert(
        fc.property(arbs.message(op.attributeSet, op.fixedHeader), (value) => {
          const w = new MessageWriter();
          const v = value as Record<string, unknown>;
          const request = op.requestValue !== undefined;
          if (request) op.encodeRequest(w, v, { familyId: 0x1234, seq: 7 });
          else op.encodeReply(w, v, { familyId: 0x1234, seq: 7 });
          const msg = MessageView.from(w.finish());
          expect(msg.seq).toBe(7);
          const decoded = request ? op.decodeRequest(msg) : op.decodeReply(msg);
          expect(decoded, op.name).toEqual(value);
          const named = request ? family.decodeRequest(msg) : family.decode(msg);
          expect(named.msg).toEqual(value);
        }),
        RUNS,
      );
    }
  });

  it('decodes random bytes in every attribute set without any error but NetlinkDecodeError', () => {
    const attrs = fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.uint8Array({ maxLength: 24 })), { maxLength: 6 }).map((list) => {
      // Mostly well-formed attribute headers around random payloads, sometimes raw noise.
      const w = new MessageWriter();
      w.beginMessage(0x100);
      for (const [type, nested, data] of list) {
        if (nested) {
          const n = w.nestStart(type);
          w.putBinary(1, data);
          w.nestEnd(n);
        } else {
          w.putBinary(type, data);
        }
      }
      w.endMessage();
      return w.finishCopy().subarray(16);
    });
    const input = fc.oneof(attrs, fc.uint8Array({ maxLength: 64 }));
    for (const set of spec.attributeSets) {
      const codec = family.sets.get(set.name)!;
      fc.assert(
        fc.property(input, (bytes) => {
          try {
            codec.decode(bytes);
          } catch (err) {
            if (!(err instanceof NetlinkDecodeError)) throw err;
          }
        }),
        { numRuns: 10, seed: 7 },
      );
    }
  });
});
