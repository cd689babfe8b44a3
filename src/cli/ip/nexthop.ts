// `nlkit nexthop`: show/list, get, add, replace, del, flush, bucket show|get
// (ip/ipnexthop.c of iproute2 6.1: ipnh_list_flush, ipnh_modify,
// ipnh_get, print_cache_nexthop, print_nexthop_bucket). Requests are encoded
// and replies decoded by the rt-nexthop spec's codecs (specs/rt-nexthop.yaml);
// the printer reads decoded objects, except the encapsulation, which
// lwt_print_encap (encap.ts) reads from the attributes as routes have them.
import { NetlinkError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { MessageWriter } from '../../core/writer.js';
import { AF_INET, AF_UNSPEC, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import type { Family, OperationCodec } from '../../schema/family.js';
import type { Obj } from '../../schema/runtime.js';
import { Args, invarg, matches, parseAddr, readFamily } from './args.js';
import { listAttrs, messageAttrs } from './attrs.js';
import { usage, type IpContext } from './context.js';
import { kernelErrorText } from './index.js';
import { parseEncap, printEncap } from './encap.js';
import { JsonNumberText } from './json.js';
import { protoName, protoNumber, scopeName } from './names.js';
import { getU16, getUnsigned } from './numbers.js';
import type { Printer } from './printer.js';
import { formatG } from './route.js';

/** ip nexthop's usage() text (exit 255). */
export const NEXTHOP_USAGE =
  'Usage: ip nexthop { list | flush } [ protocol ID ] SELECTOR\n' +
  '       ip nexthop { add | replace } id ID NH [ protocol ID ]\n' +
  '       ip nexthop { get | del } id ID\n' +
  '       ip nexthop bucket list BUCKET_SELECTOR\n' +
  '       ip nexthop bucket get id ID index INDEX\n' +
  'SELECTOR := [ id ID ] [ dev DEV ] [ vrf NAME ] [ master DEV ]\n' +
  '            [ groups ] [ fdb ]\n' +
  'BUCKET_SELECTOR := SELECTOR | [ nhid ID ]\n' +
  'NH := { blackhole | [ via ADDRESS ] [ dev DEV ] [ onlink ]\n' +
  '        [ encap ENCAPTYPE ENCAPHDR ] |\n' +
  '        group GROUP [ fdb ] [ type TYPE [ TYPE_ARGS ] ] }\n' +
  'GROUP := [ <id[,weight]>/<id[,weight]>/... ]\n' +
  'TYPE := { mpath | resilient }\n' +
  'TYPE_ARGS := [ RESILIENT_ARGS ]\n' +
  'RESILIENT_ARGS := [ buckets BUCKETS ] [ idle_timer IDLE ]\n' +
  '                  [ unbalanced_timer UNBALANCED ]\n' +
  'ENCAPTYPE := [ mpls ]\n' +
  'ENCAPHDR := [ MPLSLABEL ]';

/** The rt-nexthop family and what the command needs of it. */
export interface NexthopCodecs {
  readonly family: Family;
  readonly nexthop: OperationCodec;
  readonly bucket: OperationCodec;
  /** Message types of nexthop and bucket notifications (RTM_NEWNEXTHOP ...), from the spec. */
  readonly types: { readonly newNexthop: number; readonly delNexthop: number; readonly newBucket: number; readonly delBucket: number };
  /** Attribute numbers the encap printer reads (NHA_ENCAP_TYPE, NHA_ENCAP). */
  readonly attr: { readonly encapType: number; readonly encap: number };
  /** Size of struct nhmsg. */
  readonly headerSize: number;
}

let codecs: NexthopCodecs | undefined;

/** Loads the rt-nexthop family (once). */
export async function nexthopCodecs(): Promise<NexthopCodecs> {
  if (codecs) return codecs;
  const family = (await import('../../families/generated/rt-nexthop.js')).family as unknown as Family;
  const ops = family.ops as Readonly<Record<string, OperationCodec>>;
  const value = (op: string): number => {
    const o = ops[op]!;
    return (o.requestValue ?? o.replyValue)!;
  };
  const attrs = family.spec.attributeSets.find((s) => s.name === 'nexthop-attrs')!.attributes;
  const attr = (name: string): number => attrs.find((a) => a.name === name)!.value;
  codecs = {
    family,
    nexthop: ops.getnexthop!,
    bucket: ops.getnexthopbucket!,
    types: { newNexthop: value('newnexthop-ntf'), delNexthop: value('delnexthop'), newBucket: value('newnexthopbucket-ntf'), delBucket: value('newnexthopbucket-ntf') + 1 },
    attr: { encapType: attr('encap-type'), encap: attr('encap') },
    headerSize: family.structs.get('nhmsg')!.size,
  };
  return codecs;
}

// print_rt_flags(): the names ip prints, in its order (the spec's flag names).
const FLAG_ORDER = ['dead', 'onlink', 'pervasive', 'offload', 'trap', 'linkdown', 'unresolved'];

function printFlags(p: Printer, flags: unknown): void {
  const have = new Set((flags as Array<string | number> | undefined) ?? []);
  p.openArray('flags');
  for (const name of FLAG_ORDER) if (have.has(name)) p.any(null, '%s ', name);
  p.close();
}

/** __jiffies_to_tv() then print_tv(): clock ticks (10 ms) as seconds, printed with %g in text and JSON. */
function printTicks(p: Printer, key: string, ticks: number | bigint | undefined): void {
  const text = formatG(Number(ticks ?? 0) / 100);
  if (p.json) p.jsonOnly(key, new JsonNumberText(text));
  else p.fp(`${key} ${text} `);
}

/** __print_nexthop_entry(): one nexthop from its decoded message. */
export function printNexthop(ctx: IpContext, p: Printer, c: NexthopCodecs, m: MessageView, o: Obj, deleted: boolean): void {
  const details = ctx.options.details;
  if (deleted) p.bool('deleted', 'Deleted ', true);
  p.any('id', 'id %u ', (o.id as number | undefined) ?? 0);
  const group = o.group as Obj[] | undefined;
  if (group) {
    p.openArray('group');
    p.fp('group ');
    group.forEach((g, i) => {
      p.open(null);
      if (i) p.fp('/');
      p.any('id', '%u', g.id as number);
      // ip 6.1 reads only the low byte of the weight.
      if (g.weight) p.any('weight', ',%u', (g.weight as number) + 1);
      p.close();
    });
    p.fp(' ');
    p.close();
  }
  const type = o['group-type'];
  if (type !== undefined && type !== 'mpath') p.any('type', 'type %s ', type === 'res' ? 'resilient' : '<unknown type>');
  const res = o['res-group'] as Obj | undefined;
  if (res) {
    p.open('resilient_args');
    p.any('buckets', 'buckets %u ', (res.buckets as number | undefined) ?? 0);
    printTicks(p, 'idle_timer', res['idle-timer'] as number | undefined);
    printTicks(p, 'unbalanced_timer', res['unbalanced-timer'] as number | undefined);
    printTicks(p, 'unbalanced_time', res['unbalanced-time'] as bigint | undefined);
    p.close();
  }
  if (o.encap !== undefined) {
    const tb = messageAttrs(m, c.headerSize);
    const encap = tb.get(c.attr.encap);
    if (encap) printEncap(p, tb.get(c.attr.encapType), encap);
  }
  if (typeof o.gateway === 'string') {
    if (p.json) p.jsonOnly('gateway', o.gateway);
    else p.fp(`via ${o.gateway} `);
  }
  if (typeof o.oif === 'number' && o.oif) p.any('dev', 'dev %s ', ctx.indexName(o.oif));
  const scope = o['nh-scope'] as number;
  if (scope !== 0 || details > 0) p.any('scope', 'scope %s ', scopeName(scope));
  if (o.blackhole === true) {
    p.null('blackhole');
    p.fp('blackhole ');
  }
  const proto = o['nh-protocol'] as number;
  if (proto !== 0 || details > 0) p.any('protocol', 'proto %s ', protoName(proto));
  printFlags(p, o['nh-flags']);
  if (o.fdb === true) {
    p.null('fdb');
    p.fp('fdb');
  }
}

/** print_nexthop_bucket(): one bucket of a resilient group. */
export function printNexthopBucket(p: Printer, o: Obj): void {
  // ip 6.1 tests for RTM_DELNEXTHOP here, which a bucket message never is: no "Deleted".
  if (o.id !== undefined) p.any('id', 'id %u ', o.id as number);
  const b = o['res-bucket'] as Obj | undefined;
  if (b) {
    p.open('bucket');
    if (b.index !== undefined) p.any('index', 'index %u ', b.index as number);
    if (b['idle-time'] !== undefined) printTicks(p, 'idle_time', b['idle-time'] as bigint);
    if (b['nh-id'] !== undefined) p.any('nhid', 'nhid %u ', b['nh-id'] as number);
    p.close();
  }
  printFlags(p, o['nh-flags']);
}

function parseId(s: string): number {
  const n = getUnsigned(s);
  if (n === undefined) invarg('invalid id value', s);
  return n;
}

interface Filter {
  ifindex: number;
  master: number;
  groups: boolean;
  fdb: boolean;
  proto: number;
  id: number;
  nhid: number;
}

const emptyFilter = (): Filter => ({ ifindex: 0, master: 0, groups: false, fdb: false, proto: 0, id: 0, nhid: 0 });

/** nh_dump_filter() / nh_dump_bucket_filter(): the dump request's attributes. */
function dumpRequest(f: Filter, family: number, bucket: boolean): Obj {
  const req: Obj = { 'nh-family': family };
  if (f.ifindex) req.oif = f.ifindex;
  if (f.groups) req.groups = true;
  if (f.master) req.master = f.master;
  if (f.fdb) req.fdb = true;
  if (bucket && f.id) req.id = f.id;
  if (bucket && f.nhid) req['res-bucket'] = { 'nh-id': f.nhid };
  return req;
}

async function deviceIndex(ctx: IpContext, name: string): Promise<number> {
  const index = await ctx.nameIndex(name);
  if (!index) invarg('Device does not exist\n', name);
  return index;
}

/** name_is_vrf() then ll_name_to_index(): the index of a VRF device, or ip's refusal. */
async function vrfIndex(ctx: IpContext, name: string): Promise<number> {
  const index = await ctx.nameIndex(name);
  let kind: unknown;
  if (index) {
    const link = (await import('../../families/generated/rt-link.js')).family as unknown as Family;
    const op = (link.ops as Readonly<Record<string, OperationCodec>>).getlink!;
    const replies = await ctx.request(encodeOp(ctx, op, 'do', { 'ifi-family': AF_UNSPEC, 'ifi-index': index, 'ext-mask': ['skip-stats'] }, NLM_F_REQUEST | NLM_F_ACK));
    kind = replies[0] ? (op.do!.decodeReply(replies[0]).linkinfo as Obj | undefined)?.kind : undefined;
  }
  if (kind !== 'vrf') invarg('Invalid VRF\n', name);
  return index;
}

function encodeOp(ctx: IpContext, op: OperationCodec, mode: 'do' | 'dump', value: Obj, flags: number): Uint8Array {
  const w = ctx.writer.reset();
  op[mode]!.encodeRequest(w, value, { flags });
  return w.finishCopy();
}

/** Runs `nlkit nexthop ...`. */
export async function runNexthop(ctx: IpContext, argv: string[]): Promise<number> {
  const c = await nexthopCodecs();
  const w = argv[0];
  if (w === undefined) return list(ctx, c, new Args([]), 'list');
  const args = new Args(argv.slice(1));
  if (matches(w, 'add')) return modify(ctx, c, args, NLM_F_CREATE | NLM_F_EXCL, false);
  if (matches(w, 'replace')) return modify(ctx, c, args, NLM_F_CREATE | NLM_F_REPLACE, false);
  if (matches(w, 'delete')) return modify(ctx, c, args, 0, true);
  if (matches(w, 'list') || matches(w, 'show') || matches(w, 'lst')) return list(ctx, c, args, 'list');
  if (matches(w, 'get')) return get(ctx, c, args);
  if (matches(w, 'flush')) return list(ctx, c, args, 'flush');
  if (matches(w, 'bucket')) return bucket(ctx, c, args);
  if (matches(w, 'help')) throw usage(NEXTHOP_USAGE);
  throw usage(`Command "${w}" is unknown, try "ip nexthop help".`);
}

/** ipnh_modify(). */
async function modify(ctx: IpContext, c: NexthopCodecs, args: Args, flags: number, del: boolean): Promise<number> {
  const value: Obj = { 'nh-family': ctx.options.family, 'nh-scope': 0, 'nh-protocol': 0, 'nh-flags': [] };
  let onlink = false;
  while (!args.done) {
    const w = args.next();
    if (w === 'id') value.id = parseId(args.next());
    else if (w === 'dev') {
      value.oif = await deviceIndex(ctx, args.next());
      if (value['nh-family'] === AF_UNSPEC) value['nh-family'] = AF_INET;
    } else if (w === 'via') {
      let v = args.next();
      let family = readFamily(v);
      if (family === AF_UNSPEC) family = value['nh-family'] as number;
      else v = args.next();
      const addr = parseAddr(v, family);
      if (value['nh-family'] === AF_UNSPEC) value['nh-family'] = addr.family;
      else if (value['nh-family'] !== addr.family) invarg('address family mismatch\n', v);
      value.gateway = addr.bytes;
    } else if (w === 'encap') {
      // lwt_parse_encap() writes the route's two attributes; the encap nest is
      // decoded by the spec's format for its type and encoded again as
      // NHA_ENCAP (the nexthop policy wants NLA_F_NESTED, which the codec sets).
      const enc = parseEncap(args);
      const scratch = new MessageWriter(256);
      scratch.beginMessage(0, 0);
      enc.write(scratch);
      scratch.endMessage();
      const bytes = scratch.finishCopy();
      const data = listAttrs(bytes, 16, bytes.length).at(-1);
      const types = c.family.spec.definitions.find((d) => d.name === 'lwtunnel-encap-types');
      const typeName = types?.kind === 'enum' ? types.entries.find((e) => e.value === enc.type)?.name : undefined;
      const format = c.family.spec.subMessages.find((sm) => sm.name === 'lwtunnel-encap-msg')?.formats.find((f) => f.value === typeName);
      value['encap-type'] = typeName ?? enc.type;
      if (data && format?.attributeSet !== undefined) value.encap = c.family.sets.get(format.attributeSet)!.decode(data.bytes);
    } else if (w === 'blackhole') {
      value.blackhole = true;
      if (value['nh-family'] === AF_UNSPEC) value['nh-family'] = AF_INET;
    } else if (w === 'fdb') value.fdb = true;
    else if (w === 'onlink') onlink = true;
    else if (w === 'group') {
      const v = args.next();
      const group = parseGroup(v);
      if (!group) invarg('"group" value is invalid\n', v);
      value.group = group;
    } else if (w === 'type') parseGroupType(args, value);
    else if (matches(w, 'protocol')) {
      const v = args.next();
      const prot = protoNumber(v);
      if (prot === undefined) invarg('"protocol" value is invalid\n', v);
      value['nh-protocol'] = prot;
    } else if (w === 'help') throw usage(NEXTHOP_USAGE);
    else invarg('', w);
  }
  if (onlink) value['nh-flags'] = ['onlink'];
  const op = (c.family.ops as Readonly<Record<string, OperationCodec>>)[del ? 'delnexthop' : 'newnexthop']!;
  await ctx.request(encodeOp(ctx, op, 'do', value, NLM_F_REQUEST | NLM_F_ACK | flags));
  return 0;
}

/** add_nh_group_attr(): ID[,WEIGHT]/...; undefined where ip's parser fails. */
function parseGroup(s: string): Obj[] | undefined {
  if (s === '') return undefined;
  const out: Obj[] = [];
  for (const part of s.split('/')) {
    const [idText, weightText] = ((): [string, string | undefined] => {
      const comma = part.indexOf(',');
      return comma < 0 ? [part, undefined] : [part.slice(0, comma), part.slice(comma + 1)];
    })();
    const id = getUnsigned(idText);
    if (id === undefined) return undefined;
    let weight = 0;
    if (weightText !== undefined) {
      const wt = getUnsigned(weightText);
      if (wt === undefined || wt === 0 || wt > 256) invarg('"weight" is invalid\n', weightText);
      weight = wt - 1;
    }
    out.push({ id, weight, 'weight-high': 0, resvd2: 0 });
  }
  return out;
}

/** parse_nh_group_type() and parse_nh_group_type_res(). */
function parseGroupType(args: Args, value: Obj): void {
  const v = args.next();
  if (v !== 'mpath' && v !== 'resilient') invarg('"type" value is invalid\n', v);
  if (v === 'resilient' && !args.done) {
    const res: Obj = {};
    for (;;) {
      const k = args.peek();
      if (k === 'buckets') {
        args.next();
        const x = args.next();
        const n = getU16(x);
        if (n === undefined) invarg('invalid buckets value', x);
        res.buckets = n;
      } else if (k === 'idle_timer' || k === 'unbalanced_timer') {
        args.next();
        const x = args.next();
        const n = getUnsigned(x);
        if (n === undefined || n >= Math.floor(0xffffffff / 100)) invarg(k === 'idle_timer' ? 'invalid idle timer value' : 'invalid unbalanced timer value', x);
        res[k === 'idle_timer' ? 'idle-timer' : 'unbalanced-timer'] = n * 100;
      } else break;
    }
    value['res-group'] = res;
  }
  value['group-type'] = v === 'resilient' ? 'res' : 'mpath';
}

/** ipnh_list_flush(). */
async function list(ctx: IpContext, c: NexthopCodecs, args: Args, action: 'list' | 'flush'): Promise<number> {
  const f = emptyFilter();
  const all = args.done;
  while (!args.done) {
    const w = args.next();
    if (matches(w, 'dev')) f.ifindex = await deviceIndex(ctx, args.next());
    else if (matches(w, 'groups')) f.groups = true;
    else if (matches(w, 'master')) f.master = await deviceIndex(ctx, args.next());
    else if (matches(w, 'vrf')) f.master = await vrfIndex(ctx, args.next());
    else if (w === 'id') {
      const id = parseId(args.next());
      if (action === 'list') return getId(ctx, c, id);
      // ipnh_list_flush_id(): the refusal is printed, and the command ends with 1 (not ip's usual 2).
      try {
        await deleteId(ctx, c, id);
      } catch (err) {
        if (!(err instanceof NetlinkError)) throw err;
        ctx.io.stderr(kernelErrorText(err));
        return 1;
      }
      return 0;
    } else if (matches(w, 'protocol')) {
      const v = args.next();
      const n = getUnsigned(v);
      if (n === undefined) invarg('invalid protocol value', v);
      f.proto = n;
    } else if (matches(w, 'fdb')) f.fdb = true;
    else if (matches(w, 'help')) throw usage(NEXTHOP_USAGE);
    else invarg('', w);
  }
  await ctx.loadLinks();
  if (action === 'flush') return flush(ctx, c, f, all);
  await ctx.dump(encodeOp(ctx, c.nexthop, 'dump', dumpRequest(f, ctx.options.family, false), NLM_F_REQUEST | NLM_F_DUMP), (m) => {
    const o = c.nexthop.dump!.decodeReply(m);
    if (f.proto && f.proto !== o['nh-protocol']) return;
    const p = ctx.printer();
    printNexthop(ctx, p, c, m, o, false);
    ctx.listItem(p);
  });
  ctx.listEnd();
  return 0;
}

async function deleteId(ctx: IpContext, c: NexthopCodecs, id: number): Promise<void> {
  const op = (c.family.ops as Readonly<Record<string, OperationCodec>>).delnexthop!;
  await ctx.request(encodeOp(ctx, op, 'do', { 'nh-family': AF_UNSPEC, id }, NLM_F_REQUEST | NLM_F_ACK));
}

/** ipnh_flush(): deletes what the dump lists (groups first when flushing all). */
async function flush(ctx: IpContext, c: NexthopCodecs, f: Filter, all: boolean): Promise<number> {
  let flushed = 0;
  if (all) {
    f.groups = true;
    f.ifindex = 0;
    f.master = 0;
  }
  for (;;) {
    const ids: number[] = [];
    await ctx.dump(encodeOp(ctx, c.nexthop, 'dump', dumpRequest(f, ctx.options.family, false), NLM_F_REQUEST | NLM_F_DUMP), (m) => {
      const o = c.nexthop.dump!.decodeReply(m);
      if (f.proto && f.proto !== o['nh-protocol']) return;
      if (o.id) ids.push(o.id as number);
    });
    for (const id of ids) {
      try {
        await deleteId(ctx, c, id);
        flushed++;
      } catch (err) {
        // ip prints the refusal (a member went with its group) and goes on.
        if (!(err instanceof NetlinkError)) throw err;
        ctx.flush();
        ctx.io.stderr(kernelErrorText(err));
      }
    }
    if (all && f.groups) {
      f.groups = false;
      continue;
    }
    break;
  }
  ctx.print(flushed ? `Flushed ${flushed} nexthops\n` : 'Nothing to flush\n');
  return 0;
}

/** ipnh_get_id(). */
async function getId(ctx: IpContext, c: NexthopCodecs, id: number): Promise<number> {
  const replies = await ctx.request(encodeOp(ctx, c.nexthop, 'do', { 'nh-family': ctx.options.family, id }, NLM_F_REQUEST | NLM_F_ACK));
  await ctx.loadLinks();
  for (const m of replies) {
    const p = ctx.printer();
    printNexthop(ctx, p, c, m, c.nexthop.do!.decodeReply(m), false);
    ctx.listItem(p);
  }
  ctx.listEnd();
  return 0;
}

/** ipnh_get(). */
async function get(ctx: IpContext, c: NexthopCodecs, args: Args): Promise<number> {
  let id = 0;
  while (!args.done) {
    const w = args.next();
    if (w === 'id') id = parseId(args.next());
    else throw usage(NEXTHOP_USAGE);
  }
  if (!id) throw usage(NEXTHOP_USAGE);
  return getId(ctx, c, id);
}

/** do_ipnh_bucket(). */
async function bucket(ctx: IpContext, c: NexthopCodecs, args: Args): Promise<number> {
  const w = args.done ? undefined : args.next();
  if (w === undefined || matches(w, 'list') || matches(w, 'show') || matches(w, 'lst')) return bucketList(ctx, c, args);
  if (matches(w, 'get')) return bucketGet(ctx, c, args);
  if (matches(w, 'help')) throw usage(NEXTHOP_USAGE);
  throw usage(`Command "${w}" is unknown, try "ip nexthop help".`);
}

async function bucketList(ctx: IpContext, c: NexthopCodecs, args: Args): Promise<number> {
  const f = emptyFilter();
  while (!args.done) {
    const w = args.next();
    if (matches(w, 'dev')) f.ifindex = await deviceIndex(ctx, args.next());
    else if (matches(w, 'master')) f.master = await deviceIndex(ctx, args.next());
    else if (matches(w, 'vrf')) f.master = await vrfIndex(ctx, args.next());
    else if (w === 'id') f.id = parseId(args.next());
    else if (w === 'nhid') f.nhid = parseId(args.next());
    else if (matches(w, 'help')) throw usage(NEXTHOP_USAGE);
    else invarg('', w);
  }
  await ctx.dump(encodeOp(ctx, c.bucket, 'dump', dumpRequest(f, ctx.options.family, true), NLM_F_REQUEST | NLM_F_DUMP), (m) => {
    const p = ctx.printer();
    printNexthopBucket(p, c.bucket.dump!.decodeReply(m));
    ctx.listItem(p);
  });
  ctx.listEnd();
  return 0;
}

async function bucketGet(ctx: IpContext, c: NexthopCodecs, args: Args): Promise<number> {
  let id = 0;
  let index: number | undefined;
  while (!args.done) {
    const w = args.next();
    if (w === 'id') id = parseId(args.next());
    else if (w === 'index') {
      const v = args.next();
      index = getU16(v);
      if (index === undefined) invarg('invalid bucket index value', v);
    } else throw usage(NEXTHOP_USAGE);
  }
  if (!id || index === undefined) throw usage(NEXTHOP_USAGE);
  const replies = await ctx.request(encodeOp(ctx, c.bucket, 'do', { 'nh-family': ctx.options.family, id, 'res-bucket': { index } }, NLM_F_REQUEST | NLM_F_ACK));
  for (const m of replies) {
    const p = ctx.printer();
    printNexthopBucket(p, c.bucket.do!.decodeReply(m));
    ctx.listItem(p);
  }
  ctx.listEnd();
  return 0;
}

/** What `nlkit monitor` needs to print nexthop and bucket events (ipmonitor.c's accept_msg). */
export interface NexthopEventPrinter {
  /** The label of a bucket event ("[NEXTHOPBUCKET]"); undefined for other types. */
  banner(m: MessageView): string | undefined;
  /** Prints a nexthop or bucket event into `p`; false for other message types. */
  print(ctx: IpContext, p: Printer, m: MessageView): Promise<boolean>;
}

/** The printer of nexthop events, with the codecs loaded. */
export async function nexthopEvents(): Promise<NexthopEventPrinter> {
  const c = await nexthopCodecs();
  const { newNexthop, delNexthop, newBucket, delBucket } = c.types;
  return {
    banner: (m) => (m.type === newBucket || m.type === delBucket ? '[NEXTHOPBUCKET]' : undefined),
    async print(ctx, p, m) {
      if (m.type === newNexthop || m.type === delNexthop) {
        const o = c.nexthop.do!.decodeReply(m);
        if (typeof o.oif === 'number') await ctx.learnIndex(o.oif);
        printNexthop(ctx, p, c, m, o, m.type === delNexthop);
        // ipnh_cache_process_nlmsg(): what later route events print as nh_info.
        let cache = caches.get(ctx);
        if (!cache && ctx.options.details > 0) caches.set(ctx, (cache = { c, byId: new Map() }));
        if (cache && typeof o.id === 'number') {
          if (m.type === delNexthop) cache.byId.delete(o.id);
          else cache.byId.set(o.id, { m, o });
        }
        return true;
      }
      if (m.type === newBucket || m.type === delBucket) {
        printNexthopBucket(p, c.bucket.do!.decodeReply(m));
        return true;
      }
      return false;
    },
  };
}

interface CachedNexthop {
  readonly m: MessageView;
  readonly o: Obj;
}

// ip's nh_cache: the nexthops `ip -d route` prints as nh_info, per command.
const caches = new WeakMap<IpContext, { c: NexthopCodecs; byId: Map<number, CachedNexthop> }>();

/** Reads every nexthop into the command's cache (before a `-d` route listing prints nh_info). */
export async function loadNexthopCache(ctx: IpContext): Promise<void> {
  const c = await nexthopCodecs();
  const byId = new Map<number, CachedNexthop>();
  await ctx.dump(encodeOp(ctx, c.nexthop, 'dump', { 'nh-family': AF_UNSPEC }, NLM_F_REQUEST | NLM_F_DUMP), (m) => {
    const o = c.nexthop.dump!.decodeReply(m);
    byId.set(o.id as number, { m, o });
  });
  caches.set(ctx, { c, byId });
}

/**
 * ipnh_cache_add(): makes sure the cache has nexthop `id` (asking the kernel
 * when it does not), before a route event through it is printed with `-d`.
 */
export async function cacheNexthop(ctx: IpContext, id: number): Promise<void> {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = { c: await nexthopCodecs(), byId: new Map() }));
  if (cache.byId.has(id)) return;
  const c = cache.c;
  try {
    for (const m of await ctx.request(encodeOp(ctx, c.nexthop, 'do', { 'nh-family': AF_UNSPEC, id }, NLM_F_REQUEST | NLM_F_ACK))) {
      cache.byId.set(id, { m, o: c.nexthop.do!.decodeReply(m) });
    }
  } catch (err) {
    // Gone already: ip prints no nh_info then.
    if (!(err instanceof NetlinkError)) throw err;
  }
}

/** print_cache_nexthop_id(): `nh_info` of a route through a nexthop object, when the cache has it. */
export function printCachedNexthop(ctx: IpContext, p: Printer, id: number): void {
  const cache = caches.get(ctx);
  const nh = cache?.byId.get(id);
  if (!cache || !nh) return;
  p.fp('\n\tnh_info ');
  p.open('nh_info');
  printNexthop(ctx, p, cache.c, nh.m, nh.o, false);
  p.close();
}
