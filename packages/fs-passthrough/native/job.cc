#include "job.h"
#include <cerrno>
#include <cstring>
#include "host_pool.h"

namespace passthrough {

Napi::Value Job::Run(const Napi::CallbackInfo& info, const char* syscall, Work work, napi_value keep) {
  Napi::Env env = info.Env();
  if (info.Data() == &sync) {
    Outcome outcome;
    outcome.result = work(outcome);
    if (outcome.result < 0) return Napi::Number::New(env, static_cast<double>(outcome.result));
    return Value(env, outcome);
  }
  HostPool* pool = HostPool::Of(env);
  if (pool == nullptr) throw Napi::Error::New(env, "fs-passthrough's host pool is stopped");
  auto* job = new Job(syscall, std::move(work));
  napi_value promise;
  if (napi_create_promise(env, &job->deferred_, &promise) != napi_ok ||
      (keep != nullptr && napi_create_reference(env, keep, 1, &job->keep_) != napi_ok)) {
    job->Drop(env);
    delete job;
    throw Napi::Error::New(env);
  }
  if (!pool->Queue(job)) {
    job->errno_ = EAGAIN;
    job->syscall_ = "pthread_create";
    job->Settle(env);
    delete job;
  }
  return Napi::Value(env, promise);
}

void Job::Execute() {
  int64_t r = work_(outcome_);
  if (r < 0) errno_ = static_cast<int>(-r);
  else outcome_.result = r;
}

void Job::Settle(napi_env env) {
  Napi::Env e(env);
  Napi::HandleScope scope(e);
  Drop(env);
  napi_deferred deferred = deferred_;
  deferred_ = nullptr;
  if (deferred == nullptr) return;
  napi_value answer;
  bool ok = errno_ == 0;
  try {
    answer = ok ? Value(e, outcome_) : ErrnoError(e, errno_, syscall_).Value();
  } catch (const Napi::Error& error) {  // out of memory for a Buffer: the Promise still settles
    answer = error.Value();
    ok = false;
  }
  if (ok) napi_resolve_deferred(env, deferred, answer);
  else napi_reject_deferred(env, deferred, answer);
}

void Job::Drop(napi_env env) {
  if (keep_ != nullptr) napi_delete_reference(env, keep_);
  keep_ = nullptr;
}

Napi::Value Job::Value(Napi::Env env, const Outcome& outcome) {
  switch (outcome.answer) {
    case Answer::kUndefined:
      return env.Undefined();
    case Answer::kNull:
      return env.Null();
    case Answer::kBuffer:
      return Napi::Buffer<char>::Copy(env, outcome.data.data(), outcome.data.size());
    case Answer::kBigInts: {
      auto ints = Napi::BigInt64Array::New(env, outcome.count);
      std::memcpy(ints.Data(), outcome.ints, outcome.count * sizeof(int64_t));
      return ints;
    }
    case Answer::kNumber:
      break;
  }
  return Napi::Number::New(env, static_cast<double>(outcome.result));
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall) {
  const char* code = strerrorname_np(err);
  std::string message = std::string(code ? code : "EIO") + ": " + std::strerror(err) + ", " + syscall;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code ? code : "EIO"));
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

}  // namespace passthrough
