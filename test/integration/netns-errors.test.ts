// Failures about namespaces name what failed (issue 8, item 8): opening a
// socket in a namespace that does not exist names the missing file, and
// netns.create() / netns.remove() fail with nlkit's system error class, like
// every other system call, worded like Node's fs errors. Needs root.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkSocket, NetlinkSocketError, Protocol, RouteClient, netns } from '../../src/index.js';
import { nativeBinding } from '../../src/io/native.js';
import { canUseKernel, createNetns, removeNetns, uniqueNetnsName } from '../helpers/kernel.js';

/** What a rejected promise (or a throwing call) failed with. */
async function failure(run: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/** The parts of a system error a caller looks at. */
function shape(err: unknown): Record<string, unknown> {
  const e = err as { name?: string; message?: string; code?: string; errno?: number; syscall?: string; path?: string };
  return { name: e.name, message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path };
}

describe.skipIf(!canUseKernel)('errors about namespaces', () => {
  let ns: string;
  const missing = uniqueNetnsName('nope');
  const missingPath = `${netns.NETNS_RUN_DIR}/${missing}`;
  const enoent = (syscall: string, path: string) => ({
    name: 'NetlinkSocketError',
    message: `ENOENT: no such file or directory, ${syscall} '${path}'`,
    code: 'ENOENT',
    errno: 2,
    syscall,
    path,
  });

  beforeAll(async () => {
    ns = await createNetns('nserr');
  });

  afterAll(async () => {
    await removeNetns(ns);
  });

  it('names the missing namespace file when the addon cannot open a socket there', () => {
    const err = (() => {
      try {
        new (nativeBinding().Socket)(Protocol.ROUTE, 0, { path: missingPath }, () => {});
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(Error);
    expect({ ...shape(err), name: 'Error' }).toEqual({ ...enoent('open', missingPath), name: 'Error' });
  });

  it('names the missing namespace file when NetlinkSocket.open gets an unknown name', async () => {
    const err = await failure(() => NetlinkSocket.open(Protocol.ROUTE, { netns: missing }));
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect(shape(err)).toEqual(enoent('open', missingPath));
  });

  it('names the missing namespace file when RouteClient.open gets an unknown name', async () => {
    const err = await failure(() => RouteClient.open({ netns: missing }));
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect(shape(err)).toEqual(enoent('open', missingPath));
  });

  it('names the /proc file of a process that does not exist', async () => {
    // Above the largest pid Linux hands out (PID_MAX_LIMIT, 2^22).
    const pid = 4_194_305;
    const err = await failure(() => NetlinkSocket.open(Protocol.ROUTE, { netns: { pid } }));
    expect(shape(err)).toEqual(enoent('open', `/proc/${pid}/ns/net`));
  });

  it('says which file exists when netns.create() is given a name in use', async () => {
    const err = await failure(() => netns.create(ns));
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect(shape(err)).toEqual({
      name: 'NetlinkSocketError',
      message: `EEXIST: file exists, open '${netns.NETNS_RUN_DIR}/${ns}'`,
      code: 'EEXIST',
      errno: 17,
      syscall: 'open',
      path: `${netns.NETNS_RUN_DIR}/${ns}`,
    });
  });

  it('says which file is missing when netns.remove() is given an unknown name', async () => {
    const err = await failure(() => netns.remove(missing));
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect(shape(err)).toEqual(enoent('unlink', missingPath));
  });

  it('still rejects an invalid name before any system call', async () => {
    const err = await failure(() => netns.create('a/b'));
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toBe("name: 'a/b' is not a valid namespace name");
  });
});
