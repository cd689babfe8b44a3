// Receiving one datagram into a slab and describing it in the frame table.
// Plain system calls, no Node-API: it runs on the loop thread and on the
// read-ahead thread (reader.h).
#ifndef NLKIT_RECV_H_
#define NLKIT_RECV_H_

#include <linux/netlink.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace nlkit {

// Room native keeps free in the slab before each recvmsg: the largest
// datagram it expects. Anything longer is stored truncated and flagged.
constexpr size_t kMaxDatagram = 65536;

// Frame table layout, mirrored from src/io/native.ts.
constexpr size_t kFrameWords = 6;
constexpr size_t kFrameOffset = 0;
constexpr size_t kFrameLength = 1;
constexpr size_t kFramePort = 2;
constexpr size_t kFrameGroup = 3;
constexpr size_t kFrameNsid = 4;
constexpr size_t kFrameFlags = 5;
constexpr uint32_t kFrameTruncated = 1;
constexpr uint32_t kFrameOverrun = 2;
constexpr uint32_t kNsidNone = 0xffffffffu;

inline size_t AlignUp4(size_t n) { return (n + 3) & ~static_cast<size_t>(3); }

// recvmsg scratch: the sender's address and room for the cmsgs asked for.
struct RecvScratch {
  struct sockaddr_nl peer {};
  alignas(struct cmsghdr) unsigned char control[CMSG_SPACE(sizeof(struct nl_pktinfo)) + CMSG_SPACE(sizeof(int)) + 64] = {};
};

enum class Received { kFrame, kDrained, kError };

// Receives one datagram into slab[offset, offset + space) without blocking
// and describes it in `frame` (an overrun, ENOBUFS, is a frame too).
// *advance is how far the slab offset moves (4-byte aligned, at most
// `space`); *err is set for kError. kDrained: nothing to read (EAGAIN).
Received ReceiveOne(int fd, uint8_t* slab, size_t offset, size_t space, uint32_t* frame, RecvScratch* scratch, size_t* advance, int* err);

}  // namespace nlkit

#endif  // NLKIT_RECV_H_
