// nlkit.Socket: one AF_NETLINK socket, its libuv handles, its receive slabs
// and its send queue. The JS-facing contract is src/io/native.ts
// (NativeSocket). The class is implemented by concern:
//   socket.cc       construction, options, filters, slabs, JS methods
//   socket_poll.cc  libuv handles: poll lifecycle, close, env teardown, calls into JS
//   socket_recv.cc  receiving: batches on the loop, read-ahead on the reader thread
//   socket_send.cc  sending and the per-port send queue
// with recv.cc (one recvmsg), reader.cc (the read-ahead thread), loop.cc
// (libuv callback helpers) and args.cc (argument checks) beside it.
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
#include "addon_data.h"
#include "fd.h"
#include "reader.h"
#include "recv.h"

namespace nlkit {

class LoopScope;

// Unicast datagrams (dump parts, replies) the loop thread reads itself on
// readable before it hands a stream that keeps coming to the read-ahead
// thread, which reads the next datagrams while JS handles these.
constexpr uint32_t kLoopBurst = 4;

class Socket : public Napi::ObjectWrap<Socket> {
 public:
  static Napi::Function Init(Napi::Env env);

  explicit Socket(const Napi::CallbackInfo& info);
  ~Socket() override;

 private:
  // The libuv handles live apart from the Socket because libuv may still
  // hold them after the Socket is gone (uv_close completes on a later loop
  // turn). The Poller also carries the env's async cleanup hook, so that a
  // worker or process teardown waits until the handles are really closed,
  // and the read-ahead job, which the reader thread may use until close()
  // has cancelled it.
  struct Poller {
    uv_poll_t handle{};
    // Retries queued sends. Netlink never wakes a sender when the receiving
    // socket drains (EPOLLOUT only reflects the sender's own buffer), so
    // after one retry on writable, retries back off on this timer.
    uv_timer_t retry{};
    // The reader thread says it received frames (or left the job).
    uv_async_t ahead{};
    Socket* owner = nullptr;  // null once the socket closed
    napi_async_cleanup_hook_handle hook = nullptr;
    bool initialized = false;  // handle and retry are initialised
    bool aheadReady = false;   // ahead is initialised (the reader may be used)
    int events = 0;            // events the poll is started with (0: stopped)
    int closing = 0;           // handles whose close callback is pending
    ReadAheadJob job;
  };
  struct PendingSend {
    std::vector<uint8_t> bytes;
    uint32_t port;
    uint32_t groups;
  };

  // ---- JS methods (socket.cc, socket_poll.cc, socket_send.cc) ----
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
  Napi::Value ReceiveNow(const Napi::CallbackInfo& info);
  // receiveNow() for a caller in JS: the datagrams read, or -1 when reading must wait for the poll.
  double ReadInline(napi_env env, uint32_t limit);
  void SetSlab(const Napi::CallbackInfo& info);
  void SetSpareSlab(const Napi::CallbackInfo& info);
  void Start(const Napi::CallbackInfo& info);
  void Pause(const Napi::CallbackInfo& info);
  void Resume(const Napi::CallbackInfo& info);
  void Ref(const Napi::CallbackInfo& info);
  void Unref(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);

  // ---- poll lifecycle (socket_poll.cc) ----
  void CheckOpen(Napi::Env env) const;
  // Creates the libuv handles and makes the socket keep itself alive until
  // close(). Throws a JS error on failure.
  void EnsureLive(Napi::Env env);
  // Starts/stops the poll for the events the current state wants (writable
  // only while sends are queued and no retry timer runs); returns a
  // libuv error code (0 on success).
  int UpdatePoll();
  void UpdatePollOrThrow(Napi::Env env);
  // The ahead handle keeps the loop alive while the reader works for a
  // referenced socket (the poll is stopped then).
  void UpdateAheadRef();
  // Releases everything native. In teardown (env cleanup hook) no JS handle
  // may be touched: references are left to the destructor.
  void CloseNative(bool teardown);

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnAsyncCleanup(napi_async_cleanup_hook_handle handle, void* arg);
  static void DisposePoller(Poller* poller);
  static void OnHandleClosed(uv_handle_t* handle);
  static void FreePoller(Poller* poller);

  // The libuv callbacks' work. They run on the loop thread with no JS on the
  // stack, so they use plain Node-API calls and check every status: a
  // node-addon-api call that fails while the environment is torn down
  // throws a Napi::Error whose construction aborts the process.
  void HandlePoll(int status, int events);
  // Calls onBatch through napi_make_callback; a JS exception becomes an
  // uncaught exception. The socket may be closed, or JS gone, when this
  // returns (check Stopped()).
  void CallBatch(napi_env env, uint32_t frames, bool slabFull, napi_value error, bool switched = false);
  // Stops polling and reading for good once the environment can no longer
  // run JS; the env cleanup hook closes the socket later.
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

  // ---- receiving (socket_recv.cc) ----
  // Reads until EAGAIN or a bound (at most `limit` datagrams), then delivers;
  // returns how many datagrams it read.
  uint32_t ReadBatch(napi_env env, uint32_t limit = UINT32_MAX);
  // Calls JS with `count` frames just read (on the loop or ahead) and decides
  // what reads next: the spare slab when the current one is full, and a
  // read-ahead while JS runs when `more` is coming.
  void Deliver(napi_env env, uint32_t count, bool more, napi_value error);
  // Makes the spare slab current when the current one has no room left; true if it did.
  bool SwitchToSpare();
  // Hands reading to the reader thread from slabOffset_ on (the loop thread
  // stops polling for readable until the reader leaves it). False if it could not.
  bool StartReadAhead();
  static void OnAhead(uv_async_t* handle);
  // Delivers what the reader received and decides what reads next.
  void TakeReadAhead(napi_env env);
  // Asks the reader to leave this socket after the datagram in hand.
  void PauseReadAhead();
  // Returns once the reader no longer touches the fd or the slabs.
  void StopReadAhead();
  // The reader works for this socket, or left it with frames the loop has not delivered.
  bool ReadAheadActive() const { return readAhead_; }
  bool ReadingWanted() const { return started_ && !userPaused_ && !waitingForSlab_ && !broken_ && !JsGone() && !ReadAheadActive(); }
  size_t FreeTail() const { return slab_ == nullptr ? 0 : slabLength_ - slabOffset_; }

  // ---- sending (socket_send.cc) ----
  static void OnRetry(uv_timer_t* timer);
  void FlushQueue(napi_env env);
  // sendto() retried on EINTR; 0 or the errno.
  int SendNow(const uint8_t* data, size_t length, uint32_t port, uint32_t groups) const;
  bool Queued(uint32_t port) const { return queuedPerPort_.find(port) != queuedPerPort_.end(); }
  void Dequeued(uint32_t port);

  UniqueFd fd_;
  uint32_t portId_ = 0;
  // The environment's instance data; it outlives every libuv callback of a
  // socket that is not closed (the env cleanup hook closes it first).
  AddonData* data_ = nullptr;
  // Owned by this socket until close(); afterwards it frees itself once libuv
  // has closed the handles (which may be after this object is gone).
  Poller* poller_ = nullptr;

  bool closed_ = false;
  bool live_ = false;            // EnsureLive() ran: self reference held
  bool started_ = false;         // start() called: reading wanted
  bool userPaused_ = false;      // pause() without resume()
  bool waitingForSlab_ = false;  // slab full after a batch: wait for setSlab
  bool refed_ = true;
  bool inJsCall_ = false;        // inside receiveNow(), called from JS
  bool errorPending_ = false;    // EPOLLERR seen while nobody could read
  bool broken_ = false;          // recvmsg said EBADF/ENOTSOCK: never poll again
  bool retryArmed_ = false;      // the send retry timer is running
  bool readAhead_ = false;       // the reader has the job (Start .. Take that finds it idle)
  uint64_t retryDelayMs_ = 0;    // the send retry's current back-off

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
  // Where the loop reads the next datagram; while the reader works, the end
  // of what it has delivered (the reader is further on).
  size_t slabOffset_ = 0;
  uint32_t* frames_ = nullptr;
  size_t frameCapacity_ = 0;

  // Sends that found their receiver full, in order per destination port: a
  // peer that stops reading holds back only what is addressed to it.
  std::deque<PendingSend> queue_;
  std::unordered_map<uint32_t, uint32_t> queuedPerPort_;

  // recvmsg scratch of the loop thread, reused for every datagram.
  RecvScratch scratch_;
};

}  // namespace nlkit

#endif  // NLKIT_SOCKET_H_
