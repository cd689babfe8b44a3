// The typed rtnetlink objects keep what their spec does not describe: an
// attribute of a type the spec has no name for comes back under `unknown`,
// with its type and bytes, instead of being dropped.
import { describe, expect, it } from 'vitest';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { loadFamilies } from '../../../src/families/route/families.js';
import { decodeAddress } from '../../../src/families/route/addresses.js';
import { decodeLink } from '../../../src/families/route/links.js';
import { decodeNeighbour } from '../../../src/families/route/neighbours.js';
import { decodeRoute } from '../../../src/families/route/routes.js';
import { decodeRule } from '../../../src/families/route/rules.js';
import type { Family } from '../../../src/schema/family.js';

/** A message of `type` with a zeroed header of `header` bytes, the given attributes, and attribute 1000 carrying 0xdeadbeef. */
function message(type: number, header: number, fill: (w: MessageWriter, at: number) => void): MessageView {
  const w = new MessageWriter();
  w.beginMessage(type, 0);
  const at = w.reserve(header);
  fill(w, at);
  w.putU32(1000, 0xefbeadde);
  w.endMessage();
  const bytes = w.finishCopy();
  return new MessageView(bytes, 0);
}

const UNKNOWN = [{ type: 1000, data: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) }];

describe('typed rtnetlink objects', () => {
  const decode = async (pick: (f: Awaited<ReturnType<typeof loadFamilies>>) => Family, m: MessageView): Promise<Record<string, unknown>> =>
    (pick(await loadFamilies()).decode(m) as { msg: Record<string, unknown> }).msg;

  it('keep an attribute their spec does not describe on a route', async () => {
    const m = message(24, 12, (w, at) => {
      w.setU8(at, 2);
      w.setU8(at + 4, 254);
      w.setU8(at + 7, 1);
    });
    const route = decodeRoute(await decode((f) => f.route, m));
    expect(route.unknown).toEqual(UNKNOWN);
  });

  it('keep it on a link, an address, a neighbour and a rule', async () => {
    const link = decodeLink(
      await decode(
        (f) => f.link,
        message(16, 16, (w) => w.putString(3, 'x0')),
      ),
    );
    const addr = decodeAddress(
      await decode(
        (f) => f.addr,
        message(20, 8, (w, at) => w.setU8(at, 2)),
      ),
    );
    const neigh = decodeNeighbour(
      await decode(
        (f) => f.neigh,
        message(28, 12, (w, at) => w.setU8(at, 2)),
      ),
    );
    const rule = decodeRule(
      await decode(
        (f) => f.rule,
        message(32, 12, (w, at) => w.setU8(at, 2)),
      ),
    );
    for (const typed of [link, addr, neigh, rule]) expect(typed.unknown).toEqual(UNKNOWN);
  });

  it('leave `unknown` out when every attribute is described', async () => {
    const m = message(16, 16, (w) => w.putString(3, 'x0'));
    const bytes = m.buffer.slice(0, m.length - 8);
    new DataView(bytes.buffer).setUint32(0, bytes.length, true);
    const link = decodeLink(await decode((f) => f.link, new MessageView(bytes, 0)));
    expect(link.name).toBe('x0');
    expect('unknown' in link).toBe(false);
  });
});
