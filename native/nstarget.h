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

// `netns` as a JS entry point takes it (null/undefined: here; an object: a
// target): a TypeError for anything else. Call it once the other arguments
// are checked.
void CheckTargetArg(const Napi::Env& env, const Napi::Value& netns);

// Runs `fn` here, or for a target on a helper thread that entered its
// namespace (RunInNetns); the namespace's open failure is the status then.
SysStatus RunAtTarget(const Napi::Env& env, const Napi::Value& netns, const std::function<SysStatus()>& fn);

}  // namespace nlkit

#endif  // NLKIT_NSTARGET_H_
