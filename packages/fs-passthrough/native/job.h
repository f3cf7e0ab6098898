// A system call run on libuv's thread pool and settled as a Promise: the work is a plain
// lambda that touches no napi (only its captured copies) and returns a result or -errno.
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

  // Queues `work`; the Promise resolves with its result (a number, or a Buffer when it set
  // `hasData`) or rejects with an Error carrying `code`, `errno` and `syscall` like node:fs.
  static Napi::Promise Run(Napi::Env env, const char* syscall, Work work) {
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
    Napi::Env env = Env();
    if (errno_ != 0) {
      const char* code = strerrorname_np(errno_);
      std::string message = std::string(code ? code : "EIO") + ": " + std::strerror(errno_) + ", " + syscall_;
      Napi::Error error = Napi::Error::New(env, message);
      error.Set("code", Napi::String::New(env, code ? code : "EIO"));
      error.Set("errno", Napi::Number::New(env, -errno_));
      error.Set("syscall", Napi::String::New(env, syscall_));
      deferred_.Reject(error.Value());
    } else if (outcome_.hasData) {
      deferred_.Resolve(Napi::Buffer<char>::Copy(env, outcome_.data.data(), outcome_.data.size()));
    } else {
      deferred_.Resolve(Napi::Number::New(env, static_cast<double>(outcome_.result)));
    }
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
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
