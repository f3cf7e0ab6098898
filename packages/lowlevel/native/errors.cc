#include "errors.h"
#include <cstring>
#include "instance.h"

namespace fusekit {

void SetErrorClass(Napi::Env env, Napi::Function cls) { Instance::Get(env).errorClass = Napi::Persistent(cls); }

void ThrowSystemError(Napi::Env env, int err, const std::string& syscall, const std::string& detail) {
  std::string message = syscall + ": " + std::strerror(err);
  if (!detail.empty()) message += " (" + detail + ")";
  ThrowError(env, err, syscall, message);
}

void ThrowError(Napi::Env env, int err, const std::string& syscall, const std::string& message) {
  Instance& inst = Instance::Get(env);
  if (inst.errorClass.IsEmpty()) throw Napi::Error::New(env, message);
  Napi::Object e = inst.errorClass.New(
      {Napi::String::New(env, message), Napi::Number::New(env, err), Napi::String::New(env, syscall)});
  throw Napi::Error(env, e);
}

}  // namespace fusekit
