#include "recv.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nlkit {

Received ReceiveOne(int fd, uint8_t* slab, size_t offset, size_t space, uint32_t* frame, RecvScratch* scratch, size_t* advance, int* err) {
  *advance = 0;
  struct iovec iov {};
  struct msghdr msg {};
  for (;;) {
    iov.iov_base = slab + offset;
    iov.iov_len = space;
    msg.msg_name = &scratch->peer;
    msg.msg_namelen = sizeof scratch->peer;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = scratch->control;
    msg.msg_controllen = sizeof scratch->control;
    msg.msg_flags = 0;
    scratch->peer.nl_pid = 0;
    // MSG_TRUNC: netlink returns the datagram's real length.
    ssize_t n = recvmsg(fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
    if (n < 0) {
      const int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK) return Received::kDrained;
      if (e == ENOBUFS) {
        // The kernel dropped messages for this socket (netlink_overrun).
        frame[kFrameOffset] = static_cast<uint32_t>(offset);
        frame[kFrameLength] = 0;
        frame[kFramePort] = 0;
        frame[kFrameGroup] = 0;
        frame[kFrameNsid] = kNsidNone;
        frame[kFrameFlags] = kFrameOverrun;
        return Received::kFrame;
      }
      *err = e;
      return Received::kError;
    }
    const size_t length = static_cast<size_t>(n);
    uint32_t group = 0;
    uint32_t nsid = kNsidNone;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_NETLINK) continue;
      if (c->cmsg_type == NETLINK_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct nl_pktinfo))) {
        struct nl_pktinfo info;
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        group = info.group;
      } else if (c->cmsg_type == NETLINK_LISTEN_ALL_NSID && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
        int id;
        std::memcpy(&id, CMSG_DATA(c), sizeof id);
        nsid = static_cast<uint32_t>(id);
      }
    }
    const bool truncated = length > space || (msg.msg_flags & MSG_TRUNC) != 0;
    const size_t stored = std::min(length, space);
    frame[kFrameOffset] = static_cast<uint32_t>(offset);
    frame[kFrameLength] = static_cast<uint32_t>(length);
    frame[kFramePort] = scratch->peer.nl_pid;
    frame[kFrameGroup] = group;
    frame[kFrameNsid] = nsid;
    frame[kFrameFlags] = truncated ? kFrameTruncated : 0;
    *advance = std::min(AlignUp4(stored), space);
    return Received::kFrame;
  }
}

}  // namespace nlkit
