// The pure core: no Node imports, no knowledge of any family.
export * from './align.js';
export * from './constants.js';
export * from './errno.js';
export * from './errors.js';
export * from './bytes.js';
export * from './message.js';
export * from './attributes.js';
export * from './writer.js';
export * from './ack.js';
export * from './address.js';
export * from './ackwrite.js';
