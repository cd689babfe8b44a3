// `nlkit xfrm state|policy|monitor ...`: iproute2's `ip xfrm` (ip/ipxfrm.c,
// xfrm_state.c, xfrm_policy.c, xfrm_monitor.c of iproute2 6.1) on the typed
// XfrmClient. The grammar, the checks made before anything is sent, their
// messages and exit codes are ip's; what goes to the kernel is what ip sends
// (selectors of family AF_INET when none is given, a mark only when its mask
// is set, templates with every algorithm allowed ...).
import { formatIPv4, formatIPv6 } from '../../core/address.js';
import { AF_INET, AF_INET6, AF_UNSPEC } from '../../core/constants.js';
import { errnoNumber } from '../../core/errno.js';
import { AbortError, NetlinkError } from '../../core/errors.js';
import { family as xfrmFamily } from '../../families/generated/xfrm.js';
import {
  IPPROTO_AH,
  IPPROTO_COMP,
  IPPROTO_DSTOPTS,
  IPPROTO_ESP,
  IPPROTO_ROUTING,
  XFRM_POLICY_ALLOW,
  XFRM_POLICY_BLOCK,
  XFRM_POLICY_ICMP,
  XFRM_POLICY_LOCALOK,
  XFRM_PROTO_NAMES,
  XFRM_SA_EXTRA_FLAGS_NAMES,
  XFRM_STATE_FLAGS_NAMES,
  XFRMA_REPLAY_ESN_MAX,
  XFRM_ENCAP_TYPE_NAMES,
} from '../../families/generated/xfrm.constants.js';
import { XfrmClient, decodeXfrmEvent, type XfrmGroup, type XfrmStateInput } from '../../families/xfrm/client.js';
import type { XfrmSaExtraFlags } from '../../families/generated/xfrm.js';
import type { XfrmPolicy, XfrmPolicyInput, XfrmSelector, XfrmSelectorInput, XfrmState, XfrmTemplateInput } from '../../families/xfrm/convert.js';
import { isOverrun } from '../../io/subscription.js';
import { CommandError } from '../error.js';
import { duparg, duparg2, invarg, matches, missarg, parseAddr, parsePrefix, type InetPrefix } from './args.js';
import { usage, type IpContext } from './context.js';
import { getU16, getU64, getU8, getUnsigned } from './numbers.js';
import { defaultsText, enumValue, eventText, flagBits, policyText, stateText, upperProtoName, upperProtoNumber, xfrmProtoNumber, type XfrmPrintContext } from './xfrm-print.js';

// Upper-layer protocols (include/uapi/linux/in.h, in6.h) ip's selector checks name.
const IPPROTO_IP = 0;
const IPPROTO_ICMP = 1;
const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_DCCP = 33;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;
const IPPROTO_MH = 135;

// ip's ENCAP-TYPE words are the spec's names of enum xfrm-encap-type.
const ENCAP_TYPES = Object.fromEntries(Object.entries(XFRM_ENCAP_TYPE_NAMES).map(([v, n]) => [n!, Number(v)])) as Record<'espinudp' | 'espinudp-nonike' | 'espintcp', number>;

const XFRM_USAGE = 'Usage: ip xfrm XFRM-OBJECT { COMMAND | help }\nwhere  XFRM-OBJECT := state | policy | monitor';

type Family = 'ipv4' | 'ipv6' | 'unspec';

function famName(af: number): Family {
  return af === AF_INET ? 'ipv4' : af === AF_INET6 ? 'ipv6' : 'unspec';
}

function text(bytes: Uint8Array, af: number): string {
  return af === AF_INET6 ? formatIPv6(bytes) : formatIPv4(bytes);
}

/** A cursor with ip's NEXT_ARG() / NEXT_ARG_OK() / PREV_ARG(). */
class Argv {
  i = 0;
  constructor(readonly words: readonly string[]) {}
  get cur(): string {
    return this.words[this.i]!;
  }
  get left(): number {
    return this.words.length - this.i;
  }
  next(): string {
    this.i++;
    if (this.i >= this.words.length) throw usage('Command line is not complete. Try option "help"');
    return this.cur;
  }
  nextOk(): boolean {
    return this.i + 1 < this.words.length;
  }
  prev(): void {
    this.i--;
  }
}

/** What the command parsed into a selector, in ip's struct terms. */
interface Sel {
  family: number;
  src?: InetPrefix;
  dst?: InetPrefix;
  proto: number;
  sport: number;
  sportMask: number;
  dport: number;
  dportMask: number;
  ifindex: number;
}

function newSel(family: number): Sel {
  return { family, proto: 0, sport: 0, sportMask: 0, dport: 0, dportMask: 0, ifindex: 0 };
}

/** Filter masks ip's list commands set while parsing (struct xfrm_filter). */
interface Filter {
  use: boolean;
  idSrc?: InetPrefix;
  idDst?: InetPrefix;
  idProto?: number;
  spi?: number;
  mode?: number;
  reqid?: number;
  stateFlags?: number;
  sel?: Sel;
  selSrc: boolean;
  selDst: boolean;
  dev: boolean;
  proto: boolean;
  sport: boolean;
  dport: boolean;
  dir?: number;
  index?: number;
  ptype?: number;
  action?: number;
  priority?: number;
  policyFlags?: number;
  nosock: boolean;
}

function newFilter(): Filter {
  return { use: false, selSrc: false, selDst: false, dev: false, proto: false, sport: false, dport: false, nosock: false };
}

class Xfrm {
  preferred: number;
  readonly filter = newFilter();
  private client: XfrmClient | undefined;

  constructor(readonly ctx: IpContext) {
    this.preferred = ctx.options.family;
  }

  async xfrm(): Promise<XfrmClient> {
    const netns = this.ctx.options.netns;
    this.client ??= await XfrmClient.open(netns !== undefined ? { netns } : {});
    return this.client;
  }

  close(): void {
    this.client?.close();
  }

  printContext(nokeys = false): XfrmPrintContext {
    const o = this.ctx.options;
    return {
      stats: o.stats,
      oneline: o.oneline,
      family: o.family === AF_INET ? 'ipv4' : o.family === AF_INET6 ? 'ipv6' : undefined,
      indexName: (i) => this.ctx.indexName(i),
      nokeys,
    };
  }

  // ---- grammar pieces ------------------------------------------------------

  prefix(a: Argv, what: string): InetPrefix {
    const p = parsePrefix(a.cur, this.preferred);
    if (p.family === AF_UNSPEC) invarg(`value after "${what}" has an unrecognized address family`, a.cur);
    return p;
  }

  /** xfrm_id_parse(). */
  id(a: Argv, loose: boolean, out: { family: number; src?: InetPrefix; dst?: InetPrefix; proto: number; spi: number }): void {
    const start = a.i;
    let src: InetPrefix | undefined;
    let dst: InetPrefix | undefined;
    for (;;) {
      const w = a.cur;
      if (w === 'src') {
        a.next();
        src = this.prefix(a, 'src');
        out.family = src.family;
        out.src = src;
        this.filter.idSrc = src;
      } else if (w === 'dst') {
        a.next();
        dst = this.prefix(a, 'dst');
        out.family = dst.family;
        out.dst = dst;
        this.filter.idDst = dst;
      } else if (w === 'proto') {
        a.next();
        const n = xfrmProtoNumber(a.cur);
        if (n < 0) invarg('XFRM-PROTO value is invalid', a.cur);
        out.proto = n;
        this.filter.idProto = n;
      } else if (w === 'spi') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('SPI value is invalid', a.cur);
        out.spi = n;
        this.filter.spi = n;
      } else {
        a.prev();
        break;
      }
      if (!a.nextOk()) break;
      a.next();
    }
    if (src && dst && src.family !== dst.family) invarg('the same address family is required between values after "src" and "dst"', a.cur);
    if (out.spi && out.proto) {
      if (out.proto === IPPROTO_ROUTING || out.proto === IPPROTO_DSTOPTS) throw new CommandError(`"spi" is invalid with XFRM-PROTO value "${protoText(out.proto)}"`, 1);
      if (out.proto === IPPROTO_COMP && out.spi >= 0x10000) throw new CommandError(`SPI value is too large with XFRM-PROTO value "${protoText(out.proto)}"`, 1);
    }
    if (!loose && out.proto === 0) missarg('XFRM-PROTO');
    if (a.i === start) missarg('ID');
  }

  /** xfrm_selector_upspec_parse(). */
  upspec(a: Argv, sel: Sel): void {
    const start = a.i;
    let ports = false;
    let typecode = false;
    let grekey = false;
    for (;;) {
      const w = a.cur;
      if (w === 'proto') {
        a.next();
        let n: number | undefined;
        if (a.cur === 'any') n = 0;
        else {
          n = upperProtoNumber(a.cur) ?? getU8(a.cur);
          if (n === undefined) invarg('PROTO value is invalid', a.cur);
        }
        sel.proto = n;
        this.filter.proto = true;
      } else if (w === 'sport' || w === 'dport') {
        ports = true;
        a.next();
        const n = getU16(a.cur);
        if (n === undefined) invarg(`value after "${w}" is invalid`, a.cur);
        if (w === 'sport') {
          sel.sport = n;
          if (n) sel.sportMask = 0xffff;
          this.filter.sport = true;
        } else {
          sel.dport = n;
          if (n) sel.dportMask = 0xffff;
          this.filter.dport = true;
        }
      } else if (w === 'type' || w === 'code') {
        typecode = true;
        a.next();
        const n = getU16(a.cur);
        if (n === undefined || n > 0xff) invarg(`value after "${w}" is invalid`, a.cur);
        if (w === 'type') {
          sel.sport = n;
          sel.sportMask = 0xffff;
          this.filter.sport = true;
        } else {
          sel.dport = n;
          sel.dportMask = 0xffff;
          this.filter.dport = true;
        }
      } else if (w === 'key') {
        grekey = true;
        a.next();
        let v: number | undefined;
        if (a.cur.includes('.')) {
          const p = parsePrefix(a.cur, AF_INET);
          const b = p.bytes;
          v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
        } else {
          v = getUnsigned(a.cur);
          if (v === undefined) throw new CommandError('value after "key" is invalid', 255);
        }
        sel.sport = v >>> 16;
        sel.dport = v & 0xffff;
        sel.sportMask = 0xffff;
        sel.dportMask = 0xffff;
        this.filter.dport = true;
      } else {
        a.prev();
        break;
      }
      if (!a.nextOk()) break;
      a.next();
    }
    if (a.i === start) missarg('UPSPEC');
    const name = upperProtoName(sel.proto);
    if (ports && ![IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_DCCP, IPPROTO_IP].includes(sel.proto))
      throw new CommandError(`"sport" and "dport" are invalid with PROTO value "${name}"`, 1);
    if (typecode && ![IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_MH].includes(sel.proto)) throw new CommandError(`"type" and "code" are invalid with PROTO value "${name}"`, 1);
    if (grekey && sel.proto !== IPPROTO_GRE) throw new CommandError(`"key" is invalid with PROTO value "${name}"`, 1);
  }

  /** xfrm_selector_parse(). */
  async selector(a: Argv, sel: Sel): Promise<void> {
    const start = a.i;
    let upspec = false;
    for (;;) {
      const w = a.cur;
      if (w === 'src') {
        a.next();
        const p = this.prefix(a, 'src');
        sel.family = p.family;
        sel.src = p;
        this.filter.selSrc = true;
      } else if (w === 'dst') {
        a.next();
        const p = this.prefix(a, 'dst');
        sel.family = p.family;
        sel.dst = p;
        this.filter.selDst = true;
      } else if (w === 'dev') {
        a.next();
        if (a.cur === 'none') sel.ifindex = 0;
        else {
          const i = await this.ctx.nameIndex(a.cur);
          if (i <= 0) invarg('DEV value is invalid', a.cur);
          sel.ifindex = i;
        }
        this.filter.dev = true;
      } else if (upspec) {
        a.prev();
        break;
      } else {
        upspec = true;
        this.upspec(a, sel);
      }
      if (!a.nextOk()) break;
      a.next();
    }
    if (sel.src && sel.dst && sel.src.family !== sel.dst.family) invarg('the same address family is required between values after "src" and "dst"', a.cur);
    if (a.i === start) missarg('SELECTOR');
  }

  mode(a: Argv): XfrmStateInput['mode'] & string {
    const w = a.cur;
    if (matches(w, 'transport')) return 'transport';
    if (matches(w, 'tunnel')) return 'tunnel';
    if (matches(w, 'ro')) return 'ro';
    if (matches(w, 'in_trigger')) return 'in-trigger';
    if (matches(w, 'beet')) return 'beet';
    return invarg('MODE value is invalid', w);
  }

  /** xfrm_parse_mark(). */
  mark(a: Argv): { value: number; mask: number } {
    a.next();
    const v = getUnsigned(a.cur);
    if (v === undefined) invarg('MARK value is invalid\n', a.cur);
    if (a.left <= 1) return { value: v, mask: 0xffffffff };
    a.next();
    if (a.cur === 'mask') {
      a.next();
      const m = getUnsigned(a.cur);
      if (m === undefined) invarg('MASK value is invalid\n', a.cur);
      return { value: v, mask: m };
    }
    a.prev();
    return { value: v, mask: 0xffffffff };
  }

  dir(a: Argv): 'in' | 'out' | 'fwd' {
    if (a.cur === 'in' || a.cur === 'out' || a.cur === 'fwd') return a.cur;
    return invarg('DIR value is invalid', a.cur);
  }

  ptype(a: Argv): 'main' | 'sub' {
    if (a.cur === 'main' || a.cur === 'sub') return a.cur;
    return invarg('PTYPE value is invalid', a.cur);
  }

  /** xfrm_lifetime_cfg_parse(). */
  limit(a: Argv, lft: Record<string, bigint>): void {
    const keys: Record<string, string> = {
      'time-soft': 'softAddExpiresSeconds',
      'time-hard': 'hardAddExpiresSeconds',
      'time-use-soft': 'softUseExpiresSeconds',
      'time-use-hard': 'hardUseExpiresSeconds',
      'byte-soft': 'softByteLimit',
      'byte-hard': 'hardByteLimit',
      'packet-soft': 'softPacketLimit',
      'packet-hard': 'hardPacketLimit',
    };
    const k = keys[a.cur];
    if (!k) invarg('LIMIT value is invalid', a.cur);
    const w = a.cur;
    a.next();
    const v = getU64(a.cur);
    if (v === undefined) invarg(`value after "${w}" is invalid`, a.cur);
    lft[k] = v;
  }

  selectorInput(sel: Sel, defaultFamily: number): XfrmSelectorInput {
    const f = sel.family === AF_UNSPEC ? defaultFamily : sel.family;
    const zero = f === AF_INET6 ? '::' : '0.0.0.0';
    const out: XfrmSelectorInput = { family: famName(f) };
    if (f !== AF_UNSPEC) {
      out.src = `${sel.src ? text(sel.src.bytes, f) : zero}/${sel.src?.bitlen ?? 0}`;
      out.dst = `${sel.dst ? text(sel.dst.bytes, f) : zero}/${sel.dst?.bitlen ?? 0}`;
    }
    out.proto = sel.proto;
    out.sport = sel.sport;
    out.sportMask = sel.sportMask;
    out.dport = sel.dport;
    out.dportMask = sel.dportMask;
    out.ifindex = sel.ifindex;
    return out;
  }

  // ---- policy --------------------------------------------------------------

  /** xfrm_tmpl_parse(). */
  template(a: Argv, t: XfrmTemplateInput & { familyNumber: number }): void {
    const start = a.i;
    let id = false;
    for (;;) {
      const w = a.cur;
      if (w === 'mode') {
        a.next();
        t.mode = this.mode(a);
      } else if (w === 'reqid') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('REQID value is invalid', a.cur);
        t.reqid = n;
      } else if (w === 'level') {
        a.next();
        if (a.cur === 'required') t.optional = false;
        else if (a.cur === 'use') t.optional = true;
        else invarg('LEVEL value is invalid\n', a.cur);
      } else if (id) {
        a.prev();
        break;
      } else {
        id = true;
        this.preferred = AF_UNSPEC;
        const out = { family: t.familyNumber, proto: 0, spi: 0 } as { family: number; src?: InetPrefix; dst?: InetPrefix; proto: number; spi: number };
        this.id(a, false, out);
        t.familyNumber = out.family;
        if (out.src) t.src = text(out.src.bytes, out.family);
        if (out.dst) t.dst = text(out.dst.bytes, out.family);
        t.proto = out.proto;
        if (out.spi) t.spi = out.spi;
        this.preferred = out.family;
      }
      if (!a.nextOk()) break;
      a.next();
    }
    if (a.i === start) missarg('TMPL');
  }

  policyFlags(a: Argv): number {
    let flags = 0;
    if (a.cur.length > 2 && a.cur.startsWith('0x')) {
      const v = getU8(a.cur, 16);
      if (v === undefined) invarg('FLAG value is invalid', a.cur);
      return v;
    }
    for (;;) {
      if (a.cur === 'localok') flags |= XFRM_POLICY_LOCALOK;
      else if (a.cur === 'icmp') flags |= XFRM_POLICY_ICMP;
      else {
        a.prev();
        break;
      }
      if (!a.nextOk()) break;
      a.next();
    }
    return flags;
  }

  async policyModify(words: string[], update: boolean): Promise<number> {
    const a = new Argv(words);
    const input: XfrmPolicyInput & { lifetime: Record<string, bigint> } = { dir: 'in', lifetime: {} };
    const sel = newSel(this.preferred);
    let dir = false;
    let selp = false;
    let ptype = false;
    let mark = { value: 0, mask: 0 };
    let flags = 0;
    const tmpls: XfrmTemplateInput[] = [];
    for (; a.i < words.length; a.i++) {
      const w = a.cur;
      if (w === 'dir') {
        if (dir) duparg('dir', w);
        dir = true;
        a.next();
        input.dir = this.dir(a);
      } else if (w === 'ctx') {
        if (input.securityContext !== undefined) duparg('ctx', w);
        a.next();
        input.securityContext = a.cur;
      } else if (w === 'mark') {
        mark = this.mark(a);
      } else if (w === 'index') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('INDEX value is invalid', a.cur);
        input.index = n;
      } else if (w === 'ptype') {
        if (ptype) duparg('ptype', w);
        ptype = true;
        a.next();
        input.type = this.ptype(a);
      } else if (w === 'action') {
        a.next();
        if (a.cur === 'allow' || a.cur === 'block') input.action = a.cur;
        else invarg('ACTION value is invalid\n', a.cur);
      } else if (w === 'priority') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('PRIORITY value is invalid', a.cur);
        input.priority = n;
      } else if (w === 'flag') {
        a.next();
        flags = this.policyFlags(a);
      } else if (w === 'limit') {
        a.next();
        this.limit(a, input.lifetime);
      } else if (w === 'tmpl') {
        const t: XfrmTemplateInput & { familyNumber: number } = { familyNumber: this.preferred };
        a.next();
        this.template(a, t);
        const { familyNumber, ...rest } = t;
        tmpls.push({ ...rest, family: famName(familyNumber) });
      } else if (w === 'if_id') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('IF_ID value is invalid', a.cur);
        input.ifId = n;
      } else {
        if (selp) duparg('unknown', w);
        selp = true;
        await this.selector(a, sel);
        if (this.preferred === AF_UNSPEC) this.preferred = sel.family;
      }
    }
    if (!dir) throw new CommandError('Not enough information: DIR is required.', 1);
    if (flags & ~(XFRM_POLICY_LOCALOK | XFRM_POLICY_ICMP)) throw new CommandError(`Policy flags 0x${flags.toString(16)} are not supported by nlkit.`, 1);
    input.flags = [...(flags & XFRM_POLICY_LOCALOK ? (['localok'] as const) : []), ...(flags & XFRM_POLICY_ICMP ? (['icmp'] as const) : [])];
    if (tmpls.length > 0) input.templates = tmpls;
    if (mark.mask) input.mark = mark;
    input.selector = this.selectorInput(sel, AF_INET);
    const x = await this.xfrm();
    if (update) await x.updatePolicy(input);
    else await x.addPolicy(input);
    return 0;
  }

  async policyGetOrDelete(words: string[], del: boolean): Promise<number> {
    const a = new Argv(words);
    const sel = newSel(this.preferred);
    let dir: 'in' | 'out' | 'fwd' | undefined;
    let selp = false;
    let index: number | undefined;
    let ptype: 'main' | 'sub' | undefined;
    let mark = { value: 0, mask: 0 };
    let ifId: number | undefined;
    let securityContext: string | undefined;
    for (; a.i < words.length; a.i++) {
      const w = a.cur;
      if (w === 'dir') {
        if (dir !== undefined) duparg('dir', w);
        a.next();
        dir = this.dir(a);
      } else if (w === 'ctx') {
        if (securityContext !== undefined) duparg('ctx', w);
        a.next();
        securityContext = a.cur;
      } else if (w === 'mark') {
        mark = this.mark(a);
      } else if (w === 'index') {
        if (index !== undefined) duparg('index', w);
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('INDEX value is invalid', a.cur);
        index = n;
      } else if (w === 'ptype') {
        if (ptype !== undefined) duparg('ptype', w);
        a.next();
        ptype = this.ptype(a);
      } else if (w === 'if_id') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('IF_ID value is invalid', a.cur);
        ifId = n;
      } else {
        if (selp) invarg('unknown', w);
        selp = true;
        await this.selector(a, sel);
        if (this.preferred === AF_UNSPEC) this.preferred = sel.family;
      }
    }
    if (dir === undefined) throw new CommandError('Not enough information: DIR is required.', 1);
    if (!selp && index === undefined) throw new CommandError('Not enough information: either SELECTOR or INDEX is required.', 1);
    if (selp && index !== undefined) duparg2('SELECTOR', 'INDEX');
    const key = {
      dir,
      selector: this.selectorInput(sel, AF_INET),
      ...(index !== undefined ? { index } : {}),
      ...(ptype !== undefined ? { type: ptype } : {}),
      ...((mark.mask & mark.value) !== 0 ? { mark } : {}),
      ...(ifId !== undefined ? { ifId } : {}),
      ...(securityContext !== undefined ? { securityContext } : {}),
    };
    const x = await this.xfrm();
    if (del) {
      await x.deletePolicy(key);
      return 0;
    }
    const p = await getOrThrow(() => x.getPolicy(key));
    await this.learnLinks([p.selector]);
    this.ctx.print(policyText(this.printContext(), p));
    return 0;
  }

  policyMatches(p: XfrmPolicy): boolean {
    const f = this.filter;
    if (!f.use) return true;
    if (this.preferred !== AF_UNSPEC && famName(this.preferred) !== p.selector.family) return false;
    const dirNum = enumValue('xfrm-policy-dir', p.dir) + (p.socket ? 3 : 0);
    if (f.dir !== undefined && dirNum !== f.dir) return false;
    if (f.nosock && p.socket) return false;
    if (f.ptype !== undefined && enumValue('xfrm-policy-type', p.type ?? 'main') !== f.ptype) return false;
    if (f.sel && !selectorMatches(p.selector, f.sel, f)) return false;
    if (f.index !== undefined && p.index !== f.index) return false;
    if (f.action !== undefined && enumValue('xfrm-policy-action', p.action) !== f.action) return false;
    if (f.priority !== undefined && p.priority !== f.priority) return false;
    if (f.policyFlags !== undefined) {
      const bits = flagBits('xfrm-policy-flags', p.flags);
      if ((bits & f.policyFlags) === 0) return false;
    }
    return true;
  }

  async policyListOrDeleteAll(words: string[], deleteAll: boolean): Promise<number> {
    const a = new Argv(words);
    const f = this.filter;
    if (words.length > 0 || this.preferred !== AF_UNSPEC) f.use = true;
    let selp = false;
    for (; a.i < words.length; a.i++) {
      const w = a.cur;
      if (w === 'dir') {
        a.next();
        f.dir = enumValue('xfrm-policy-dir', this.dir(a));
      } else if (w === 'index') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('INDEX value is invalid', a.cur);
        f.index = n;
      } else if (w === 'ptype') {
        a.next();
        f.ptype = enumValue('xfrm-policy-type', this.ptype(a));
      } else if (w === 'action') {
        a.next();
        if (a.cur === 'allow') f.action = XFRM_POLICY_ALLOW;
        else if (a.cur === 'block') f.action = XFRM_POLICY_BLOCK;
        else invarg('ACTION value is invalid\n', a.cur);
      } else if (w === 'priority') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('PRIORITY value is invalid', a.cur);
        f.priority = n;
      } else if (w === 'flag') {
        a.next();
        f.policyFlags = this.policyFlags(a);
      } else if (w === 'nosock') {
        f.nosock = true;
      } else {
        if (selp) invarg('unknown', w);
        selp = true;
        f.sel = newSel(this.preferred);
        await this.selector(a, f.sel);
        if (this.preferred === AF_UNSPEC) this.preferred = f.sel.family;
      }
    }
    const x = await this.xfrm();
    if (deleteAll) {
      for (;;) {
        const victims = (await x.policiesAll()).filter((p) => this.policyMatches(p) && !p.socket);
        if (victims.length === 0) break;
        for (const p of victims) {
          await x.deletePolicy({
            dir: p.dir as 'in' | 'out' | 'fwd',
            selector: selectorOf(p.selector),
            index: p.index,
            ...(p.type === 'main' || p.type === 'sub' ? { type: p.type } : {}),
            ...(p.mark ? { mark: p.mark } : {}),
            ...(p.ifId !== undefined ? { ifId: p.ifId } : {}),
          });
        }
      }
      return 0;
    }
    let linksLoaded = false;
    const pc = this.printContext();
    for await (const p of x.policies()) {
      if (!this.policyMatches(p)) continue;
      if (!linksLoaded && p.selector.ifindex > 0) {
        await this.ctx.loadLinks();
        linksLoaded = true;
      }
      this.ctx.print(policyText(pc, p));
    }
    return 0;
  }

  async policyFlush(words: string[]): Promise<number> {
    const a = new Argv(words);
    let ptype: 'main' | 'sub' | undefined;
    for (; a.i < words.length; a.i++) {
      if (a.cur === 'ptype') {
        if (ptype !== undefined) duparg('ptype', a.cur);
        a.next();
        ptype = this.ptype(a);
      } else invarg('unknown', a.cur);
    }
    await (await this.xfrm()).flushPolicies(ptype);
    return 0;
  }

  async policyCount(): Promise<number> {
    const i = await (await this.xfrm()).spdInfo();
    const o = this.ctx.options;
    let s = `\t SPD IN  ${i.in} OUT ${i.out} FWD ${i.fwd}`;
    if (o.stats) s += ` (Sock: IN ${i.socketIn} OUT ${i.socketOut} FWD ${i.socketFwd})`;
    s += o.oneline ? '\\' : '\n';
    if (o.stats > 1) {
      const sl = o.oneline ? '\\' : '\n';
      s += `\t SPD buckets: count ${i.buckets} Max ${i.maxBuckets}${sl}`;
      if (i.ipv4Threshold) s += `\t SPD IPv4 thresholds: local ${i.ipv4Threshold.local} remote ${i.ipv4Threshold.remote}${sl}`;
      if (i.ipv6Threshold) s += `\t SPD IPv6 thresholds: local ${i.ipv6Threshold.local} remote ${i.ipv6Threshold.remote}${sl}`;
    }
    if (o.oneline) s += '\n';
    this.ctx.print(s);
    return 0;
  }

  /** xfrm_spd_setinfo(). */
  async policySet(words: string[]): Promise<number> {
    const a = new Argv(words);
    const t: { ipv4Threshold?: { local: number; remote: number }; ipv6Threshold?: { local: number; remote: number } } = {};
    for (; a.i < words.length; a.i++) {
      const w = a.cur;
      if (w === 'hthresh4' || w === 'hthresh6') {
        const key = w === 'hthresh4' ? 'ipv4Threshold' : 'ipv6Threshold';
        const max = w === 'hthresh4' ? 32 : 128;
        if (t[key]) duparg(w, w);
        a.next();
        const l = getU8(a.cur);
        if (l === undefined || l > max) invarg(`${w} LBITS value is invalid`, a.cur);
        a.next();
        const r = getU8(a.cur);
        if (r === undefined || r > max) invarg(`${w} RBITS value is invalid`, a.cur);
        t[key] = { local: l, remote: r };
      } else invarg('unknown', w);
    }
    await (await this.xfrm()).setSpdInfo(t);
    return 0;
  }

  async policySetDefault(words: string[]): Promise<number> {
    const a = new Argv(words);
    const d: Partial<Record<'in' | 'fwd' | 'out', 'block' | 'accept'>> = {};
    for (; a.i < words.length; a.i++) {
      const w = a.cur;
      if (w === 'in' || w === 'fwd' || w === 'out') {
        if (d[w]) duparg(w, w);
        a.next();
        if (a.cur !== 'block' && a.cur !== 'accept') invarg(`${w} policy value is invalid`, a.cur);
        d[w] = a.cur;
      } else invarg('unknown direction', w);
    }
    await (await this.xfrm()).setPolicyDefaults(d);
    return 0;
  }

  async policy(words: string[]): Promise<number> {
    if (words.length < 1) return this.policyListOrDeleteAll([], false);
    const w = words[0]!;
    const rest = words.slice(1);
    if (matches(w, 'add')) return this.policyModify(rest, false);
    if (matches(w, 'update')) return this.policyModify(rest, true);
    if (matches(w, 'delete')) return this.policyGetOrDelete(rest, true);
    if (matches(w, 'deleteall') || matches(w, 'delall')) return this.policyListOrDeleteAll(rest, true);
    if (matches(w, 'list') || matches(w, 'show') || matches(w, 'lst')) return this.policyListOrDeleteAll(rest, false);
    if (matches(w, 'get')) return this.policyGetOrDelete(rest, false);
    if (matches(w, 'flush')) return this.policyFlush(rest);
    if (matches(w, 'count')) return this.policyCount();
    if (matches(w, 'set')) return this.policySet(rest);
    if (matches(w, 'setdefault')) return this.policySetDefault(rest);
    if (matches(w, 'getdefault')) {
      this.ctx.print(defaultsText(await (await this.xfrm()).policyDefaults()));
      return 0;
    }
    if (matches(w, 'help')) throw usage(XFRM_POLICY_USAGE);
    throw usage(`Command "${w}" is unknown, try "ip xfrm policy help".`);
  }

  // ---- state ---------------------------------------------------------------

  stateFlags(a: Argv): string[] {
    const names = Object.values(XFRM_STATE_FLAGS_NAMES) as string[];
    if (a.cur.length > 2 && a.cur.startsWith('0x')) {
      const v = getU8(a.cur, 16);
      if (v === undefined) invarg('FLAG value is invalid', a.cur);
      return Object.entries(XFRM_STATE_FLAGS_NAMES)
        .filter(([bit]) => v & Number(bit))
        .map(([, n]) => n!);
    }
    const out: string[] = [];
    for (;;) {
      if (names.includes(a.cur)) out.push(a.cur);
      else {
        a.prev();
        break;
      }
      if (!a.nextOk()) break;
      a.next();
    }
    return out;
  }

  /** xfrm_state_extra_flag_parse(). */
  extraFlags(a: Argv): XfrmSaExtraFlags[] {
    const names = Object.entries(XFRM_SA_EXTRA_FLAGS_NAMES) as [string, XfrmSaExtraFlags][];
    if (a.cur.length > 2 && a.cur.startsWith('0x')) {
      const v = getUnsigned(a.cur, 16);
      if (v === undefined) invarg('"EXTRA-FLAG" is invalid', a.cur);
      if (names.reduce((left, [bit]) => left & ~Number(bit), v) !== 0) throw new CommandError(`Extra flags 0x${v.toString(16)} are not supported by nlkit.`, 1);
      return names.filter(([bit]) => v & Number(bit)).map(([, n]) => n);
    }
    const out: XfrmSaExtraFlags[] = [];
    for (;;) {
      const hit = names.find(([, n]) => n === a.cur);
      if (hit) out.push(hit[1]);
      else {
        a.prev();
        break;
      }
      if (!a.nextOk()) break;
      a.next();
    }
    return out;
  }

  async stateModify(words: string[], update: boolean): Promise<number> {
    const a = new Argv(words);
    const id = { family: this.preferred, proto: 0, spi: 0 } as { family: number; src?: InetPrefix; dst?: InetPrefix; proto: number; spi: number };
    const input: Partial<XfrmStateInput> & { lifetime: Record<string, bigint> } = { lifetime: {} };
    let idp = false;
    let mark = { value: 0, mask: 0 };
    let replayWindow = 0;
    let flags: string[] = [];
    let sel: Sel | undefined;
    let aead = false;
    let enc = false;
    let auth = false;
    let comp = false;
    let ifId: number | undefined;
    let tfcpad = 0;
    const replay = { 'replay-seq': 0, 'replay-seq-hi': 0, 'replay-oseq': 0, 'replay-oseq-hi': 0 };
    let extraFlags: XfrmSaExtraFlags[] = [];
    let outputMark: { value: number; mask: number } | undefined;
    const algs: [string, { name: string; key: Uint8Array; bits?: number }][] = [];
    for (; a.i < words.length; a.i++) {
      const w = a.cur;
      if (w === 'mode') {
        a.next();
        input.mode = this.mode(a);
      } else if (w === 'mark') {
        mark = this.mark(a);
      } else if (w === 'reqid') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('REQID value is invalid', a.cur);
        input.reqid = n;
      } else if (w === 'seq') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('SEQ value is invalid', a.cur);
        input.seq = n;
      } else if (w === 'replay-window') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('value after "replay-window" is invalid', a.cur);
        replayWindow = n;
      } else if (w === 'flag') {
        a.next();
        flags = this.stateFlags(a);
      } else if (w === 'sel') {
        a.next();
        this.preferred = AF_UNSPEC;
        sel = newSel(AF_UNSPEC);
        await this.selector(a, sel);
        this.preferred = sel.family;
      } else if (w === 'limit') {
        a.next();
        this.limit(a, input.lifetime);
      } else if (w === 'if_id') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('value after "if_id" is invalid', a.cur);
        ifId = n;
      } else if (w === 'tfcpad') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('value after "tfcpad" is invalid', a.cur);
        tfcpad = n;
      } else if (w === 'replay-seq' || w === 'replay-seq-hi' || w === 'replay-oseq' || w === 'replay-oseq-hi') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg(`value after "${w}" is invalid`, a.cur);
        replay[w] = n;
      } else if (w === 'extra-flag') {
        a.next();
        extraFlags = this.extraFlags(a);
      } else if (w === 'encap') {
        a.next();
        if (!(a.cur in ENCAP_TYPES)) invarg('ENCAP-TYPE value is invalid', a.cur);
        const type = a.cur as keyof typeof ENCAP_TYPES;
        a.next();
        const sport = getU16(a.cur);
        if (sport === undefined) invarg('SPORT value after "encap" is invalid', a.cur);
        a.next();
        const dport = getU16(a.cur);
        if (dport === undefined) invarg('DPORT value after "encap" is invalid', a.cur);
        a.next();
        const oa = parseAddr(a.cur, AF_UNSPEC);
        input.encap = { type, sport, dport, oa: text(oa.bytes, oa.family) };
      } else if (w === 'coa') {
        if (input.coaddr !== undefined) duparg('coa', w);
        a.next();
        const p = parsePrefix(a.cur, this.preferred);
        if (p.family === AF_UNSPEC) invarg('value after "coa" has an unrecognized address family', a.cur);
        input.coaddr = text(p.bytes, p.family);
      } else if (w === 'output-mark') {
        a.next();
        const v = getUnsigned(a.cur);
        if (v === undefined) invarg('value after "output-mark" is invalid', a.cur);
        outputMark = { value: v, mask: 0 };
        if (a.left > 1) {
          a.next();
          if (a.cur === 'mask') {
            a.next();
            const m = getUnsigned(a.cur);
            if (m === undefined) invarg('mask value is invalid\n', a.cur);
            outputMark.mask = m;
          } else a.prev();
        }
      } else if (w === 'ctx') {
        if (input.securityContext !== undefined) duparg('ctx', w);
        a.next();
        input.securityContext = a.cur;
      } else if (w === 'offload') {
        a.next();
        let ifindex = 0;
        if (a.cur === 'dev') {
          a.next();
          ifindex = await this.ctx.nameIndex(a.cur);
          if (!ifindex) invarg('value after "offload dev" is invalid', a.cur);
          a.next();
        }
        if (a.cur !== 'dir') invarg('value after "offload dir" is invalid', a.cur);
        const dir = a.next();
        if (dir !== 'in' && dir !== 'out') invarg('DIR value is invalid', dir);
        input.offload = { ifindex, inbound: dir === 'in' };
      } else if (['enc', 'auth', 'auth-trunc', 'aead', 'comp'].includes(w)) {
        if (w === 'aead') {
          if (enc || auth || aead) duparg('ALGO-TYPE', w);
          aead = true;
        } else if (w === 'enc') {
          if (enc || aead) duparg('ALGO-TYPE', w);
          enc = true;
        } else if (w === 'auth' || w === 'auth-trunc') {
          if (auth || aead) duparg('ALGO-TYPE', w);
          auth = true;
        } else {
          if (comp) duparg('ALGO-TYPE', w);
          comp = true;
        }
        if (!a.nextOk()) missarg('ALGO-NAME');
        const name = a.next();
        let key = '';
        if (w !== 'comp') {
          if (!a.nextOk()) missarg('ALGO-KEYMAT');
          key = a.next();
        }
        let bits: number | undefined;
        if (w === 'aead' || w === 'auth-trunc') {
          const what = w === 'aead' ? 'ALGO-ICV-LEN' : 'ALGO-TRUNC-LEN';
          if (!a.nextOk()) missarg(what);
          a.next();
          const n = getUnsigned(a.cur);
          if (n === undefined) invarg(`${what} value is invalid`, a.cur);
          bits = n;
        }
        algs.push([w, { name, key: keyBytes(key, name), ...(bits !== undefined ? { bits } : {}) }]);
      } else {
        if (idp) invarg('unknown', w);
        idp = true;
        this.id(a, false, id);
        if (this.preferred === AF_UNSPEC) this.preferred = id.family;
      }
    }
    if (flags.includes('esn') && replayWindow === 0) throw usage('Error: esn flag set without replay-window.');
    if (replayWindow > XFRMA_REPLAY_ESN_MAX) throw usage(`Error: replay-window (${replayWindow}) > XFRMA_REPLAY_ESN_MAX (${XFRMA_REPLAY_ESN_MAX}).`);
    // Windows wider than struct xfrm_replay_state's 32-bit bitmap need the ESN state.
    const esn = flags.includes('esn') || replayWindow > 32;
    if (esn) {
      input.esn = { replayWindow, seq: replay['replay-seq'], oseq: replay['replay-oseq'], seqHi: replay['replay-seq-hi'], oseqHi: replay['replay-oseq-hi'] };
      replayWindow = 0;
    } else if (replay['replay-seq'] || replay['replay-oseq']) input.replay = { seq: replay['replay-seq'], oseq: replay['replay-oseq'] };
    if (extraFlags.length > 0) input.extraFlags = extraFlags;
    if (!idp) throw new CommandError('Not enough information: ID is required', 1);
    const proto = protoText(id.proto);
    if ([IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP].includes(id.proto)) {
      const mode = input.mode ?? 'transport';
      if (!(mode === 'transport' || mode === 'tunnel' || (mode === 'beet' && id.proto === IPPROTO_ESP)))
        throw new CommandError(`MODE value is invalid with XFRM-PROTO value "${proto}"`, 1);
      if (id.proto === IPPROTO_ESP) {
        if (comp) throw new CommandError(`ALGO-TYPE value "comp" is invalid with XFRM-PROTO value "${proto}"`, 1);
        if (!enc && !aead) throw new CommandError(`ALGO-TYPE value "enc" or "aead" is required with XFRM-PROTO value "${proto}"`, 1);
      } else if (id.proto === IPPROTO_AH) {
        if (enc || aead || comp) throw new CommandError(`ALGO-TYPE values "enc", "aead", and "comp" are invalid with XFRM-PROTO value "${proto}"`, 1);
        if (!auth) throw new CommandError(`ALGO-TYPE value "auth" or "auth-trunc" is required with XFRM-PROTO value "${proto}"`, 1);
      } else {
        if (enc || auth || aead) throw new CommandError(`ALGO-TYPE values "enc", "auth", "auth-trunc", and "aead" are invalid with XFRM-PROTO value "${proto}"`, 1);
        if (!comp) throw new CommandError(`ALGO-TYPE value "comp" is required with XFRM-PROTO value "${proto}"`, 1);
      }
    } else if (enc || auth || aead || comp) throw new CommandError(`ALGO is invalid with XFRM-PROTO value "${proto}"`, 1);
    if (id.proto === IPPROTO_ROUTING || id.proto === IPPROTO_DSTOPTS) {
      const mode = input.mode;
      if (mode === undefined || mode === 'transport') throw new CommandError(`"mode" is required with XFRM-PROTO value "${proto}"`, 1);
      if (mode !== 'ro' && mode !== 'in-trigger') throw new CommandError(`MODE value is invalid with XFRM-PROTO value "${proto}"`, 1);
      if (input.coaddr === undefined) throw new CommandError(`"coa" is required with XFRM-PROTO value "${proto}"`, 1);
    } else if (input.coaddr !== undefined) throw new CommandError(`"coa" is invalid with XFRM-PROTO value "${proto}"`, 1);
    // ip sends XFRMA_OUTPUT_MARK when the mark is set and XFRMA_SET_MARK_MASK when the mask is.
    if (outputMark && (outputMark.value || outputMark.mask)) {
      if (!outputMark.value) throw new CommandError('An output-mark mask without a mark is not supported by nlkit.', 1);
      input.outputMark = { value: outputMark.value, ...(outputMark.mask ? { mask: outputMark.mask } : {}) };
    }
    if (id.family === AF_UNSPEC) id.family = AF_INET;
    const zero = id.family === AF_INET6 ? '::' : '0.0.0.0';
    const state: XfrmStateInput = {
      ...input,
      src: id.src ? text(id.src.bytes, id.family) : zero,
      dst: id.dst ? text(id.dst.bytes, id.family) : zero,
      proto: id.proto,
      spi: id.spi,
      replayWindow,
      flags: flags as XfrmStateInput['flags'] & string[],
      ...(sel ? { selector: this.selectorInput(sel, AF_UNSPEC) } : {}),
      ...(mark.mask ? { mark } : {}),
      ...(ifId !== undefined ? { ifId } : {}),
      ...(tfcpad ? { tfcpad } : {}),
    };
    for (const [type, alg] of algs) {
      if (type === 'enc') state.crypt = alg;
      else if (type === 'auth') state.auth = alg;
      else if (type === 'auth-trunc') state.authTrunc = alg;
      else if (type === 'aead') state.aead = alg;
      else state.comp = alg;
    }
    const x = await this.xfrm();
    if (update) await x.updateState(state);
    else await x.addState(state);
    return 0;
  }

  async stateAllocSpi(words: string[]): Promise<number> {
    const a = new Argv(words);
    const id = { family: this.preferred, proto: 0, spi: 0 } as { family: number; src?: InetPrefix; dst?: InetPrefix; proto: number; spi: number };
    let idp = false;
    let mark = { value: 0, mask: 0 };
    let min: number | undefined;
    let max: number | undefined;
    let mode: XfrmStateInput['mode'];
    let reqid: number | undefined;
    let seq: number | undefined;
    for (; a.i < words.length; a.i++) {
      const w = a.cur;
      if (w === 'mode') {
        a.next();
        mode = this.mode(a);
      } else if (w === 'mark') mark = this.mark(a);
      else if (w === 'reqid') {
        a.next();
        reqid = getUnsigned(a.cur);
        if (reqid === undefined) invarg('REQID value is invalid', a.cur);
      } else if (w === 'seq') {
        a.next();
        seq = getUnsigned(a.cur);
        if (seq === undefined) invarg('SEQ value is invalid', a.cur);
      } else if (w === 'min' || w === 'max') {
        if ((w === 'min' ? min : max) !== undefined) duparg(w, w);
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg(`value after "${w}" is invalid`, a.cur);
        if (w === 'min') min = n;
        else max = n;
      } else {
        if (idp) invarg('unknown', w);
        idp = true;
        this.id(a, false, id);
        if (id.spi) throw new CommandError('"spi" is invalid', 1);
        if (this.preferred === AF_UNSPEC) this.preferred = id.family;
      }
    }
    if (!idp) throw new CommandError('Not enough information: ID is required', 1);
    if (min !== undefined) {
      if (max === undefined) throw new CommandError('"max" is missing', 1);
      if (min > max) throw new CommandError('value after "min" is larger than value after "max"', 1);
    } else {
      if (max !== undefined) throw new CommandError('"min" is missing', 1);
      min = 0x100;
      max = id.proto === IPPROTO_COMP ? 0xffff : 0x0fffffff;
    }
    if (id.family === AF_UNSPEC) id.family = AF_INET;
    const zero = id.family === AF_INET6 ? '::' : '0.0.0.0';
    const s = await (
      await this.xfrm()
    ).allocSpi({
      src: id.src ? text(id.src.bytes, id.family) : zero,
      dst: id.dst ? text(id.dst.bytes, id.family) : zero,
      proto: id.proto,
      min,
      max,
      ...(mode !== undefined ? { mode } : {}),
      ...(reqid !== undefined ? { reqid } : {}),
      ...(seq !== undefined ? { seq } : {}),
      ...((mark.mask & mark.value) !== 0 ? { mark } : {}),
    });
    await this.learnLinks([s.selector]);
    this.ctx.print(stateText(this.printContext(), s));
    return 0;
  }

  async stateGetOrDelete(words: string[], del: boolean): Promise<number> {
    const a = new Argv(words);
    const id = { family: this.preferred, proto: 0, spi: 0 } as { family: number; src?: InetPrefix; dst?: InetPrefix; proto: number; spi: number };
    let idp = false;
    let mark = { value: 0, mask: 0 };
    for (; a.i < words.length; a.i++) {
      if (a.cur === 'mark') mark = this.mark(a);
      else {
        if (idp) invarg('unknown', a.cur);
        idp = true;
        this.id(a, false, id);
      }
    }
    if (id.family === AF_UNSPEC) id.family = AF_INET;
    const zero = id.family === AF_INET6 ? '::' : '0.0.0.0';
    const key = {
      dst: id.dst ? text(id.dst.bytes, id.family) : zero,
      src: id.src ? text(id.src.bytes, id.family) : zero,
      proto: id.proto,
      spi: id.spi,
      ...((mark.mask & mark.value) !== 0 ? { mark } : {}),
    };
    const x = await this.xfrm();
    if (del) {
      await x.deleteState(key);
      return 0;
    }
    const s = await getOrThrow(() => x.getState(key), 'ESRCH');
    await this.learnLinks([s.selector]);
    this.ctx.print(stateText(this.printContext(), s));
    return 0;
  }

  stateMatches(s: XfrmState): boolean {
    const f = this.filter;
    if (!f.use) return true;
    if (this.preferred !== AF_UNSPEC && famName(this.preferred) !== s.family) return false;
    if (f.idSrc && !prefixMatches(s.src, s.family, f.idSrc)) return false;
    if (f.idDst && !prefixMatches(s.dst, s.family, f.idDst)) return false;
    const proto = typeof s.proto === 'number' ? s.proto : enumValue('xfrm-proto', s.proto);
    if (f.idProto !== undefined && proto !== f.idProto) return false;
    if (f.spi !== undefined && s.spi !== f.spi) return false;
    if (f.mode !== undefined && enumValue('xfrm-mode', s.mode) !== f.mode) return false;
    if (f.reqid !== undefined && s.reqid !== f.reqid) return false;
    if (f.stateFlags !== undefined && (flagBits('xfrm-state-flags', s.flags) & f.stateFlags) === 0) return false;
    return true;
  }

  async stateListOrDeleteAll(words: string[], deleteAll: boolean): Promise<number> {
    const a = new Argv(words);
    const f = this.filter;
    if (words.length > 0 || this.preferred !== AF_UNSPEC) f.use = true;
    let idp = false;
    let nokeys = false;
    const id = { family: this.preferred, proto: 0, spi: 0 } as { family: number; src?: InetPrefix; dst?: InetPrefix; proto: number; spi: number };
    for (; a.i < words.length; a.i++) {
      const w = a.cur;
      if (w === 'nokeys') nokeys = true;
      else if (w === 'mode') {
        a.next();
        f.mode = enumValue('xfrm-mode', this.mode(a));
      } else if (w === 'reqid') {
        a.next();
        const n = getUnsigned(a.cur);
        if (n === undefined) invarg('REQID value is invalid', a.cur);
        f.reqid = n;
      } else if (w === 'flag') {
        a.next();
        f.stateFlags = flagBits('xfrm-state-flags', this.stateFlags(a));
      } else {
        if (idp) invarg('unknown', w);
        idp = true;
        this.id(a, true, id);
        if (this.preferred === AF_UNSPEC) this.preferred = id.family;
      }
    }
    const x = await this.xfrm();
    if (deleteAll) {
      for (;;) {
        // xfrm_state_keep() leaves IPIP / IPv6 tunnel states alone.
        const victims = (await x.statesAll()).filter((s) => this.stateMatches(s) && s.proto !== IPPROTO_IPIP && s.proto !== IPPROTO_IPV6);
        if (victims.length === 0) break;
        for (const s of victims) await x.deleteState({ dst: s.dst, src: s.src, proto: s.proto, spi: s.spi, ...(s.mark ? { mark: s.mark } : {}) });
      }
      return 0;
    }
    const filter: { proto?: number; src?: string; dst?: string } = {};
    if (id.proto) filter.proto = id.proto;
    const pc = this.printContext(nokeys);
    let linksLoaded = false;
    for await (const s of x.states(filter)) {
      if (!this.stateMatches(s)) continue;
      if (!linksLoaded && s.selector.ifindex > 0) {
        await this.ctx.loadLinks();
        linksLoaded = true;
      }
      this.ctx.print(stateText(pc, s));
    }
    return 0;
  }

  async stateFlush(words: string[]): Promise<number> {
    const a = new Argv(words);
    let proto: number | undefined;
    for (; a.i < words.length; a.i++) {
      if (a.cur === 'proto') {
        if (proto !== undefined) duparg('proto', a.cur);
        a.next();
        const n = xfrmProtoNumber(a.cur);
        if (n < 0) invarg('XFRM-PROTO value is invalid', a.cur);
        proto = n;
      } else invarg('unknown', a.cur);
    }
    await (await this.xfrm()).flushStates(proto ?? 0);
    return 0;
  }

  async stateCount(): Promise<number> {
    const i = await (await this.xfrm()).sadInfo();
    let s = `\t SAD count ${i.count}`;
    if (this.ctx.options.stats) s += ` (buckets count ${i.buckets} Max ${i.maxBuckets})`;
    this.ctx.print(s + '\n');
    return 0;
  }

  async state(words: string[]): Promise<number> {
    if (words.length < 1) return this.stateListOrDeleteAll([], false);
    const w = words[0]!;
    const rest = words.slice(1);
    if (matches(w, 'add')) return this.stateModify(rest, false);
    if (matches(w, 'update')) return this.stateModify(rest, true);
    if (matches(w, 'allocspi')) return this.stateAllocSpi(rest);
    if (matches(w, 'delete')) return this.stateGetOrDelete(rest, true);
    if (matches(w, 'deleteall') || matches(w, 'delall')) return this.stateListOrDeleteAll(rest, true);
    if (matches(w, 'list') || matches(w, 'show') || matches(w, 'lst')) return this.stateListOrDeleteAll(rest, false);
    if (matches(w, 'get')) return this.stateGetOrDelete(rest, false);
    if (matches(w, 'flush')) return this.stateFlush(rest);
    if (matches(w, 'count')) return this.stateCount();
    if (matches(w, 'help')) throw usage(XFRM_STATE_USAGE);
    throw usage(`Command "${w}" is unknown, try "ip xfrm state help".`);
  }

  // ---- monitor -------------------------------------------------------------

  async monitor(words: string[]): Promise<number> {
    let nokeys = false;
    let groups: XfrmGroup[] | undefined;
    const add = (g: XfrmGroup): void => {
      groups ??= [];
      groups.push(g);
    };
    for (const w of words) {
      if (w === 'nokeys') nokeys = true;
      else if (w === 'all') {
        // Every group, as without objects.
      } else if (matches(w, 'file')) throw new CommandError('"ip xfrm monitor file" is not supported by nlkit.', 1);
      else if (matches(w, 'all-nsid')) throw new CommandError('"all-nsid" is not supported by nlkit.', 1);
      else if (matches(w, 'acquire')) add('acquire');
      else if (matches(w, 'expire')) add('expire');
      else if (matches(w, 'SA')) add('sa');
      else if (matches(w, 'aevent')) add('aevents');
      else if (matches(w, 'policy')) add('policy');
      else if (matches(w, 'report')) add('report');
      else if (matches(w, 'help'))
        throw usage('Usage: ip xfrm monitor [ nokeys ] [ all-nsid ] [ all | OBJECTS | help ]\nOBJECTS := { acquire | expire | SA | aevent | policy | report }');
      else throw usage(`Argument "${w}" is unknown, try "ip xfrm monitor help".`);
    }
    // Without objects ip joins every group its mask can name (~0U): migrate and mapping too.
    const x = await this.xfrm();
    const signal = this.ctx.io.signal;
    if (signal?.aborted) return 0;
    const names = groups ?? ['acquire', 'expire', 'sa', 'policy', 'aevents', 'report', 'migrate', 'mapping'];
    const numbers = names.map((n) => xfrmFamily.spec.mcastGroups.find((g) => g.name === `xfrmnlgrp-${n}`)!.value!);
    const sub = x.socket.subscribe(numbers, signal ? { signal } : {});
    await this.ctx.loadLinks();
    this.ctx.io.ready?.();
    const pc = this.printContext(nokeys);
    try {
      for (;;) {
        const r = await sub.next();
        if (r.done) break;
        const m = r.value;
        if (isOverrun(m)) continue;
        const e = decodeXfrmEvent(m);
        this.ctx.print(e ? eventText(pc, e, { type: m.type, flags: m.flags, length: m.length }) : '');
        this.ctx.flush();
      }
    } catch (err) {
      if (!(err instanceof AbortError) && !(signal?.aborted && (err as Error).name === 'AbortError')) throw err;
    } finally {
      sub.close();
    }
    return 0;
  }

  async learnLinks(sels: readonly XfrmSelector[]): Promise<void> {
    if (sels.some((s) => s.ifindex > 0)) await this.ctx.loadLinks();
  }
}

async function getOrThrow<T>(get: () => Promise<T | undefined>, code = 'ENOENT'): Promise<T> {
  const v = await get();
  if (v === undefined) throw new NetlinkError(errnoNumber(code) ?? 2);
  return v;
}

/** strxf_xfrmproto(). */
function protoText(n: number): string {
  return XFRM_PROTO_NAMES[n] ?? String(n);
}

/** xfrm_algo_parse(): "0x" hex, else the text itself as the key. */
function keyBytes(key: string, _name: string): Uint8Array {
  if (key.length > 2 && key.startsWith('0x')) {
    const hex = key.slice(2);
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) invarg('ALGO-KEYMAT value makes buffer overflow\n', key);
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  return new TextEncoder().encode(key);
}

function selectorOf(s: XfrmSelector): XfrmSelectorInput {
  const out: XfrmSelectorInput = {
    family: s.family,
    proto: s.proto,
    sport: s.sport,
    sportMask: s.sportMask,
    dport: s.dport,
    dportMask: s.dportMask,
    ifindex: s.ifindex,
    user: s.user,
  };
  if (s.family !== 'unspec') {
    out.src = s.src;
    out.dst = s.dst;
  }
  return out;
}

function bytesOf(textAddr: string, f: Family): Uint8Array {
  return parsePrefix(textAddr, f === 'ipv6' ? AF_INET6 : AF_INET).bytes;
}

/** xfrm_addr_match() as the list filter uses it: the first `bitlen` bits equal. */
function prefixMatches(textAddr: string, f: Family, want: InetPrefix): boolean {
  if (f === 'unspec') return false;
  const have = bytesOf(textAddr.split('/')[0]!, f);
  const bits = want.bitlen;
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((have[byte] ?? 0) & mask) !== ((want.bytes[byte] ?? 0) & mask)) return false;
  }
  return true;
}

function selectorMatches(s: XfrmSelector, want: Sel, f: Filter): boolean {
  if (f.selSrc && want.src && !prefixMatches(s.src, s.family, want.src)) return false;
  if (f.selDst && want.dst && !prefixMatches(s.dst, s.family, want.dst)) return false;
  if (f.dev && s.ifindex !== want.ifindex) return false;
  if (f.proto && s.proto !== want.proto) return false;
  if (f.sport && s.sport !== want.sport) return false;
  if (f.dport && s.dport !== want.dport) return false;
  return true;
}

const XFRM_POLICY_USAGE = `Usage: ip xfrm policy { add | update } SELECTOR dir DIR [ ctx CTX ]
	[ mark MARK [ mask MASK ] ] [ index INDEX ] [ ptype PTYPE ]
	[ action ACTION ] [ priority PRIORITY ] [ flag FLAG-LIST ]
	[ if_id IF_ID ] [ LIMIT-LIST ] [ TMPL-LIST ]
Usage: ip xfrm policy { delete | get } { SELECTOR | index INDEX } dir DIR
	[ ctx CTX ] [ mark MARK [ mask MASK ] ] [ ptype PTYPE ]
	[ if_id IF_ID ]
Usage: ip xfrm policy { deleteall | list } [ nosock ] [ SELECTOR ] [ dir DIR ]
	[ index INDEX ] [ ptype PTYPE ] [ action ACTION ] [ priority PRIORITY ]
	[ flag FLAG-LIST ]
Usage: ip xfrm policy flush [ ptype PTYPE ]
Usage: ip xfrm policy count
Usage: ip xfrm policy set [ hthresh4 LBITS RBITS ] [ hthresh6 LBITS RBITS ]
Usage: ip xfrm policy setdefault DIR ACTION [ DIR ACTION ] [ DIR ACTION ]
Usage: ip xfrm policy getdefault
SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dev DEV ] [ UPSPEC ]
UPSPEC := proto { { tcp | udp | sctp | dccp } [ sport PORT ] [ dport PORT ] |
                  { icmp | ipv6-icmp | mobility-header } [ type NUMBER ] [ code NUMBER ] |
                  gre [ key { DOTTED-QUAD | NUMBER } ] | PROTO }
DIR := in | out | fwd
PTYPE := main | sub
ACTION := allow | block
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG := localok | icmp
LIMIT-LIST := [ LIMIT-LIST ] limit LIMIT
LIMIT := { time-soft | time-hard | time-use-soft | time-use-hard } SECONDS |
         { byte-soft | byte-hard } SIZE | { packet-soft | packet-hard } COUNT
TMPL-LIST := [ TMPL-LIST ] tmpl TMPL
TMPL := ID [ mode MODE ] [ reqid REQID ] [ level LEVEL ]
ID := [ src ADDR ] [ dst ADDR ] [ proto XFRM-PROTO ] [ spi SPI ]
XFRM-PROTO := esp | ah | comp | route2 | hao
MODE := transport | tunnel | beet | ro | in_trigger
LEVEL := required | use`;

const XFRM_STATE_USAGE = `Usage: ip xfrm state { add | update } ID [ ALGO-LIST ] [ mode MODE ]
        [ mark MARK [ mask MASK ] ] [ reqid REQID ] [ seq SEQ ]
        [ replay-window SIZE ] [ replay-seq SEQ ] [ replay-oseq SEQ ]
        [ replay-seq-hi SEQ ] [ replay-oseq-hi SEQ ]
        [ flag FLAG-LIST ] [ sel SELECTOR ] [ LIMIT-LIST ] [ encap ENCAP ]
        [ coa ADDR[/PLEN] ] [ ctx CTX ] [ extra-flag EXTRA-FLAG-LIST ]
        [ offload [dev DEV] dir DIR ]
        [ output-mark OUTPUT-MARK [ mask MASK ] ]
        [ if_id IF_ID ] [ tfcpad LENGTH ]
Usage: ip xfrm state allocspi ID [ mode MODE ] [ mark MARK [ mask MASK ] ]
        [ reqid REQID ] [ seq SEQ ] [ min SPI max SPI ]
Usage: ip xfrm state { delete | get } ID [ mark MARK [ mask MASK ] ]
Usage: ip xfrm state deleteall [ ID ] [ mode MODE ] [ reqid REQID ]
        [ flag FLAG-LIST ]
Usage: ip xfrm state list [ nokeys ] [ ID ] [ mode MODE ] [ reqid REQID ]
        [ flag FLAG-LIST ]
Usage: ip xfrm state flush [ proto XFRM-PROTO ]
Usage: ip xfrm state count
ID := [ src ADDR ] [ dst ADDR ] [ proto XFRM-PROTO ] [ spi SPI ]
XFRM-PROTO := esp | ah | comp | route2 | hao
ALGO-LIST := [ ALGO-LIST ] ALGO
ALGO := { enc | auth } ALGO-NAME ALGO-KEYMAT |
        auth-trunc ALGO-NAME ALGO-KEYMAT ALGO-TRUNC-LEN |
        aead ALGO-NAME ALGO-KEYMAT ALGO-ICV-LEN |
        comp ALGO-NAME
MODE := transport | tunnel | beet | ro | in_trigger
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG := noecn | decap-dscp | nopmtudisc | wildrecv | icmp | af-unspec | align4 | esn
EXTRA-FLAG-LIST := [ EXTRA-FLAG-LIST ] EXTRA-FLAG
EXTRA-FLAG := dont-encap-dscp | oseq-may-wrap
SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dev DEV ] [ UPSPEC ]
UPSPEC := proto { { tcp | udp | sctp | dccp } [ sport PORT ] [ dport PORT ] |
                  { icmp | ipv6-icmp | mobility-header } [ type NUMBER ] [ code NUMBER ] |
                  gre [ key { DOTTED-QUAD | NUMBER } ] | PROTO }
LIMIT-LIST := [ LIMIT-LIST ] limit LIMIT
LIMIT := { time-soft | time-hard | time-use-soft | time-use-hard } SECONDS |
         { byte-soft | byte-hard } SIZE | { packet-soft | packet-hard } COUNT
ENCAP := { espinudp | espinudp-nonike | espintcp } SPORT DPORT OADDR
DIR := in | out`;

/** Runs `nlkit xfrm ...`. */
export async function runXfrm(ctx: IpContext, argv: string[]): Promise<number> {
  const x = new Xfrm(ctx);
  try {
    if (argv.length < 1) throw usage(XFRM_USAGE);
    const w = argv[0]!;
    if (matches(w, 'state') || matches(w, 'sa')) return await x.state(argv.slice(1));
    if (matches(w, 'policy')) return await x.policy(argv.slice(1));
    if (matches(w, 'monitor')) return await x.monitor(argv.slice(1));
    throw usage(XFRM_USAGE);
  } finally {
    x.close();
  }
}
