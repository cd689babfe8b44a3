// Running code in libuv callbacks of the loop thread: no JS on the stack, a
// handle scope of their own, and no C++ exception may unwind into libuv.
// Once the environment refuses JS (a Worker being terminated, the process
// exiting) nothing may call into JS again: AddonData::jsGone records it.
#ifndef NLKIT_LOOP_H_
#define NLKIT_LOOP_H_

#include <exception>

#include "addon_api.h"
#include "addon_data.h"

namespace nlkit {

// After a Node-API call failed in a libuv callback. An exception is pending
// when JS threw (the batch callback) or was terminated while it ran: it is
// cleared either way, and reported unless JS is gone. A failure with no
// exception pending means the environment refuses JS (NAPI_PREAMBLE's
// can_call_into_js check): it is being torn down.
void AfterFailedCall(napi_env env, AddonData* data);

// Reports what escaped a libuv callback (`error`, or a new Error with
// `message` when there is none) as an uncaught exception; marks JS gone when
// that cannot be done.
void ReportEscaped(napi_env env, AddonData* data, napi_value error, const char* message);

// The error object of a Napi::Error caught in a libuv callback, or nullptr.
napi_value CaughtErrorValue(napi_env env, AddonData* data, const Napi::Error& e);

// Runs the body of a libuv callback. Nothing may unwind into libuv: a C++
// exception that escapes (none is expected: the bodies use plain Node-API
// calls) becomes a process 'uncaughtException' while JS can still run, and
// is dropped once it cannot.
template <typename F>
void FromLoop(napi_env env, AddonData* data, F&& body) {
  try {
    body();
  } catch (const Napi::Error& e) {
    ReportEscaped(env, data, CaughtErrorValue(env, data, e), "nlkit: a Node-API call failed in a libuv callback");
  } catch (const std::exception& e) {
    ReportEscaped(env, data, nullptr, e.what());
  } catch (...) {
    ReportEscaped(env, data, nullptr, "nlkit: unknown exception in a libuv callback");
  }
}

// A handle scope for a libuv callback, opened without node-addon-api.
class LoopScope {
 public:
  explicit LoopScope(napi_env env) : env_(env) {
    if (napi_open_handle_scope(env, &scope_) != napi_ok) scope_ = nullptr;
  }
  ~LoopScope() {
    if (scope_ != nullptr) napi_close_handle_scope(env_, scope_);
  }
  LoopScope(const LoopScope&) = delete;
  LoopScope& operator=(const LoopScope&) = delete;
  bool ok() const { return scope_ != nullptr; }

 private:
  napi_env env_;
  napi_handle_scope scope_ = nullptr;
};

}  // namespace nlkit

#endif  // NLKIT_LOOP_H_
