// The error classes of nlkit. One base class carries a `code`; each kind of
// failure has its own subclass so callers can tell them apart with instanceof
// or by code.
import { errnoCode, errnoDescription, errnoNumber } from './errno.js';

/** Base class of every error nlkit raises itself (argument errors are TypeError/RangeError). */
export class NlkitError extends Error {
  /** Stable machine-readable code, e.g. 'EEXIST', 'ERR_NETLINK_DECODE'. */
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  /** The subclass's name, e.g. 'NetlinkError', so stack traces and logs show the kind of failure. */
  override get name(): string {
    return this.constructor.name;
  }
}

/** Policy violated by a rejected attribute, as reported in NLMSGERR_ATTR_POLICY. */
export interface ExtAckPolicy {
  /** Attribute type of the policy (NL_ATTR_TYPE_* name, e.g. 'u32'). */
  type?: string;
  /** Smallest value the attribute accepts. */
  minValue?: bigint;
  /** Largest value the attribute accepts. */
  maxValue?: bigint;
  /** Shortest payload the attribute accepts, in bytes. */
  minLength?: number;
  /** Longest payload the attribute accepts, in bytes. */
  maxLength?: number;
  /** Index of the policy that applies inside the nest. */
  policyIndex?: number;
  /** Highest attribute type that nested policy knows. */
  maxType?: number;
  /** Bits a bitfield32 attribute may set. */
  bitfield32Mask?: number;
  /** Bits an unsigned value may set. */
  mask?: bigint;
}

/** Extended acknowledgement of an NLMSG_ERROR or NLMSG_DONE message. */
export interface ExtAck {
  /** Human-readable text from the kernel (NLMSGERR_ATTR_MSG). */
  message?: string;
  /** Byte offset of the offending attribute inside the request, from the start of its nlmsghdr. */
  offset?: number;
  /** Opaque cookie (NLMSGERR_ATTR_COOKIE), a view into the received bytes. */
  cookie?: Uint8Array;
  /** How the kernel validates the rejected attribute (NLMSGERR_ATTR_POLICY). */
  policy?: ExtAckPolicy;
  /** Type of a missing attribute (NLMSGERR_ATTR_MISS_TYPE). */
  missingType?: number;
  /** Offset of the nest that misses that attribute (NLMSGERR_ATTR_MISS_NEST). */
  missingNest?: number;
}

/** Where a kernel rejection points inside the request, when the request's layout is known. */
export interface NetlinkErrorDetails {
  /** The extended ack the kernel sent with the error. */
  extAck?: ExtAck;
  /** Sequence number of the rejected request. */
  seq?: number;
  /** nlmsg_type of the rejected request. */
  requestType?: number;
  /** Name of the request type, when known (e.g. 'RTM_NEWADDR'). */
  requestName?: string;
  /** Attribute path of extAck.offset, e.g. 'linkinfo.data(vxlan).id', when the request's spec is known. */
  attributePath?: string;
  /** Name of extAck.missingType, when the request's spec is known. */
  missingAttribute?: string;
}

/** The kernel rejected a request (NLMSG_ERROR with a negative error, or an error in NLMSG_DONE). */
export class NetlinkError extends NlkitError {
  /** Positive errno, e.g. 17. */
  readonly errno: number;
  /** The extended ack the kernel sent with the error, if any. */
  readonly extAck: ExtAck | undefined;
  /** Sequence number of the rejected request, when known. */
  readonly seq: number | undefined;
  /** nlmsg_type of the rejected request, when known. */
  readonly requestType: number | undefined;
  /** Attribute path of extAck.offset, e.g. 'linkinfo.data(vxlan).id', when the request's layout is known. */
  attributePath: string | undefined;
  /** Name of extAck.missingType, when the request's layout is known. */
  missingAttribute: string | undefined;
  constructor(errno: number, details: NetlinkErrorDetails = {}) {
    super(NetlinkError.format(errno, details), errnoCode(errno));
    this.errno = errno;
    this.extAck = details.extAck;
    this.seq = details.seq;
    this.requestType = details.requestType;
    this.attributePath = details.attributePath;
    this.missingAttribute = details.missingAttribute;
  }

  private static format(errno: number, details: NetlinkErrorDetails): string {
    const what = details.requestName ?? (details.requestType !== undefined ? `request type ${details.requestType}` : 'request');
    let text = `${what} failed: ${errnoDescription(errno)} (${errnoCode(errno)})`;
    if (details.extAck?.message) text += `: ${details.extAck.message}`;
    if (details.attributePath) text += ` [at ${details.attributePath}]`;
    else if (details.extAck?.offset !== undefined) text += ` [at offset ${details.extAck.offset}]`;
    if (details.missingAttribute) text += ` [missing ${details.missingAttribute}]`;
    else if (details.extAck?.missingType !== undefined) text += ` [missing attribute type ${details.extAck.missingType}]`;
    return text;
  }
}

/** A system call's failure as the addon reports it (Node's system error shape). */
export interface SystemErrorLike {
  /** Error number; Node's system errors make it negative. */
  errno?: number;
  /** Error code, e.g. 'ENOENT'. */
  code?: string;
  /** Name of the failed system call. */
  syscall?: string;
  /** The file the call was about, if any. */
  path?: string;
}

/**
 * A failed system call: socket-level (socket, bind, sendto, recvmsg ...) or
 * about a file (open of a namespace file, netns create / remove), shaped like
 * Node's system errors (errno, code, syscall, and path when a file is
 * involved). With a path it reads like Node's fs errors:
 * "ENOENT: no such file or directory, open '/run/netns/nope'".
 */
export class NetlinkSocketError extends NlkitError {
  /** Positive errno, e.g. 13 for EACCES. */
  readonly errno: number;
  /** Name of the failed call, e.g. 'bind'. */
  readonly syscall: string;
  /** The file the call was about; absent when none was. */
  readonly path?: string;
  constructor(syscall: string, errno: number, detail?: string, path?: string) {
    super(NetlinkSocketError.format(syscall, errno, detail, path), errnoCode(errno));
    this.errno = errno;
    this.syscall = syscall;
    if (path !== undefined) this.path = path;
  }

  /**
   * The error for a failure the addon (or Node) reported: its errno (or the
   * number of its code), syscall (or `fallbackSyscall`) and path; the original
   * error is the `cause`.
   */
  static from(err: SystemErrorLike, fallbackSyscall: string): NetlinkSocketError {
    const errno = typeof err.errno === 'number' ? Math.abs(err.errno) : (errnoNumber(err.code ?? '') ?? 0);
    const path = typeof err.path === 'string' && err.path !== '' ? err.path : undefined;
    const wrapped = new NetlinkSocketError(err.syscall ?? fallbackSyscall, errno, undefined, path);
    (wrapped as { cause?: unknown }).cause = err;
    return wrapped;
  }

  private static format(syscall: string, errno: number, detail: string | undefined, path: string | undefined): string {
    const tail = detail ? `: ${detail}` : '';
    if (path === undefined) return `${syscall} failed: ${errnoDescription(errno)} (${errnoCode(errno)})${tail}`;
    // Node's uvException wording (lib/internal/errors.js): "CODE: description, syscall 'path'".
    const description = errnoDescription(errno);
    return `${errnoCode(errno)}: ${description.charAt(0).toLowerCase()}${description.slice(1)}, ${syscall} '${path}'${tail}`;
  }
}

/** Received bytes that do not form valid netlink messages or attributes. */
export class NetlinkDecodeError extends NlkitError {
  /** Byte offset of the problem, from the start of the buffer being decoded. */
  readonly offset: number;
  /** Where decoding was, e.g. 'RTM_NEWLINK.IFLA_LINKINFO'. */
  readonly context: string;
  constructor(message: string, offset: number, context = '') {
    super(`${context ? `${context}: ` : ''}${message} (at byte ${offset})`, 'ERR_NETLINK_DECODE');
    this.offset = offset;
    this.context = context;
  }
}

/** The kernel dropped messages for this socket (ENOBUFS): some state changes were not seen. */
export class NetlinkOverrunError extends NlkitError {
  constructor(message = 'receive buffer overrun: the kernel dropped messages (ENOBUFS)') {
    super(message, 'ENOBUFS');
  }
}

/** A received datagram was longer than the space to receive it: its tail is lost. */
export class NetlinkTruncatedError extends NlkitError {
  /** Full length of the datagram, in bytes. */
  readonly length: number;
  constructor(length: number) {
    super(`received datagram of ${length} bytes was truncated`, 'ERR_NETLINK_TRUNCATED');
    this.length = length;
  }
}

/** The kernel flagged a dump as inconsistent (NLM_F_DUMP_INTR): the table changed while it was read. */
export class DumpInterruptedError<T = unknown> extends NlkitError {
  /**
   * What the last attempt read (possibly inconsistent). A streaming dump has
   * already handed its messages to the caller, so this is empty there.
   */
  readonly messages: readonly T[];
  /** How many times the dump was run. */
  readonly attempts: number;
  /** How many messages the last attempt received. */
  readonly received: number;
  constructor(messages: readonly T[], attempts: number, received = messages.length) {
    super(
      `dump interrupted (NLM_F_DUMP_INTR): the kernel's table changed while ${received} messages were read` + (attempts > 1 ? `, on each of ${attempts} attempts` : ''),
      'ERR_DUMP_INTERRUPTED',
    );
    this.messages = messages;
    this.attempts = attempts;
    this.received = received;
  }
}

/** A request got no complete answer within its timeout. */
export class NetlinkTimeoutError extends NlkitError {
  /** The timeout that ran out, in milliseconds. */
  readonly timeout: number;
  constructor(timeout: number, what = 'request') {
    super(`${what} timed out after ${timeout} ms`, 'ETIMEDOUT');
    this.timeout = timeout;
  }
}

/** An operation was cancelled through its AbortSignal (same name and code as Node's AbortError). */
export class AbortError extends NlkitError {
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, 'ABORT_ERR', options);
  }
  /** Always 'AbortError', as Node names its own. */
  override get name(): string {
    return 'AbortError';
  }
}

/** The socket was closed before or while the operation ran. */
export class SocketClosedError extends NlkitError {
  constructor(message = 'socket is closed') {
    super(message, 'ERR_SOCKET_CLOSED');
  }
}
