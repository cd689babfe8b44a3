// nlctrl without a kernel: policy dump messages captured from the kernel,
// and the resolver cache driven by a fake nlctrl (a family that is
// unregistered and registered again cannot be produced on the test kernel,
// where every generic family is built in).
import { describe, expect, it } from 'vitest';
import { GENL_HDRLEN, GENL_ID_CTRL } from '../../../src/core/constants.js';
import {
  CTRL_ATTR_FAMILY_ID,
  CTRL_ATTR_FAMILY_NAME,
  CTRL_ATTR_MCAST_GROUPS,
  CTRL_ATTR_MCAST_GRP_ID,
  CTRL_ATTR_MCAST_GRP_NAME,
  CTRL_ATTR_OPS,
  CTRL_ATTR_OP_FLAGS,
  CTRL_ATTR_OP_ID,
  CTRL_ATTR_VERSION,
  CTRL_CMD_DELFAMILY,
  CTRL_CMD_GETFAMILY,
  CTRL_CMD_NEWFAMILY,
  GENL_CTRL_GROUP_NOTIFY,
} from '../../../src/families/genl/constants.js';
import { NetlinkError } from '../../../src/core/errors.js';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { NLMSG_HDRLEN } from '../../../src/core/align.js';
import { FamilyClient } from '../../../src/families/client.js';
import { family as netdev } from '../../../src/families/generated/netdev.js';
import { GenericResolver, getPolicyRequest, operationFlagNames, parseFamilyMessage, parsePolicyMessage } from '../../../src/families/genl/index.js';
import type { NetlinkSocket } from '../../../src/io/socket.js';
import type { Family } from '../../../src/schema/family.js';
import { isOverrun, type Overrun } from '../../../src/io/subscription.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// CTRL_CMD_GETPOLICY dump for CTRL_ATTR_FAMILY_ID 0x10 (nlctrl itself), sent
// by a python3 AF_NETLINK socket on the test kernel (6.18); one line per message.
const NLCTRL_POLICY = [
  '340000001000020001000000b43900000a0200000600010010000000180009801400038008000100000000000800020000000000',
  '2c0000001000020001000000b43900000a0200000600010010000000100009800c0000800800020001000000',
  '480000001000020001000000b43900000a02000006000100100000002c00088028000080240001800c00040000000000000000000c000500ffff0000000000000800010003000000',
  '380000001000020001000000b43900000a02000006000100100000001c0008801800008014000280080007000f000000080001000c000000',
  '480000001000020001000000b43900000a02000006000100100000002c00088028000180240001800c00040000000000000000000c000500ffff0000000000000800010003000000',
  '380000001000020001000000b43900000a02000006000100100000001c0008801800018014000280080007000f000000080001000c000000',
  '480000001000020001000000b43900000a02000006000100100000002c0008802800018024000a800c00040000000000000000000c000500ffffffff000000000800010004000000',
].map(hex);

describe('policy dump messages', () => {
  it('builds the request the kernel answered', () => {
    // Same bytes as the captured request, but for seq and the flags nlkit leaves to the socket.
    expect(toHex(getPolicyRequest(0x10))).toBe('1c0000001000010300000000000000000a0100000600010010000000');
    expect(toHex(getPolicyRequest(0x15, 3)).slice(-16)).toBe('08000a0003000000');
  });

  it('decodes operation policies, with the command the kernel wrote', () => {
    expect(NLCTRL_POLICY.slice(0, 2).map((b) => parsePolicyMessage(new MessageView(b, 0)))).toEqual([
      { familyId: 0x10, op: { id: 3, do: 0, dump: 0 } },
      // CTRL_CMD_GETPOLICY only dumps: ctrl_dumppolicy_put_op() nests it under doit->cmd, which is 0.
      { familyId: 0x10, op: { id: 0, dump: 1 } },
    ]);
  });

  it('decodes attribute policies with bounds as bigint', () => {
    const policies = NLCTRL_POLICY.slice(2).map((b) => parsePolicyMessage(new MessageView(b, 0)).policy);
    expect(policies).toEqual([
      { index: 0, attribute: 1, policy: { type: 'u16', minValue: 0n, maxValue: 65535n } },
      { index: 0, attribute: 2, policy: { type: 'nul-string', maxLength: 15 } },
      { index: 1, attribute: 1, policy: { type: 'u16', minValue: 0n, maxValue: 65535n } },
      { index: 1, attribute: 2, policy: { type: 'nul-string', maxLength: 15 } },
      { index: 1, attribute: 10, policy: { type: 'u32', minValue: 0n, maxValue: 4294967295n } },
    ]);
  });

  it('names operation flag bits like nlctrl.yaml, unknown ones by number', () => {
    expect(operationFlagNames(0x0e)).toEqual(['cmd-cap-do', 'cmd-cap-dump', 'cmd-cap-haspol']);
    expect(operationFlagNames(0x11)).toEqual(['admin-perm', 'uns-admin-perm']);
    expect(operationFlagNames(0x40)).toEqual(['bit-6']);
  });
});

// ---- a fake nlctrl --------------------------------------------------------

interface FakeFamily {
  id: number;
  groups: Map<string, number>;
}

/** CTRL_CMD_NEWFAMILY / DELFAMILY as the kernel writes it (ctrl_fill_info()). */
function familyMessage(cmd: number, name: string, f: FakeFamily, group = 0): MessageView {
  const w = new MessageWriter(256);
  w.beginMessage(GENL_ID_CTRL, 0);
  const at = w.reserve(GENL_HDRLEN);
  w.setU8(at, cmd).setU8(at + 1, 2);
  w.putString(CTRL_ATTR_FAMILY_NAME, name);
  w.putU16(CTRL_ATTR_FAMILY_ID, f.id);
  w.putU32(CTRL_ATTR_VERSION, 1);
  const ops = w.nestStart(CTRL_ATTR_OPS);
  const op = w.nestStart(1);
  w.putU32(CTRL_ATTR_OP_ID, 1).putU32(CTRL_ATTR_OP_FLAGS, 0x0e);
  w.nestEnd(op).nestEnd(ops);
  const groups = w.nestStart(CTRL_ATTR_MCAST_GROUPS);
  let i = 1;
  for (const [g, id] of f.groups) {
    const n = w.nestStart(i++);
    w.putString(CTRL_ATTR_MCAST_GRP_NAME, g).putU32(CTRL_ATTR_MCAST_GRP_ID, id);
    w.nestEnd(n);
  }
  w.nestEnd(groups);
  const bytes = w.endMessage().finishCopy();
  return new MessageView(bytes, 0, undefined, 0, group);
}

class FakeSubscription {
  readonly groups: readonly number[];
  private items: (MessageView | Overrun)[] = [];
  private wake: (() => void) | undefined;
  closed = false;
  constructor(groups: readonly number[]) {
    this.groups = groups;
  }
  get queued(): number {
    return this.items.length;
  }
  push(item: MessageView | Overrun): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake?.();
  }
  async next(): Promise<IteratorResult<MessageView | Overrun>> {
    for (;;) {
      const item = this.items.shift();
      if (item) return { value: item, done: false };
      if (this.closed) return { value: undefined, done: true };
      await new Promise<void>((r) => (this.wake = r));
    }
  }
  close(): void {
    this.closed = true;
    this.wake?.();
  }
}

/** Plays nlctrl and one family: answers getfamily, refuses a stale family id with ENOENT, multicasts to subscriptions. */
class FakeKernel {
  readonly protocol = 16;
  readonly families = new Map<string, FakeFamily>();
  readonly log: string[] = [];
  readonly subscriptions: FakeSubscription[] = [];

  async request(bytes: Uint8Array): Promise<MessageView[]> {
    const msg = new MessageView(bytes, 0);
    if (msg.type === GENL_ID_CTRL) {
      const r = msg.attributes(GENL_HDRLEN);
      let name = '';
      while (r.next()) if (r.type === CTRL_ATTR_FAMILY_NAME) name = r.string();
      this.log.push(`getfamily ${name}`);
      const f = this.families.get(name);
      if (!f) throw new NetlinkError(2, { requestName: 'CTRL_CMD_GETFAMILY' });
      return [familyMessage(CTRL_CMD_NEWFAMILY, name, f)];
    }
    const cmd = msg.dv.getUint8(NLMSG_HDRLEN);
    this.log.push(`family ${msg.type} cmd ${cmd}`);
    if (![...this.families.values()].some((f) => f.id === msg.type)) throw new NetlinkError(2, { requestType: msg.type });
    return [];
  }

  subscribe(groups: readonly number[]): FakeSubscription {
    const sub = new FakeSubscription([...groups]);
    this.subscriptions.push(sub);
    return sub;
  }

  /** A message on a group, to every open subscription that joined it. */
  multicast(group: number, msg: MessageView): void {
    const view = new MessageView(msg.buffer, msg.offset, undefined, 0, group);
    for (const s of this.subscriptions) if (!s.closed && s.groups.includes(group)) s.push(view);
  }

  /** The family goes away and registers again with a new id and new group numbers. */
  reregister(name: string, next: FakeFamily, announce: boolean): void {
    const old = this.families.get(name)!;
    this.families.set(name, next);
    if (!announce) return;
    this.multicast(GENL_CTRL_GROUP_NOTIFY, familyMessage(CTRL_CMD_DELFAMILY, name, old));
    this.multicast(GENL_CTRL_GROUP_NOTIFY, familyMessage(CTRL_CMD_NEWFAMILY, name, next));
  }
}

const asSocket = (k: FakeKernel): NetlinkSocket => k as unknown as NetlinkSocket;
const family = netdev as unknown as Family;

function devAdd(familyId: number, ifindex: number, group: number): MessageView {
  const w = new MessageWriter(64);
  family.ops['dev-add-ntf']!.encodeReply(w, { ifindex }, { familyId });
  return new MessageView(w.finishCopy(), 0, undefined, 0, group);
}

function kernelWithNetdev(): FakeKernel {
  const k = new FakeKernel();
  k.families.set('netdev', {
    id: 0x20,
    groups: new Map([
      ['mgmt', 40],
      ['page-pool', 41],
    ]),
  });
  return k;
}

describe('GenericResolver', () => {
  it('asks nlctrl once per family and caches the answer', async () => {
    const k = kernelWithNetdev();
    const r = new GenericResolver(asSocket(k));
    const [a, b] = await Promise.all([r.resolve('netdev'), r.resolve('netdev')]);
    expect(a).toBe(b);
    expect(a.id).toBe(0x20);
    expect([...a.groups]).toEqual([
      ['mgmt', 40],
      ['page-pool', 41],
    ]);
    expect(k.log).toEqual(['getfamily netdev']);
  });

  it('does not cache a failed lookup', async () => {
    const k = new FakeKernel();
    const r = new GenericResolver(asSocket(k));
    await expect(r.resolve('netdev')).rejects.toThrow("generic netlink family 'netdev' is not registered in this kernel");
    k.families.set('netdev', { id: 0x21, groups: new Map() });
    expect((await r.resolve('netdev')).id).toBe(0x21);
  });

  it('replaces the entry of a family nlctrl announces anew and drops one that goes away', async () => {
    const k = kernelWithNetdev();
    const r = new GenericResolver(asSocket(k));
    await r.resolve('netdev');
    const next = { id: 0x30, groups: new Map([['mgmt', 50]]) };
    expect(r.onControlMessage(familyMessage(CTRL_CMD_NEWFAMILY, 'netdev', next))).toMatchObject({ event: 'new', name: 'netdev', info: { id: 0x30 } });
    expect((await r.resolve('netdev')).id).toBe(0x30);
    expect(k.log).toEqual(['getfamily netdev']);
    expect(r.onControlMessage(familyMessage(CTRL_CMD_DELFAMILY, 'netdev', next))).toMatchObject({ event: 'del', name: 'netdev' });
    k.families.set('netdev', { id: 0x31, groups: new Map() });
    expect((await r.resolve('netdev')).id).toBe(0x31);
    expect(k.log).toEqual(['getfamily netdev', 'getfamily netdev']);
  });

  it('ignores other nlctrl commands', () => {
    const r = new GenericResolver(asSocket(new FakeKernel()));
    expect(r.onControlMessage(familyMessage(CTRL_CMD_GETFAMILY, 'netdev', { id: 1, groups: new Map() }))).toBeUndefined();
  });

  it('reads the family message a fake nlctrl writes like the kernel does', () => {
    const info = parseFamilyMessage(familyMessage(CTRL_CMD_NEWFAMILY, 'netdev', { id: 0x20, groups: new Map([['mgmt', 40]]) }));
    expect(info).toEqual({ name: 'netdev', id: 0x20, version: 1, headerSize: 0, maxAttribute: 0, operations: new Map([[1, 0x0e]]), groups: new Map([['mgmt', 40]]) });
  });
});

describe('FamilyClient with a re-registered family', () => {
  it('retries a request once with the new id when the old one meets ENOENT', async () => {
    const k = kernelWithNetdev();
    const client = await FamilyClient.open(family, { socket: asSocket(k) });
    await client.do('dev-get', { ifindex: 1 });
    k.reregister('netdev', { id: 0x30, groups: new Map([['mgmt', 50]]) }, false);
    await client.do('dev-get', { ifindex: 1 });
    expect(k.log).toEqual(['getfamily netdev', 'family 32 cmd 1', 'family 32 cmd 1', 'getfamily netdev', 'family 48 cmd 1']);
  });

  it("does not retry an ENOENT that is the operation's own answer", async () => {
    const k = kernelWithNetdev();
    const client = await FamilyClient.open(family, { socket: asSocket(k) });
    const request = k.request.bind(k);
    k.request = async (bytes: Uint8Array) => {
      const replies = await request(bytes);
      if (new MessageView(bytes, 0).type === GENL_ID_CTRL) return replies;
      throw new NetlinkError(2, { requestName: 'netdev dev-get' });
    };
    await expect(client.do('dev-get', { ifindex: 1 })).rejects.toMatchObject({ code: 'ENOENT' });
    // nlctrl still gives the same id: the error was the operation's own.
    expect(k.log).toEqual(['getfamily netdev', 'family 32 cmd 1', 'getfamily netdev']);
  });

  it('follows nlctrl notify: the subscription moves to the new groups and requests use the new id', async () => {
    const k = kernelWithNetdev();
    const client = await FamilyClient.open(family, { socket: asSocket(k) });
    const sub = await client.subscribe('mgmt');
    expect(k.subscriptions.map((s) => s.groups)).toEqual([[40, GENL_CTRL_GROUP_NOTIFY]]);

    k.multicast(40, devAdd(0x20, 7, 40));
    const first = await sub.next();
    expect(first.done).toBe(false);
    expect(!isOverrun(first.value) && first.value).toMatchObject({ name: 'dev-add-ntf', msg: { ifindex: 7 } });

    // Module reload: DELFAMILY, NEWFAMILY with id 0x30 and mgmt on group 50.
    k.reregister('netdev', { id: 0x30, groups: new Map([['mgmt', 50]]) }, true);
    const waiting = sub.next();
    await new Promise((r) => setTimeout(r, 0));
    // After the DELFAMILY only nlctrl's group is kept; after NEWFAMILY the new mgmt group is joined.
    expect(k.subscriptions.filter((s) => !s.closed).map((s) => s.groups)).toEqual([[50, GENL_CTRL_GROUP_NOTIFY]]);
    k.multicast(50, devAdd(0x30, 8, 50));
    const second = await waiting;
    expect(!second.done && !isOverrun(second.value) && second.value).toMatchObject({ name: 'dev-add-ntf', msg: { ifindex: 8 } });

    // The next request goes to the new id straight away: no ENOENT, no lookup.
    await client.do('dev-get', { ifindex: 8 });
    expect(k.log).toEqual(['getfamily netdev', 'family 48 cmd 1']);
    expect((await client.genericFamily())?.id).toBe(0x30);
    sub.close();
    expect(k.subscriptions.every((s) => s.closed)).toBe(true);
  });

  it('checks the groups again after an overrun, when an announcement may have been lost', async () => {
    const k = kernelWithNetdev();
    const client = await FamilyClient.open(family, { socket: asSocket(k) });
    const sub = await client.subscribe('mgmt');
    k.reregister('netdev', { id: 0x30, groups: new Map([['mgmt', 50]]) }, false);
    k.subscriptions[0]!.push({ overrun: true, truncated: false });
    const r = await sub.next();
    expect(!r.done && isOverrun(r.value)).toBe(true);
    expect(k.subscriptions.filter((s) => !s.closed).map((s) => s.groups)).toEqual([[50, GENL_CTRL_GROUP_NOTIFY]]);
    expect(k.log).toEqual(['getfamily netdev', 'getfamily netdev']);
    sub.close();
  });
});
