// The socket's libuv handles: poll lifecycle, close and env teardown, and the
// one way into JS (the batch callback).
#include <cerrno>

#include "errors.h"
#include "loop.h"
#include "socket.h"

namespace nlkit {

void Socket::CheckOpen(Napi::Env env) const {
  if (closed_) throw SocketClosedError(env);
}

void Socket::EnsureLive(Napi::Env env) {
  if (live_) return;
  if (!poller_->initialized) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      throw Napi::Error::New(env, "napi_get_uv_event_loop failed");
    }
    int r = uv_poll_init(loop, &poller_->handle, fd_.get());
    if (r != 0) throw SystemError(env, -r, "uv_poll_init");
    // Cannot fail in Node (its own async handles have started the loop's
    // async watcher); without it, the loop thread reads everything itself.
    poller_->aheadReady = uv_async_init(loop, &poller_->ahead, OnAhead) == 0;
    uv_timer_init(loop, &poller_->retry);  // cannot fail
    poller_->handle.data = poller_;
    poller_->retry.data = poller_;
    poller_->ahead.data = poller_;
    poller_->initialized = true;
    // The ahead handle is referenced only while the reader works (UpdateAheadRef).
    if (poller_->aheadReady) uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->ahead));
    if (!refed_) {
      uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->handle));
      uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->retry));
    }
  }
  AddonData* data = env.GetInstanceData<AddonData>();
  Napi::Value callback = Value().Get(data->callbackKey.Value());
  onBatch_ = Napi::Persistent(callback.As<Napi::Function>());
  asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "nlkit:NetlinkSocket", Value());
  // A polling socket must survive while its JS owner forgets it, like a
  // dgram socket: it lives until close().
  ObjectWrap::Ref();
  live_ = true;
}

int Socket::UpdatePoll() {
  if (closed_ || poller_ == nullptr || !poller_->initialized) return 0;
  int events = 0;
  if (ReadingWanted()) {
    events |= UV_READABLE;
    if (!queue_.empty()) events |= UV_WRITABLE;
  } else if (!queue_.empty() && !errorPending_ && !broken_ && !JsGone()) {
    events |= UV_WRITABLE;
  }
  if (retryArmed_) events &= ~UV_WRITABLE;
  if (events == poller_->events) return 0;
  int r = events == 0 ? uv_poll_stop(&poller_->handle) : uv_poll_start(&poller_->handle, events, OnPoll);
  if (r == 0) poller_->events = events;
  return r;
}

void Socket::UpdatePollOrThrow(Napi::Env env) {
  int r = UpdatePoll();
  if (r != 0) throw SystemError(env, -r, "uv_poll_start");
}

void Socket::UpdateAheadRef() {
  if (closed_ || poller_ == nullptr || !poller_->aheadReady) return;
  uv_handle_t* ahead = reinterpret_cast<uv_handle_t*>(&poller_->ahead);
  if (readAhead_ && refed_) uv_ref(ahead);
  else uv_unref(ahead);
}

void Socket::CloseNative(bool teardown) {
  if (closed_) return;
  // The reader uses the fd and the slabs: wait until it has let go of them.
  StopReadAhead();
  closed_ = true;
  readAhead_ = false;
  Poller* poller = poller_;
  poller_ = nullptr;
  // The poll must be stopped and closed while the fd is still open: libuv
  // removes it from epoll by fd number.
  if (poller != nullptr) DisposePoller(poller);
  fd_.reset();
  queue_.clear();
  queuedPerPort_.clear();
  slab_ = nullptr;
  slabLength_ = slabOffset_ = 0;
  frames_ = nullptr;
  frameCapacity_ = 0;
  if (teardown) return;  // JS handles are released by the destructor
  slabRef_.Reset();
  spareRef_.Reset();
  spare_ = nullptr;
  framesRef_.Reset();
  onBatch_.Reset();
  asyncContext_.reset();
  if (live_) {
    live_ = false;
    ObjectWrap::Unref();
  }
}

void Socket::DisposePoller(Poller* poller) {
  poller->owner = nullptr;
  if (poller->initialized) {
    uv_poll_stop(&poller->handle);
    uv_timer_stop(&poller->retry);
    poller->closing = poller->aheadReady ? 3 : 2;
    uv_close(reinterpret_cast<uv_handle_t*>(&poller->handle), OnHandleClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&poller->retry), OnHandleClosed);
    if (poller->aheadReady) uv_close(reinterpret_cast<uv_handle_t*>(&poller->ahead), OnHandleClosed);
    return;
  }
  FreePoller(poller);
}

void Socket::OnHandleClosed(uv_handle_t* handle) {
  Poller* poller = static_cast<Poller*>(handle->data);
  if (--poller->closing == 0) FreePoller(poller);
}

void Socket::FreePoller(Poller* poller) {
  // Lets a waiting env teardown go on.
  if (poller->hook != nullptr) napi_remove_async_cleanup_hook(poller->hook);
  delete poller;
}

void Socket::OnAsyncCleanup(napi_async_cleanup_hook_handle /*handle*/, void* arg) {
  // The environment is going away: close without calling into JS. The hook
  // is removed (teardown may go on) once libuv has closed the handles.
  Poller* poller = static_cast<Poller*>(arg);
  if (poller->owner != nullptr) poller->owner->CloseNative(true);
  // Otherwise close() already ran and the handles are closing.
}

void Socket::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  if (started_) return;
  EnsureLive(env);
  started_ = true;
  UpdatePollOrThrow(env);
}

void Socket::Pause(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  userPaused_ = true;
  // A read-ahead stops after the datagram in hand (the kernel buffers the rest).
  PauseReadAhead();
  UpdatePollOrThrow(info.Env());
}

void Socket::Resume(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  userPaused_ = false;
  UpdatePollOrThrow(info.Env());
}

void Socket::Ref(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  refed_ = true;
  if (poller_->initialized) {
    uv_ref(reinterpret_cast<uv_handle_t*>(&poller_->handle));
    uv_ref(reinterpret_cast<uv_handle_t*>(&poller_->retry));
    UpdateAheadRef();
  }
}

void Socket::Unref(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  refed_ = false;
  if (poller_->initialized) {
    uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->handle));
    uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->retry));
    UpdateAheadRef();
  }
}

void Socket::Close(const Napi::CallbackInfo& /*info*/) { CloseNative(false); }

void Socket::OnPoll(uv_poll_t* handle, int status, int events) {
  Poller* poller = static_cast<Poller*>(handle->data);
  if (poller->owner != nullptr) poller->owner->HandlePoll(status, events);
}

void Socket::HandlePoll(int status, int events) {
  napi_env env = Env();
  if (JsGone()) {
    LoseJs();
    return;
  }
  FromLoop(env, data_, [this, env, status, events]() {
    LoopScope scope(env);
    if (!HoldSelf(env, scope)) return;
    if (status < 0) {
      // libuv reports EPOLLERR as UV_EBADF and stops the handle. On a
      // netlink socket EPOLLERR means sk_err is set (ENOBUFS from
      // netlink_overrun, or an error netlink_set_err broadcast); the next
      // recvmsg returns it and clears it, so read as usual.
      poller_->events = 0;
      // If nobody may read now, keep the poll off until reading resumes,
      // otherwise EPOLLERR would fire again at once.
      if (!ReadingWanted()) errorPending_ = true;
      if (!queue_.empty() && !retryArmed_) {
        FlushQueue(env);
        if (Stopped()) return;
      }
      if (ReadingWanted()) {
        ReadBatch(env);
        if (Stopped()) return;
      }
      UpdatePoll();
      return;
    }
    if ((events & UV_WRITABLE) != 0) {
      FlushQueue(env);
      if (Stopped()) return;
    }
    if ((events & UV_READABLE) != 0 && ReadingWanted()) ReadBatch(env);
  });
}

bool Socket::HoldSelf(napi_env env, const LoopScope& scope) {
  napi_value self = nullptr;
  if (!scope.ok() || napi_get_reference_value(env, SelfRef(), &self) != napi_ok) {
    AfterFailedCall(env, data_);
    if (JsGone()) LoseJs();
    return false;
  }
  return self != nullptr;
}

napi_value Socket::ErrorForJs(napi_env env, int err, const char* syscall) {
  if (JsGone()) return nullptr;
  napi_value error = SystemErrorValue(env, err, syscall);
  if (error == nullptr) {
    AfterFailedCall(env, data_);
    if (JsGone()) LoseJs();
  }
  return error;
}

void Socket::LoseJs() {
  data_->jsGone = true;
  if (closed_ || poller_ == nullptr || !poller_->initialized) return;
  // The poll would fire again and again with nobody to read: off until the
  // cleanup hook closes the socket. The reader leaves the socket too.
  uv_poll_stop(&poller_->handle);
  poller_->events = 0;
  uv_timer_stop(&poller_->retry);
  retryArmed_ = false;
  PauseReadAhead();
}

void Socket::CallBatch(napi_env env, uint32_t frames, bool slabFull, napi_value error, bool switched) {
  if (onBatch_.IsEmpty() || asyncContext_ == nullptr || JsGone()) return;
  napi_value self = nullptr;
  napi_value callback = nullptr;
  napi_value args[4] = {};
  napi_status status = napi_get_reference_value(env, SelfRef(), &self);
  if (status == napi_ok) status = napi_get_reference_value(env, static_cast<napi_ref>(onBatch_), &callback);
  if (status == napi_ok) status = napi_create_uint32(env, frames, &args[0]);
  if (status == napi_ok) status = napi_get_boolean(env, slabFull, &args[1]);
  if (status == napi_ok) {
    if (error != nullptr) args[2] = error;
    else status = napi_get_null(env, &args[2]);
  }
  if (status == napi_ok) status = napi_get_boolean(env, switched, &args[3]);
  // Not onBatch_.MakeCallback(): when the environment is being torn down it
  // throws a Napi::Error, and building that error from the termination
  // exception aborts the process (napi_define_properties fails).
  // Called from JS (receiveNow): a plain call, JS is on the stack already;
  // from the loop: a callback, with its async context and microtask checkpoint.
  if (status == napi_ok) {
    status = inJsCall_ ? napi_call_function(env, self, callback, 4, args, nullptr)
                       : napi_make_callback(env, static_cast<napi_async_context>(*asyncContext_), self, callback, 4, args, nullptr);
  }
  if (status == napi_ok) return;
  // What the callback threw goes to process 'uncaughtException', as it
  // would for any other I/O callback; a refusal to run JS stops the socket.
  AfterFailedCall(env, data_);
  if (JsGone()) LoseJs();
}

}  // namespace nlkit
