#include "nstarget.h"

#include <climits>
#include <cmath>

#include "errors.h"

namespace nlkit {

SysStatus OpenTarget(const Napi::Env& env, const Napi::Object& target, UniqueFd* nsfd) {
  if (target.Has("path")) {
    Napi::Value path = target.Get("path");
    if (!path.IsString()) throw ArgTypeError(env, "The \"netns.path\" property must be a string");
    return OpenNetnsPath(path.As<Napi::String>().Utf8Value(), nsfd);
  }
  if (target.Has("pid")) {
    Napi::Value pid = target.Get("pid");
    if (!pid.IsNumber()) throw ArgTypeError(env, "The \"netns.pid\" property must be a number");
    double n = pid.As<Napi::Number>().DoubleValue();
    if (std::trunc(n) != n || n < 1 || n > INT_MAX) throw ArgRangeError(env, "The \"netns.pid\" property must be a positive integer");
    return OpenNetnsPid(static_cast<int>(n), nsfd);
  }
  if (target.Has("fd")) {
    Napi::Value fd = target.Get("fd");
    if (!fd.IsNumber()) throw ArgTypeError(env, "The \"netns.fd\" property must be a number");
    double n = fd.As<Napi::Number>().DoubleValue();
    if (std::trunc(n) != n || n < 0 || n > INT_MAX) throw ArgRangeError(env, "The \"netns.fd\" property must be a non-negative integer");
    return DupNetnsFd(static_cast<int>(n), nsfd);
  }
  throw ArgTypeError(env, "The \"netns\" argument must have a path, pid or fd property");
}

void CheckTargetArg(const Napi::Env& env, const Napi::Value& netns) {
  if (!netns.IsNull() && !netns.IsUndefined() && !netns.IsObject()) {
    throw ArgTypeError(env, "The \"netns\" argument must be an object or null");
  }
}

SysStatus RunAtTarget(const Napi::Env& env, const Napi::Value& netns, const std::function<SysStatus()>& fn) {
  if (!netns.IsObject()) return fn();
  UniqueFd nsfd;
  SysStatus status = OpenTarget(env, netns.As<Napi::Object>(), &nsfd);
  if (!status.ok()) return status;
  return RunInNetns(nsfd.get(), fn);
}

}  // namespace nlkit
