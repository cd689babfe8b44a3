// The sending side of a FamilyServer towards one client.
//
// Every answer leaves from the server's own socket, because a client accepts
// replies only from the port its request went to. A netlink unicast to a user
// socket whose receive buffer is full fails with EAGAIN (netlink_attachskb()
// with a zero timeout, net/netlink/af_netlink.c) and nothing wakes the sender
// when the receiver drains: the native layer keeps such datagrams in a queue
// per destination port and retries them, so a client that stops reading (a
// paused dump consumer) holds back only its own replies.
import { setTimeout as delay } from 'node:timers/promises';
import type { NetlinkSocket } from '../../io/socket.js';

/** Longest pause between two attempts to send to a client that is not reading. */
export const MAX_BACKOFF_MS = 50;

/** @internal A client's port id and the socket the server answers it from. */
export class Peer {
  /** The last datagram had to wait in the native queue (the client's buffer was full). */
  blocked = false;
  /** Calls (requests being answered, dumps running) using this peer. */
  users = 0;
  private backoff = 0;

  constructor(
    readonly socket: NetlinkSocket,
    readonly port: number,
  ) {}

  /** Sends one datagram; false when it waits in the native queue because the client is full. */
  send(bytes: Uint8Array): boolean {
    const sent = this.socket.send(bytes, { port: this.port });
    this.blocked = !sent;
    if (sent) this.backoff = 0;
    return sent;
  }

  /**
   * Resolves when the next datagram of a dump may be sent. While the client is
   * full, waits 1, 2, 4 … up to 50 ms between attempts: each attempt adds at
   * most one datagram behind the queued one (the native queue retries on its
   * own timer meanwhile), so a dump never piles up more than a datagram or two
   * in memory ahead of its reader, and goes full speed again as soon as a send
   * goes straight through.
   */
  async pace(): Promise<void> {
    if (!this.blocked) return;
    this.backoff = Math.min(this.backoff === 0 ? 1 : this.backoff * 2, MAX_BACKOFF_MS);
    await delay(this.backoff);
  }

  /** Safe to close: nobody is using it and nothing waits in its native queue. */
  get idle(): boolean {
    return this.users === 0 && !this.blocked;
  }
}
