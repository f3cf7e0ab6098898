// Registers the exports; everything else lives in its own file.
#include <malloc.h>
#include <napi.h>
#include "constants.h"
#include "convert.h"
#include "errors.h"
#include "instance.h"
#include "log.h"
#include "session.h"

namespace fusekit {

extern bool gTearingDown;

// At environment exit, whatever is still mounted is unmounted (no stale mounts behind).
static void Cleanup(void* data) {
  auto* inst = static_cast<Instance*>(data);
  gTearingDown = true;
  for (Session* s : std::set<Session*>(inst->sessions)) s->UnmountAndDestroy();
}

static Napi::Value SetErrorClassJs(const Napi::CallbackInfo& info) {
  FK_CHECK_ARGS(info.Length() == 1 && info[0].IsFunction(), "setErrorClass(cls)");
  SetErrorClass(info.Env(), info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// Freed ArrayBuffers go back to the C heap, which glibc keeps unless they sit at its top.
static Napi::Value TrimHeapJs(const Napi::CallbackInfo& info) {
  malloc_trim(0);
  return info.Env().Undefined();
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* inst = new Instance();
  env.SetInstanceData(inst);
  napi_add_env_cleanup_hook(env, Cleanup, inst);
  InstallLogHook();
  exports.Set("Session", Session::Define(env));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClassJs));
  exports.Set("trimHeap", Napi::Function::New(env, TrimHeapJs));
  exports.Set("layout", LayoutObject(env));
  exports.Set("constants", ConstantsObject(env));
  return exports;
}

}  // namespace fusekit

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return fusekit::Init(env, exports); }
NODE_API_MODULE(fusekit_addon, InitAddon)
