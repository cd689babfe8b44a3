// Interface names by index in the namespace ss looks at (ll_index_to_name():
// `if%d` for an index it cannot name), read once with an RTM_GETLINK dump.
import { FamilyClient } from '../../families/client.js';
import { family as rtLink } from '../../families/generated/rt-link.js';
import type { OpenOptions } from '../../io/socket.js';

/** Interface names of a namespace. */
export interface LinkNames {
  /** Dumps the links (once). */
  load(): Promise<void>;
  /** The name of an index, when there is such a link. */
  name(index: number): string | undefined;
  /** Releases the socket. */
  close(): void;
}

/** Interface names of the namespace `open` names (the caller's by default). */
export function rtLinkNames(open: OpenOptions): LinkNames {
  const names = new Map<number, string>();
  let client: FamilyClient<typeof rtLink> | undefined;
  return {
    async load() {
      client = await FamilyClient.open(rtLink, open);
      for (const l of await client.dumpAll('getlink', {})) {
        const index = l['ifi-index'];
        if (index !== undefined && l.ifname !== undefined) names.set(index, l.ifname);
      }
      // Closed at once: ss holds no rtnetlink socket while it lists netlink sockets.
      client.close();
    },
    name: (index) => names.get(index),
    close: () => client?.close(),
  };
}
