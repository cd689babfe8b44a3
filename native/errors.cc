#include "errors.h"

#include <uv.h>

#include <cmath>
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

Napi::Error SystemError(Napi::Env env, int err, const char* syscall, const std::string& path) {
  std::string code = ErrnoName(err);
  std::string message = syscall;
  if (!path.empty()) message += " " + path;
  // strerror is not thread-safe, but this only ever runs on the JS thread.
  message += " failed: " + code + " (" + std::strerror(err) + ")";
  Napi::Error error = Napi::Error::New(env, message);
  Napi::Object obj = error.Value();
  obj.Set("errno", Napi::Number::New(env, err));
  obj.Set("code", Napi::String::New(env, code));
  obj.Set("syscall", Napi::String::New(env, syscall));
  if (!path.empty()) obj.Set("path", Napi::String::New(env, path));
  return error;
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

static double NumberArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value value = info[index];
  if (!value.IsNumber()) throw ArgTypeError(info.Env(), std::string("The \"") + name + "\" argument must be a number");
  return value.As<Napi::Number>().DoubleValue();
}

double IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* name, double min, double max) {
  double n = NumberArg(info, index, name);
  if (!std::isfinite(n) || std::trunc(n) != n || n < min || n > max) {
    throw ArgRangeError(info.Env(), std::string("The value of \"") + name + "\" is out of range. It must be an integer >= " +
                                        std::to_string(static_cast<long long>(min)) + " and <= " +
                                        std::to_string(static_cast<long long>(max)));
  }
  return n;
}


}  // namespace nlkit
