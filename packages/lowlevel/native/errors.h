// Native failures reach JS as instances of the TS-defined error class, with code/errno/syscall.
#pragma once
#include <napi.h>
#include <string>

namespace fusekit {

void SetErrorClass(Napi::Env env, Napi::Function cls);
// Throws a system error: message, errno (positive), the libc/libfuse call that failed.
[[noreturn]] void ThrowSystemError(Napi::Env env, int err, const std::string& syscall, const std::string& detail = "");
// The same with `message` as the whole message.
[[noreturn]] void ThrowError(Napi::Env env, int err, const std::string& syscall, const std::string& message);

}  // namespace fusekit

#define FK_CHECK_ARGS(cond, msg) \
  if (!(cond)) throw Napi::TypeError::New(info.Env(), msg)
