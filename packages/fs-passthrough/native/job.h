// A system call run on libuv's thread pool and settled as a Promise, or run at once on the JS
// thread for the functions exported under `sync`: the work is a plain lambda that touches no
// napi (only its captured copies) and returns a result or -errno.
#pragma once
#include <napi.h>
#include <cstring>
#include <functional>
#include <string>

namespace passthrough {

// What a job leaves for the JS thread: a count (or offset, or fd), or bytes when it filled `data`.
struct Outcome {
  int64_t result = 0;
  std::string data;
  bool hasData = false;
};

class Job : public Napi::AsyncWorker {
 public:
  using Work = std::function<int64_t(Outcome&)>;

  // The function data that marks the synchronous flavour of a call.
  static inline int sync = 0;

  // Queues `work`; the Promise resolves with its result (a number, or a Buffer when it set
  // `hasData`) or rejects with an Error carrying `code`, `errno` and `syscall` like node:fs.
  // A synchronous call returns that value, or -errno: building an Error costs some 20 us, more
  // than most calls, and some fail often (ENODATA for security.capability before each write).
  static Napi::Value Run(const Napi::CallbackInfo& info, const char* syscall, Work work) {
    Napi::Env env = info.Env();
    if (info.Data() == &sync) {
      Outcome outcome;
      outcome.result = work(outcome);
      return Value(env, outcome);
    }
    auto* job = new Job(env, syscall, std::move(work));
    Napi::Promise promise = job->deferred_.Promise();
    job->Queue();
    return promise;
  }

 protected:
  void Execute() override {
    int64_t r = work_(outcome_);
    if (r < 0) errno_ = static_cast<int>(-r);
    else outcome_.result = r;
  }

  void OnOK() override {
    if (errno_ != 0) deferred_.Reject(ErrnoError(Env(), errno_, syscall_).Value());
    else deferred_.Resolve(Value(Env(), outcome_));
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  static Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall) {
    const char* code = strerrorname_np(err);
    std::string message = std::string(code ? code : "EIO") + ": " + std::strerror(err) + ", " + syscall;
    Napi::Error error = Napi::Error::New(env, message);
    error.Set("code", Napi::String::New(env, code ? code : "EIO"));
    error.Set("errno", Napi::Number::New(env, -err));
    error.Set("syscall", Napi::String::New(env, syscall));
    return error;
  }

  static Napi::Value Value(Napi::Env env, const Outcome& outcome) {
    if (outcome.hasData) return Napi::Buffer<char>::Copy(env, outcome.data.data(), outcome.data.size());
    return Napi::Number::New(env, static_cast<double>(outcome.result));
  }

  Job(Napi::Env env, const char* syscall, Work work)
      : Napi::AsyncWorker(env, syscall), deferred_(Napi::Promise::Deferred::New(env)),
        syscall_(syscall), work_(std::move(work)) {}

  Napi::Promise::Deferred deferred_;
  const char* syscall_;
  Work work_;
  Outcome outcome_;
  int errno_ = 0;
};

}  // namespace passthrough
