// Run-time compilation of a family spec into codecs: the generated source is
// turned into functions with new Function. Spec strings only ever appear in
// that source as JSON string literals (see generate.ts), so a spec cannot
// inject code.
import { buildFamily, type Family } from './family.js';
import { generateCodecSource } from './generate.js';
import type { FamilySpec } from './model.js';
import * as runtime from './runtime.js';
import type { FamilyCodecs } from './runtime.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Compiles the codecs of a family (decoders and encoders for every set, struct and message layout). */
export function compileCodecs(spec: FamilySpec): FamilyCodecs {
  const { body, runtimeNames } = generateCodecSource(spec);
  for (const n of runtimeNames) {
    if (!IDENTIFIER.test(n) || !Object.hasOwn(runtime, n)) throw new Error(`compileCodecs: unknown runtime helper '${n}'`);
  }
  const source = `"use strict";\nconst { ${runtimeNames.join(', ')} } = rt;\n${body}\nreturn codecs;`;
  const factory = new Function('rt', source) as (rt: typeof runtime) => FamilyCodecs;
  return factory(runtime);
}

/**
 * Compiles a loaded spec into a usable family.
 *
 * ```ts
 * const family = compileFamily(loadSpec('/path/rt-link.yaml'));
 * family.ops.getlink.dump!.encodeRequest(writer, { 'ifi-family': 0 });
 * const { name, msg } = family.decode(view);
 * ```
 */
export function compileFamily(spec: FamilySpec): Family {
  return buildFamily(spec, compileCodecs(spec));
}
