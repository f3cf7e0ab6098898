// Per-environment state (worker threads each get their own): the error class and live sessions.
#pragma once
#include <napi.h>
#include <set>

namespace fusekit {

class Session;

struct Instance {
  Napi::FunctionReference errorClass;
  Napi::FunctionReference sessionClass;
  std::set<Session*> sessions;

  static Instance& Get(Napi::Env env) { return *env.GetInstanceData<Instance>(); }
};

}  // namespace fusekit
