// A system call run on fs-passthrough's own host pool (host_pool.h) and settled as a Promise, or
// run at once on the JS thread for the functions exported under `sync`: the work is a plain
// lambda that touches no napi (only its captured copies) and returns a result or -errno.
#pragma once
#include <napi.h>
#include <cstdint>
#include <functional>
#include <string>

namespace passthrough {

// What a call answers with, on the JS thread.
enum class Answer : uint8_t {
  kNumber,     // `result`
  kUndefined,  // nothing: the call only succeeds or fails
  kBuffer,     // `data`
  kBigInts,    // `ints[0..count)` as a BigInt64Array
  kNull,       // nothing there (a stat of a missing name: common, and an Error costs more than the call)
};

// What a job leaves for the JS thread.
struct Outcome {
  int64_t result = 0;
  Answer answer = Answer::kNumber;
  uint8_t count = 0;
  int64_t ints[13];
  std::string data;
};

class Job {
 public:
  using Work = std::function<int64_t(Outcome&)>;

  // The function data that marks the synchronous flavour of a call.
  static inline int sync = 0;

  // Queues `work` on the host pool; the Promise resolves with its answer or rejects with an
  // Error carrying `code`, `errno` and `syscall` like node:fs. `keep` (a Buffer the work reads
  // in place) stays alive until then. A synchronous call returns the answer, or -errno: building
  // an Error costs some 20 us, more than most calls, and some fail often (ENODATA for
  // security.capability before each write).
  static Napi::Value Run(const Napi::CallbackInfo& info, const char* syscall, Work work, napi_value keep = nullptr);

  // On a pool thread: runs the work. No napi.
  void Execute();
  // On the JS thread: resolves or rejects the Promise, and lets go of what it kept.
  void Settle(napi_env env);
  // On the JS thread at exit: lets go of what it kept without settling (JS runs no more).
  void Drop(napi_env env);

 private:
  Job(const char* syscall, Work work) : syscall_(syscall), work_(std::move(work)) {}

  static Napi::Value Value(Napi::Env env, const Outcome& outcome);

  napi_deferred deferred_ = nullptr;
  napi_ref keep_ = nullptr;
  const char* syscall_;
  Work work_;
  Outcome outcome_;
  int errno_ = 0;
};

// An Error like node:fs's: `code`, negative `errno`, `syscall`.
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall);

}  // namespace passthrough
