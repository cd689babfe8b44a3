// `nlkit addrlabel list|add|del|flush`: the IPv6 address label table
// (ip/ipaddrlabel.c), through the generated rt-addr family (the addrlabel
// messages come from overlays/rt-addr.yaml). ip returns -1 (exit 1) for its
// own complaints about missing or extra words, and exits with 255 on bad values.
import { AF_INET6, AF_UNSPEC, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST } from '../../core/constants.js';
import { family as rtAddr } from '../../families/generated/rt-addr.js';
import type { Family } from '../../schema/family.js';
import type { FamilyClient } from '../../families/client.js';
import { CommandError } from '../error.js';
import { familyClient } from '../bridge/common.js';
import { incompleteCommand, invarg, matches, parsePrefix } from './args.js';
import { usage, type IpContext } from './context.js';
import { getUnsigned } from './numbers.js';

/** ip addrlabel help (ipaddrlabel.c usage()). */
export const ADDRLABEL_USAGE = `Usage: ip addrlabel { add | del } prefix PREFIX [ dev DEV ] [ label LABEL ]
       ip addrlabel [ list | flush | help ]`;

/** A label as the generated family decodes it. */
interface Addrlabel {
  'ifal-family': number | undefined;
  'ifal-prefixlen': number | undefined;
  'ifal-flags': number | undefined;
  'ifal-index': number | undefined;
  'ifal-seq': number | undefined;
  address: string | Uint8Array | undefined;
  label: number | undefined;
}

const client = (ctx: IpContext): Promise<FamilyClient> => familyClient(ctx, rtAddr as unknown as Family);

// The address as format_host_rta() prints it: the decoder's text (IPv6), or the bytes as dotted numbers / hex when not 16 bytes long.
function addressText(a: string | Uint8Array): string {
  if (typeof a === 'string') return a;
  if (a.length === 4) return a.join('.');
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** ipaddrlabel_list(). */
async function list(ctx: IpContext, argv: string[]): Promise<number> {
  if (argv.length > 0) throw new CommandError('"ip addrlabel show" does not take any arguments.', 1);
  const family = ctx.options.family === AF_UNSPEC ? AF_INET6 : ctx.options.family;
  await ctx.loadLinks();
  const c = await client(ctx);
  for await (const batch of c.dump('getaddrlabel', { 'ifal-family': family } as never).batches()) {
    for (const m of batch as unknown as Addrlabel[]) {
      // print_addrlabel().
      const p = ctx.printer();
      if (m.address !== undefined) {
        p.fp('prefix ').any('address', '%s', addressText(m.address));
        p.any('prefixlen', '/%u ', m['ifal-prefixlen'] ?? 0);
      }
      const index = m['ifal-index'] ?? 0;
      if (index) p.fp('dev ').any('ifname', '%s ', ctx.indexName(index));
      if (m.label !== undefined) p.any('label', 'label %u ', m.label);
      ctx.listItem(p);
    }
  }
  ctx.listEnd();
  return 0;
}

/** ipaddrlabel_modify(): `add` / `del` prefix PREFIX [dev DEV] [label LABEL]; other words are passed over, as ip does. */
async function modify(ctx: IpContext, op: 'newaddrlabel' | 'deladdrlabel', argv: string[]): Promise<number> {
  const preferred = ctx.options.family;
  let prefix: ReturnType<typeof parsePrefix> | undefined;
  let index = 0;
  let label: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    if (w === 'prefix') prefix = parsePrefix(next(), preferred);
    else if (w === 'dev') {
      const v = next();
      index = await ctx.nameIndex(v);
      if (!index) invarg('dev is invalid\n', v);
    } else if (w === 'label') {
      const v = next();
      const n = getUnsigned(v);
      if (n === undefined || n === 0xffffffff) invarg('label is invalid\n', v);
      label = n;
    }
  }
  if (!prefix) throw new CommandError('Not enough information: "prefix" argument is required.', 1);
  if (label === undefined) throw new CommandError('Not enough information: "label" argument is required.', 1);
  const c = await client(ctx);
  const flags = NLM_F_REQUEST | NLM_F_ACK | (op === 'newaddrlabel' ? NLM_F_CREATE | NLM_F_EXCL : 0);
  await c.request(
    op,
    {
      'ifal-family': preferred === AF_UNSPEC ? AF_INET6 : preferred,
      'ifal-prefixlen': prefix.bitlen < 0 ? 0 : prefix.bitlen,
      'ifal-index': index,
      label,
      address: prefix.bytes,
    } as never,
    { flags },
  );
  return 0;
}

/** ipaddrlabel_flush(): every label of the dump sent back as a delete. */
async function flush(ctx: IpContext, argv: string[]): Promise<number> {
  if (argv.length > 0) throw new CommandError('"ip addrlabel flush" does not allow extra arguments', 1);
  const family = ctx.options.family === AF_UNSPEC ? AF_INET6 : ctx.options.family;
  const c = await client(ctx);
  const labels = (await c.dumpAll('getaddrlabel', { 'ifal-family': family } as never)) as unknown as Addrlabel[];
  for (const m of labels) {
    if (m.address === undefined) continue;
    const { address, label, ...header } = m;
    await c.request('deladdrlabel', { ...header, address, ...(label !== undefined ? { label } : {}) } as never);
  }
  return 0;
}

/** Runs `nlkit addrlabel ...` (do_ipaddrlabel). */
export async function runAddrlabel(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return list(ctx, []);
  if (matches(cmd, 'list') || matches(cmd, 'lst') || matches(cmd, 'show')) return list(ctx, rest);
  if (matches(cmd, 'add')) return modify(ctx, 'newaddrlabel', rest);
  if (matches(cmd, 'delete')) return modify(ctx, 'deladdrlabel', rest);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  if (matches(cmd, 'help')) throw usage(ADDRLABEL_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip addrlabel help".`);
}
