// Errors of the spec loader.
import { NlkitError } from '../core/errors.js';

/** A YNL spec that cannot be parsed or does not hold together. */
export class SpecError extends NlkitError {
  /** File name (or '<spec>' for text) the error is in. */
  readonly file: string;
  /** Key path inside the spec, e.g. 'attribute-sets[3].attributes[5].nested-attributes'. */
  readonly path: string;
  constructor(file: string, path: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${path ? `${path}: ` : ''}${message}`, 'ERR_YNL_SPEC', options);
    this.file = file;
    this.path = path;
  }
}
