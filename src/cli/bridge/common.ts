// What the bridge objects share: the generated families on the command's
// socket, flag arrays back to bits, and bridge's own small printers.
import { FamilyClient } from '../../families/client.js';
import type { Family } from '../../schema/family.js';
import type { IpContext } from '../ip/context.js';
import type { Printer } from '../ip/printer.js';
import { IFF_UP } from '../../families/route/constants.js';

const clients = new WeakMap<IpContext, Map<string, FamilyClient>>();

/** A client of a generated family over the command's NETLINK_ROUTE socket. */
export async function familyClient(ctx: IpContext, family: Family): Promise<FamilyClient> {
  let map = clients.get(ctx);
  if (!map) clients.set(ctx, (map = new Map()));
  let c = map.get(family.name);
  if (!c) map.set(family.name, (c = await FamilyClient.open(family, { socket: await ctx.socket() })));
  return c;
}

/** The bits of a decoded flags value (names of the spec's flags, numbers for bits it does not name). */
export function flagBits(value: readonly (string | number)[] | undefined, names: { readonly [bit: number]: string | undefined }): number {
  let bits = 0;
  for (const v of value ?? []) {
    if (typeof v === 'number') bits |= v;
    else
      for (const [bit, name] of Object.entries(names))
        if (name === v) {
          bits |= Number(bit);
          break;
        }
  }
  return bits >>> 0;
}

/**
 * print_name_and_link(): the name, as NAME@LINK in text when the link has a
 * lower device (JSON puts `link` first), and whether that lower device is
 * down (M-DOWN).
 */
export function printNameAndLink(ctx: IpContext, p: Printer, fmt: string, name: string, link: number | undefined): boolean {
  let mdown = false;
  let shown = name;
  if (link !== undefined) {
    if (link) {
      const lower = ctx.indexName(link);
      if (ctx.options.json) p.jsonOnly('link', lower);
      else shown = `${name}@${lower}`;
      mdown = !(ctx.indexFlags(link) & IFF_UP);
    } else if (ctx.options.json) p.null('link');
    else shown = `${name}@NONE`;
  }
  p.any('ifname', fmt, shown);
  return mdown;
}
