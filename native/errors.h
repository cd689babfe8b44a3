// JS error objects shaped like Node's system errors, built on the main thread
// only (they call into V8).
#ifndef NLKIT_ERRORS_H_
#define NLKIT_ERRORS_H_

#include <string>

#include "addon_api.h"

namespace nlkit {

// The errno macro name ("EPERM"), or "Unknown system error N".
std::string ErrnoName(int err);

// Message of a system error: "<syscall> failed: <CODE> (<strerror>)", or,
// when a file is involved, the way Node words its fs errors (and
// NetlinkSocketError in src/core/errors.ts words errors with a path):
// "<CODE>: <strerror, lower case>, <syscall> '<path>'", e.g. "ENOENT: no
// such file or directory, open '/run/netns/nope'".
std::string SystemErrorMessage(int err, const char* syscall, const std::string& path = std::string());

// Error with SystemErrorMessage() and the properties errno (positive), code,
// syscall and, if given, path.
Napi::Error SystemError(Napi::Env env, int err, const char* syscall, const std::string& path = std::string());

// The same error object built with plain Node-API calls that never throw:
// nullptr when any call fails (the environment is being torn down). For
// libuv callbacks, where a node-addon-api exception must never be raised.
napi_value SystemErrorValue(napi_env env, int err, const char* syscall, const std::string& path = std::string());

// Error("socket is closed") with code 'ERR_SOCKET_CLOSED'.
Napi::Error SocketClosedError(Napi::Env env);

// TypeError / RangeError with a Node-style code property.
Napi::TypeError ArgTypeError(Napi::Env env, const std::string& message);
Napi::RangeError ArgRangeError(Napi::Env env, const std::string& message);

}  // namespace nlkit

#endif  // NLKIT_ERRORS_H_
