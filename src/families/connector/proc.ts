// The proc connector: process events (fork, exec, id changes, exit …) the
// kernel multicasts on the connector's group CN_IDX_PROC to sockets that
// said PROC_CN_MCAST_LISTEN (include/uapi/linux/cn_proc.h,
// drivers/connector/cn_proc.c).
//
//   struct proc_event {
//     enum proc_cn_event what;   // 0
//     __u32 cpu;                 // 4
//     __u64 timestamp_ns;        // 8, aligned(8): nanoseconds since boot
//     union { … } event_data;    // 16
//   };
//
// Host-only: the kernel's connector socket lives in the initial network
// namespace (cn_init() creates it in init_net), and cn_proc_mcast_ctl()
// ignores listen requests from outside the initial user and pid namespaces.
import { HOST_LITTLE_ENDIAN, dataViewOf, decodeString } from '../../core/bytes.js';
import { NLMSG_HDRLEN } from '../../core/align.js';
import { NLMSG_DONE, Protocol } from '../../core/constants.js';
import { NetlinkDecodeError, NetlinkError, NetlinkTimeoutError, SocketClosedError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { NetlinkSocket } from '../../io/socket.js';
import { isOverrun, type Subscription } from '../../io/subscription.js';
import { DecodedSubscription, type MalformedHandler } from '../../io/decoded.js';
import { CN_IDX_PROC, CN_VAL_PROC, decodeCnMsg, encodeCnMessage } from './cn.js';

const LE = HOST_LITTLE_ENDIAN;

/** enum proc_cn_mcast_op: asks the kernel to start sending this socket process events. */
export const PROC_CN_MCAST_LISTEN = 1;
/** enum proc_cn_mcast_op: asks the kernel to stop sending this socket process events. */
export const PROC_CN_MCAST_IGNORE = 2;

/** enum proc_cn_event: what a process event is about (bits, so they also form filters). */
export const PROC_EVENT = {
  /** PROC_EVENT_NONE: the kernel's answer to a listen/ignore request. */
  none: 0x00000000,
  /** PROC_EVENT_FORK: a new process or thread. */
  fork: 0x00000001,
  /** PROC_EVENT_EXEC: a process ran execve(). */
  exec: 0x00000002,
  /** PROC_EVENT_UID: the real or effective user id changed. */
  uid: 0x00000004,
  /** PROC_EVENT_GID: the real or effective group id changed. */
  gid: 0x00000040,
  /** PROC_EVENT_SID: a process started a new session (setsid()). */
  sid: 0x00000080,
  /** PROC_EVENT_PTRACE: a tracer attached or detached. */
  ptrace: 0x00000100,
  /** PROC_EVENT_COMM: the command name changed (prctl(PR_SET_NAME) …). */
  comm: 0x00000200,
  /** A filter bit only (proc_input.event_type): exits with a non-zero status. */
  nonzeroExit: 0x20000000,
  /** PROC_EVENT_COREDUMP: a process is dumping core. */
  coredump: 0x40000000,
  /** PROC_EVENT_EXIT: a thread exited. */
  exit: 0x80000000,
} as const;
/** PROC_EVENT_ALL. */
export const PROC_EVENT_ALL = 0x00000001 | 0x00000002 | 0x00000004 | 0x00000040 | 0x00000080 | 0x00000100 | 0x00000200 | 0x20000000 | 0x40000000 | 0x80000000;

/** offsetof(struct proc_event, event_data). */
const EVENT_DATA = 16;

/** Kinds of process events. */
export type ProcEventKind = 'fork' | 'exec' | 'uid' | 'gid' | 'sid' | 'ptrace' | 'comm' | 'coredump' | 'exit' | 'none';
const KINDS: readonly ProcEventKind[] = ['fork', 'exec', 'uid', 'gid', 'sid', 'ptrace', 'comm', 'coredump', 'exit', 'none'];

/** What every process event has. From user space's view, `pid` is the thread group (process) id and... see each field. */
interface ProcEventBase {
  /** The thread the event is about (the kernel's task pid; equals tgid for a process's main thread). */
  readonly pid: number;
  /** Its process (thread group) id: what user space calls the pid. */
  readonly tgid: number;
  /** CPU that reported it (-1 for acknowledgements, as the kernel writes them). */
  readonly cpu: number;
  /** Nanoseconds since boot (CLOCK_MONOTONIC, ktime_get_ns()). */
  readonly timestamp: bigint;
  /** cn_msg.seq: the kernel counts messages per CPU. */
  readonly seq: number;
}

/** A typed process event. `pid`/`tgid` name the process the event is about (for fork, the child). */
export type ProcEvent =
  | (ProcEventBase & {
      /** A fork: `pid`/`tgid` are the child's. */
      readonly what: 'fork';
      /** The thread that forked. */
      readonly parentPid: number;
      /** The process that forked. */
      readonly parentTgid: number;
      /** The new thread (the same as `pid`). */
      readonly childPid: number;
      /** The new thread's process (the same as `tgid`). */
      readonly childTgid: number;
    })
  | (ProcEventBase & {
      /** An execve(). */
      readonly what: 'exec';
    })
  | (ProcEventBase & {
      /** A user id change. */
      readonly what: 'uid';
      /** The real user id after the change. */
      readonly ruid: number;
      /** The effective user id after the change. */
      readonly euid: number;
    })
  | (ProcEventBase & {
      /** A group id change. */
      readonly what: 'gid';
      /** The real group id after the change. */
      readonly rgid: number;
      /** The effective group id after the change. */
      readonly egid: number;
    })
  | (ProcEventBase & {
      /** A new session. */
      readonly what: 'sid';
    })
  /** tracerPid/tracerTgid are 0 on detach. */
  | (ProcEventBase & {
      /** A ptrace attach or detach. */
      readonly what: 'ptrace';
      /** The tracing thread (0 on detach). */
      readonly tracerPid: number;
      /** The tracing process (0 on detach). */
      readonly tracerTgid: number;
    })
  | (ProcEventBase & {
      /** A command name change. */
      readonly what: 'comm';
      /** The new command name (at most 15 bytes, as the kernel keeps it). */
      readonly comm: string;
    })
  | (ProcEventBase & {
      /** A core dump. */
      readonly what: 'coredump';
      /** The dumping thread's parent thread. */
      readonly parentPid: number;
      /** The dumping thread's parent process. */
      readonly parentTgid: number;
    })
  | (ProcEventBase & {
      /** A thread exit. */
      readonly what: 'exit';
      /** The wait status (the kernel's exit_code: status << 8, or the signal | 0x80 with a core dump). */
      readonly status: number;
      /** The exit status given to exit() (WEXITSTATUS), or null when a signal ended the thread. */
      readonly exitCode: number | null;
      /** The signal that ended it (WTERMSIG), or null when it exited. */
      readonly signal: number | null;
      /** True when it dumped core (WCOREDUMP). */
      readonly coreDumped: boolean;
      /** The kernel's exit_signal: the signal its parent is sent (SIGCHLD, 17; -1 for a thread other than the leader). Not the signal that ended it. */
      readonly exitSignal: number;
      /** The exiting thread's parent thread. */
      readonly parentPid: number;
      /** The exiting thread's parent process. */
      readonly parentTgid: number;
    })
  /** An acknowledgement of a listen/ignore request (every listener sees everyone's): err 0 or a positive errno. */
  | (ProcEventBase & {
      /** An acknowledgement. */
      readonly what: 'none';
      /** 0, or the positive errno the request failed with. */
      readonly err: number;
      /** cn_msg.ack: the request's ack + 1, which tells whose request this answers. */
      readonly ack: number;
    });

/** The bytes of event_data each kind needs (the union members of cn_proc.h). */
const NEEDS: Readonly<Record<ProcEventKind, number>> = { none: 4, fork: 16, exec: 8, uid: 16, gid: 16, sid: 8, ptrace: 16, comm: 24, coredump: 16, exit: 24 };

function kindOf(what: number): ProcEventKind | undefined {
  switch (what) {
    case PROC_EVENT.none:
      return 'none';
    case PROC_EVENT.fork:
      return 'fork';
    case PROC_EVENT.exec:
      return 'exec';
    case PROC_EVENT.uid:
      return 'uid';
    case PROC_EVENT.gid:
      return 'gid';
    case PROC_EVENT.sid:
      return 'sid';
    case PROC_EVENT.ptrace:
      return 'ptrace';
    case PROC_EVENT.comm:
      return 'comm';
    case PROC_EVENT.coredump:
      return 'coredump';
    case PROC_EVENT.exit:
      return 'exit';
    default:
      return undefined;
  }
}

/**
 * Decodes a struct proc_event (the data of a cn_msg from CN_IDX_PROC).
 * `seq` and `ack` are the cn_msg's; `base` the data's offset for errors.
 * Returns undefined for an event kind this version does not know (a newer
 * kernel's); throws NetlinkDecodeError when the bytes are too few.
 */
export function decodeProcEvent(data: Uint8Array, seq = 0, ack = 0, base = 0): ProcEvent | undefined {
  const context = 'proc_event';
  if (data.length < EVENT_DATA) throw new NetlinkDecodeError(`${data.length} bytes are too few for a proc_event header (${EVENT_DATA})`, base, context);
  const dv = dataViewOf(data);
  const what = dv.getUint32(0, LE);
  const kind = kindOf(what);
  if (kind === undefined) return undefined;
  if (data.length - EVENT_DATA < NEEDS[kind])
    throw new NetlinkDecodeError(`a ${kind} event needs ${NEEDS[kind]} bytes of event_data, got ${data.length - EVENT_DATA}`, base + EVENT_DATA, context);
  const cpu = dv.getInt32(4, LE);
  const timestamp = dv.getBigUint64(8, LE);
  const s32 = (at: number): number => dv.getInt32(EVENT_DATA + at, LE);
  const u32 = (at: number): number => dv.getUint32(EVENT_DATA + at, LE);
  const head = { cpu, timestamp, seq };
  switch (kind) {
    case 'none':
      return { what: 'none', pid: 0, tgid: 0, ...head, err: u32(0), ack };
    case 'fork':
      return { what: 'fork', pid: s32(8), tgid: s32(12), ...head, parentPid: s32(0), parentTgid: s32(4), childPid: s32(8), childTgid: s32(12) };
    case 'exec':
      return { what: 'exec', pid: s32(0), tgid: s32(4), ...head };
    case 'uid':
      return { what: 'uid', pid: s32(0), tgid: s32(4), ...head, ruid: u32(8), euid: u32(12) };
    case 'gid':
      return { what: 'gid', pid: s32(0), tgid: s32(4), ...head, rgid: u32(8), egid: u32(12) };
    case 'sid':
      return { what: 'sid', pid: s32(0), tgid: s32(4), ...head };
    case 'ptrace':
      return { what: 'ptrace', pid: s32(0), tgid: s32(4), ...head, tracerPid: s32(8), tracerTgid: s32(12) };
    case 'comm':
      return { what: 'comm', pid: s32(0), tgid: s32(4), ...head, comm: decodeString(data, EVENT_DATA + 8, EVENT_DATA + 24) };
    case 'coredump':
      return { what: 'coredump', pid: s32(0), tgid: s32(4), ...head, parentPid: s32(8), parentTgid: s32(12) };
    case 'exit': {
      const status = u32(8);
      const sig = status & 0x7f;
      return {
        what: 'exit',
        pid: s32(0),
        tgid: s32(4),
        ...head,
        status,
        exitCode: sig === 0 ? (status >> 8) & 0xff : null,
        signal: sig !== 0 ? sig : null,
        coreDumped: (status & 0x80) !== 0,
        exitSignal: s32(12),
        parentPid: s32(16),
        parentTgid: s32(20),
      };
    }
  }
}

/**
 * Decodes one connector message from the proc connector's group: its
 * netlink header (NLMSG_DONE), cn_msg and proc_event. Returns undefined for
 * messages of other connector users or unknown event kinds. Error offsets
 * count from the start of the message.
 */
export function decodeProcMessage(msg: MessageView): ProcEvent | undefined {
  const payload = msg.payload;
  const base = NLMSG_HDRLEN;
  const cn = decodeCnMsg(payload, base);
  if (cn.idx !== CN_IDX_PROC || cn.val !== CN_VAL_PROC) return undefined;
  return decodeProcEvent(cn.data, cn.seq, cn.ack, base + 20);
}

/** The mask of proc_input.event_type for a list of kinds. */
function eventMask(kinds: readonly ProcEventKind[]): number {
  let mask = 0;
  for (const k of kinds) mask = (mask | PROC_EVENT[k]) >>> 0;
  return mask;
}

function checkKinds(events: unknown): ProcEventKind[] | undefined {
  if (events === undefined) return undefined;
  if (!Array.isArray(events) || events.length === 0) throw new TypeError(`events must be a non-empty array of ${KINDS.join(', ')}`);
  for (const e of events) if (!KINDS.includes(e as ProcEventKind)) throw new RangeError(`unknown process event '${String(e)}': one of ${KINDS.join(', ')}`);
  return [...new Set(events as ProcEventKind[])];
}

/** Options of {@link ProcConnector.open}. */
export interface ProcConnectorOpenOptions {
  /**
   * The kinds of events to receive (default: all, acknowledgements of other
   * listeners' requests ('none') included). Kernels from 6.6 filter them for
   * this socket (struct proc_input); nlkit filters too, for older kernels.
   */
  events?: readonly ProcEventKind[];
  /** Milliseconds to wait for the kernel to acknowledge PROC_CN_MCAST_LISTEN. Default 5000. */
  timeout?: number;
  /** Receive buffer in bytes (default nlkit's, 32 MiB where permitted). */
  rcvbuf?: number;
}

/** Options of {@link ProcConnector.subscribe}. */
export interface ProcSubscribeOptions {
  /** Ends the iterator (it throws an AbortError). */
  signal?: AbortSignal;
  /** Events queued before the socket pauses reading (default 16384). */
  maxQueue?: number;
  /** Called for a message that is not a valid process event, which is then skipped. Without it the iterator throws that NetlinkDecodeError and ends. */
  onMalformed?: (error: NetlinkDecodeError, message: MessageView) => void;
}

function randomU32(): number {
  const word = new Uint32Array(1);
  globalThis.crypto.getRandomValues(word);
  return word[0]!;
}

/**
 * Process events from the kernel's proc connector (needs root: CAP_NET_ADMIN
 * in the initial namespaces). open() joins the group and says
 * PROC_CN_MCAST_LISTEN, waiting for the kernel's acknowledgement; close()
 * says PROC_CN_MCAST_IGNORE. Events reach the subscriptions that exist when
 * they arrive: subscribe() right after open().
 */
export class ProcConnector {
  private isClosed = false;

  private constructor(
    /** The underlying NETLINK_CONNECTOR socket. */
    readonly socket: NetlinkSocket,
    private readonly kinds: ReadonlySet<ProcEventKind> | undefined,
  ) {}

  /** Opens a connector socket in this (the initial) namespace and starts listening. */
  static async open(options: ProcConnectorOpenOptions = {}): Promise<ProcConnector> {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if ('netns' in options) throw new TypeError('the proc connector is host-only: the kernel has its connector socket in the initial network namespace only (no netns option)');
    const kinds = checkKinds(options.events);
    const socket = await NetlinkSocket.open(Protocol.CONNECTOR, options.rcvbuf !== undefined ? { rcvbuf: options.rcvbuf } : {});
    try {
      return await ProcConnector.listen(socket, kinds, options.timeout);
    } catch (err) {
      socket.close();
      throw err;
    }
  }

  /**
   * Starts listening on a NETLINK_CONNECTOR socket opened elsewhere (a
   * FakeKernel's in tests); the ProcConnector owns it from then on.
   */
  static async fromSocket(socket: NetlinkSocket, options: Omit<ProcConnectorOpenOptions, 'rcvbuf'> = {}): Promise<ProcConnector> {
    if (!(socket instanceof NetlinkSocket)) throw new TypeError('socket must be a NetlinkSocket');
    if (socket.protocol !== Protocol.CONNECTOR) throw new TypeError('socket must be a NETLINK_CONNECTOR socket');
    return ProcConnector.listen(socket, checkKinds(options.events), options.timeout);
  }

  private static async listen(socket: NetlinkSocket, kinds: ProcEventKind[] | undefined, timeout = 5000): Promise<ProcConnector> {
    if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout))
      throw new RangeError(`timeout must be a positive number of milliseconds, got ${String(timeout)}`);
    // The acknowledgement comes on the group, so join before asking; the
    // membership is kept (counted) after the handshake's subscription ends.
    const handshake = socket.subscribe(CN_IDX_PROC);
    socket.joinGroup(CN_IDX_PROC);
    const ack = randomU32();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // The acknowledgement, cn_proc_ack(), goes through the same per-socket
      // filter as the events, and a filter without PROC_EVENT_NONE drops it:
      // listen to everything first, narrow down once acknowledged.
      const op = new Uint8Array(4);
      dataViewOf(op).setUint32(0, PROC_CN_MCAST_LISTEN, LE);
      socket.send(encodeCnMessage({ idx: CN_IDX_PROC, val: CN_VAL_PROC, seq: 0, ack }, op, socket.portId));
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new NetlinkTimeoutError(timeout, 'PROC_CN_MCAST_LISTEN (the kernel ignores it from outside the initial user and pid namespaces)')),
          timeout,
        );
      });
      const acked = (async (): Promise<void> => {
        for await (const item of handshake) {
          if (isOverrun(item)) continue;
          let ev: ProcEvent | undefined;
          try {
            ev = decodeProcMessage(item);
          } catch {
            continue; // not ours to judge here: subscriptions report it
          }
          // cn_proc_ack() answers with msg->ack = our ack + 1 (send_msg() overwrites seq).
          if (ev?.what === 'none' && ev.ack === (ack + 1) >>> 0) {
            if (ev.err !== 0) throw new NetlinkError(ev.err, { requestName: 'PROC_CN_MCAST_LISTEN' });
            return;
          }
        }
        throw new SocketClosedError('the socket closed before the kernel acknowledged PROC_CN_MCAST_LISTEN');
      })();
      // Whichever loses the race must not become an unhandled rejection.
      acked.catch(() => {});
      timedOut.catch(() => {});
      await Promise.race([acked, timedOut]);
    } catch (err) {
      socket.leaveGroup(CN_IDX_PROC);
      throw err;
    } finally {
      if (timer) clearTimeout(timer);
      handshake.close();
    }
    const pc = new ProcConnector(socket, kinds ? new Set(kinds) : undefined);
    if (kinds && !kinds.includes('none')) {
      // struct proc_input { mcast_op; event_type; } (Linux 6.6+; older kernels ignore an 8-byte request).
      const input = new Uint8Array(8);
      dataViewOf(input).setUint32(0, PROC_CN_MCAST_LISTEN, LE);
      dataViewOf(input).setUint32(4, eventMask(kinds), LE);
      socket.send(encodeCnMessage({ idx: CN_IDX_PROC, val: CN_VAL_PROC, seq: 1, ack: randomU32() }, input, socket.portId));
    }
    return pc;
  }

  /** Process events as they come, overruns in-band. */
  subscribe(options: ProcSubscribeOptions = {}): ProcEventSubscription {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if (options.onMalformed !== undefined && typeof options.onMalformed !== 'function') throw new TypeError('onMalformed must be a function');
    const sub = this.socket.subscribe(CN_IDX_PROC, {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
    });
    return new ProcEventSubscription(sub, this.kinds, options.onMalformed);
  }

  /** Says PROC_CN_MCAST_IGNORE and closes the socket; subscriptions end. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (!this.socket.closed) {
      try {
        const op = new Uint8Array(4);
        dataViewOf(op).setUint32(0, PROC_CN_MCAST_IGNORE, LE);
        // Without it the kernel would go on building events for a listener
        // that is gone, until a broadcast finds no socket at all.
        this.socket.send(encodeCnMessage({ idx: CN_IDX_PROC, val: CN_VAL_PROC, seq: 2, ack: randomU32() }, op, this.socket.portId));
      } catch {
        // closing anyway
      }
    }
    this.socket.close();
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Closes the connector, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** Typed process events with overruns in-band. Leaving a for-await loop ends it (the connector stays open). */
export class ProcEventSubscription extends DecodedSubscription<MessageView, ProcEvent> {
  /** @internal */
  constructor(
    sub: Subscription,
    private readonly kinds: ReadonlySet<ProcEventKind> | undefined,
    onMalformed: MalformedHandler<MessageView> | undefined,
  ) {
    super(sub, onMalformed);
  }

  /** Decodes one item (undefined: skip it). */
  protected decode(m: MessageView): ProcEvent | undefined {
    if (m.type !== NLMSG_DONE) return undefined; // the connector sends nothing else
    const ev = decodeProcMessage(m);
    return ev === undefined || (this.kinds && !this.kinds.has(ev.what)) ? undefined : ev;
  }
}
