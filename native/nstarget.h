// A namespace target as JS gives it ({ path } | { pid } | { fd }), opened on
// the calling thread for a helper thread to setns() into.
#ifndef NLKIT_NSTARGET_H_
#define NLKIT_NSTARGET_H_

#include "addon_api.h"

#include "fd.h"
#include "netns.h"

namespace nlkit {

// Opens the target's namespace file; throws a TypeError/RangeError for a
// malformed target, returns the status of the open otherwise.
SysStatus OpenTarget(const Napi::Env& env, const Napi::Object& target, UniqueFd* nsfd);

}  // namespace nlkit

#endif  // NLKIT_NSTARGET_H_
