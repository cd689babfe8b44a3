// Per-environment state of the addon (Node-API instance data): the main
// thread and every Worker have their own.
#ifndef NLKIT_ADDON_DATA_H_
#define NLKIT_ADDON_DATA_H_

#include "addon_api.h"
#include "reader.h"

namespace nlkit {

struct AddonData {
  // Stops the read-ahead thread in an env cleanup hook that runs after
  // every socket's own (hooks run in reverse order of registration, and
  // this one is registered when the addon loads, before any socket exists).
  explicit AddonData(napi_env env);
  ~AddonData();
  AddonData(const AddonData&) = delete;
  AddonData& operator=(const AddonData&) = delete;

  napi_env env;
  // Key of the non-enumerable property that holds a socket's batch callback,
  // so that the callback is traced through the socket object by the GC
  // instead of being a root that would keep an unstarted socket alive.
  Napi::Reference<Napi::Symbol> callbackKey;
  // The environment can no longer run JS: a Worker is being terminated or
  // the process is exiting. Node stops JS (Environment::ExitEnv) before any
  // cleanup hook runs, and libuv callbacks still come in between; the first
  // Node-API call that finds JS gone sets this, and from then on no socket
  // of this environment calls into JS or builds a JS value again.
  bool jsGone = false;
  // The environment's read-ahead thread (reader.h), started on first use.
  Reader reader;

 private:
  static void OnCleanup(void* arg);
  bool hooked_ = false;
};

}  // namespace nlkit

#endif  // NLKIT_ADDON_DATA_H_
