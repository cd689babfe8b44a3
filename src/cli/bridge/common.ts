// What the bridge objects share: the generated families on the command's
// socket, and flag arrays back to bits.
import { FamilyClient } from '../../families/client.js';
import type { Family } from '../../schema/family.js';
import type { IpContext } from '../ip/context.js';

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
