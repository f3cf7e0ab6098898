// Argument readers: one-line checks that throw a TypeError naming the call's signature.
#pragma once
#include <napi.h>
#include <string>

namespace passthrough {

#define PT_CHECK(cond, signature) \
  if (!(cond)) throw Napi::TypeError::New(info.Env(), "expected " signature)

// A path or name from a Buffer (exact bytes) or a string (UTF-8).
inline bool IsBytes(const Napi::Value& v) { return v.IsBuffer() || v.IsString(); }

inline std::string Bytes(const Napi::Value& v) {
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  auto b = v.As<Napi::Buffer<char>>();
  return std::string(b.Data(), b.Length());
}

inline int64_t Int(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

}  // namespace passthrough
