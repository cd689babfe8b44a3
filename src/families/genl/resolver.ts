// Generic netlink family resolution through nlctrl: a family's id, version,
// header size and multicast groups, by name. Cached per resolver. nlctrl's
// "notify" group announces families that register (the entry is replaced by
// what the notification says) and unregister (the entry is dropped); a client
// that does not listen to it drops the entry when the kernel says the cached
// id is unknown (ENOENT), so the next call resolves again. Family ids are
// handed out cyclically (idr_alloc_cyclic() in genl_register_family()), so a
// stale id meets ENOENT rather than another family until ~1000 registrations
// later.
import { GENL_HDRLEN, GENL_ID_CTRL, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import {
  CTRL_ATTR_FAMILY_ID,
  CTRL_ATTR_FAMILY_NAME,
  CTRL_ATTR_HDRSIZE,
  CTRL_ATTR_MAXATTR,
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
} from './constants.js';
import { NlkitError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { MessageWriter } from '../../core/writer.js';
import type { CallOptions, NetlinkSocket } from '../../io/socket.js';
import { NLMSG_HDRLEN } from '../../core/align.js';

/** What nlctrl says about one generic netlink family. */
export interface GenericFamilyInfo {
  /** Family name, e.g. 'nl80211'. */
  name: string;
  /** Family id: the nlmsg_type its messages use. */
  id: number;
  /** Family version (CTRL_ATTR_VERSION). */
  version: number;
  /** Size of the family's own header after genlmsghdr, in bytes. */
  headerSize: number;
  /** Highest attribute type the family accepts. */
  maxAttribute: number;
  /** Operations the kernel implements: command number -> GENL_* flags. */
  operations: Map<number, number>;
  /** Multicast groups by name -> group number to join. */
  groups: Map<string, number>;
}

/** A family registered (CTRL_CMD_NEWFAMILY) or unregistered (CTRL_CMD_DELFAMILY), from nlctrl's "notify" group. */
export interface ControlEvent {
  /** 'new' when the family was registered, 'del' when it was unregistered. */
  event: 'new' | 'del';
  /** The family's name. */
  name: string;
  /** What the notification says about the family (a new one's id and groups). */
  info: GenericFamilyInfo;
}

/** A generic netlink family the kernel does not have (nlctrl answered ENOENT). */
export class FamilyNotFoundError extends NlkitError {
  /** Name of the family that was looked up. */
  readonly family: string;
  constructor(family: string, options?: { cause?: unknown }) {
    super(`generic netlink family '${family}' is not registered in this kernel (is its module loaded?)`, 'ERR_FAMILY_NOT_FOUND', options);
    this.family = family;
  }
}

/** Decodes a CTRL_CMD_NEWFAMILY message (reply or notification). */
export function parseFamilyMessage(msg: MessageView): GenericFamilyInfo {
  const info: GenericFamilyInfo = { name: '', id: 0, version: 0, headerSize: 0, maxAttribute: 0, operations: new Map(), groups: new Map() };
  const r = msg.attributes(GENL_HDRLEN, 'nlctrl');
  while (r.next()) {
    switch (r.type) {
      case CTRL_ATTR_FAMILY_ID:
        info.id = r.u16();
        break;
      case CTRL_ATTR_FAMILY_NAME:
        info.name = r.string();
        break;
      case CTRL_ATTR_VERSION:
        info.version = r.u32();
        break;
      case CTRL_ATTR_HDRSIZE:
        info.headerSize = r.u32();
        break;
      case CTRL_ATTR_MAXATTR:
        info.maxAttribute = r.u32();
        break;
      case CTRL_ATTR_OPS: {
        const ops = r.nested('ops');
        while (ops.next()) {
          const op = ops.nested('op');
          let id = -1;
          let flags = 0;
          while (op.next()) {
            if (op.type === CTRL_ATTR_OP_ID) id = op.u32();
            else if (op.type === CTRL_ATTR_OP_FLAGS) flags = op.u32();
          }
          if (id >= 0) info.operations.set(id, flags);
        }
        break;
      }
      case CTRL_ATTR_MCAST_GROUPS: {
        const groups = r.nested('mcast-groups');
        while (groups.next()) {
          const g = groups.nested('mcast-group');
          let name = '';
          let id = -1;
          while (g.next()) {
            if (g.type === CTRL_ATTR_MCAST_GRP_NAME) name = g.string();
            else if (g.type === CTRL_ATTR_MCAST_GRP_ID) id = g.u32();
          }
          if (name && id >= 0) info.groups.set(name, id);
        }
        break;
      }
      default:
        break;
    }
  }
  return info;
}

/** nlctrl command of a message (genlmsghdr.cmd). */
function genlCommand(msg: MessageView): number {
  return msg.length >= NLMSG_HDRLEN + GENL_HDRLEN ? msg.dv.getUint8(msg.offset + NLMSG_HDRLEN) : -1;
}

/** CTRL_CMD_GETFAMILY for one family by name, or a dump of all (name undefined). */
export function getFamilyRequest(name?: string): Uint8Array {
  const w = new MessageWriter(128);
  w.beginMessage(GENL_ID_CTRL, name === undefined ? NLM_F_REQUEST | NLM_F_DUMP : NLM_F_REQUEST);
  const at = w.reserve(GENL_HDRLEN);
  w.setU8(at, CTRL_CMD_GETFAMILY).setU8(at + 1, 1);
  if (name !== undefined) w.putString(CTRL_ATTR_FAMILY_NAME, name);
  return w.endMessage().finishCopy();
}

/** Resolves generic netlink families by name on one socket, with a cache. */
export class GenericResolver {
  private readonly cache = new Map<string, Promise<GenericFamilyInfo>>();

  constructor(private readonly socket: NetlinkSocket) {}

  /** The family's id, version and groups (cached until the family goes away). */
  resolve(name: string, options: CallOptions = {}): Promise<GenericFamilyInfo> {
    if (typeof name !== 'string' || name === '') return Promise.reject(new TypeError('family name must be a non-empty string'));
    let entry = this.cache.get(name);
    if (!entry) {
      entry = this.lookup(name, options);
      this.cache.set(name, entry);
      // A failed lookup is not cached.
      entry.catch(() => {
        if (this.cache.get(name) === entry) this.cache.delete(name);
      });
    }
    return entry;
  }

  /** Forgets a cached family, so the next resolve() asks nlctrl again. */
  invalidate(name?: string): void {
    if (name === undefined) this.cache.clear();
    else this.cache.delete(name);
  }

  /** Every registered family (a fresh CTRL_CMD_GETFAMILY dump). */
  async list(options: CallOptions = {}): Promise<GenericFamilyInfo[]> {
    const out: GenericFamilyInfo[] = [];
    for await (const msg of this.socket.dump(getFamilyRequest(), { ...options, name: 'CTRL_CMD_GETFAMILY' })) out.push(parseFamilyMessage(msg));
    return out;
  }

  /** Puts what nlctrl said about a family (a reply or a CTRL_CMD_NEWFAMILY notification) into the cache. */
  remember(info: GenericFamilyInfo): void {
    if (info.name) this.cache.set(info.name, Promise.resolve(info));
  }

  /**
   * Applies an nlctrl notification (from the "notify" group): a family that
   * registered anew (CTRL_CMD_NEWFAMILY carries its new id and groups) is
   * cached as announced, one that went away (CTRL_CMD_DELFAMILY) is dropped.
   * Returns what changed, or undefined for other messages.
   */
  onControlMessage(msg: MessageView): ControlEvent | undefined {
    const cmd = genlCommand(msg);
    if (cmd !== CTRL_CMD_DELFAMILY && cmd !== CTRL_CMD_NEWFAMILY) return undefined;
    let info: GenericFamilyInfo;
    try {
      info = parseFamilyMessage(msg);
    } catch {
      this.cache.clear();
      return undefined;
    }
    if (!info.name) return undefined;
    if (cmd === CTRL_CMD_NEWFAMILY) {
      this.remember(info);
      return { event: 'new', name: info.name, info };
    }
    this.cache.delete(info.name);
    return { event: 'del', name: info.name, info };
  }

  private async lookup(name: string, options: CallOptions): Promise<GenericFamilyInfo> {
    let replies: MessageView[];
    try {
      replies = await this.socket.request(getFamilyRequest(name), { ...options, name: 'CTRL_CMD_GETFAMILY' });
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') throw new FamilyNotFoundError(name, { cause: err });
      throw err;
    }
    const reply = replies[0];
    if (!reply) throw new NlkitError(`nlctrl sent no reply for family '${name}'`, 'ERR_NETLINK_PROTOCOL');
    return parseFamilyMessage(reply);
  }
}
