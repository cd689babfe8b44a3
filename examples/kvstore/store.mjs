// The key-value store behind the kvstore example: handlers for FamilyServer.
// Plain JavaScript without imports, so the server script (running the
// compiled library) and the tests (running the TypeScript sources) share it.

/**
 * Creates a store and the handlers that serve it.
 * @param {{ maxValueLength?: number, store?: Map<string, Uint8Array> }} [options]
 */
export function createKvStore(options = {}) {
  const maxValueLength = options.maxValueLength ?? 1024;
  const store = options.store ?? new Map();

  /** @type {import('./store.d.mts').KvHandlers} */
  const handlers = {
    put(req, ctx) {
      ctx.require('key', 'value');
      const { key, value } = req;
      if (value.length > maxValueLength) {
        throw ctx.error('ERANGE', { message: 'value too long', attribute: 'value' });
      }
      // The request is a view into a receive buffer: keep a copy of its own.
      const copy = value.slice();
      store.set(key, copy);
      ctx.notify('change-ntf', { change: 'put', key, value: copy });
    },
    get(req, ctx) {
      ctx.require('key');
      const value = store.get(req.key);
      if (value === undefined) throw ctx.error('ENOENT', { message: 'no such key', attribute: 'key' });
      return { key: req.key, value };
    },
    delete(req, ctx) {
      ctx.require('key');
      if (!store.delete(req.key)) throw ctx.error('ENOENT', { message: 'no such key', attribute: 'key' });
      ctx.notify('change-ntf', { change: 'delete', key: req.key });
    },
    // A generator: the server pulls entries as the client's reading makes room.
    *list() {
      for (const key of [...store.keys()].sort()) {
        const value = store.get(key);
        if (value !== undefined) yield { key, value };
      }
    },
  };
  return { store, handlers };
}
