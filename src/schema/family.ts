// A family ready to use: its spec, and codecs for every operation, attribute
// set and struct, built from generated (or run-time compiled) code. Also the
// mapping of extended-ack offsets and missing-attribute types back to
// attribute names.
import { NLMSG_HDRLEN, nlaAlign, nlmsgAlign } from '../core/align.js';
import { GENL_HDRLEN, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../core/constants.js';
import { NetlinkDecodeError, type ExtAck } from '../core/errors.js';
import { MessageView } from '../core/message.js';
import { dataViewOf, HOST_LITTLE_ENDIAN } from '../core/bytes.js';
import type { MessageWriter } from '../core/writer.js';
import { indexSpec, type AttributeSpec, type FamilySpec, type Operation, type OperationMode, type SpecIndex, type StructDefinition, type SubMessageFormat } from './model.js';
import type { BodyDecoder, BodyEncoder, FamilyCodecs, Obj, SetDecoder, SetEncoder, StructDecoder, StructEncoder } from './runtime.js';

const LE = HOST_LITTLE_ENDIAN;

/** Header fields of an encoded message. */
export interface EncodeOptions {
  /** nlmsg_flags; the default depends on the call (requests: NLM_F_REQUEST plus NLM_F_ACK or NLM_F_DUMP). */
  flags?: number;
  /** nlmsg_seq (default 0; the socket layer usually sets it). */
  seq?: number;
  /** nlmsg_pid (default 0). */
  portId?: number;
  /** nlmsg_type of a generic netlink family, as resolved through nlctrl. Required for genetlink families without a fixed id. */
  familyId?: number;
}

/** A decoded message: the operation's name and its fields (fixed header fields and attributes in one object, as the kernel's ynl tool prints them). */
export interface DecodedMessage<T = Obj, N extends string = string> {
  /** Name of the operation or notification the message belongs to. */
  name: N;
  /** The message's fields. */
  msg: T;
}

/** Encoding and decoding of one mode (do or dump) of an operation. */
export interface OperationModeCodec<In = Obj, Out = Obj> {
  /** Attributes the spec lists for the request. */
  readonly requestAttributes: readonly string[];
  /** Attributes the spec lists for the reply; undefined when the kernel sends no reply message. */
  readonly replyAttributes: readonly string[] | undefined;
  /** Writes a request (default flags: NLM_F_REQUEST | NLM_F_ACK for do, NLM_F_REQUEST | NLM_F_DUMP for dump). */
  encodeRequest(w: MessageWriter, value: In, options?: EncodeOptions): MessageWriter;
  /** Decodes a reply. */
  decodeReply(msg: MessageView): Out;
  /** Writes a reply (for servers and tests; default flags 0). */
  encodeReply(w: MessageWriter, value: In, options?: EncodeOptions): MessageWriter;
  /** Decodes a request (for servers and tests). */
  decodeRequest(msg: MessageView): Out;
}

/** Codec of one operation (or notification) of a family. */
export interface OperationCodec<In = Obj, Out = Obj> {
  /** The operation's name in the spec. */
  readonly name: string;
  /** The operation as the spec defines it. */
  readonly spec: Operation;
  /** Message id of requests (nlmsg_type for netlink-raw, genl cmd for genetlink). */
  readonly requestValue: number | undefined;
  /** Message id of replies and notifications. */
  readonly replyValue: number | undefined;
  /** Name of the attribute set the operation's messages carry. */
  readonly attributeSet: string;
  /** Name of the struct before the attributes, if the messages have one. */
  readonly fixedHeader: string | undefined;
  /** Codec of the do mode (one request, one reply or ack); undefined when the operation has none. */
  readonly do: OperationModeCodec<In, Out> | undefined;
  /** Codec of the dump mode (NLM_F_DUMP); undefined when the operation has none. */
  readonly dump: OperationModeCodec<In, Out> | undefined;
  /** Writes a request message (default flags NLM_F_REQUEST | NLM_F_ACK). */
  encodeRequest(w: MessageWriter, value: In, options?: EncodeOptions): MessageWriter;
  /** Writes a reply or notification message (default flags 0). */
  encodeReply(w: MessageWriter, value: In, options?: EncodeOptions): MessageWriter;
  /** Decodes a request message. */
  decodeRequest(msg: MessageView): Out;
  /** Decodes a reply or notification message. */
  decodeReply(msg: MessageView): Out;
}

/** Codec of one attribute set, for attributes outside a whole message. */
export interface AttributeSetCodec {
  /** The attribute set's name in the spec. */
  readonly name: string;
  /** Decodes the attributes in bytes[start, end). */
  decode(bytes: Uint8Array, start?: number, end?: number): Obj;
  /** Writes the attributes of `value` into the writer's open message (or nest); `path` prefixes error messages. */
  encode(w: MessageWriter, value: Obj, path?: string): void;
}

/** Codec of one struct definition. */
export interface StructCodec {
  /** The struct's name in the spec. */
  readonly name: string;
  /** Its size in bytes on the wire. */
  readonly size: number;
  /** Decodes a struct; members past the end are undefined, bytes past the struct are kept as `__rest`. */
  decode(bytes: Uint8Array): Obj;
  /** Encodes a struct (missing members are 0). */
  encode(value: Obj, path?: string): Uint8Array;
}

/** Where an extended ack points, in attribute names. */
export interface ExtAckNames {
  /** Path of the attribute at the ext-ack offset, e.g. 'linkinfo.data(vxlan).id'. */
  attributePath?: string;
  /** Path of the missing attribute, e.g. 'linkinfo.kind'. */
  missingAttribute?: string;
}

/** The operations of any family. */
export type AnyOperations = { readonly [name: string]: OperationCodec };

/**
 * A netlink family with its codecs.
 *
 * ```ts
 * const rt = compileFamily(loadSpec('rt-link.yaml'));
 * rt.ops.getlink.dump!.encodeRequest(w, { 'ifi-family': 0 }, { seq: 1 });
 * const { name, msg } = rt.decode(view); // name 'getlink', msg { ifname: 'lo', ... }
 * ```
 */
export interface Family<TOps extends object = AnyOperations, TMsg = DecodedMessage> {
  /** The family's name (e.g. 'rt-link', 'nl80211'). */
  readonly name: string;
  /** The spec's protocol: which header layout messages have. */
  readonly protocol: FamilySpec['protocol'];
  /** Netlink protocol number to open a socket with. */
  readonly protonum: number;
  /** genlmsghdr.version written into requests (genetlink only). */
  readonly version: number;
  /** True for genetlink families (messages carry a genlmsghdr). */
  readonly isGenetlink: boolean;
  /** The model the codecs were built from. */
  readonly spec: FamilySpec;
  /** Operations and notifications, by name. */
  readonly ops: TOps;
  /** Attribute set codecs, by set name. */
  readonly sets: ReadonlyMap<string, AttributeSetCodec>;
  /** Struct codecs, by struct name. */
  readonly structs: ReadonlyMap<string, StructCodec>;
  /** Message id of a message: nlmsg_type, or the genl cmd for genetlink. */
  messageId(msg: MessageView): number;
  /** Decodes a message sent by the kernel (reply or notification), picking the operation by its id. */
  decode(msg: MessageView): TMsg;
  /** Decodes a message sent to the kernel, picking the operation by its request id. */
  decodeRequest(msg: MessageView): TMsg;
  /** Attribute path at `offset` (from the start of the request's nlmsghdr), or undefined. */
  attributePath(request: Uint8Array | MessageView, offset: number): string | undefined;
  /** Path of a missing attribute type, inside the nest at `nestOffset` if given. */
  missingAttribute(request: Uint8Array | MessageView, type: number, nestOffset?: number): string | undefined;
  /** Both of the above, for an extended ack. */
  describeExtAck(request: Uint8Array | MessageView, extAck: ExtAck | undefined): ExtAckNames;
}

interface Body {
  decode: BodyDecoder;
  encode: BodyEncoder;
}

/** Result of walking a request to an offset. */
interface Located {
  path: string;
  /** Attribute set of the nest found there, if it is one. */
  set?: string;
  /** Prefix of the nest's attributes when it differs from `path` (sub-messages: 'data(vlan)'). */
  inner?: string;
}

interface LazyScope {
  get(): Obj | undefined;
  readonly up: LazyScope | undefined;
}

class FamilyImpl {
  readonly name: string;
  readonly protocol: FamilySpec['protocol'];
  readonly protonum: number;
  readonly version: number;
  readonly isGenetlink: boolean;
  readonly ops: Record<string, OperationCodec>;
  readonly sets = new Map<string, AttributeSetCodec>();
  readonly structs = new Map<string, StructCodec>();
  private readonly idx: SpecIndex;
  private readonly setDecoders = new Map<string, SetDecoder>();
  private readonly bodies = new Map<string, Body>();
  private readonly headerLength: number;

  constructor(
    readonly spec: FamilySpec,
    codecs: FamilyCodecs,
  ) {
    this.name = spec.name;
    this.protocol = spec.protocol;
    this.protonum = spec.protonum;
    this.version = spec.version;
    this.isGenetlink = spec.protocol !== 'netlink-raw';
    this.headerLength = NLMSG_HDRLEN + (this.isGenetlink ? GENL_HDRLEN : 0);
    this.idx = indexSpec(spec);
    for (const [name, decode, encode] of codecs.sets) {
      this.setDecoders.set(name, decode);
      this.sets.set(name, makeSetCodec(name, decode, encode));
    }
    for (const [name, decode, encode] of codecs.structs) {
      this.structs.set(name, makeStructCodec(name, this.idx.structs.get(name)!.size, decode, encode));
    }
    for (const [set, header, decode, encode] of codecs.bodies) this.bodies.set(`${set}\u0000${header}`, { decode, encode });
    const ops: Record<string, OperationCodec> = Object.create(null) as Record<string, OperationCodec>;
    for (const op of spec.operations) {
      if (op.attributeSet === undefined) continue;
      ops[op.name] = this.operation(op);
    }
    this.ops = ops;
  }

  private body(op: Operation): Body {
    const body = this.bodies.get(`${op.attributeSet!}\u0000${op.fixedHeader ?? ''}`);
    if (!body) throw new Error(`${this.name}: no codec for operation '${op.name}'`);
    return body;
  }

  private encodeMessage(op: Operation, body: Body, id: number | undefined, w: MessageWriter, value: Obj, flags: number, options: EncodeOptions | undefined): MessageWriter {
    if (id === undefined) throw new TypeError(`${this.name}: operation '${op.name}' has no message id in this direction`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${op.name}: expected an object of values`);
    let type = id;
    if (this.isGenetlink) {
      const familyId = options?.familyId ?? this.spec.staticFamilyId;
      if (familyId === undefined) throw new TypeError(`${this.name}: a generic netlink family id is needed (options.familyId)`);
      type = familyId;
    }
    const wasEmpty = w.length === 0;
    w.beginMessage(type, options?.flags ?? flags, options?.seq ?? 0, options?.portId ?? 0);
    try {
      if (this.isGenetlink) {
        const at = w.reserve(GENL_HDRLEN);
        w.setU8(at, id).setU8(at + 1, this.version);
      }
      body.encode(w, value);
    } catch (err) {
      // A writer that held only this message is left empty and usable; in a
      // batch the half-written message stays open (call w.reset()).
      if (wasEmpty) w.reset();
      throw err;
    }
    w.endMessage();
    return w;
  }

  private decodeMessage(op: Operation, body: Body, msg: MessageView): Obj {
    const start = msg.offset + this.headerLength;
    const end = msg.offset + msg.length;
    if (start > end) throw new NetlinkDecodeError(`message of ${msg.length} bytes is shorter than its headers`, msg.offset, `${this.name}.${op.name}`);
    return body.decode(msg.buffer, msg.dv, start, end);
  }

  private operation(op: Operation): OperationCodec {
    const body = this.body(op);
    const enc =
      (id: number | undefined, flags: number) =>
      (w: MessageWriter, value: Obj, options?: EncodeOptions): MessageWriter =>
        this.encodeMessage(op, body, id, w, value, flags, options);
    const dec = (msg: MessageView): Obj => this.decodeMessage(op, body, msg);
    const mode = (m: OperationMode | undefined, requestFlags: number): OperationModeCodec | undefined =>
      m && {
        requestAttributes: m.request?.attributes ?? [],
        replyAttributes: m.reply?.attributes,
        encodeRequest: enc(op.requestValue, requestFlags),
        decodeReply: dec,
        encodeReply: enc(op.replyValue, 0),
        decodeRequest: dec,
      };
    return {
      name: op.name,
      spec: op,
      requestValue: op.requestValue,
      replyValue: op.replyValue,
      attributeSet: op.attributeSet!,
      fixedHeader: op.fixedHeader,
      do: mode(op.do, NLM_F_REQUEST | NLM_F_ACK),
      dump: mode(op.dump, NLM_F_REQUEST | NLM_F_DUMP),
      encodeRequest: enc(op.requestValue, NLM_F_REQUEST | NLM_F_ACK),
      encodeReply: enc(op.replyValue, 0),
      decodeRequest: dec,
      decodeReply: dec,
    };
  }

  messageId(msg: MessageView): number {
    if (!this.isGenetlink) return msg.type;
    if (msg.length < NLMSG_HDRLEN + GENL_HDRLEN) throw new NetlinkDecodeError(`message of ${msg.length} bytes has no genetlink header`, msg.offset, this.name);
    return msg.dv.getUint8(msg.offset + NLMSG_HDRLEN);
  }

  private decodeBy(msg: MessageView, table: ReadonlyMap<number, Operation>, what: string): DecodedMessage {
    const id = this.messageId(msg);
    const op = table.get(id);
    if (!op || op.attributeSet === undefined) throw new NetlinkDecodeError(`${this.name} has no ${what} with id ${id}`, msg.offset, this.name);
    return { name: op.name, msg: this.decodeMessage(op, this.body(op), msg) };
  }

  decode(msg: MessageView): DecodedMessage {
    return this.decodeBy(msg, this.idx.repliesByValue, 'reply or notification');
  }

  decodeRequest(msg: MessageView): DecodedMessage {
    return this.decodeBy(msg, this.idx.requestsByValue, 'request');
  }

  // ---- extended ack ---------------------------------------------------------

  private requestLayout(
    request: Uint8Array | MessageView,
  ): { view: MessageView; op: Operation; attrStart: number; header: StructDefinition | undefined; headerStart: number } | undefined {
    let view: MessageView;
    try {
      view = request instanceof MessageView ? request : new MessageView(request, 0, dataViewOf(request));
    } catch {
      return undefined;
    }
    if (view.length < this.headerLength || view.offset + view.length > view.buffer.length) return undefined;
    const op = this.idx.requestsByValue.get(this.messageId(view));
    if (!op || op.attributeSet === undefined) return undefined;
    const header = op.fixedHeader !== undefined ? this.idx.structs.get(op.fixedHeader) : undefined;
    const headerStart = view.offset + this.headerLength;
    return { view, op, header, headerStart, attrStart: headerStart + (header ? nlmsgAlign(header.size) : 0) };
  }

  attributePath(request: Uint8Array | MessageView, offset: number): string | undefined {
    const layout = this.requestLayout(request);
    if (!layout) return undefined;
    const { view, op, header, headerStart, attrStart } = layout;
    const target = view.offset + offset;
    if (header && target >= headerStart && target < headerStart + header.size) return memberAt(header, target - headerStart, '', this.idx);
    return this.locate(view.buffer, view.dv, attrStart, view.offset + view.length, op.attributeSet!, target, undefined, '')?.path;
  }

  missingAttribute(request: Uint8Array | MessageView, type: number, nestOffset?: number): string | undefined {
    const layout = this.requestLayout(request);
    if (!layout) return undefined;
    const { view, op, attrStart } = layout;
    let set = op.attributeSet!;
    let prefix = '';
    if (nestOffset !== undefined) {
      const found = this.locate(view.buffer, view.dv, attrStart, view.offset + view.length, set, view.offset + nestOffset, undefined, '');
      if (!found?.set) return undefined;
      set = found.set;
      prefix = found.inner ?? found.path;
    }
    const attr = this.idx.attributesByValue.get(set)?.get(type);
    return attr ? (prefix ? `${prefix}.${attr.name}` : attr.name) : undefined;
  }

  describeExtAck(request: Uint8Array | MessageView, extAck: ExtAck | undefined): ExtAckNames {
    const out: ExtAckNames = {};
    if (!extAck) return out;
    if (extAck.offset !== undefined) {
      const path = this.attributePath(request, extAck.offset);
      if (path !== undefined) out.attributePath = path;
    }
    if (extAck.missingType !== undefined) {
      const name = this.missingAttribute(request, extAck.missingType, extAck.missingNest);
      if (name !== undefined) out.missingAttribute = name;
    }
    return out;
  }

  /** Walks the attributes of `set` in buf[start, end) to the one containing `target`. */
  private locate(buf: Uint8Array, dv: DataView, start: number, end: number, set: string, target: number, scope: LazyScope | undefined, prefix: string): Located | undefined {
    const byValue = this.idx.attributesByValue.get(set);
    const names = this.idx.attributes.get(set);
    if (!byValue || !names) return undefined;
    let decoded: Obj | undefined;
    let tried = false;
    const here: LazyScope = {
      get: () => {
        if (!tried) {
          tried = true;
          try {
            decoded = this.setDecoders.get(set)!(buf, dv, start, end, 0, undefined);
          } catch {
            decoded = undefined;
          }
        }
        return decoded;
      },
      up: scope,
    };
    let p = start;
    while (end - p >= 4 && p <= target) {
      const len = dv.getUint16(p, LE);
      if (len < 4 || len > end - p) return undefined;
      const type = dv.getUint16(p + 2, LE) & 0x3fff;
      const next = p + nlaAlign(len);
      const spec = byValue.get(type);
      const path = join(prefix, spec ? spec.name : String(type));
      if (target === p) {
        if (spec?.type === 'sub-message') {
          const format = this.subMessageFormat(spec, here, names);
          return format?.format.attributeSet !== undefined ? { path, set: format.format.attributeSet, inner: `${path}(${format.key})` } : { path };
        }
        return { path, ...(spec ? nestedSetOf(spec) : {}) };
      }
      if (target < next) {
        if (!spec) return { path };
        const inner = this.inside(buf, dv, p + 4, p + len, spec, target, here, names, path);
        return inner ?? { path };
      }
      p = next;
    }
    return undefined;
  }

  /** The format a sub-message attribute has in this request, from its selector's value. */
  private subMessageFormat(a: AttributeSpec, here: LazyScope, names: ReadonlyMap<string, AttributeSpec>): { format: SubMessageFormat; key: string } | undefined {
    const selector = a.selector!;
    let key: unknown;
    if (names.has(selector)) key = here.get()?.[selector];
    else for (let sc = here.up; sc && key === undefined; sc = sc.up) key = sc.get()?.[selector];
    if (key === undefined) return undefined;
    const format = this.idx.subMessages.get(a.subMessage!)?.formats.find((f) => f.value === String(key));
    return format ? { format, key: String(key) } : undefined;
  }

  private inside(
    buf: Uint8Array,
    dv: DataView,
    s: number,
    e: number,
    a: AttributeSpec,
    target: number,
    here: LazyScope,
    names: ReadonlyMap<string, AttributeSpec>,
    path: string,
  ): Located | undefined {
    switch (a.type) {
      case 'nest':
        return this.locate(buf, dv, s, e, a.nestedAttributes!, target, here, path);
      case 'indexed-array': {
        let p = s;
        while (e - p >= 4 && p <= target) {
          const len = dv.getUint16(p, LE);
          if (len < 4 || len > e - p) return undefined;
          const index = dv.getUint16(p + 2, LE) & 0x3fff;
          const item = `${path}[${index}]`;
          const next = p + nlaAlign(len);
          if (target === p) return { path: item, ...(a.subType === 'nest' ? { set: a.nestedAttributes! } : {}) };
          if (target < next) {
            if (a.subType !== 'nest') return { path: item };
            return this.locate(buf, dv, p + 4, p + len, a.nestedAttributes!, target, here, item) ?? { path: item };
          }
          p = next;
        }
        return undefined;
      }
      case 'nest-type-value': {
        let ds = s;
        let de = e;
        for (let i = 0; i < a.typeValue!.length; i++) {
          if (de - ds < 4) return undefined;
          const len = dv.getUint16(ds, LE);
          if (len < 4 || len > de - ds) return undefined;
          if (target < ds + 4) return { path };
          de = ds + len;
          ds += 4;
        }
        return this.locate(buf, dv, ds, de, a.nestedAttributes!, target, here, path);
      }
      case 'sub-message': {
        const found = this.subMessageFormat(a, here, names);
        if (!found) return undefined;
        const { format, key } = found;
        const named = `${path}(${key})`;
        let attrs = s;
        if (format.fixedHeader !== undefined) {
          const header = this.idx.structs.get(format.fixedHeader)!;
          if (target < s + header.size) return { path: memberAt(header, target - s, named, this.idx) };
          attrs = s + nlaAlign(header.size);
        }
        if (format.attributeSet === undefined) return { path: named };
        return this.locate(buf, dv, attrs, e, format.attributeSet, target, here, named) ?? { path: named };
      }
      case 'binary':
        if (a.struct !== undefined && a.nestedAttributes !== undefined) {
          // A struct followed by attributes, or a sequence of such records.
          const header = this.idx.structs.get(a.struct)!;
          const lengthOf = a.recordLength !== undefined ? header.members.find((m) => m.name === a.recordLength) : undefined;
          let p = s;
          for (let i = 0; e - p >= header.size; i++) {
            const len = lengthOf ? readUnsigned(dv, p + lengthOf.offset, lengthOf.size) : e - p;
            if (len < header.size || len > e - p) return undefined;
            const item = lengthOf ? `${path}[${i}]` : path;
            if (target < p + len) {
              if (target < p + header.size) return { path: memberAt(header, target - p, item, this.idx) };
              return this.locate(buf, dv, p + nlaAlign(header.size), p + len, a.nestedAttributes, target, here, item) ?? { path: item };
            }
            p += nlaAlign(len);
          }
          return undefined;
        }
        if (a.struct !== undefined && a.subType === 'binary') {
          const size = this.idx.structs.get(a.struct)!.size;
          const i = Math.floor((target - s) / size);
          return { path: memberAt(this.idx.structs.get(a.struct)!, target - s - i * size, `${path}[${i}]`, this.idx) };
        }
        if (a.struct !== undefined) return { path: memberAt(this.idx.structs.get(a.struct)!, target - s, path, this.idx) };
        return undefined;
      default:
        return undefined;
    }
  }
}

function readUnsigned(dv: DataView, at: number, size: number): number {
  return size === 1 ? dv.getUint8(at) : size === 2 ? dv.getUint16(at, LE) : dv.getUint32(at, LE);
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function nestedSetOf(a: AttributeSpec): { set?: string } {
  if (a.nestedAttributes !== undefined && (a.type === 'nest' || a.type === 'nest-type-value' || a.type === 'indexed-array')) return { set: a.nestedAttributes };
  return {};
}

/** Path of the struct member at byte `rel` (nested structs included). */
function memberAt(def: StructDefinition, rel: number, prefix: string, idx: SpecIndex): string {
  for (const m of def.members) {
    if (rel >= m.offset && rel < m.offset + m.size) {
      const path = join(prefix, m.name);
      if (m.struct !== undefined) return memberAt(idx.structs.get(m.struct)!, rel - m.offset, path, idx);
      return path;
    }
  }
  return prefix;
}

function makeSetCodec(name: string, decode: SetDecoder, encode: SetEncoder): AttributeSetCodec {
  return {
    name,
    decode(bytes: Uint8Array, start = 0, end = bytes.length): Obj {
      if (start < 0 || end > bytes.length || start > end) throw new RangeError(`attribute range [${start}, ${end}) is outside a buffer of ${bytes.length} bytes`);
      return decode(bytes, dataViewOf(bytes), start, end, 0, undefined);
    },
    encode(w: MessageWriter, value: Obj, path = ''): void {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${path || name}: expected an object of values`);
      encode(w, value, path, undefined);
    },
  };
}

function makeStructCodec(name: string, size: number, decode: StructDecoder, encode: StructEncoder): StructCodec {
  return {
    name,
    size,
    decode: (bytes: Uint8Array): Obj => decode(bytes, dataViewOf(bytes), 0, bytes.length),
    encode: (value: Obj, path = ''): Uint8Array => encode(value, path),
  };
}

/**
 * Builds a family from its spec and the codecs generated for it (by
 * compileCodecs at run time, or in a module under src/families/generated/).
 * The type parameters let generated modules give the result precise types.
 */
export function buildFamily<TOps extends object = AnyOperations, TMsg = DecodedMessage>(spec: FamilySpec, codecs: FamilyCodecs): Family<TOps, TMsg> {
  return new FamilyImpl(spec, codecs) as unknown as Family<TOps, TMsg>;
}
