// Task statistics over generic netlink (family TASKSTATS): the accounting
// the kernel keeps per thread and per thread group (kernel/taskstats.c,
// include/uapi/linux/taskstats.h), on request, and for tasks as they exit on
// the CPUs a listener registered for.
//
// The codec is generated from the project's spec, specs/taskstats.yaml.
// Exit statistics are unicast to each port registered for the exiting task's
// CPU (send_cpu_listeners()), so a subscription owns a socket of its own: its
// registration is that socket's port, and closing it ends the registration
// (the kernel also drops a listener whose port is gone on its next send).
import { open } from 'node:fs/promises';
import { describe } from '../../core/check.js';
import { NetlinkDecodeError, SocketClosedError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import type { CallOptions, NetlinkSocket } from '../../io/socket.js';
import type { NetnsTarget } from '../../io/netns.js';
import type { Subscription } from '../../io/subscription.js';
import { DecodedSubscription, type MalformedHandler } from '../../io/decoded.js';
import { GENL_HDRLEN, NLM_F_ACK, NLM_F_REQUEST } from '../../core/constants.js';
import { MessageWriter } from '../../core/writer.js';
import { FamilyClient } from '../client.js';
import type { Cgroupstats, CgroupstatsAttrs, Taskstats, TaskstatsAttrs, family as taskstatsFamilyValue } from '../generated/TASKSTATS.js';
import { CGROUPSTATS_CMD_GET, CGROUPSTATS_CMD_NEW } from '../generated/TASKSTATS.constants.js';
import { LazyFamily } from '../lazy.js';

/** The generated TASKSTATS family. */
export type TaskstatsFamily = typeof taskstatsFamilyValue;

// Imported on first use (TaskstatsClient.open, loadTaskstatsFamily), not with 'nlkit'.
const taskstatsFamily = new LazyFamily<TaskstatsFamily>(
  'TASKSTATS',
  () => import('../generated/TASKSTATS.js'),
  'open a TaskstatsClient first, or await taskstats.loadTaskstatsFamily()',
);

/**
 * Loads the generated TASKSTATS family, which decodeTaskExit, encodeListener,
 * encodeCgroupStatsRequest and decodeCgroupStats need (TaskstatsClient.open
 * loads it too). Resolves with the family; later calls return the same one.
 */
export function loadTaskstatsFamily(): Promise<TaskstatsFamily> {
  return taskstatsFamily.load();
}

/** A name of the spec (`ac-utime`) as a TypeScript field (`acUtime`). */
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

/**
 * struct taskstats with camelCase names (`ac_utime` is `acUtime`): u64
 * counters are bigint, `acComm` a string. Members a shorter struct (an older
 * kernel's version) lacks are undefined; bytes of a newer version than this
 * nlkit knows are kept in `rest`.
 */
export type TaskStats = { readonly [K in keyof Taskstats as Camel<K & string>]: Taskstats[K] } & {
  /** Bytes past the struct this nlkit knows (a newer kernel's fields), or undefined. */
  readonly rest: Uint8Array | undefined;
};

/** struct cgroupstats with camelCase names: how many tasks of a cgroup are in each state. */
export type CgroupStats = { readonly [K in keyof Cgroupstats as Camel<K & string>]: Cgroupstats[K] } & {
  /** Bytes past the struct this nlkit knows (a newer kernel's fields), or undefined. */
  readonly rest: Uint8Array | undefined;
};

/** Statistics of a task that exited. */
export interface TaskExit {
  /** The thread that exited (its id in the initial pid namespace). */
  readonly pid: number;
  /** Its statistics at exit. */
  readonly stats: TaskStats;
  /** The exit status given to exit() (WEXITSTATUS of `stats.acExitcode`), or null when a signal ended it. */
  readonly exitCode: number | null;
  /** The signal that ended it (WTERMSIG), or null when it exited. */
  readonly signal: number | null;
  /** The thread group, when this exit ended a group of several threads (the kernel then adds the group's sums). */
  readonly tgid: number | undefined;
  /** The thread group's summed statistics, with `tgid`. */
  readonly groupStats: TaskStats | undefined;
}

/** Options of {@link TaskstatsClient.open}. */
export interface TaskstatsOpenOptions {
  /** Open the socket in another network namespace (the family answers in every one; pids stay those of the pid namespace of the caller's). */
  netns?: NetnsTarget;
  /** Receive buffer in bytes (default nlkit's, 32 MiB where permitted). */
  rcvbuf?: number;
}

/** Options of {@link TaskstatsClient.subscribeExits}. */
export interface TaskExitOptions {
  /**
   * The CPUs whose exiting tasks to report: a kernel CPU list ("0-3,8", as
   * in /sys/devices/system/cpu/online) or an array of CPU numbers. Each must
   * be a possible CPU of this machine.
   */
  cpus: string | readonly number[];
  /** Ends the iterator (it throws an AbortError). */
  signal?: AbortSignal;
  /** Exits queued before the socket pauses reading (default 16384). */
  maxQueue?: number;
  /** Milliseconds to wait for the kernel to accept the registration. */
  timeout?: number;
  /** Called for a message that is not valid exit statistics, which is then skipped. Without it the iterator throws that NetlinkDecodeError and ends. */
  onMalformed?: (error: NetlinkDecodeError, message: MessageView) => void;
}

const U32_MAX = 0xffffffff;

/** A pid or tgid argument: an integer the kernel's u32 attribute can carry. */
function checkId(value: unknown, field: string): number {
  if (typeof value !== 'number') throw new TypeError(`${field} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 0 || value > U32_MAX) throw new RangeError(`${field} must be an integer from 0 to ${U32_MAX}, got ${describe(value)}`);
  return value;
}

// The syntax of bitmap_parselist() (lib/bitmap-str.c): "N", "N-M" or
// "N-M:used/group", separated by commas.
const CPU_RANGE = /^(\d+)(?:-(\d+)(?::(\d+)\/(\d+))?)?$/;

/** The `cpus` option as the CPU list string the kernel parses. */
export function cpuList(cpus: unknown, field = 'cpus'): string {
  if (Array.isArray(cpus)) {
    if (cpus.length === 0) throw new RangeError(`${field} must name at least one CPU`);
    for (const [i, c] of cpus.entries()) {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > U32_MAX) throw new RangeError(`${field}[${i}] must be a CPU number, got ${describe(c)}`);
    }
    return [...new Set(cpus as number[])].sort((a, b) => a - b).join(',');
  }
  if (typeof cpus !== 'string') throw new TypeError(`${field} must be a CPU list string ("0-3,8") or an array of CPU numbers, got ${describe(cpus)}`);
  if (cpus === '') throw new RangeError(`${field} must name at least one CPU`);
  for (const part of cpus.split(',')) {
    const m = CPU_RANGE.exec(part);
    if (!m) throw new RangeError(`${field}: '${part}' is not a CPU or range (N, N-M or N-M:used/group) in ${JSON.stringify(cpus)}`);
    if (m[2] !== undefined && Number(m[2]) < Number(m[1])) throw new RangeError(`${field}: the range '${part}' ends before it starts`);
    if (m[4] !== undefined && (Number(m[4]) === 0 || Number(m[3]) > Number(m[4]))) throw new RangeError(`${field}: '${part}' needs used <= group and group > 0`);
  }
  return cpus;
}

// Names of the generated struct (kebab-case) to TypeScript fields, made once per key.
const FIELD = new Map<string, string>();
function fieldName(key: string): string {
  let name = FIELD.get(key);
  if (name === undefined) {
    name = key === '__rest' ? 'rest' : key.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    FIELD.set(key, name);
  }
  return name;
}

/** A decoded struct with camelCase names. */
function camelCased<T>(decoded: object): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(decoded)) out[fieldName(k)] = v;
  return out as T;
}

function toTaskStats(stats: object): TaskStats {
  return camelCased<TaskStats>(stats);
}

type Aggr = NonNullable<TaskstatsAttrs['aggr-pid']>;

/** The stats of an aggr-pid / aggr-tgid nest, which must carry both its id and a struct. */
function aggregate(nest: Aggr, id: 'pid' | 'tgid', base: number): { id: number; stats: TaskStats } {
  const what = id === 'pid' ? 'aggr-pid' : 'aggr-tgid';
  if (nest[id] === undefined) throw new NetlinkDecodeError(`${what} has no ${id}`, base, 'taskstats');
  if (nest.stats === undefined) throw new NetlinkDecodeError(`${what} has no stats`, base, 'taskstats');
  return { id: nest[id], stats: toTaskStats(nest.stats) };
}

/** The genl header's length, where attributes begin (for error offsets). */
const GENL_BODY = 20;

/**
 * Decodes a TASKSTATS_CMD_NEW message of exit statistics: aggr-pid, and
 * aggr-tgid when a thread group of several threads ended. Throws
 * NetlinkDecodeError on malformed bytes or a missing part. Needs the family
 * loaded ({@link loadTaskstatsFamily}, or an open TaskstatsClient).
 */
export function decodeTaskExit(msg: MessageView): TaskExit {
  const decoded = taskstatsFamily.get().decode(msg);
  if (decoded.name !== 'get') throw new NetlinkDecodeError(`a ${decoded.name} message is not exit statistics`, GENL_BODY - 4, 'taskstats');
  const m = decoded.msg as TaskstatsAttrs;
  if (m['aggr-pid'] === undefined) throw new NetlinkDecodeError('exit statistics without aggr-pid', GENL_BODY, 'taskstats');
  const task = aggregate(m['aggr-pid'], 'pid', GENL_BODY);
  const group = m['aggr-tgid'] !== undefined ? aggregate(m['aggr-tgid'], 'tgid', GENL_BODY) : undefined;
  const status = task.stats.acExitcode ?? 0;
  const sig = status & 0x7f;
  return {
    pid: task.id,
    stats: task.stats,
    exitCode: sig === 0 ? (status >> 8) & 0xff : null,
    signal: sig !== 0 ? sig : null,
    tgid: group?.id,
    groupStats: group?.stats,
  };
}

/** What a listener registration carries: one of the CPU lists. */
export type ListenerRequest =
  | {
      /** The CPU list to register this port for. */
      readonly 'register-cpumask': string;
    }
  | {
      /** The CPU list to deregister this port from. */
      readonly 'deregister-cpumask': string;
    };

/**
 * Encodes TASKSTATS_CMD_GET with a register or deregister CPU list
 * (taskstats-cmd-attrs; the spec describes get in the reply's attribute
 * space, which has no such attributes). Needs the family loaded
 * ({@link loadTaskstatsFamily}).
 */
export function encodeListener(w: MessageWriter, familyId: number, request: ListenerRequest, seq = 0): Uint8Array {
  const family = taskstatsFamily.get();
  const get = family.spec.operations.find((op) => op.name === 'get')!;
  w.reset();
  w.beginMessage(familyId, NLM_F_REQUEST | NLM_F_ACK, seq, 0);
  const at = w.reserve(GENL_HDRLEN);
  w.setU8(at, get.requestValue!).setU8(at + 1, family.version);
  family.sets.get('taskstats-cmd-attrs')!.encode(w, request as Record<string, unknown>);
  w.endMessage();
  return w.finishCopy();
}

/** Encodes CGROUPSTATS_CMD_GET for a descriptor of a cgroup directory (open in the process that sends it); needs the family loaded ({@link loadTaskstatsFamily}). */
export function encodeCgroupStatsRequest(w: MessageWriter, familyId: number, fd: number, seq = 0): Uint8Array {
  const family = taskstatsFamily.get();
  w.reset();
  w.beginMessage(familyId, NLM_F_REQUEST | NLM_F_ACK, seq, 0);
  const at = w.reserve(GENL_HDRLEN);
  w.setU8(at, CGROUPSTATS_CMD_GET).setU8(at + 1, family.version);
  family.sets.get('cgroupstats-cmd-attrs')!.encode(w, { fd });
  w.endMessage();
  return w.finishCopy();
}

/** Decodes the CGROUPSTATS_CMD_NEW reply; NetlinkDecodeError for another command or a reply without stats. Needs the family loaded ({@link loadTaskstatsFamily}). */
export function decodeCgroupStats(msg: MessageView): CgroupStats {
  const payload = msg.payload;
  if (payload.length < GENL_HDRLEN) throw new NetlinkDecodeError(`${payload.length} bytes are too few for a genlmsghdr`, 16, 'cgroupstats');
  if (payload[0] !== CGROUPSTATS_CMD_NEW) throw new NetlinkDecodeError(`genl command ${payload[0]!} is not CGROUPSTATS_CMD_NEW (${CGROUPSTATS_CMD_NEW})`, 16, 'cgroupstats');
  const attrs = taskstatsFamily.get().sets.get('cgroupstats-attrs')!.decode(payload, GENL_HDRLEN, payload.length) as unknown as CgroupstatsAttrs;
  const stats = attrs['cgroup-stats'];
  if (stats === undefined) throw new NetlinkDecodeError('the reply has no cgroup-stats', GENL_BODY, 'cgroupstats');
  return camelCased<CgroupStats>(stats);
}

/** Sends a listener registration and waits for the kernel's acknowledgement. */
async function listener(client: FamilyClient<TaskstatsFamily>, familyId: number, request: ListenerRequest, timeout?: number): Promise<void> {
  const name = 'register-cpumask' in request ? 'TASKSTATS_CMD_GET register-cpumask' : 'TASKSTATS_CMD_GET deregister-cpumask';
  await client.socket.request(encodeListener(new MessageWriter(64), familyId, request), { name, ...(timeout !== undefined ? { timeout } : {}) });
}

/**
 * Task statistics (generic netlink family TASKSTATS): `pid()` and `tgid()`
 * ask for a thread's or a thread group's counters, `subscribeExits()`
 * reports tasks as they exit. Reading another user's tasks and registering
 * for exits need root (CAP_NET_ADMIN for registration, which the kernel also
 * refuses outside the initial user and pid namespaces).
 *
 * ```ts
 * await using ts = await TaskstatsClient.open();
 * const s = await ts.tgid(process.pid);
 * console.log(s.acComm, s.acUtime, s.nvcsw); // 'node' 120000n 42n
 * ```
 */
export class TaskstatsClient {
  private isClosed = false;
  private readonly subscriptions = new Set<TaskExitSubscription>();

  private constructor(
    private readonly client: FamilyClient<TaskstatsFamily>,
    private readonly options: TaskstatsOpenOptions,
  ) {}

  /** Opens a generic netlink socket and looks the TASKSTATS family up. */
  static async open(options: TaskstatsOpenOptions = {}): Promise<TaskstatsClient> {
    if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object, got ${describe(options)}`);
    for (const key of Object.keys(options)) if (key !== 'netns' && key !== 'rcvbuf') throw new TypeError(`options.${key} is not an option (options: netns, rcvbuf)`);
    const client = await FamilyClient.open(await taskstatsFamily.load(), { ...options });
    return new TaskstatsClient(client, { ...options });
  }

  /** The generic netlink socket requests go over. */
  get socket(): NetlinkSocket {
    return this.client.socket;
  }

  private ensureOpen(): void {
    if (this.isClosed) throw new SocketClosedError('the TaskstatsClient is closed');
  }

  /** Statistics of one thread (TASKSTATS_CMD_ATTR_PID); a NetlinkError ESRCH when there is none. */
  async pid(pid: number, options: CallOptions = {}): Promise<TaskStats> {
    checkId(pid, 'pid');
    this.ensureOpen();
    const reply = await this.client.do('get', { pid }, options);
    return this.unwrap(reply, 'aggr-pid', 'pid');
  }

  /** Statistics of a thread group (TASKSTATS_CMD_ATTR_TGID), its live and exited threads summed; a NetlinkError ESRCH when there is none. */
  async tgid(tgid: number, options: CallOptions = {}): Promise<TaskStats> {
    checkId(tgid, 'tgid');
    this.ensureOpen();
    const reply = await this.client.do('get', { tgid }, options);
    return this.unwrap(reply, 'aggr-tgid', 'tgid');
  }

  private unwrap(reply: TaskstatsAttrs | undefined, nest: 'aggr-pid' | 'aggr-tgid', id: 'pid' | 'tgid'): TaskStats {
    const aggr = reply?.[nest];
    if (aggr === undefined) throw new NetlinkDecodeError(`the reply to TASKSTATS_CMD_GET has no ${nest}`, GENL_BODY, 'taskstats');
    return aggregate(aggr, id, GENL_BODY).stats;
  }

  /**
   * How many tasks of a cgroup are sleeping, running, stopped, in
   * uninterruptible sleep and waiting for I/O (CGROUPSTATS_CMD_GET). `path`
   * is the cgroup's directory in a cgroup v1 hierarchy
   * (/sys/fs/cgroup/pids/…): the kernel answers EINVAL (a NetlinkError) for
   * anything else, a cgroup2 directory included.
   */
  async cgroup(path: string, options: CallOptions = {}): Promise<CgroupStats> {
    if (typeof path !== 'string' || path === '') throw new TypeError(`path must be the path of a cgroup directory, got ${describe(path)}`);
    this.ensureOpen();
    const info = await this.client.genericFamily();
    if (info === undefined) throw new TypeError('TASKSTATS is a generic netlink family'); // cannot happen with the generated family
    // The kernel reads the cgroup from a descriptor of the requesting process.
    const dir = await open(path, 'r');
    try {
      const replies = await this.client.socket.request(encodeCgroupStatsRequest(new MessageWriter(64), info.id, dir.fd), { ...options, name: 'CGROUPSTATS_CMD_GET' });
      if (replies[0] === undefined) throw new NetlinkDecodeError('the kernel acknowledged CGROUPSTATS_CMD_GET without a reply', 0, 'cgroupstats');
      return decodeCgroupStats(replies[0]);
    } finally {
      await dir.close();
    }
  }

  /**
   * Registers for the statistics of tasks exiting on `cpus` and returns them
   * as an async iterator, overruns in-band. Resolves once the kernel accepted
   * the registration (a NetlinkError EINVAL or ERANGE for CPUs this machine
   * cannot have). Closing the subscription, or aborting its signal,
   * deregisters.
   */
  async subscribeExits(options: TaskExitOptions): Promise<TaskExitSubscription> {
    if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object with cpus, got ${describe(options)}`);
    const cpus = cpuList(options.cpus, 'cpus');
    if (options.onMalformed !== undefined && typeof options.onMalformed !== 'function') throw new TypeError('onMalformed must be a function');
    this.ensureOpen();
    const info = await this.client.genericFamily();
    if (info === undefined) throw new TypeError('TASKSTATS is a generic netlink family'); // cannot happen with the generated family
    const own = await FamilyClient.open(taskstatsFamily.get(), { ...this.options, familyId: info.id });
    try {
      // Subscribed before registering: no exit after the kernel's answer is missed.
      const sub = own.socket.subscribeUnicast({
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
        ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
      });
      try {
        await listener(own, info.id, { 'register-cpumask': cpus }, options.timeout);
      } catch (err) {
        sub.close();
        throw err;
      }
      const exits = new TaskExitSubscription(sub, own, info.id, cpus, options.onMalformed, () => this.subscriptions.delete(exits));
      this.subscriptions.add(exits);
      // An abort ends the iterator with an AbortError (the subscription's own doing) and the registration with it.
      const signal = options.signal;
      if (signal?.aborted) exits.deregister();
      else signal?.addEventListener('abort', () => exits.deregister(), { once: true });
      return exits;
    } catch (err) {
      own.close();
      throw err;
    }
  }

  /** The same as {@link TaskstatsClient.subscribeExits}: exit statistics are this family's only events. */
  subscribe(options: TaskExitOptions): Promise<TaskExitSubscription> {
    return this.subscribeExits(options);
  }

  /** Closes the socket and every exit subscription (which deregister). Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const s of [...this.subscriptions]) s.close();
    this.client.close();
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Closes the client, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    const pending = [...this.subscriptions].map((s) => s.deregistered);
    this.close();
    await Promise.all(pending);
  }
}

/** Exit statistics with overruns in-band. Leaving a for-await loop ends it and deregisters. */
export class TaskExitSubscription extends DecodedSubscription<MessageView, TaskExit> {
  private ending: Promise<void> | undefined;

  /** @internal */
  constructor(
    sub: Subscription,
    private readonly own: FamilyClient<TaskstatsFamily>,
    private readonly familyId: number,
    /** The CPU list registered. */
    readonly cpus: string,
    onMalformed: MalformedHandler<MessageView> | undefined,
    private readonly onClose: () => void,
  ) {
    super(sub, onMalformed);
  }

  /** Decodes one item (undefined: skip it). */
  protected decode(m: MessageView): TaskExit | undefined {
    if (m.type !== this.familyId) return undefined; // not the family's (nothing else is expected)
    return decodeTaskExit(m);
  }

  /** Ends the iterator, deregisters the CPUs and closes the subscription's socket. Idempotent. */
  override close(): void {
    super.close();
    this.deregister();
  }

  /** @internal Deregisters the CPUs and closes the socket once the kernel answered (the iterator then ends after what is queued). */
  deregister(): void {
    if (this.ending) return;
    this.onClose();
    this.ending = listener(this.own, this.familyId, { 'deregister-cpumask': this.cpus })
      .then(
        () => undefined,
        () => undefined, // the socket closing ends the registration anyway
      )
      .finally(() => this.own.close());
  }

  /** Settles once the kernel answered the deregistration (or the socket closed); undefined before close(). */
  get deregistered(): Promise<void> {
    return this.ending ?? Promise.resolve();
  }

  /** Closes and waits for the deregistration, for `await using`. */
  override async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.ending;
  }
}
