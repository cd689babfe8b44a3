// FamilyClient over a generated family is typed end to end: operation names,
// request fields and replies come from the spec, so mistakes do not compile.
// The calls run against the fake kernel (no root, no addon).
import { afterEach, describe, expect, it } from 'vitest';
import { NLM_F_MULTI, Protocol } from '../../../src/core/constants.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { FamilyClient } from '../../../src/families/client.js';
import { family as netdev } from '../../../src/families/generated/netdev.js';
import { FakeKernel } from '../../../src/testing/index.js';

const NETDEV_ID = 0x1c;

describe('a FamilyClient of a generated family', () => {
  const clients: Array<{ close(): void; socket: { close(): void } }> = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.socket.close();
  });

  async function open(): Promise<{ client: FamilyClient<typeof netdev>; kernel: FakeKernel }> {
    const kernel = new FakeKernel({
      handler: (req) => {
        const w = new MessageWriter(256);
        const reply = netdev.ops['dev-get'].dump.encodeReply;
        for (const ifindex of [1, 7])
          reply(w, { ifindex, 'xdp-features': ['basic', 'redirect'] }, { flags: NLM_F_MULTI, seq: req.seq, portId: req.socket.portId, familyId: NETDEV_ID });
        req.reply(w.finishCopy());
        req.done();
      },
    });
    const socket = await kernel.open(Protocol.GENERIC);
    const client = await FamilyClient.open(netdev, { socket, familyId: NETDEV_ID });
    clients.push(client);
    return { client, kernel };
  }

  it('returns replies of the operation’s type', async () => {
    const { client, kernel } = await open();
    const devs = await client.dumpAll('dev-get');
    // Typed: ifindex is number | undefined, not unknown.
    const first: number | undefined = devs[0]?.ifindex;
    expect(first).toBe(1);
    expect(devs.map((d) => [d.ifindex, d['xdp-features']])).toEqual([
      [1, ['basic', 'redirect']],
      [7, ['basic', 'redirect']],
    ]);
    expect(kernel.requests[0]!.type).toBe(NETDEV_ID);
  });

  it('does not compile misspelled operations, wrong modes or unknown attributes, and refuses them at run time too', async () => {
    const { client } = await open();
    // @ts-expect-error: no operation 'dev-gett'
    await expect(client.dumpAll('dev-gett')).rejects.toThrow(
      new RangeError("netdev has no operation 'dev-gett' (dump operations: dev-get, page-pool-get, page-pool-stats-get, queue-get, napi-get, qstats-get)"),
    );
    // @ts-expect-error: bind-rx has no dump mode
    expect(() => client.dump('bind-rx')).toThrow(new RangeError("netdev: operation 'bind-rx' has no dump mode"));
    // @ts-expect-error: qstats-get has no do mode
    await expect(client.do('qstats-get')).rejects.toThrow(new RangeError("netdev: operation 'qstats-get' has no do mode"));
    // @ts-expect-error: dev-get has no attribute 'ifindx'
    await expect(client.do('dev-get', { ifindx: 1 })).rejects.toThrow(TypeError);
    // @ts-expect-error: ifindex is a number
    await expect(client.do('dev-get', { ifindex: 'one' })).rejects.toThrow(TypeError);
  });

  it('refuses an option it does not know before sending anything', async () => {
    const { client, kernel } = await open();
    // @ts-expect-error: not an option
    expect(() => client.dump('dev-get', {}, { retries: 2 })).toThrow(new TypeError('options.retries is not an option (options: signal, timeout, flags, retry, onWarning)'));
    expect(kernel.requests.length).toBe(0);
  });
});
