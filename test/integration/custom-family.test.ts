// Custom families: the NLMSG_ERROR / NLMSG_DONE writers against captured kernel
// bytes, defineFamily, and a family defined in TypeScript (genetlink-style,
// with nests, multi-attributes and checks) served by FamilyServer on
// NETLINK_USERSOCK inside a namespace of its own. The server parts need root.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDoneMessage, parseErrorMessage } from '../../src/core/ack.js';
import { writeDoneMessage, writeErrorMessage } from '../../src/core/ackwrite.js';
import { NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_ECHO, NLM_F_REQUEST, NLMSG_NOOP, Protocol } from '../../src/core/constants.js';
import { NetlinkError } from '../../src/core/errors.js';
import { MessageView } from '../../src/core/message.js';
import { MessageWriter } from '../../src/core/writer.js';
import { FamilyClient } from '../../src/families/client.js';
import { defineFamily, FamilyServer, FamilyServerError, loadFamily, type RequestContext, type YnlSpec } from '../../src/families/custom/index.js';
import { NetlinkSocket } from '../../src/io/socket.js';
import { compileFamily } from '../../src/schema/compile.js';
import { loadSpec } from '../../src/schema/load.js';
import type { Family } from '../../src/schema/family.js';
import type { Obj } from '../../src/schema/runtime.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';
import {
  ACK_EINVAL_MESSAGE_ONLY,
  ACK_EINVAL_MISSING_NEST,
  ACK_EINVAL_MISSING_NEST_REQUEST,
  ACK_EINVAL_MISSING_TYPE,
  ACK_EINVAL_UNALIGNED_ECHO,
  ACK_EINVAL_UNALIGNED_ECHO_REQUEST,
  ACK_ENODEV_FULL_ECHO,
  ACK_ENODEV_FULL_ECHO_REQUEST,
  ACK_EOPNOTSUPP_UNKNOWN_KIND,
  ACK_EOPNOTSUPP_UNKNOWN_KIND_REQUEST,
  ACK_SUCCESS,
  DONE_WITH_ERROR,
} from '../vectors/ack.js';
import { toHex } from '../vectors/hex.js';

const u32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

/** A request of `length` bytes whose header is the one a captured ack echoes at byte 20. */
function echoedRequest(ack: Uint8Array): Uint8Array {
  const header = ack.subarray(20, 36);
  const request = new Uint8Array(Math.max(16, u32(header, 0)));
  request.set(header);
  return request;
}

describe('writeErrorMessage and writeDoneMessage', () => {
  // Each captured NLMSG_ERROR, rebuilt from its request and the kernel's answer.
  const CAPTURED = [
    { name: 'a success ack (capped)', ack: ACK_SUCCESS, request: echoedRequest(ACK_SUCCESS), errno: 0, ext: undefined, echoPayload: false },
    { name: 'ENODEV echoing the whole request', ack: ACK_ENODEV_FULL_ECHO, request: ACK_ENODEV_FULL_ECHO_REQUEST, errno: 19, ext: undefined, echoPayload: true },
    { name: 'EINVAL echoing a 17-byte request, padded', ack: ACK_EINVAL_UNALIGNED_ECHO, request: ACK_EINVAL_UNALIGNED_ECHO_REQUEST, errno: 22, ext: undefined, echoPayload: true },
    {
      name: 'EOPNOTSUPP with a message after the whole request',
      ack: ACK_EOPNOTSUPP_UNKNOWN_KIND,
      request: ACK_EOPNOTSUPP_UNKNOWN_KIND_REQUEST,
      errno: 95,
      ext: { message: 'Unknown device type' },
      echoPayload: true,
    },
    {
      name: 'EINVAL with a missing attribute type',
      ack: ACK_EINVAL_MISSING_TYPE,
      request: ACK_EINVAL_MISSING_TYPE.subarray(20, 40),
      errno: 22,
      ext: { missingType: 1 },
      echoPayload: true,
    },
    {
      name: 'EINVAL with a missing type inside a nest (capped)',
      ack: ACK_EINVAL_MISSING_NEST,
      request: ACK_EINVAL_MISSING_NEST_REQUEST,
      errno: 22,
      ext: { missingType: 1, missingNest: 32 },
      echoPayload: false,
    },
    {
      name: 'EINVAL with a message only (capped)',
      ack: ACK_EINVAL_MESSAGE_ONLY,
      request: echoedRequest(ACK_EINVAL_MESSAGE_ONLY),
      errno: 22,
      ext: { message: 'too big gso_max_segs' },
      echoPayload: false,
    },
  ];

  for (const c of CAPTURED) {
    it(`reproduces the kernel's bytes for ${c.name}`, () => {
      const w = new MessageWriter();
      writeErrorMessage(w, c.request, c.errno, c.ext, { echoPayload: c.echoPayload, portId: u32(c.ack, 12) });
      expect(toHex(w.finish())).toBe(toHex(c.ack));
    });
  }

  it("reproduces the kernel's NLMSG_DONE carrying an error and a message", () => {
    const w = new MessageWriter();
    writeDoneMessage(w, { seq: 5, portId: u32(DONE_WITH_ERROR, 12), errno: 22, extAck: { message: 'Invalid values in header for FIB dump request' } });
    expect(toHex(w.finish())).toBe(toHex(DONE_WITH_ERROR));
  });

  it('writes every ext-ack field so that parseErrorMessage reads them back', () => {
    const request = echoedRequest(ACK_SUCCESS);
    const w = new MessageWriter();
    const cookie = Uint8Array.of(1, 2, 3, 4, 5);
    writeErrorMessage(w, request, 34, { message: 'value too long', offset: 24, cookie, missingType: 2, missingNest: 20 }, { portId: 77 });
    const msg = MessageView.from(w.finish());
    expect(msg.flags).toBe(NLM_F_CAPPED | NLM_F_ACK_TLVS);
    expect(msg.portId).toBe(77);
    expect(parseErrorMessage(msg)).toEqual({
      errno: 34,
      request: { length: 40, type: 0x10, flags: 5, seq: 0x6b02236f, portId: 0 },
      extAck: { message: 'value too long', offset: 24, cookie, missingType: 2, missingNest: 20 },
    });
  });

  it('writes a plain NLMSG_DONE for a complete dump', () => {
    const w = new MessageWriter();
    writeDoneMessage(w, { seq: 9, portId: 1234 });
    expect(toHex(w.finish())).toBe(toHex(Uint8Array.of(20, 0, 0, 0, 3, 0, 2, 0, 9, 0, 0, 0, 0xd2, 0x04, 0, 0, 0, 0, 0, 0)));
    expect(parseDoneMessage(MessageView.from(w.finish()))).toEqual({ errno: 0, request: undefined, extAck: undefined });
  });

  it('rejects an errno that is not a small positive number, leaving the writer empty', () => {
    const w = new MessageWriter();
    expect(() => writeErrorMessage(w, echoedRequest(ACK_SUCCESS), -2)).toThrow(new RangeError('errno must be 0 (success) or a positive error number up to 4095, got -2'));
    expect(() => writeDoneMessage(w, { seq: 1, portId: 1, errno: 1.5 })).toThrow(RangeError);
    expect(() => writeErrorMessage(w, new Uint8Array(8), 0)).toThrow(new RangeError('request must hold at least a netlink message header'));
    expect(w.length).toBe(0);
  });
});

// A genetlink-style family defined in TypeScript: the shape of a future
// kernel module's spec, served from user space meanwhile.
const TASKS = {
  name: 'tasks',
  doc: 'A to-do list, genetlink-style.',
  'attribute-sets': [
    {
      name: 'task',
      attributes: [
        { name: 'id', type: 'u32', checks: { min: 1, max: 1000000 } },
        { name: 'title', type: 'string', checks: { 'max-len': 16 } },
        { name: 'owner', type: 'nest', 'nested-attributes': 'person' },
        { name: 'tag', type: 'string', 'multi-attr': true },
        { name: 'done', type: 'flag' },
      ],
    },
    {
      name: 'person',
      attributes: [
        { name: 'name', type: 'string' },
        { name: 'uid', type: 'u32' },
      ],
    },
  ],
  operations: {
    list: [
      { name: 'add', 'attribute-set': 'task', do: { request: { attributes: ['id', 'title', 'owner', 'tag'] } } },
      {
        name: 'get',
        'attribute-set': 'task',
        do: { request: { attributes: ['id'] }, reply: { attributes: ['id', 'title', 'owner', 'tag', 'done'] } },
        dump: { request: { attributes: ['owner'] }, reply: { attributes: ['id', 'title', 'owner', 'tag', 'done'] } },
      },
      { name: 'finish', 'attribute-set': 'task', do: { request: { attributes: ['id'] } } },
      { name: 'purge', 'attribute-set': 'task', do: { request: { attributes: [] } } },
      { name: 'added-ntf', notify: 'get', mcgrp: 'events' },
    ],
  },
  'mcast-groups': { list: [{ name: 'events' }] },
} as const satisfies YnlSpec;

/** The same family as an older client knows it: no checks, and an operation the server does not have. */
function looseTasks(): YnlSpec {
  const spec = JSON.parse(JSON.stringify(TASKS)) as { 'attribute-sets': Array<{ attributes: Array<Record<string, unknown>> }>; operations: { list: unknown[] } };
  for (const set of spec['attribute-sets']) for (const a of set.attributes) delete a.checks;
  spec.operations.list.push({ name: 'archive', 'attribute-set': 'task', do: { request: { attributes: ['id'] } } });
  return spec as unknown as YnlSpec;
}

const FAMILY_ID = 0x2345;

describe('defineFamily', () => {
  it('builds a netlink-raw family on NETLINK_USERSOCK from an object', () => {
    const f = defineFamily({
      name: 'counter',
      protocol: 'netlink-raw',
      protonum: 2,
      'attribute-sets': [{ name: 'main', attributes: [{ name: 'value', type: 'u32' }] }],
      operations: { list: [{ name: 'get', value: 16, 'attribute-set': 'main', do: { reply: { attributes: ['value'] } } }] },
    });
    expect(f.protonum).toBe(Protocol.USERSOCK);
    expect(f.isGenetlink).toBe(false);
    expect(f.ops.get.requestValue).toBe(16);
    const w = f.ops.get.encodeReply(new MessageWriter(), { value: 7 }, { seq: 3 });
    expect(f.decode(MessageView.from(w.finish()))).toEqual({ name: 'get', msg: { value: 7 } });
  });

  it('puts a genetlink-style family on NETLINK_USERSOCK with a fixed id and numbered groups', () => {
    const f = defineFamily(TASKS, { familyId: FAMILY_ID });
    expect(f.protonum).toBe(Protocol.USERSOCK);
    expect(f.isGenetlink).toBe(true);
    expect(f.spec.staticFamilyId).toBe(FAMILY_ID);
    expect(f.spec.mcastGroups).toEqual([{ name: 'events', value: 1 }]);
    expect(defineFamily(TASKS).spec.staticFamilyId).toBe(0x10);
    const w = f.ops.get.do!.encodeRequest(new MessageWriter(), { id: 1 });
    expect(MessageView.from(w.finish()).type).toBe(FAMILY_ID);
  });

  it('loads the same family from YAML text', () => {
    const f = loadFamily(
      'name: tiny\nattribute-sets:\n  - name: a\n    attributes:\n      - { name: x, type: u8 }\noperations:\n  list:\n    - { name: ping, attribute-set: a, do: { request: { attributes: [x] } } }\n',
      { familyId: 0x40 },
    );
    expect(f.spec.staticFamilyId).toBe(0x40);
    expect(f.protonum).toBe(Protocol.USERSOCK);
  });

  it('refuses what cannot run on NETLINK_USERSOCK', () => {
    const raw = (protonum: number, value: number): YnlSpec => ({
      name: 'bad',
      protocol: 'netlink-raw',
      protonum,
      'attribute-sets': [{ name: 'a', attributes: [{ name: 'x', type: 'u8' }] }],
      operations: { list: [{ name: 'op', value, 'attribute-set': 'a', do: { request: { attributes: ['x'] } } }] },
    });
    expect(() => defineFamily(raw(0, 16))).toThrow(new RangeError('bad: a custom netlink-raw family runs on NETLINK_USERSOCK, so its protonum must be 2, not 0'));
    expect(() => defineFamily(raw(2, 3))).toThrow(
      new RangeError("bad: operation 'op' has request type 3; netlink-raw message types below 16 are netlink control messages (start with value: 16)"),
    );
    expect(() => defineFamily(raw(2, 16), { familyId: 0x20 })).toThrow(/familyId only applies to genetlink-style families/);
    expect(() => defineFamily(TASKS, { familyId: 3 })).toThrow(new RangeError('familyId must be a message type 16..65535, got 3'));
    expect(() => defineFamily({ ...TASKS, 'mcast-groups': { list: [{ name: 'events', value: 33 }] } })).toThrow(/NETLINK_USERSOCK has groups 1\.\.32/);
    expect(() => defineFamily(null as unknown as YnlSpec)).toThrow(new TypeError('spec must be an object in YNL shape'));
    expect(() => defineFamily({ ...TASKS, 'attribute-sets': [] })).toThrow(/unknown attribute set 'task'/);
  });
});

describe('FamilyServerError', () => {
  it('carries the errno and the extended-ack details', () => {
    const err = new FamilyServerError('ENOENT', { message: 'no such key', attribute: 'key' });
    expect(err).toMatchObject({ errno: 2, code: 'ENOENT', message: 'ENOENT: no such key [at key]', details: { message: 'no such key', attribute: 'key' } });
    expect(new FamilyServerError(22, 'bad').message).toBe('EINVAL: bad');
    expect(() => new FamilyServerError('ENOSUCH')).toThrow(new RangeError("unknown errno name 'ENOSUCH'"));
    expect(() => new FamilyServerError(0)).toThrow(RangeError);
  });
});

async function failure(p: Promise<unknown>): Promise<NetlinkError> {
  const err = await p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NetlinkError);
  return err as NetlinkError;
}

describe.skipIf(!canUseKernel)('FamilyServer with a family defined in TypeScript', () => {
  const family = defineFamily(TASKS, { familyId: FAMILY_ID });
  const loose = defineFamily(looseTasks(), { familyId: FAMILY_ID });
  const tasks = new Map<number, Obj>();
  const errors: Array<{ error: unknown; context: RequestContext | undefined }> = [];
  const seenTypes = new Set<number>();
  let ns = '';
  let server: FamilyServer<'add' | 'get' | 'finish' | 'purge' | 'added-ntf'> | undefined;
  const open = (f: Family = family, rcvbuf?: number): Promise<FamilyClient> => FamilyClient.open(f, { port: server!.port, netns: ns, ...(rcvbuf !== undefined ? { rcvbuf } : {}) });

  beforeAll(async () => {
    ns = await createNetns('custom');
    server = await FamilyServer.open(family, {
      netns: ns,
      onError: (error, context) => errors.push({ error, context }),
      handlers: {
        add(req, ctx) {
          seenTypes.add(ctx.message.type);
          ctx.require('id', 'title', 'owner.name');
          const owner = req.owner as Obj;
          if (owner.uid === 0) throw ctx.error('EPERM', { message: 'uid 0 may not own tasks', attribute: 'owner.uid' });
          const tags = (req.tag as string[] | undefined) ?? [];
          const bad = tags.findIndex((t) => t.includes(' '));
          if (bad >= 0) throw ctx.error('EINVAL', { message: 'tags have no spaces', attribute: `tag[${bad}]` });
          if (tasks.has(req.id as number)) throw ctx.error('EEXIST', { message: 'task exists', attribute: 'id' });
          tasks.set(req.id as number, { ...req });
          ctx.notify('added-ntf', { id: req.id, title: req.title });
        },
        get: {
          do(req, ctx) {
            ctx.require('id');
            const task = tasks.get(req.id as number);
            if (!task) throw ctx.error('ENOENT', { message: 'no such task', attribute: 'id' });
            if (task.title === 'explode') throw new Error('handler bug');
            if (task.title === 'unencodable') return { ...task, id: 'not a number' };
            return task;
          },
          async *dump(req, ctx) {
            const owner = (req.owner as Obj | undefined)?.name;
            for (const task of [...tasks.values()].sort((a, b) => (a.id as number) - (b.id as number))) {
              if (owner !== undefined && (task.owner as Obj).name !== owner) continue;
              if (task.title === 'poison') throw ctx.error('EIO', { message: 'storage failed', attribute: 'owner' });
              yield task;
            }
          },
        },
        finish: (req, ctx) => {
          const task = tasks.get(req.id as number);
          if (!task) throw ctx.error('ENOENT', 'no such task');
          task.done = true;
        },
      },
    });
  });

  afterAll(async () => {
    server?.close();
    await removeNetns(ns);
  });

  it('answers do requests through the genlmsghdr with the fixed family id', async () => {
    await using client = await open();
    await client.do('add', { id: 1, title: 'write tests', owner: { name: 'ada', uid: 1000 }, tag: ['work', 'soon'] });
    expect(await client.do('get', { id: 1 })).toEqual({ id: 1, title: 'write tests', owner: { name: 'ada', uid: 1000 }, tag: ['work', 'soon'] });
    await client.do('finish', { id: 1 });
    expect(await client.do('get', { id: 1 })).toMatchObject({ id: 1, done: true });
    expect([...seenTypes]).toEqual([FAMILY_ID]);
  });

  // Each rejection a handler or the server's policy makes, as the client sees it.
  const REJECTIONS: ReadonlyArray<{ name: string; loose?: boolean; op: string; request: Obj; code: string; message?: string; path?: string; missing?: string }> = [
    { name: 'an unknown id', op: 'get', request: { id: 99 }, code: 'ENOENT', message: 'no such task', path: 'id' },
    {
      name: 'a bad attribute inside a nest',
      op: 'add',
      request: { id: 2, title: 't', owner: { name: 'root', uid: 0 } },
      code: 'EPERM',
      message: 'uid 0 may not own tasks',
      path: 'owner.uid',
    },
    {
      name: 'the second of a repeated attribute',
      op: 'add',
      request: { id: 2, title: 't', owner: { name: 'b', uid: 1 }, tag: ['ok', 'not ok'] },
      code: 'EINVAL',
      message: 'tags have no spaces',
      path: 'tag',
    },
    { name: 'a missing top-level attribute', op: 'add', request: { id: 2, owner: { name: 'b' } }, code: 'EINVAL', missing: 'title' },
    { name: 'an attribute missing inside a nest', op: 'add', request: { id: 2, title: 't', owner: { uid: 5 } }, code: 'EINVAL', missing: 'owner.name' },
    { name: 'a missing nest', op: 'add', request: { id: 2, title: 't' }, code: 'EINVAL', missing: 'owner' },
    {
      name: 'a string longer than its max-len (policy)',
      loose: true,
      op: 'add',
      request: { id: 2, title: 'a title far too long for sixteen bytes' },
      code: 'ERANGE',
      message: 'Attribute failed policy validation',
      path: 'title',
    },
    { name: 'an integer out of range (policy)', loose: true, op: 'get', request: { id: 0 }, code: 'ERANGE', message: 'integer out of range', path: 'id' },
    { name: 'a command the server does not know', loose: true, op: 'archive', request: { id: 1 }, code: 'EOPNOTSUPP', message: 'unknown command 6' },
    { name: 'an operation without a handler', op: 'purge', request: {}, code: 'EOPNOTSUPP', message: 'purge do is not implemented by this server' },
  ];

  for (const r of REJECTIONS) {
    it(`rejects ${r.name} with ${r.code} and the extended ack`, async () => {
      await using client = await open(r.loose ? loose : family);
      const err = await failure(client.do(r.op, r.request));
      expect({ code: err.code, message: err.extAck?.message, path: err.attributePath, missing: err.missingAttribute }).toEqual({
        code: r.code,
        message: r.message,
        path: r.path,
        missing: r.missing,
      });
    });
  }

  it('points at the exact repeated attribute, not just its name', async () => {
    await using client = await open();
    const err = await failure(client.do('add', { id: 2, title: 't', owner: { name: 'b', uid: 1 }, tag: ['ok', 'not ok'] }));
    // nlmsghdr 16 + genlmsghdr 4 + id 8 + title 't' 8 + owner nest (4 + name 'b' 8 + uid 8 = 20) + first tag 'ok' 8.
    expect(err.extAck?.offset).toBe(16 + 4 + 8 + 8 + 20 + 8);
  });

  it('answers EIO for a handler that throws something else, and reports it', async () => {
    tasks.set(50, { id: 50, title: 'explode', owner: { name: 'x' } });
    tasks.set(51, { id: 51, title: 'unencodable', owner: { name: 'x' } });
    await using client = await open();
    errors.length = 0;
    expect((await failure(client.do('get', { id: 50 }))).code).toBe('EIO');
    expect((await failure(client.do('get', { id: 51 }))).code).toBe('EIO');
    expect(errors.map((e) => [(e.error as Error).message, e.context?.operation, e.context?.port])).toEqual([
      ['handler bug', 'get', client.socket.portId],
      ["tasks get: the handler's reply does not encode: id: expected an integer, got 'not a number'", 'get', client.socket.portId],
    ]);
    tasks.delete(50);
    tasks.delete(51);
  });

  it('dumps from an async generator, with the request as a filter', async () => {
    for (let id = 100; id < 110; id++) tasks.set(id, { id, title: `t${id}`, owner: { name: id % 2 ? 'odd' : 'even' } });
    await using client = await open();
    const odd = await client.dumpAll('get', { owner: { name: 'odd' } });
    expect(odd.map((t) => t.id)).toEqual([101, 103, 105, 107, 109]);
    for (let id = 100; id < 110; id++) tasks.delete(id);
  });

  it('ends a dump that fails midway with NLMSG_DONE carrying the error, after the entries before it', async () => {
    for (let id = 200; id < 205; id++) tasks.set(id, { id, title: id === 203 ? 'poison' : `t${id}`, owner: { name: 'p' } });
    await using client = await open();
    const got: number[] = [];
    let caught: unknown;
    try {
      for await (const t of client.dump('get', { owner: { name: 'p' } })) got.push(t.id as number);
    } catch (err) {
      caught = err;
    }
    expect(got).toEqual([200, 201, 202]);
    expect(caught).toBeInstanceOf(NetlinkError);
    expect(caught).toMatchObject({ code: 'EIO', extAck: { message: 'storage failed' }, attributePath: 'owner' });
    for (let id = 200; id < 205; id++) tasks.delete(id);
    // The client's socket is usable afterwards.
    expect(await client.dumpAll('get', { owner: { name: 'p' } })).toEqual([]);
  });

  it('notifies subscribers of the numbered group, stamped with the request', async () => {
    await using watcher = await open();
    await using adder = await open();
    const sub = await watcher.subscribe('events');
    try {
      await adder.do('add', { id: 300, title: 'watched', owner: { name: 'w' } });
      server!.notify('added-ntf', { id: 301, title: 'direct' });
      const a = await sub.next();
      const b = await sub.next();
      expect(a.value).toMatchObject({ name: 'added-ntf', msg: { id: 300, title: 'watched' } });
      expect((a.value as { message: MessageView }).message.portId).toBe(adder.socket.portId);
      expect(b.value).toMatchObject({ name: 'added-ntf', msg: { id: 301, title: 'direct' } });
      expect((b.value as { message: MessageView }).message.group).toBe(1);
    } finally {
      sub.close();
      tasks.delete(300);
    }
    expect(() => server!.notify('purge', {})).toThrow(new TypeError("tasks: 'purge' names no multicast group (mcgrp); pass options.group"));
  });

  it('reads NLM_F_REPLACE | NLM_F_EXCL on an operation without a dump mode as a do', async () => {
    await using client = await open();
    await client.do('add', { id: 500, title: 'flags', owner: { name: 'f' } }, { flags: NLM_F_REQUEST | NLM_F_ACK | 0x300 });
    expect(tasks.get(500)).toMatchObject({ title: 'flags' });
    tasks.delete(500);
  });

  it('copies a notification to a requester that set NLM_F_ECHO, before the ack', async () => {
    await using client = await open();
    const replies = await client.request('add', { id: 400, title: 'echoed', owner: { name: 'e' } }, { flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO });
    expect(replies).toEqual([{ id: 400, title: 'echoed' }]);
    expect(await client.request('add', { id: 401, title: 'quiet', owner: { name: 'e' } })).toEqual([]);
    tasks.delete(400);
    tasks.delete(401);
  });

  it('keeps answering others while one client stops reading its dump', async () => {
    const COUNT = 20_000;
    for (let id = 1000; id < 1000 + COUNT; id++) tasks.set(id, { id, title: 'bulk', owner: { name: 'bulk' } });
    await using slow = await open(family, 64 * 1024);
    await using quick = await open();
    const deferredBefore = server!.stats.deferred;
    const dump = slow.dump('get', { owner: { name: 'bulk' } });
    const first = await dump.next();
    expect(first.value).toMatchObject({ id: 1000 });
    // The slow client now holds what it buffered and reads no more: the
    // server's sends to it block, and its replies to others must not.
    for (let i = 0; i < 50; i++) expect(await quick.do('get', { id: 1 })).toMatchObject({ id: 1 });
    let rest = 0;
    for await (const _ of dump) rest++;
    expect(rest).toBe(COUNT - 1);
    expect(server!.stats.deferred).toBeGreaterThan(deferredBefore);
    for (let id = 1000; id < 1000 + COUNT; id++) tasks.delete(id);
  });

  it('acknowledges a request that is not for any operation (a control message), as the kernel does', async () => {
    await using sock = await NetlinkSocket.open(Protocol.USERSOCK, { netns: ns });
    const w = new MessageWriter();
    w.beginMessage(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK).endMessage();
    expect(await sock.request(w.finish().slice(), { port: server!.port })).toEqual([]);
  });

  it('rejects handlers that do not fit the family, and families not on NETLINK_USERSOCK', async () => {
    await expect(FamilyServer.open(family, { netns: ns, handlers: { nope: () => undefined } as never })).rejects.toThrow(
      new TypeError("handlers.nope: tasks has no operation 'nope' with a do or dump mode (operations: add, get, finish, purge)"),
    );
    await expect(FamilyServer.open(family, { netns: ns, handlers: { get: () => undefined } })).rejects.toThrow(
      new TypeError("handlers.get: operation 'get' has both do and dump modes; give { do, dump }"),
    );
    await expect(FamilyServer.open(family, { netns: ns, handlers: { add: { dump: () => [] } } })).rejects.toThrow(
      new TypeError("handlers.add.dump: operation 'add' has no dump mode"),
    );
    const routeLike = compileFamily(
      loadSpec(
        'name: route-like\nprotocol: netlink-raw\nprotonum: 0\nattribute-sets: [{ name: a, attributes: [{ name: x, type: u8 }] }]\noperations: { list: [{ name: get, value: 18, attribute-set: a, do: { request: { attributes: [x] } } }] }\n',
      ),
    );
    await expect(FamilyServer.open(routeLike, { handlers: {} })).rejects.toThrow(
      new RangeError('route-like runs on netlink protocol 0; a user-space server needs NETLINK_USERSOCK (2): define it with defineFamily or loadFamily'),
    );
  });

  it('keeps the sending state of at most maxPeers idle clients', async () => {
    const small = await FamilyServer.open(family, { netns: ns, maxPeers: 2, handlers: { finish: () => undefined } });
    try {
      for (let i = 0; i < 5; i++) {
        await using client = await FamilyClient.open(family, { port: small.port, netns: ns });
        await client.do('finish', { id: i + 1 });
      }
      expect(small.stats).toMatchObject({ requests: 5, errors: 0, peers: 2 });
    } finally {
      small.close();
    }
    expect(small.stats.peers).toBe(0);
  });

  it('closes idempotently, forgetting its clients', async () => {
    const extra = await FamilyServer.open(family, { netns: ns, handlers: { finish: () => undefined } });
    {
      await using client = await FamilyClient.open(family, { port: extra.port, netns: ns });
      await client.do('finish', { id: 1 });
    }
    extra.close();
    extra.close();
    expect(extra.closed).toBe(true);
    expect(extra.socket.closed).toBe(true);
    expect(() => extra.notify('added-ntf', { id: 1 })).toThrow(/server is closed/);
  });
});
