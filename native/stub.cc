// Build for platforms without AF_NETLINK: the addon loads, says it is not
// supported, and every entry point throws, so the pure-TypeScript codec still
// installs and works.
#include "addon_api.h"

namespace {

Napi::Error Unsupported(Napi::Env env) {
  Napi::Error error = Napi::Error::New(env, "unsupported platform");
  error.Value().Set("code", Napi::String::New(env, "ERR_NLKIT_UNSUPPORTED"));
  return error;
}

class Socket : public Napi::ObjectWrap<Socket> {
 public:
  static Napi::Function Init(Napi::Env env) { return DefineClass(env, "Socket", {}); }
  explicit Socket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Socket>(info) { throw Unsupported(info.Env()); }
};

Napi::Value Throw(const Napi::CallbackInfo& info) { throw Unsupported(info.Env()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("supported", Napi::Boolean::New(env, false));
  exports.Set("maxDatagram", Napi::Number::New(env, 65536));
  exports.Set("Socket", Socket::Init(env));
  exports.Set("netnsCreate", Napi::Function::New<Throw>(env, "netnsCreate"));
  exports.Set("netnsDelete", Napi::Function::New<Throw>(env, "netnsDelete"));
  exports.Set("tuntapSet", Napi::Function::New<Throw>(env, "tuntapSet"));
  exports.Set("ifreqMulticast", Napi::Function::New<Throw>(env, "ifreqMulticast"));
  exports.Set("currentNetnsInode", Napi::Function::New<Throw>(env, "currentNetnsInode"));
  return exports;
}

}  // namespace

NODE_API_MODULE(nlkit, Init)
