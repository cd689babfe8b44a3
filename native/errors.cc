#include "errors.h"

#include <uv.h>

#include <cstring>

namespace nlkit {

std::string ErrnoName(int err) {
  // libuv's table covers the errno values sockets and mounts produce; on Unix
  // its codes are the negated errno values.
  const char* name = uv_err_name(-err);
  if (name != nullptr && std::strncmp(name, "Unknown", 7) != 0) return name;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char* glibc = strerrorname_np(err);
  if (glibc != nullptr) return glibc;
#endif
  return "Unknown system error " + std::to_string(err);
}

namespace {

// strerror_r comes in two flavours: GNU returns the text, XSI fills buf.
[[maybe_unused]] const char* StrerrorText(int xsiResult, const char* buf) { return xsiResult == 0 ? buf : "Unknown error"; }
[[maybe_unused]] const char* StrerrorText(const char* gnuResult, const char* /*buf*/) { return gnuResult; }

// strerror() is not thread-safe, and every Worker has a JS thread of its own.
std::string Strerror(int err) {
  char buf[256] = {};
  return StrerrorText(strerror_r(err, buf, sizeof buf), buf);
}

}  // namespace

std::string SystemErrorMessage(int err, const char* syscall, const std::string& path) {
  std::string text = Strerror(err);
  if (path.empty()) return std::string(syscall) + " failed: " + ErrnoName(err) + " (" + text + ")";
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return ErrnoName(err) + ": " + text + ", " + syscall + " '" + path + "'";
}

napi_value SystemErrorValue(napi_env env, int err, const char* syscall, const std::string& path) {
  const std::string message = SystemErrorMessage(err, syscall, path);
  const std::string code = ErrnoName(err);
  napi_value error = nullptr;
  napi_value text = nullptr;
  napi_value value = nullptr;
  if (napi_create_string_utf8(env, message.data(), message.size(), &text) != napi_ok) return nullptr;
  if (napi_create_error(env, nullptr, text, &error) != napi_ok) return nullptr;
  if (napi_create_int32(env, err, &value) != napi_ok || napi_set_named_property(env, error, "errno", value) != napi_ok) return nullptr;
  if (napi_create_string_utf8(env, code.data(), code.size(), &value) != napi_ok ||
      napi_set_named_property(env, error, "code", value) != napi_ok) {
    return nullptr;
  }
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value) != napi_ok ||
      napi_set_named_property(env, error, "syscall", value) != napi_ok) {
    return nullptr;
  }
  if (!path.empty() && (napi_create_string_utf8(env, path.data(), path.size(), &value) != napi_ok ||
                        napi_set_named_property(env, error, "path", value) != napi_ok)) {
    return nullptr;
  }
  return error;
}

Napi::Error SystemError(Napi::Env env, int err, const char* syscall, const std::string& path) {
  napi_value error = SystemErrorValue(env, err, syscall, path);
  if (error != nullptr) return Napi::Error(env, error);
  // Setting a property ran JS that threw (that exception is what JS gets),
  // or the environment refuses JS (the bare error still has the message).
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return Napi::Error::New(env);
  return Napi::Error::New(env, SystemErrorMessage(err, syscall, path));
}

Napi::Error SocketClosedError(Napi::Env env) {
  Napi::Error error = Napi::Error::New(env, "socket is closed");
  error.Value().Set("code", Napi::String::New(env, "ERR_SOCKET_CLOSED"));
  return error;
}

Napi::TypeError ArgTypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Value().Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  return error;
}

Napi::RangeError ArgRangeError(Napi::Env env, const std::string& message) {
  Napi::RangeError error = Napi::RangeError::New(env, message);
  error.Value().Set("code", Napi::String::New(env, "ERR_OUT_OF_RANGE"));
  return error;
}

}  // namespace nlkit
