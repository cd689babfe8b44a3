// Entry point of the Linux build: exports the NativeBinding of src/io/native.ts.
#include <string>

#include "addon_api.h"
#include "addon_data.h"
#include "errors.h"
#include "ifreq.h"
#include "netns.h"
#include "socket.h"
#include "tuntap.h"

namespace nlkit {
namespace {

std::string NetnsNameArg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw ArgTypeError(env, "The \"name\" argument must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (!ValidNetnsName(name)) {
    Napi::TypeError error = Napi::TypeError::New(env, "invalid network namespace name \"" + name + "\"");
    error.Value().Set("code", Napi::String::New(env, "ERR_INVALID_ARG_VALUE"));
    throw error;
  }
  return name;
}

void NetnsCreateJs(const Napi::CallbackInfo& info) {
  SysStatus status = NetnsCreate(NetnsNameArg(info));
  if (!status.ok()) throw SystemError(info.Env(), status.err, status.syscall, status.path);
}

void NetnsDeleteJs(const Napi::CallbackInfo& info) {
  SysStatus status = NetnsDelete(NetnsNameArg(info));
  if (!status.ok()) throw SystemError(info.Env(), status.err, status.syscall, status.path);
}

Napi::Value CurrentNetnsInodeJs(const Napi::CallbackInfo& info) {
  double inode = 0;
  SysStatus status = CurrentNetnsInode(&inode);
  if (!status.ok()) throw SystemError(info.Env(), status.err, status.syscall, status.path);
  return Napi::Number::New(info.Env(), inode);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData(env);
  data->callbackKey = Napi::Persistent(Napi::Symbol::New(env, "nlkit.onBatch"));
  env.SetInstanceData<AddonData>(data);

  exports.Set("supported", Napi::Boolean::New(env, true));
  exports.Set("maxDatagram", Napi::Number::New(env, static_cast<double>(kMaxDatagram)));
  exports.Set("Socket", Socket::Init(env));
  exports.Set("netnsCreate", Napi::Function::New<NetnsCreateJs>(env, "netnsCreate"));
  exports.Set("netnsDelete", Napi::Function::New<NetnsDeleteJs>(env, "netnsDelete"));
  exports.Set("tuntapSet", Napi::Function::New<TuntapSetJs>(env, "tuntapSet"));
  exports.Set("ifreqMulticast", Napi::Function::New<IfreqMulticastJs>(env, "ifreqMulticast"));
  exports.Set("currentNetnsInode", Napi::Function::New<CurrentNetnsInodeJs>(env, "currentNetnsInode"));
  return exports;
}

}  // namespace
}  // namespace nlkit

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return nlkit::Init(env, exports); }

NODE_API_MODULE(nlkit, InitModule)
