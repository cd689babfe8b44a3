// `nlkit ioam` (ip/ipioam6.c of iproute2 6.1): IOAM namespaces and schemas of
// a network namespace through the IOAM6 generic netlink family
// (specs/ioam6.yaml). Requests are built as ioam6_do_cmd() builds them;
// replies are decoded by the spec's codecs and printed as process_msg()
// prints them.
import { NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import { family as IOAM6 } from '../../families/generated/IOAM6.js';
import * as I from '../../families/generated/IOAM6.constants.js';
import { incompleteCommand, invarg } from './args.js';
import { usage, type IpContext } from './context.js';
import { GenlHandle, emitItem, genlCmd, genlRequest } from './genl.js';
import { getU16, getU32, getU64 } from './numbers.js';
import type { Printer } from './printer.js';
import { CommandError } from '../error.js';

/** ip ioam's usage() text (exit 255). */
export const IOAM_USAGE =
  'Usage:\tip ioam { COMMAND | help }\n' +
  '\tip ioam namespace show\n' +
  '\tip ioam namespace add ID [ data DATA32 ] [ wide DATA64 ]\n' +
  '\tip ioam namespace del ID\n' +
  '\tip ioam schema show\n' +
  '\tip ioam schema add ID DATA\n' +
  '\tip ioam schema del ID\n' +
  '\tip ioam namespace set ID schema { ID | none }';

/** IOAM6_MAX_SCHEMA_DATA_LEN. */
const MAX_SCHEMA_DATA = 255 * 4;

/** What one `ip ioam` command sends. */
export interface IoamCommand {
  cmd: number;
  nsId?: number;
  nsData?: number;
  nsDataWide?: bigint;
  scId?: number;
  scNone?: boolean;
  scData?: Uint8Array;
}

/** ioam6_do_cmd()'s request (the family id resolved). */
export function ioamRequest(familyId: number, c: IoamCommand): Uint8Array {
  const dump = c.cmd === I.IOAM6_CMD_DUMP_NAMESPACES || c.cmd === I.IOAM6_CMD_DUMP_SCHEMAS;
  return genlRequest(familyId, c.cmd, IOAM6.spec.version ?? 1, NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0), (w) => {
    switch (c.cmd) {
      case I.IOAM6_CMD_ADD_NAMESPACE:
        w.putU16(I.IOAM6_ATTR_NS_ID, c.nsId!);
        if (c.nsData !== undefined) w.putU32(I.IOAM6_ATTR_NS_DATA, c.nsData);
        if (c.nsDataWide !== undefined) w.putU64(I.IOAM6_ATTR_NS_DATA_WIDE, c.nsDataWide);
        break;
      case I.IOAM6_CMD_DEL_NAMESPACE:
        w.putU16(I.IOAM6_ATTR_NS_ID, c.nsId!);
        break;
      case I.IOAM6_CMD_ADD_SCHEMA:
        w.putU32(I.IOAM6_ATTR_SC_ID, c.scId!);
        w.putBinary(I.IOAM6_ATTR_SC_DATA, c.scData!);
        break;
      case I.IOAM6_CMD_DEL_SCHEMA:
        w.putU32(I.IOAM6_ATTR_SC_ID, c.scId!);
        break;
      case I.IOAM6_CMD_NS_SET_SCHEMA:
        w.putU16(I.IOAM6_ATTR_NS_ID, c.nsId!);
        if (c.scNone) w.putFlag(I.IOAM6_ATTR_SC_NONE);
        else w.putU32(I.IOAM6_ATTR_SC_ID, c.scId!);
        break;
    }
  });
}

/** "%#0Nx": 0x and zero-padded hex digits, or N zeros for 0 (C's '#' adds no prefix to zero). */
function altHex(v: number | bigint, width: number): string {
  return v ? '0x' + v.toString(16).padStart(width - 2, '0') : '0'.repeat(width);
}

/** process_msg(): one dump message into `p` (its text ends in print_nl()). */
export function printIoam(ctx: IpContext, p: Printer, m: MessageView): void {
  const cmd = genlCmd(m);
  const nl = ctx.options.oneline ? '\\' : '\n';
  if (cmd === I.IOAM6_CMD_DUMP_NAMESPACES) {
    const o = IOAM6.ops['dump-namespaces'].decodeReply(m);
    p.any('namespace', 'namespace %u', o['ns-id'] ?? 0);
    if (o['sc-id'] !== undefined) p.any('schema', ' [schema %u]', o['sc-id']);
    const data = o['ns-data'];
    if (data !== undefined) {
      if (p.json) p.jsonOnly('data', data.toString(16));
      else p.fp(`, data ${altHex(data, 10)}`);
    }
    const wide = o['ns-data-wide'];
    if (wide !== undefined) {
      if (p.json) p.jsonOnly('wide', wide ? '0x' + wide.toString(16) : '0');
      else p.fp(`, wide ${altHex(wide, 18)}`);
    }
    p.fp(nl);
  } else if (cmd === I.IOAM6_CMD_DUMP_SCHEMAS) {
    const o = IOAM6.ops['dump-schemas'].decodeReply(m);
    p.any('schema', 'schema %u', o['sc-id'] ?? 0);
    if (o['ns-id'] !== undefined) p.any('namespace', ' [namespace %u]', o['ns-id']);
    p.null('data');
    p.fp(', data:');
    for (const b of o['sc-data'] ?? new Uint8Array()) {
      p.jsonOnly('', b);
      p.fp(' ' + b.toString(16).padStart(2, '0'));
    }
    p.fp(nl);
  }
}

/** do_ioam6()'s reading of the command line. */
export function parseIoam(words: string[]): IoamCommand {
  let i = 0;
  const next = (): string => {
    const v = words[++i];
    if (v === undefined) throw incompleteCommand();
    return v;
  };
  const u16 = (what: string): number => {
    const v = next();
    const n = getU16(v);
    if (n === undefined) invarg(what, v);
    return n;
  };
  const u32 = (what: string): number => {
    const v = next();
    const n = getU32(v);
    if (n === undefined) invarg(what, v);
    return n;
  };
  const wide = (): bigint => {
    const v = next();
    const n = getU64(v, 16);
    if (n === undefined) invarg('Invalid wide data', v);
    return n;
  };
  const w = words[0]!;
  if (w === 'namespace') {
    const sub = next();
    if (sub === 'show') return { cmd: I.IOAM6_CMD_DUMP_NAMESPACES };
    if (sub === 'add') {
      const c: IoamCommand = { cmd: I.IOAM6_CMD_ADD_NAMESPACE, nsId: u16('Invalid namespace ID') };
      let maybeWide = false;
      if (i + 1 < words.length) {
        const k = words[++i]!;
        if (k === 'data') {
          c.nsData = u32('Invalid data');
          maybeWide = true;
        } else if (k === 'wide') c.nsDataWide = wide();
        else invarg('Invalid argument', k);
      }
      if (i + 1 < words.length) {
        const k = words[++i]!;
        if (!maybeWide || k !== 'wide') invarg('Unexpected argument', k);
        c.nsDataWide = wide();
      }
      return c;
    }
    if (sub === 'del') return { cmd: I.IOAM6_CMD_DEL_NAMESPACE, nsId: u16('Invalid namespace ID') };
    if (sub === 'set') {
      const nsId = u16('Invalid namespace ID');
      const k = next();
      if (k !== 'schema') invarg('Unknown', k);
      const v = next();
      if (v === 'none') return { cmd: I.IOAM6_CMD_NS_SET_SCHEMA, nsId, scNone: true };
      const scId = getU32(v);
      if (scId === undefined) invarg('Invalid schema ID', v);
      return { cmd: I.IOAM6_CMD_NS_SET_SCHEMA, nsId, scId };
    }
    invarg('Unknown', sub);
  }
  if (w === 'schema') {
    const sub = next();
    if (sub === 'show') return { cmd: I.IOAM6_CMD_DUMP_SCHEMAS };
    if (sub === 'add') {
      const scId = u32('Invalid schema ID');
      const v = next();
      const data = Buffer.from(v);
      if (data.length > MAX_SCHEMA_DATA) invarg('Schema DATA too big', v);
      return { cmd: I.IOAM6_CMD_ADD_SCHEMA, scId, scData: data };
    }
    if (sub === 'del') return { cmd: I.IOAM6_CMD_DEL_SCHEMA, scId: u32('Invalid schema ID') };
    invarg('Unknown', sub);
  }
  invarg('Unknown', w);
}

/** Runs `nlkit ioam ...` (do_ioam6). */
export async function runIoam(ctx: IpContext, argv: string[]): Promise<number> {
  if (argv.length < 1 || argv[0] === 'help') throw usage(IOAM_USAGE);
  const c = parseIoam(argv);
  const genl = await GenlHandle.open(ctx, IOAM6.spec.name);
  try {
    const req = ioamRequest(genl.id, c);
    if (c.cmd === I.IOAM6_CMD_DUMP_NAMESPACES || c.cmd === I.IOAM6_CMD_DUMP_SCHEMAS) {
      for (const m of await genl.dump(req)) {
        if (m.type !== genl.id) throw new CommandError('Dump terminated', 1);
        const p = ctx.printer();
        printIoam(ctx, p, m);
        emitItem(ctx, p);
      }
      ctx.listEnd();
    } else await genl.talk(req, 1);
  } finally {
    genl.close();
  }
  return 0;
}
