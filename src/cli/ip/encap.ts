// Lightweight-tunnel encapsulation of routes and next hops (RTA_ENCAP_TYPE +
// RTA_ENCAP), read and written as `ip route ... encap TYPE OPTIONS` does
// (ip/iproute_lwtunnel.c): ip, ip6, seg6 and mpls. Options stop at the first
// word that is not one of the type's, which goes back to the route.
import { formatIPv6 } from '../../core/address.js';
import { AF_INET, AF_INET6 } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import * as R from '../../families/generated/rt-route.constants.js';
import { LWTUNNEL_ENCAP_NAMES } from '../../families/route/names.js';
import type { MessageWriter } from '../../core/writer.js';
import { Args, incompleteCommand, invarg, parseAddr } from './args.js';
import { dsfieldNumber } from './names.js';
import { getU64, getU8 } from './numbers.js';
import { addrText, type Attr } from './attrs.js';
import { usage } from './context.js';
import type { Printer } from './printer.js';

/** Byte offsets in struct seg6_iptunnel_encap (the mode, then the fixed part of struct ipv6_sr_hdr); the segments follow. */
const SEG6 = R.SEG6_IPTUNNEL_ENCAP_OFFSETS;

const ENCAP_NAMES = new Map(LWTUNNEL_ENCAP_NAMES);

// SEG6_IPTUN_MODE_* by the names ip prints and reads (encap.red for encap-red).
const SEG6_MODES: readonly string[] = R.SEG6_IPTUN_MODE_NAMES.map((n) => n.replace('-red', '.red'));

// read_encap_type()'s names: the same as it prints.
const ENCAP_TYPES = [...ENCAP_NAMES.values()];

/** A parsed `encap ...`: writes RTA_ENCAP and RTA_ENCAP_TYPE. */
export interface Encap {
  readonly type: number;
  write(w: MessageWriter): void;
}

/** An encap of `type` whose RTA_ENCAP nest `body` fills. */
function encap(type: number, body: (w: MessageWriter) => void): Encap {
  return {
    type,
    write(w) {
      w.putU16(C.RTA_ENCAP_TYPE, type);
      const nest = w.nestStart(C.RTA_ENCAP, false);
      body(w);
      w.nestEnd(nest);
    },
  };
}

function duplicate(key: string, value: string): never {
  throw usage(`Error: either "${key}" is duplicate, or "${value}" is a garbage.`);
}

// get_u8(): a ttl or hoplimit.
function parseU8(v: string, key: string): number {
  const n = getU8(v);
  if (n === undefined) invarg(`"${key}" value is invalid\n`, v);
  return n;
}

// rtnl_dsfield_a2n(): a tos / tc (hex, or a name of rt_dsfield).
function parseTos(v: string, key: string): number {
  const n = dsfieldNumber(v);
  if (n === undefined) invarg(`"${key}" value is invalid\n`, v);
  return n;
}

/** get_be64() of an id: an unsigned 64-bit number (base 0). */
function parseU64(v: string, key: string): bigint {
  const n = getU64(v);
  if (n === undefined) invarg(`"${key}" value is invalid\n`, v);
  return n;
}

// get_addr() in the encap's family (exit 1 with its message).
function addressOf(v: string, family: number): Uint8Array {
  return parseAddr(v, family).bytes;
}

/** Reads `TYPE OPTIONS...` after the word `encap`. */
export function parseEncap(args: Args): Encap {
  const name = args.value();
  if (!ENCAP_TYPES.includes(name)) invarg('"encap type" value is invalid\n', name);
  // ip wants at least one word after the type, and one more after that for the route.
  if (args.left === 0) throw incompleteCommand();
  if (args.left === 1) throw usage('Error: unexpected end of line after "encap"');
  switch (name) {
    case 'ip':
    case 'ip6':
      return parseIpEncap(args, name === 'ip' ? AF_INET : AF_INET6);
    case 'seg6':
      return parseSeg6(args);
    case 'mpls':
      return parseMpls(args);
    default:
      throw usage(`Error: "encap ${name}" is not supported by nlkit (ip, ip6, seg6, mpls are).`);
  }
}

function parseIpEncap(args: Args, family: number): Encap {
  const v6 = family === AF_INET6;
  const seen = new Set<string>();
  let id: bigint | undefined;
  let dst: Uint8Array | undefined;
  let ttl: number | undefined;
  let tos: number | undefined;
  const ttlKey = v6 ? 'hoplimit' : 'ttl';
  const tosKey = v6 ? 'tc' : 'tos';
  for (let k = args.peek(); k === 'id' || k === 'dst' || k === ttlKey || k === tosKey; k = args.peek()) {
    args.next();
    const v = args.value();
    if (seen.has(k)) duplicate(k, v);
    seen.add(k);
    if (k === 'id') id = parseU64(v, 'id');
    else if (k === 'dst') dst = addressOf(v, family);
    else if (k === ttlKey) ttl = parseU8(v, ttlKey);
    else tos = parseTos(v, tosKey);
  }
  return encap(v6 ? C.LWTUNNEL_ENCAP_IP6 : C.LWTUNNEL_ENCAP_IP, (w) => {
    if (id !== undefined) w.putU64(C.LWTUNNEL_IP_ID, id, true);
    if (dst) w.putBinary(C.LWTUNNEL_IP_DST, dst);
    if (ttl !== undefined) w.putU8(C.LWTUNNEL_IP_TTL, ttl);
    if (tos !== undefined) w.putU8(C.LWTUNNEL_IP_TOS, tos);
  });
}

function parseSeg6(args: Args): Encap {
  let mode: number | undefined;
  let segs: Uint8Array[] | undefined;
  const seen = new Set<string>();
  for (let k = args.peek(); k === 'mode' || k === 'segs'; k = args.peek()) {
    args.next();
    const v = args.value();
    if (seen.has(k)) duplicate(k, v);
    seen.add(k);
    if (k === 'mode') {
      const m = SEG6_MODES.indexOf(v);
      if (m < 0) invarg('"mode" value is invalid\n', v);
      mode = m;
    } else {
      if (mode === undefined) invarg('"segs" provided before "mode"\n', v);
      segs = v.split(',').map((s) => addressOf(s, AF_INET6));
    }
  }
  if (mode === undefined || !segs) throw usage('Error: "encap seg6" needs "mode" and "segs".');
  // The routing header lists segments last first; inline mode keeps slot 0 for the original destination.
  const list = mode === R.SEG6_IPTUN_MODE_INLINE ? [...segs, new Uint8Array(16)] : segs;
  const n = list.length;
  const srh = new Uint8Array(R.SEG6_IPTUNNEL_ENCAP_SIZE + 16 * n);
  const dv = new DataView(srh.buffer);
  dv.setInt32(SEG6.mode, mode, true);
  srh[SEG6.hdrlen] = (R.SEG6_IPTUNNEL_ENCAP_SIZE - SEG6.nexthdr + 16 * n) / 8 - 1; // in 8 bytes, without the first 8
  srh[SEG6.type] = 4; // IPV6_SRCRT_TYPE_4: segment routing
  srh[SEG6.segments_left] = n - 1;
  srh[SEG6.first_segment] = n - 1;
  for (let i = 0; i < n; i++) srh.set(list[i]!, R.SEG6_IPTUNNEL_ENCAP_SIZE + 16 * (n - 1 - i));
  return encap(C.LWTUNNEL_ENCAP_SEG6, (w) => w.putBinary(C.SEG6_IPTUNNEL_SRH, srh));
}

function parseMpls(args: Args): Encap {
  const text = args.value();
  const labels = text.split('/');
  const stack = new Uint8Array(4 * labels.length);
  const dv = new DataView(stack.buffer);
  labels.forEach((l, i) => {
    if (!/^[0-9]+$/.test(l) || Number(l) > 0xfffff) throw usage(`Error: an inet address is expected rather than "${text}".`);
    // label << 12 | bottom of stack << 8, network byte order (struct mpls_label).
    dv.setUint32(4 * i, (Number(l) << 12) + (i === labels.length - 1 ? 0x100 : 0), false);
  });
  let ttl: number | undefined;
  if (args.peek() === 'ttl') {
    args.next();
    ttl = parseU8(args.value(), 'ttl');
  }
  return encap(C.LWTUNNEL_ENCAP_MPLS, (w) => {
    w.putBinary(C.MPLS_IPTUNNEL_DST, stack);
    if (ttl !== undefined) w.putU8(C.MPLS_IPTUNNEL_TTL, ttl);
  });
}

/** lwt_print_encap: what RTA_ENCAP holds, after " encap TYPE ". */
export function printEncap(p: Printer, type: Attr | undefined, encap: Attr): void {
  if (!type) return;
  const et = type.u16();
  p.any('encap', ' encap %s ', ENCAP_NAMES.get(et) ?? 'unknown');
  const tb = encap.nest();
  switch (et) {
    case C.LWTUNNEL_ENCAP_IP:
    case C.LWTUNNEL_ENCAP_IP6: {
      const family = et === C.LWTUNNEL_ENCAP_IP ? AF_INET : AF_INET6;
      let a: Attr | undefined;
      if ((a = tb.get(C.LWTUNNEL_IP_ID))) p.any('id', 'id %s ', a.length >= 8 ? a.dv.getBigUint64(a.offset, false) : 0n);
      if ((a = tb.get(C.LWTUNNEL_IP_SRC))) p.any('src', 'src %s ', addrText(a, family));
      if ((a = tb.get(C.LWTUNNEL_IP_DST))) p.any('dst', 'dst %s ', addrText(a, family));
      if ((a = tb.get(C.LWTUNNEL_IP_TTL))) p.any(et === C.LWTUNNEL_ENCAP_IP ? 'ttl' : 'hoplimit', et === C.LWTUNNEL_ENCAP_IP ? 'ttl %u ' : 'hoplimit %u ', a.u8());
      if ((a = tb.get(C.LWTUNNEL_IP_TOS))) p.any(et === C.LWTUNNEL_ENCAP_IP ? 'tos' : 'tc', et === C.LWTUNNEL_ENCAP_IP ? 'tos %d ' : 'tc %d ', a.u8());
      break;
    }
    case C.LWTUNNEL_ENCAP_SEG6: {
      const a = tb.get(C.SEG6_IPTUNNEL_SRH);
      if (!a || a.length < R.SEG6_IPTUNNEL_ENCAP_SIZE) break;
      const mode = a.dv.getInt32(a.offset + SEG6.mode, true);
      p.any('mode', 'mode %s ', SEG6_MODES[mode] ?? '<unknown>');
      const first = a.u8At(SEG6.first_segment);
      p.fpf('segs %d [ ', first + 1);
      p.openArray('segs');
      for (let i = first; i >= 0; i--) {
        const at = R.SEG6_IPTUNNEL_ENCAP_SIZE + 16 * i;
        if (at + 16 > a.length) continue;
        p.any(null, '%s ', formatIPv6(a.buffer, a.offset + at));
      }
      p.close();
      p.fp('] ');
      break;
    }
    case C.LWTUNNEL_ENCAP_MPLS: {
      let a: Attr | undefined;
      if ((a = tb.get(C.MPLS_IPTUNNEL_DST))) {
        const labels: number[] = [];
        for (let at = 0; at + 4 <= a.length; at += 4) {
          const entry = a.dv.getUint32(a.offset + at, false);
          labels.push(entry >>> 12);
          if (entry & 0x100) break;
        }
        p.any('dst', ' %s ', labels.join('/'));
      }
      if ((a = tb.get(C.MPLS_IPTUNNEL_TTL))) p.any('ttl', 'ttl %u ', a.u8());
      break;
    }
  }
}
