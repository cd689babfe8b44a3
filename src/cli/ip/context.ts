// What every `nlkit` ip-style command shares: the global options, one
// NETLINK_ROUTE socket (opened in the -n namespace: the process itself
// never changes namespace), the interface name cache iproute2 keeps in
// ll_map.c, output, and the errors that end a command with ip's exit codes.
import { NetlinkError } from '../../core/errors.js';
import { errnoDescription } from '../../core/errno.js';
import { MessageWriter } from '../../core/writer.js';
import type { MessageView } from '../../core/message.js';
import { AF_UNSPEC, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import { IFINFOMSG_SIZE, IFLA_EXT_MASK, IFLA_IFNAME, RTEXT_FILTER_VF, RTM_GETLINK, RTM_NEWLINK } from '../../families/route/constants.js';
import { IFINFOMSG_OFFSETS as IFI } from '../../families/generated/rt-link.constants.js';
import { NetlinkSocket } from '../../io/socket.js';
import { Header, messageAttrs } from './attrs.js';
import { Printer } from './printer.js';
import { ByteText } from './json.js';
import { CommandError } from '../error.js';

/** Output is written in chunks of about this many bytes. */
const FLUSH_AT = 1 << 16;

/** Output and environment of a command (the same shape `nlkit ynl` uses). */
export interface IpIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Ends `monitor` (e.g. on SIGINT). */
  signal?: AbortSignal;
  /** Called once `monitor` listens (tests start making events then). */
  ready?: () => void;
}

/** Global options, as `ip` takes them before the object. */
export interface IpOptions {
  json: boolean;
  pretty: boolean;
  /** -d, counted. */
  details: number;
  /** -s, counted. */
  stats: number;
  /** -4 / -6 / -0 / -f FAMILY: AF_INET, AF_INET6, AF_PACKET, or AF_UNSPEC. */
  family: number;
  netns: string | undefined;
  oneline: boolean;
  /** -br[ief]: one line per link (print_linkinfo_brief). */
  brief: boolean;
  /** -h[uman-readable], counted: statistics in k/M/G (print_num). */
  human: number;
  /** -iec: those units in powers of 1024 (Ki, Mi ...). */
  iec: number;
  /** -a[ll]: `netns delete` deletes every namespace. */
  all: boolean;
  /** -rc[vbuf] SIZE: the socket's receive buffer (nlkit's own default otherwise). */
  rcvbuf?: number;
}

/** Bad arguments: found before anything is sent; exit 255. */
export function usage(message: string): CommandError {
  return new CommandError(message, 255);
}

/** A link as ll_map.c remembers it. */
export interface LinkEntry {
  index: number;
  name: string;
  flags: number;
}

/** The state one command runs with. */
/** print_ext_ack_msg() of iproute2's libnetlink: "Error: ..." or "Warning: ...", ending with a full stop. */
export function extAckLine(isError: boolean, msg: string): string {
  return `${isError ? 'Error' : 'Warning'}: ${msg}${msg.endsWith('.') ? '' : '.'}\n`;
}

/** ip's rendering of a kernel refusal: the ext-ack message, or strerror. */
export function kernelErrorText(err: NetlinkError): string {
  const msg = err.extAck?.message;
  return msg ? extAckLine(true, msg) : `RTNETLINK answers: ${errnoDescription(err.errno)}\n`;
}

export class IpContext {
  private sock: NetlinkSocket | undefined;
  private links: Map<number, LinkEntry> | undefined;
  private byName: Map<string, LinkEntry> | undefined;
  readonly writer = new MessageWriter(4096);
  private readonly pending = new ByteText();

  constructor(
    readonly io: IpIO,
    readonly options: IpOptions,
  ) {}

  /** The NETLINK_ROUTE socket (opened on first use, in the -n namespace). */
  async socket(): Promise<NetlinkSocket> {
    if (!this.sock) {
      const { netns, rcvbuf } = this.options;
      // The kernel raises a tiny buffer to its own minimum; nlkit's sockets take at least 1 KiB.
      this.sock = await NetlinkSocket.open(0, {
        // The kernel's warnings on requests that succeed, printed as libnetlink prints them.
        onWarning: (msg) => {
          this.flush();
          this.io.stderr(extAckLine(false, msg));
        },
        ...(netns !== undefined ? { netns } : {}),
        ...(rcvbuf !== undefined ? { rcvbuf: Math.min(Math.max(rcvbuf, 1024), 0x7fffffff) } : {}),
      });
    }
    return this.sock;
  }

  /** Sends one request (NLM_F_REQUEST | NLM_F_ACK are added) and returns its replies. */
  async request(bytes: Uint8Array): Promise<MessageView[]> {
    const s = await this.socket();
    return s.request(bytes);
  }

  /** Runs a dump and calls `each` for every message as it arrives. */
  async dump(bytes: Uint8Array, each: (msg: MessageView) => void): Promise<void> {
    const s = await this.socket();
    for await (const batch of s.dump(bytes).batches()) for (const m of batch) each(m);
  }

  /** Runs a dump and returns every message. */
  async dumpAll(bytes: Uint8Array): Promise<MessageView[]> {
    const out: MessageView[] = [];
    await this.dump(bytes, (m) => out.push(m));
    return out;
  }

  /** Builds one message in the shared writer: `fill` writes the fixed header and attributes. */
  build(type: number, flags: number, headerSize: number, fill: (w: MessageWriter, header: number) => void): Uint8Array {
    const w = this.writer.reset();
    w.beginMessage(type, flags);
    const at = w.reserve(headerSize);
    fill(w, at);
    w.endMessage();
    return w.finishCopy();
  }

  /** Loads every link's index, name and flags (ll_init_map). */
  async loadLinks(force = false): Promise<Map<number, LinkEntry>> {
    if (this.links && !force) return this.links;
    const links = new Map<number, LinkEntry>();
    const byName = new Map<string, LinkEntry>();
    const req = this.build(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, IFINFOMSG_SIZE, (w) => {
      w.putU32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
    });
    await this.dump(req, (m) => this.rememberLink(m, links, byName));
    this.links = links;
    this.byName = byName;
    return links;
  }

  /** Adds a link message to the cache (dump or event). */
  rememberLink(m: MessageView, links = this.links, byName = this.byName): void {
    if (m.type !== RTM_NEWLINK || !links || !byName) return;
    const h = new Header(m);
    const tb = messageAttrs(m, IFINFOMSG_SIZE);
    const name = tb.get(IFLA_IFNAME)?.str();
    if (name === undefined) return;
    const entry = { index: h.s32(IFI.ifi_index), name, flags: h.u32(IFI.ifi_flags) };
    const old = links.get(entry.index);
    if (old) byName.delete(old.name);
    links.set(entry.index, entry);
    byName.set(name, entry);
    this.lastIndex = -1;
  }

  /** Drops a deleted link from the cache. */
  forgetLink(index: number): void {
    const old = this.links?.get(index);
    this.lastIndex = -1;
    if (old) {
      this.links!.delete(index);
      this.byName!.delete(old.name);
    }
  }

  /** The name of an interface index as ll_index_to_name prints it ("if%d" when unknown). */
  indexName(index: number): string {
    // Listings name the same few links over and over: the last answer is kept.
    if (index === this.lastIndex && this.lastIndexLinks === this.links) return this.lastIndexName;
    const name = this.links?.get(index)?.name ?? `if${index}`;
    this.lastIndex = index;
    this.lastIndexLinks = this.links;
    this.lastIndexName = name;
    return name;
  }

  private lastIndex = -1;
  private lastIndexName = '';
  private lastIndexLinks: Map<number, LinkEntry> | undefined;

  /** Interface flags of an index; all bits set when unknown, as ll_index_to_flags answers (so not M-DOWN). */
  indexFlags(index: number): number {
    return this.links?.get(index)?.flags ?? -1;
  }

  /**
   * Makes sure the name of an interface index is known, asking the kernel
   * when the cache has not seen it (ll_index_to_name does the same): an event
   * can name a link before the link's own event arrives.
   */
  async learnIndex(index: number): Promise<void> {
    if (index <= 0 || !this.links || this.links.has(index)) return;
    const req = this.build(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, IFINFOMSG_SIZE, (w, h) => {
      w.view.setInt32(h + IFI.ifi_index, index, true);
      w.putU32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
    });
    try {
      for (const m of await this.request(req)) this.rememberLink(m);
    } catch (err) {
      // Gone already: the event prints the index as ip does (if%d).
      if (!(err instanceof NetlinkError && (err.code === 'ENODEV' || err.code === 'ENOENT'))) throw err;
    }
  }

  /** Index of an interface name (ll_name_to_index): asks the kernel when it is not cached; 0 when there is none. */
  async nameIndex(name: string): Promise<number> {
    const cached = this.byName?.get(name);
    if (cached) return cached.index;
    if (name.length >= 16) return 0;
    const req = this.build(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, IFINFOMSG_SIZE, (w, h) => {
      w.view.setUint8(h + IFI.ifi_family, AF_UNSPEC);
      w.putU32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
      w.putString(IFLA_IFNAME, name);
    });
    try {
      const replies = await this.request(req);
      const m = replies[0];
      if (!m) return 0;
      return new Header(m).s32(IFI.ifi_index);
    } catch (err) {
      if (err instanceof NetlinkError && (err.code === 'ENODEV' || err.code === 'ENOENT' || err.code === 'EINVAL')) return 0;
      throw err;
    }
  }

  /** Index of a device the user named; fails like ip with `Cannot find device "NAME"` (exit 1). */
  /** The index of a link already known by name (no request), else undefined. */
  knownIndex(name: string): number | undefined {
    return this.byName?.get(name)?.index;
  }

  async device(name: string): Promise<number> {
    const index = await this.nameIndex(name);
    if (!index) throw new CommandError(`Cannot find device "${name}"`, 1);
    return index;
  }

  /** Writes text to stdout, in large chunks. */
  print(text: string): void {
    this.dropOpenItem();
    this.pending.text(text);
    if (this.pending.length > FLUSH_AT) this.flush();
  }

  /** Writes what print() holds. */
  flush(): void {
    this.dropOpenItem();
    if (this.pending.length === 0) return;
    this.io.stdout(this.pending.toString());
    this.pending.clear();
  }

  private shared: Printer | undefined;

  /**
   * The printer for the next object, in the output mode of this command
   * (text, compact JSON or pretty JSON). One printer is reused: print an
   * object completely before asking for the next.
   */
  printer(): Printer {
    this.dropOpenItem();
    if (!this.shared) this.shared = this.newPrinter();
    else this.shared.reset();
    return this.shared;
  }

  private newPrinter(): Printer {
    // Pretty listings put their objects one level inside the array.
    return new Printer(this.options.json, this.options.pretty, this.options.pretty ? '    ' : '');
  }

  /** Where the element a listPrinter() began (its separator included) starts in the output; -1 when none is open. */
  private openItem = -1;

  /**
   * The printer for the next element of a listing, as printer() but written
   * straight into the output, JSON or text (no copy per object). Print the
   * object, then listItem() it before asking for another printer or printing
   * anything else; an element not listed is dropped.
   */
  listPrinter(): Printer {
    this.dropOpenItem();
    const p = (this.shared ??= this.newPrinter());
    this.openItem = this.pending.length;
    if (this.options.json) {
      if (this.listed === 0) this.pending.text(this.options.pretty ? '[ ' : '[');
      else this.pending.byte(0x2c);
    }
    p.reset(this.pending);
    return p;
  }

  private dropOpenItem(): void {
    if (this.openItem >= 0) this.pending.length = this.openItem;
    this.openItem = -1;
  }

  /** A printer for an object printed on its own (monitor events), not as an element of a listing. */
  standalonePrinter(): Printer {
    return new Printer(this.options.json, this.options.pretty);
  }

  private listed = 0;

  /**
   * Prints one object of a listing: a line of text, or the next element of
   * the one JSON array `ip -j` prints (streamed; listEnd() closes it).
   */
  listItem(p: Printer): void {
    if (this.openItem >= 0 && p === this.shared) {
      // Written in place by listPrinter(): only its closing brackets (or the end of the line) are left to write.
      this.openItem = -1;
      this.listed++;
      if (this.options.json) p.writeTo(this.pending);
      else this.pending.byte(0x0a);
      if (this.pending.length > FLUSH_AT) this.flush();
    } else if (!this.options.json) this.print(p.output + '\n');
    else {
      this.dropOpenItem();
      if (this.listed++ === 0) this.print(this.options.pretty ? '[ ' : '[');
      else this.pending.byte(0x2c);
      p.writeTo(this.pending);
      if (this.pending.length > FLUSH_AT) this.flush();
    }
  }

  /** Ends a listing: in JSON mode closes the array (an empty listing prints `[]`). */
  listEnd(): void {
    if (!this.options.json) return;
    if (this.listed === 0) this.print(this.options.pretty ? '[ ]\n' : '[]\n');
    else this.print(this.options.pretty ? ' ]\n' : ']\n');
    this.listed = 0;
  }

  /** Closes the socket. */
  close(): void {
    this.flush();
    this.sock?.close();
    this.sock = undefined;
  }
}
