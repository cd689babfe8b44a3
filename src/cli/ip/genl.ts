// Generic netlink for ip's objects that talk to genetlink families (fou, sr,
// ioam, l2tp, macsec), as lib/libgenl.c does it: a NETLINK_GENERIC socket in
// the -n namespace, the family's id from nlctrl (genl_resolve_family), and
// requests built as GENL_REQUEST() builds them. A family the kernel lacks ends
// the command as ip ends: rtnl_talk()'s error line, then "Error talking to
// the kernel", status 1.
import { GENL_HDRLEN, Protocol } from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { MessageWriter } from '../../core/writer.js';
import { FamilyNotFoundError, GenericResolver } from '../../families/genl/resolver.js';
import { NetlinkSocket } from '../../io/socket.js';
import { CommandError } from '../error.js';
import type { IpContext } from './context.js';
import type { Printer } from './printer.js';
import { kernelErrorText } from './index.js';
import { errnoDescription } from '../../core/errno.js';

/** Byte offsets in struct genlmsghdr. */
const GENL = { cmd: 0, version: 1 } as const;

/** Builds one generic netlink request as GENL_REQUEST() lays it out (genlmsghdr, then what `fill` writes). */
export function genlRequest(familyId: number, cmd: number, version: number, flags: number, fill?: (w: MessageWriter) => void): Uint8Array {
  const w = new MessageWriter(1024);
  w.beginMessage(familyId, flags);
  const h = w.reserve(GENL_HDRLEN);
  w.view.setUint8(h + GENL.cmd, cmd);
  w.view.setUint8(h + GENL.version, version);
  fill?.(w);
  w.endMessage();
  return w.finishCopy();
}

/** The command of a generic netlink message. */
export function genlCmd(m: MessageView): number {
  return m.buffer[m.offset + 16 + GENL.cmd]!;
}

/** A family's socket and id, resolved as ip resolves it. */
export class GenlHandle {
  private constructor(
    readonly socket: NetlinkSocket,
    /** nlmsg_type of the family's messages. */
    readonly id: number,
  ) {}

  /**
   * genl_init_handle(): opens the socket and asks nlctrl for `name`; fails as
   * ip fails ("RTNETLINK answers: No such file or directory", then "Error
   * talking to the kernel", status 1) when the kernel lacks the family.
   */
  static async open(ctx: IpContext, name: string): Promise<GenlHandle> {
    const { netns } = ctx.options;
    let socket: NetlinkSocket;
    try {
      socket = await NetlinkSocket.open(Protocol.GENERIC, netns !== undefined ? { netns } : {});
    } catch {
      throw new CommandError('Cannot open generic netlink socket', 1);
    }
    try {
      const info = await new GenericResolver(socket).resolve(name);
      return new GenlHandle(socket, info.id);
    } catch (err) {
      socket.close();
      if (err instanceof FamilyNotFoundError) throw new CommandError(`RTNETLINK answers: ${errnoDescription(2)}\nError talking to the kernel`, 1);
      if (err instanceof NetlinkError) throw new CommandError(`${kernelErrorText(err)}Error talking to the kernel`, 1);
      throw err;
    }
  }

  /** rtnl_talk(): the request's replies; a refusal ends the command with ip's line and `status`. */
  async talk(bytes: Uint8Array, status: number): Promise<MessageView[]> {
    try {
      return await this.socket.request(bytes);
    } catch (err) {
      if (err instanceof NetlinkError) throw new CommandError(kernelErrorText(err), status);
      throw err;
    }
  }

  /** rtnl_dump_filter(): every message of a dump (the request carries NLM_F_DUMP); a refusal ends as ip ends it ("Dump terminated", status 1). */
  async dump(bytes: Uint8Array): Promise<MessageView[]> {
    const out: MessageView[] = [];
    try {
      for await (const batch of this.socket.dump(bytes).batches()) out.push(...batch);
    } catch (err) {
      if (err instanceof NetlinkError) throw new CommandError(`${kernelErrorText(err)}Dump terminated`, 1);
      throw err;
    }
    return out;
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }
}

/** Prints one object of a listing whose text ends its own lines (print_nl() or "\n" in the format): JSON as ctx.listItem(). */
export function emitItem(ctx: IpContext, p: Printer): void {
  if (ctx.options.json) ctx.listItem(p);
  else ctx.print(p.output);
}
