// Arguments of the JS-facing functions: checked once here, with errors worded
// like Node's own (code ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE).
#ifndef NLKIT_ARGS_H_
#define NLKIT_ARGS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "addon_api.h"

namespace nlkit {

// info[index] as an integer in [min, max]; a TypeError (not a number) or a
// RangeError naming the argument otherwise.
double IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* name, double min, double max);

uint32_t U32Arg(const Napi::CallbackInfo& info, size_t index, const char* name);
int IntArg(const Napi::CallbackInfo& info, size_t index, const char* name);

bool IsTypedArrayOf(const Napi::Value& value, napi_typedarray_type type);

// info[index] as a Uint8Array (a Buffer is one); a TypeError otherwise.
Napi::Uint8Array BytesArg(const Napi::CallbackInfo& info, size_t index, const char* name);

// info[index] as an interface name (ifr_name): a string of at most
// IFNAMSIZ - 1 bytes without NUL, empty only when `allowEmpty`.
std::string IfnameArg(const Napi::CallbackInfo& info, size_t index, const char* name, bool allowEmpty);

}  // namespace nlkit

#endif  // NLKIT_ARGS_H_
