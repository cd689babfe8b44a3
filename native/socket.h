// nlkit.Socket: one AF_NETLINK socket, its uv_poll_t and its send queue.
// The JS-facing contract is src/io/native.ts (NativeSocket).
#ifndef NLKIT_SOCKET_H_
#define NLKIT_SOCKET_H_

#include <linux/netlink.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "addon_api.h"
#include "fd.h"

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

// Per-environment state of the addon (napi instance data).
struct AddonData {
  // Key of the non-enumerable property that holds a socket's batch callback,
  // so that the callback is traced through the socket object by the GC
  // instead of being a root that would keep an unstarted socket alive.
  Napi::Reference<Napi::Symbol> callbackKey;
  // The environment can no longer run JS: a Worker is being terminated or
  // the process is exiting. Node stops JS (Environment::ExitEnv) before any
  // cleanup hook runs, and libuv callbacks still come in between; the first
  // Node-API call that finds JS gone sets this, and from then on no socket
  // of this environment calls into JS or builds a JS value again.
  bool jsGone = false;
};

// Unicast datagrams (dump parts, replies) the loop thread reads itself on
// readable before it hands a stream that keeps coming to a read-ahead on a
// libuv worker, which reads the next datagrams while JS handles these.
constexpr uint32_t kLoopBurst = 4;
// Datagrams one read-ahead reads: small enough that the next read-ahead
// overlaps the JS that handles these, large enough to amortise the hop.
constexpr uint32_t kReadAheadBurst = 4;

// recvmsg scratch: the sender's address and room for the cmsgs asked for.
struct RecvScratch {
  struct sockaddr_nl peer {};
  alignas(struct cmsghdr) unsigned char control[CMSG_SPACE(sizeof(struct nl_pktinfo)) + CMSG_SPACE(sizeof(int)) + 64] = {};
};

class Socket : public Napi::ObjectWrap<Socket> {
 public:
  static Napi::Function Init(Napi::Env env);

  explicit Socket(const Napi::CallbackInfo& info);
  ~Socket() override;

 private:
  struct Poller;
  struct ReadAhead;
  class LoopScope;
  struct PendingSend {
    std::vector<uint8_t> bytes;
    uint32_t port;
    uint32_t groups;
  };

  Napi::Value GetPortId(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetSlabOffset(const Napi::CallbackInfo& info);
  void SetNetlinkOption(const Napi::CallbackInfo& info);
  Napi::Value GetNetlinkOption(const Napi::CallbackInfo& info);
  Napi::Value SetReceiveBuffer(const Napi::CallbackInfo& info);
  Napi::Value SetSendBuffer(const Napi::CallbackInfo& info);
  void AttachFilter(const Napi::CallbackInfo& info);
  void DetachFilter(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  void SetSlab(const Napi::CallbackInfo& info);
  void SetSpareSlab(const Napi::CallbackInfo& info);
  void Start(const Napi::CallbackInfo& info);
  void Pause(const Napi::CallbackInfo& info);
  void Resume(const Napi::CallbackInfo& info);
  void Ref(const Napi::CallbackInfo& info);
  void Unref(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);

  void CheckOpen(Napi::Env env) const;
  // Creates the uv_poll_t and makes the socket keep itself alive until
  // close(). Throws a JS error on failure.
  void EnsureLive(Napi::Env env);
  // Starts/stops the poll for the events the current state wants (writable
  // only while sends are queued and no retry timer runs); returns a
  // libuv error code (0 on success).
  int UpdatePoll();
  void UpdatePollOrThrow(Napi::Env env);
  // Releases everything native. In teardown (env cleanup hook) no JS handle
  // may be touched: references are left to the destructor.
  void CloseNative(bool teardown);

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnAsyncCleanup(napi_async_cleanup_hook_handle handle, void* arg);
  static void DisposePoller(Poller* poller);
  static void OnHandleClosed(uv_handle_t* handle);
  static void FreePoller(Poller* poller);
  static void OnRetry(uv_timer_t* timer);
  static void ReadAheadWork(uv_work_t* req);
  static void ReadAheadDone(uv_work_t* req, int status);

  // Queues a read-ahead into the free tail of the slab (the loop thread
  // stops polling for readable until it is done). False if it could not.
  bool StartReadAhead();
  // Delivers a finished read-ahead's frames to JS and decides what reads next.
  void FinishReadAhead(napi_env env, ReadAhead* ahead);
  // Calls JS with `count` frames just read (on the loop or ahead) and decides
  // what reads next: the spare slab when the current one is full, and a
  // read-ahead while JS runs when `more` is coming.
  void Deliver(napi_env env, uint32_t count, bool more, napi_value error);
  // Waits for a running read-ahead to stop touching the fd and the slab.
  void StopReadAhead();
  bool ReadAheadActive() const;

  // The libuv callbacks' work. They run on the loop thread with no JS on the
  // stack, so they use plain Node-API calls and check every status: a
  // node-addon-api call that fails while the environment is torn down
  // throws a Napi::Error whose construction aborts the process.
  void HandlePoll(int status, int events);
  void ReadBatch(napi_env env);
  void FlushQueue(napi_env env);
  // Calls onBatch through napi_make_callback; a JS exception becomes an
  // uncaught exception. The socket may be closed, or JS gone, when this
  // returns (check Stopped()).
  void CallBatch(napi_env env, uint32_t frames, bool slabFull, napi_value error, bool switched = false);
  // Stops polling for good once the environment can no longer run JS; the
  // env cleanup hook closes the socket later.
  void LoseJs();
  bool JsGone() const { return data_ != nullptr && data_->jsGone; }
  // A system error for the batch callback, built without throwing; nullptr
  // (and JS marked gone) when the environment refuses.
  napi_value ErrorForJs(napi_env env, int err, const char* syscall);
  // The reference that holds this socket's JS object (strong while live).
  napi_ref SelfRef() const { return static_cast<const Napi::Reference<Napi::Object>&>(*this); }
  // Puts the socket's JS object in a libuv callback's handle scope, which
  // keeps the GC away from it even if JS closes the socket meanwhile. False
  // when that fails (JS gone) or the object is gone.
  bool HoldSelf(napi_env env, const LoopScope& scope);
  // Nothing more to do in a libuv callback: closed, or JS gone.
  bool Stopped() const { return closed_ || JsGone(); }
  // Makes the spare slab current when the current one has no room left; true if it did.
  bool SwitchToSpare();
  // sendto() retried on EINTR; 0 or the errno.
  int SendNow(const uint8_t* data, size_t length, uint32_t port, uint32_t groups) const;
  size_t FreeTail() const { return slab_ == nullptr ? 0 : slabLength_ - slabOffset_; }

  UniqueFd fd_;
  uint32_t portId_ = 0;
  // The environment's instance data; it outlives every libuv callback of a
  // socket that is not closed (the env cleanup hook closes it first).
  AddonData* data_ = nullptr;
  // Owned by this socket until close(); afterwards it frees itself once libuv
  // has closed the handle (which may be after this object is gone).
  Poller* poller_ = nullptr;

  bool closed_ = false;
  bool live_ = false;            // EnsureLive() ran: self reference held
  bool started_ = false;         // start() called: reading wanted
  bool userPaused_ = false;      // pause() without resume()
  bool waitingForSlab_ = false;  // slab full after a batch: wait for setSlab
  bool refed_ = true;
  bool errorPending_ = false;    // EPOLLERR seen while nobody could read
  bool broken_ = false;          // recvmsg said EBADF/ENOTSOCK: never poll again
  bool retryArmed_ = false;      // the send retry timer is running
  uint64_t retryDelayMs_ = 0;    // its current back-off

  bool ReadingWanted() const { return started_ && !userPaused_ && !waitingForSlab_ && !broken_ && !JsGone() && !ReadAheadActive(); }

  Napi::FunctionReference onBatch_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;

  Napi::Reference<Napi::Uint8Array> slabRef_;
  // The next slab, given ahead by JS: reading goes on in it without waiting
  // for JS when the current slab fills.
  Napi::Reference<Napi::Uint8Array> spareRef_;
  uint8_t* spare_ = nullptr;
  size_t spareLength_ = 0;
  Napi::Reference<Napi::Uint32Array> framesRef_;
  uint8_t* slab_ = nullptr;
  size_t slabLength_ = 0;
  size_t slabOffset_ = 0;
  uint32_t* frames_ = nullptr;
  size_t frameCapacity_ = 0;

  // Sends that found their receiver full, in order per destination port: a
  // peer that stops reading holds back only what is addressed to it.
  std::deque<PendingSend> queue_;
  std::unordered_map<uint32_t, uint32_t> queuedPerPort_;
  bool Queued(uint32_t port) const { return queuedPerPort_.find(port) != queuedPerPort_.end(); }
  void Dequeued(uint32_t port);

  // recvmsg scratch of the loop thread, reused for every datagram.
  RecvScratch scratch_;
};

}  // namespace nlkit

#endif  // NLKIT_SOCKET_H_
