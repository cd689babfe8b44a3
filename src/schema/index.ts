// The spec engine: YNL specs -> family model -> codecs.
export * from './model.js';
export { SpecError } from './errors.js';
export { loadSpec, parseSpec, type ParseSpecOptions } from './load.js';
export { compileCodecs, compileFamily } from './compile.js';
export {
  buildFamily,
  type AnyOperations,
  type AttributeSetCodec,
  type DecodedMessage,
  type EncodeOptions,
  type ExtAckNames,
  type Family,
  type OperationCodec,
  type OperationModeCodec,
  type StructCodec,
} from './family.js';
export { generateCodecSource, type GenerateOptions, type GeneratedCodec } from './generate.js';
export type { FamilyCodecs, Obj, Scope, StructRest, UnknownAttribute } from './runtime.js';
