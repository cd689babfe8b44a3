// `nlkit fou` (ip/ipfou.c of iproute2 6.1): Foo-over-UDP receive ports
// through the fou generic netlink family (the kernel's fou spec). As ip,
// nlkit resolves the family before reading the command line, so on a kernel
// without fou every command but help ends with nlctrl's refusal.
import { AF_INET, AF_INET6, AF_UNSPEC, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import { family as FOU } from '../../families/generated/fou.js';
import * as F from '../../families/generated/fou.constants.js';
import { afBitLen, familyName, incompleteCommand, invarg, matches, parseAddr, validIfname } from './args.js';
import { usage, type IpContext } from './context.js';
import { GenlHandle, emitItem, genlRequest } from './genl.js';
import { getU8, getU16 } from './numbers.js';
import type { Printer } from './printer.js';
import { upperProtoNumber } from './xfrm-print.js';
import { CommandError } from '../error.js';
import { formatIPv4, formatIPv6 } from '../../core/address.js';

/** ip fou's usage() text (exit 255). */
export const FOU_USAGE =
  'Usage: ip fou add port PORT { ipproto PROTO  | gue }\n' +
  '\t\t   [ local IFADDR ] [ peer IFADDR ]\n' +
  '\t\t   [ peer_port PORT ] [ dev IFNAME ]\n' +
  '       ip fou del port PORT [ local IFADDR ]\n' +
  '\t\t   [ peer IFADDR ] [ peer_port PORT ]\n' +
  '\t\t   [ dev IFNAME ]\n' +
  '       ip fou show\n' +
  '\n' +
  'Where: PROTO { ipproto-name | 1..255 }\n' +
  '       PORT { 1..65535 }\n' +
  '       IFADDR { addr }';

/** What fou_parse_opt() read. */
export interface FouOptions {
  port?: number;
  ipproto?: number;
  gue: boolean;
  family: number;
  local?: Uint8Array;
  peer?: Uint8Array;
  peerPort?: number;
  ifindex: number;
  /** fou_parse_opt()'s complaint when it gives up (ip still sends the request, with no attributes). */
  problem?: string;
}

/**
 * fou_parse_opt(): the options of add / del. `index` looks a device up (0:
 * none). Like ip, a missing port or a bad combination is reported and the
 * request goes out empty.
 */
export async function parseFou(words: string[], adding: boolean, preferred: number, index: (name: string) => Promise<number>): Promise<FouOptions> {
  const o: FouOptions = { gue: false, family: preferred === AF_UNSPEC ? AF_INET : preferred, ifindex: 0 };
  let local: string | undefined;
  let peer: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const next = (): string => {
      const v = words[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    const w = words[i]!;
    if (matches(w, 'port')) {
      const v = next();
      const n = getU16(v);
      if (n === undefined || n === 0) invarg('invalid port', v);
      o.port = n;
    } else if (matches(w, 'ipproto')) {
      const v = next();
      const named = upperProtoNumber(v);
      if (named !== undefined) o.ipproto = named;
      else {
        const n = getU8(v);
        if (n === undefined || n === 0) invarg('invalid ipproto', v);
        o.ipproto = n;
      }
    } else if (matches(w, 'gue')) o.gue = true;
    else if (matches(w, '-6')) o.family = AF_INET6;
    else if (matches(w, 'local')) local = next();
    else if (matches(w, 'peer')) peer = next();
    else if (matches(w, 'peer_port')) {
      const v = next();
      const n = getU16(v);
      if (n === undefined || n === 0) invarg('invalid peer port', v);
      o.peerPort = n;
    } else if (matches(w, 'dev')) {
      const name = next();
      if (!validIfname(name)) throw new CommandError('fou: invalid device name', 1);
      o.ifindex = await index(name);
      if (!o.ifindex) throw new CommandError('fou: unknown device name', 1);
    } else throw usage(`fou: unknown command "${w}"?\n${FOU_USAGE}`);
  }
  if (o.port === undefined) o.problem = 'fou: missing port';
  else if (o.ipproto === undefined && !o.gue && adding) o.problem = 'fou: must set ipproto or gue';
  else if (o.ipproto !== undefined && o.gue) o.problem = 'fou: cannot set ipproto and gue';
  else if ((o.peerPort && peer === undefined) || (peer !== undefined && !o.peerPort)) o.problem = 'fou: both peer and peer port must be set';
  if (o.problem) return o;
  const addr = (s: string, what: string): Uint8Array => {
    try {
      return parseAddr(s, o.family).bytes;
    } catch {
      throw new CommandError(`fou: parsing ${what} address failed`, 1);
    }
  };
  if (local !== undefined) o.local = addr(local, 'local');
  if (peer !== undefined) o.peer = addr(peer, 'peer');
  return o;
}

/** The add / del request ip sends (attributes in fou_parse_opt()'s order; none when it gave up). */
export function fouRequest(familyId: number, cmd: number, o: FouOptions): Uint8Array {
  return genlRequest(familyId, cmd, FOU.spec.version ?? 1, NLM_F_REQUEST, (w) => {
    if (o.problem) return;
    w.putU16(F.FOU_ATTR_PORT, o.port!, true);
    w.putU8(F.FOU_ATTR_TYPE, o.gue ? F.FOU_ENCAP_GUE : F.FOU_ENCAP_DIRECT);
    w.putU8(F.FOU_ATTR_AF, o.family);
    if (o.ipproto !== undefined) w.putU8(F.FOU_ATTR_IPPROTO, o.ipproto);
    const v4 = o.family === AF_INET;
    if (o.local) w.putBinary(v4 ? F.FOU_ATTR_LOCAL_V4 : F.FOU_ATTR_LOCAL_V6, o.local);
    if (o.peer) {
      w.putBinary(v4 ? F.FOU_ATTR_PEER_V4 : F.FOU_ATTR_PEER_V6, o.peer);
      if (o.peerPort) w.putU16(F.FOU_ATTR_PEER_PORT, o.peerPort, true);
    }
    if (o.ifindex) w.putU32(F.FOU_ATTR_IFINDEX, o.ifindex);
  });
}

/** The dump request of `ip fou show`. */
export function fouShowRequest(familyId: number): Uint8Array {
  return genlRequest(familyId, F.FOU_CMD_GET, FOU.spec.version ?? 1, NLM_F_REQUEST | NLM_F_DUMP);
}

// An address attribute of a reply as the spec decodes it (local-v4 / peer-v4 are u32 in it, in network order on the wire).
function addrBytes(v: number | Uint8Array | undefined): Uint8Array | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Uint8Array) return v;
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

/** print_fou_mapping(): one reply into `p` (its text ends in "\n"). */
export function printFou(ctx: IpContext, p: Printer, m: MessageView): void {
  const o = FOU.ops.get.decodeReply(m);
  if (o.port !== undefined) p.any('port', 'port %u', o.port);
  if (o.type === F.FOU_ENCAP_GUE) {
    p.null('gue');
    p.fp(' gue');
  } else if (o.ipproto !== undefined) p.any('ipproto', ' ipproto %u', o.ipproto);
  let family = AF_INET;
  if (o.af !== undefined) {
    family = o.af;
    p.jsonOnly('family', familyName(family));
    if (family === AF_INET6) p.fp(' -6');
  }
  const v4 = family === AF_INET;
  const len = afBitLen(family) / 8;
  const text = (b: Uint8Array): string => (b.length === 4 ? formatIPv4(b, 0) : b.length === 16 ? formatIPv6(b, 0) : '???');
  const local = addrBytes(v4 ? o['local-v4'] : o['local-v6']);
  if (local && local.subarray(0, len).some((x) => x !== 0)) p.any('local', ' local %s', text(local));
  const peer = addrBytes(v4 ? o['peer-v4'] : o['peer-v6']);
  if (peer && peer.subarray(0, len).some((x) => x !== 0)) p.any('peer', ' peer %s', text(peer));
  if (o['peer-port']) p.any('peer_port', ' peer_port %u', o['peer-port']);
  if (o.ifindex) p.any('dev', ' dev %s', ctx.indexName(o.ifindex));
  p.fp('\n');
}

/** Runs `nlkit fou ...` (do_ipfou). */
export async function runFou(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || matches(cmd, 'help')) throw usage(FOU_USAGE);
  const genl = await GenlHandle.open(ctx, FOU.spec.name);
  try {
    if (matches(cmd, 'add') || matches(cmd, 'delete')) {
      const adding = matches(cmd, 'add');
      const o = await parseFou(rest, adding, ctx.options.family, (name) => ctx.nameIndex(name));
      if (o.problem) ctx.io.stderr(o.problem + '\n');
      await genl.talk(fouRequest(genl.id, adding ? F.FOU_CMD_ADD : F.FOU_CMD_DEL, o), 2);
      return 0;
    }
    if (matches(cmd, 'show')) {
      if (rest.length > 0) throw new CommandError('"ip fou show" does not take any arguments.', 1);
      await ctx.loadLinks();
      for (const m of await genl.dump(fouShowRequest(genl.id))) {
        if (m.type !== genl.id) continue;
        const p = ctx.printer();
        printFou(ctx, p, m);
        emitItem(ctx, p);
      }
      ctx.listEnd();
      return 0;
    }
    throw usage(`Command "${cmd}" is unknown, try "ip fou help".`);
  } finally {
    genl.close();
  }
}
