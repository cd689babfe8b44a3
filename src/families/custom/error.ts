// The error a FamilyServer handler throws to reject a request the way the
// kernel does: an errno, and an extended ack that names the attribute at
// fault by its spec path (the server turns it into a byte offset inside the
// request) or the attribute that is missing.
import { errnoCode, errnoNumber } from '../../core/errno.js';
import { NlkitError } from '../../core/errors.js';

/** Extended-ack details of a rejection. */
export interface RejectDetails {
  /** Text for the user (NLMSGERR_ATTR_MSG). */
  message?: string;
  /** Spec path of the offending attribute, e.g. 'value' or 'config.limits[2].max'; the server computes its offset in the request. */
  attribute?: string;
  /** Offset of the offending attribute from the start of the request, when the handler computed it itself. */
  offset?: number;
  /** Spec path of a missing attribute, e.g. 'key' or 'config.name' (NLMSGERR_ATTR_MISS_TYPE / _MISS_NEST). */
  missing?: string;
  /** Opaque cookie for the client (NLMSGERR_ATTR_COOKIE). */
  cookie?: Uint8Array;
}

function resolveErrno(code: string | number): number {
  if (typeof code === 'number') {
    if (!Number.isInteger(code) || code <= 0 || code > 4095) throw new RangeError(`errno must be a positive error number up to 4095, got ${String(code)}`);
    return code;
  }
  if (typeof code !== 'string') throw new TypeError("code must be an errno name such as 'ENOENT' or a positive number");
  const n = errnoNumber(code);
  if (n === undefined) throw new RangeError(`unknown errno name '${code}'`);
  return n;
}

/**
 * Thrown by a FamilyServer handler (or made with `ctx.error(...)`): the client's
 * request fails with this errno and extended ack.
 *
 * ```ts
 * throw new FamilyServerError('ENOENT', { message: 'no such key', attribute: 'key' });
 * ```
 */
export class FamilyServerError extends NlkitError {
  /** Positive errno sent to the client. */
  readonly errno: number;
  /** What the extended ack tells the client: message, offending or missing attribute, cookie. */
  readonly details: Readonly<RejectDetails>;
  constructor(code: string | number, details: string | RejectDetails = {}, options?: { cause?: unknown }) {
    const errno = resolveErrno(code);
    const d: RejectDetails = typeof details === 'string' ? { message: details } : { ...details };
    if (typeof d !== 'object' || d === null) throw new TypeError('details must be a message string or an object');
    let text = `${errnoCode(errno)}`;
    if (d.message !== undefined) text += `: ${d.message}`;
    if (d.attribute !== undefined) text += ` [at ${d.attribute}]`;
    if (d.missing !== undefined) text += ` [missing ${d.missing}]`;
    super(text, errnoCode(errno), options);
    this.errno = errno;
    this.details = d;
  }
}
