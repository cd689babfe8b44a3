#include "loop.h"

namespace nlkit {

namespace {

// Hands a JS error to process 'uncaughtException', as Node does for an
// exception thrown by any I/O callback. False when JS cannot run any more
// (napi_fatal_exception refuses then): the caller marks JS gone.
bool ReportUncaught(napi_env env, AddonData* data, napi_value error) {
  if (data->jsGone || error == nullptr) return false;
  return napi_fatal_exception(env, error) == napi_ok;
}

}  // namespace

void AfterFailedCall(napi_env env, AddonData* data) {
  bool pending = false;
  napi_value exception = nullptr;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_get_and_clear_last_exception(env, &exception);
  }
  if (!ReportUncaught(env, data, exception)) data->jsGone = true;
}

void ReportEscaped(napi_env env, AddonData* data, napi_value error, const char* message) {
  if (data->jsGone) return;
  napi_value text = nullptr;
  if (error == nullptr && (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text) != napi_ok ||
                           napi_create_error(env, nullptr, text, &error) != napi_ok)) {
    error = nullptr;
  }
  if (!ReportUncaught(env, data, error)) data->jsGone = true;
}

napi_value CaughtErrorValue(napi_env env, AddonData* data, const Napi::Error& e) {
  // The error's object through its reference: Napi::Error::Value() makes
  // more calls that may throw again.
  napi_value error = nullptr;
  const napi_ref ref = e;
  if (data->jsGone || ref == nullptr || napi_get_reference_value(env, ref, &error) != napi_ok) return nullptr;
  return error;
}

}  // namespace nlkit
