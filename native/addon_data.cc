#include "addon_data.h"

namespace nlkit {

AddonData::AddonData(napi_env e) : env(e) { hooked_ = napi_add_env_cleanup_hook(env, OnCleanup, this) == napi_ok; }

AddonData::~AddonData() {
  // Normally the hook ran already (the env's own teardown, which frees this,
  // is a hook registered before it); the thread is joined either way.
  if (hooked_) napi_remove_env_cleanup_hook(env, OnCleanup, this);
  reader.Shutdown();
}

void AddonData::OnCleanup(void* arg) {
  AddonData* data = static_cast<AddonData*>(arg);
  data->hooked_ = false;
  data->reader.Shutdown();
}

}  // namespace nlkit
