// Types of store.mjs for the TypeScript tests.
export interface KvRequestContext {
  require(...paths: string[]): void;
  error(code: string | number, details?: string | { message?: string; attribute?: string; missing?: string }): Error;
  notify(operation: string, value: Record<string, unknown>, options?: { group?: string }): void;
}

export type KvHandlers = {
  put(req: { key: string; value: Uint8Array }, ctx: KvRequestContext): void;
  get(req: { key: string }, ctx: KvRequestContext): { key: string; value: Uint8Array };
  delete(req: { key: string }, ctx: KvRequestContext): void;
  list(): Generator<{ key: string; value: Uint8Array }>;
};

export interface KvStore {
  store: Map<string, Uint8Array>;
  handlers: KvHandlers;
}

export function createKvStore(options?: { maxValueLength?: number; store?: Map<string, Uint8Array> }): KvStore;
