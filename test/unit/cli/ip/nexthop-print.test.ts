// The nexthop printer without a kernel: the captured dump of
// test/vectors/nexthop.ts printed as `ip nexthop show` and `ip -j nexthop
// show` printed it in the capture's namespace (iproute2 6.1; the links are
// not known here, so dev names read if%d as ip prints unknown indexes), and
// the monitor's lines for a deleted nexthop and a bucket notification, which
// this kernel sends only for buckets that move under traffic.
import { describe, expect, it } from 'vitest';
import { AF_UNSPEC } from '../../../../src/core/constants.js';
import { MessageView, parseMessages } from '../../../../src/core/message.js';
import { IpContext } from '../../../../src/cli/ip/context.js';
import { nexthopCodecs, nexthopEvents, printNexthop } from '../../../../src/cli/ip/nexthop.js';
import { NEXTHOP_BUCKET_DUMP, NEXTHOP_DUMP } from '../../../vectors/nexthop.js';

function context(json: boolean, details = 0): { ctx: IpContext; out: () => string } {
  let out = '';
  const ctx = new IpContext(
    { stdout: (t) => (out += t), stderr: () => {} },
    { json, pretty: false, details, stats: 0, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false },
  );
  return {
    ctx,
    out: () => {
      ctx.flush();
      return out;
    },
  };
}

const messages = (bytes: Uint8Array): MessageView[] => parseMessages(bytes).filter((m) => m.type !== 3);

/** A copy of a message with another type and no flags (a notification). */
function asEvent(m: MessageView, type: number): MessageView {
  const bytes = m.buffer.slice(m.offset, m.offset + m.length);
  const dv = new DataView(bytes.buffer);
  dv.setUint16(4, type, true);
  dv.setUint16(6, 0, true);
  return MessageView.from(bytes);
}

async function list(json: boolean, details = 0): Promise<string> {
  const c = await nexthopCodecs();
  const { ctx, out } = context(json, details);
  for (const m of messages(NEXTHOP_DUMP)) {
    const p = ctx.printer();
    printNexthop(ctx, p, c, m, c.nexthop.dump!.decodeReply(m), false);
    ctx.listItem(p);
  }
  ctx.listEnd();
  return out();
}

describe('nexthop printing', () => {
  it('prints the dump as ip nexthop show does', async () => {
    expect(await list(false)).toBe(
      [
        'id 1 via 10.0.0.2 dev if3 scope link ',
        'id 2 via 10.0.0.3 dev if3 scope link onlink ',
        'id 3 dev if2 scope host ',
        'id 4 blackhole ',
        'id 5 via 2001:db8::2 dev if3 scope link proto static ',
        'id 6  encap ip id 5 src 0.0.0.0 dst 1.2.3.4 ttl 0 tos 0 via 10.0.0.2 dev if3 scope link ',
        'id 7  encap seg6 mode encap segs 1 [ 2001:db8::9 ] via 10.0.0.2 dev if3 scope link ',
        'id 10 group 1,3/2 ',
        'id 11 group 1/2,200 type resilient buckets 2 idle_timer 10 unbalanced_timer 20 unbalanced_time 0 ',
        'id 20 via 10.0.0.5 scope link fdb',
        'id 21 group 20 fdb',
        '',
      ].join('\n'),
    );
  });

  it('prints scope and protocol of every nexthop with -d', async () => {
    const lines = (await list(false, 1)).split('\n');
    expect(lines[3]).toBe('id 4 scope global blackhole proto unspec ');
    expect(lines[7]).toBe('id 10 group 1,3/2 scope global proto unspec ');
  });

  it('prints the dump as ip -j nexthop show does', async () => {
    const json = await list(true);
    expect(json.startsWith('[{"id":1,"gateway":"10.0.0.2","dev":"if3","scope":"link","flags":[]},')).toBe(true);
    expect(json).toContain('{"id":4,"blackhole":null,"flags":[]}');
    expect(json).toContain('{"id":10,"group":[{"id":1,"weight":3},{"id":2}],"flags":[]}');
    expect(json).toContain(
      '{"id":11,"group":[{"id":1},{"id":2,"weight":200}],"type":"resilient","resilient_args":{"buckets":2,"idle_timer":10,"unbalanced_timer":20,"unbalanced_time":0},"flags":[]}',
    );
    expect(json.endsWith('{"id":21,"group":[{"id":20}],"flags":[],"fdb":null}]\n')).toBe(true);
  });

  it('prints a deleted nexthop and a bucket notification as ip monitor does', async () => {
    const events = await nexthopEvents();
    const { ctx } = context(false);
    const blackhole = messages(NEXTHOP_DUMP)[3]!;
    const deleted = asEvent(blackhole, 105);
    let p = ctx.standalonePrinter();
    expect(events.banner(deleted)).toBeUndefined();
    expect(await events.print(ctx, p, deleted)).toBe(true);
    expect(p.rendered).toBe('Deleted id 4 blackhole ');
    const bucket = asEvent(messages(NEXTHOP_BUCKET_DUMP)[1]!, 116);
    p = ctx.standalonePrinter();
    expect(events.banner(bucket)).toBe('[NEXTHOPBUCKET]');
    expect(await events.print(ctx, p, bucket)).toBe(true);
    expect(p.rendered).toMatch(/^id 11 index 1 idle_time [0-9.]+(e[+-]\d+)? nhid 2 $/);
    // Other message types are not the nexthop printer's.
    expect(await events.print(ctx, ctx.standalonePrinter(), asEvent(blackhole, 24))).toBe(false);
  });
});
