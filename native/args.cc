#include "args.h"

#include <net/if.h>

#include <climits>
#include <cmath>
#include <string>

#include "errors.h"

namespace nlkit {

namespace {

double NumberArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value value = info[index];
  if (!value.IsNumber()) throw ArgTypeError(info.Env(), std::string("The \"") + name + "\" argument must be a number");
  return value.As<Napi::Number>().DoubleValue();
}

}  // namespace

double IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* name, double min, double max) {
  double n = NumberArg(info, index, name);
  if (!std::isfinite(n) || std::trunc(n) != n || n < min || n > max) {
    throw ArgRangeError(info.Env(), std::string("The value of \"") + name + "\" is out of range. It must be an integer >= " +
                                        std::to_string(static_cast<long long>(min)) + " and <= " +
                                        std::to_string(static_cast<long long>(max)));
  }
  return n;
}

uint32_t U32Arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<uint32_t>(IntegerArg(info, index, name, 0, 4294967295.0));
}

int IntArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<int>(IntegerArg(info, index, name, INT_MIN, INT_MAX));
}

bool IsTypedArrayOf(const Napi::Value& value, napi_typedarray_type type) {
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == type;
}

Napi::Uint8Array BytesArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value value = info[index];
  if (!IsTypedArrayOf(value, napi_uint8_array)) {
    throw ArgTypeError(info.Env(), std::string("The \"") + name + "\" argument must be a Uint8Array");
  }
  return value.As<Napi::Uint8Array>();
}

std::string IfnameArg(const Napi::CallbackInfo& info, size_t index, const char* name, bool allowEmpty) {
  Napi::Value value = info[index];
  if (!value.IsString()) throw ArgTypeError(info.Env(), std::string("The \"") + name + "\" argument must be a string");
  std::string ifname = value.As<Napi::String>().Utf8Value();
  if ((!allowEmpty && ifname.empty()) || ifname.size() >= IFNAMSIZ || ifname.find('\0') != std::string::npos) {
    throw ArgRangeError(info.Env(), std::string("The \"") + name + "\" argument must be " + (allowEmpty ? "at most " : "1 to ") +
                                        std::to_string(IFNAMSIZ - 1) + " bytes without NUL");
  }
  return ifname;
}

}  // namespace nlkit
