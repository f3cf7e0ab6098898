#include "notify.h"
#include <thread>
#include "errors.h"
#include "session.h"

namespace fusekit {

static int Execute(BlockingJob* j) {
  switch (j->kind) {
    case N_INVAL_INODE:
      return fuse_lowlevel_notify_inval_inode(j->se, j->a, static_cast<off_t>(j->b), static_cast<off_t>(j->c));
    case N_INVAL_ENTRY:
      return fuse_lowlevel_notify_inval_entry(j->se, j->a, j->name.data(), j->name.size());
    case N_EXPIRE_ENTRY:
      return fuse_lowlevel_notify_expire_entry(j->se, j->a, j->name.data(), j->name.size(), FUSE_LL_EXPIRE_ONLY);
    case N_DELETE:
      return fuse_lowlevel_notify_delete(j->se, j->a, j->b, j->name.data(), j->name.size());
    case N_STORE: {
      fuse_bufvec bufv = FUSE_BUFVEC_INIT(j->data.size());
      bufv.buf[0].mem = j->data.data();
      return fuse_lowlevel_notify_store(j->se, j->a, static_cast<off_t>(j->b), &bufv,
                                        static_cast<fuse_buf_copy_flags>(0));
    }
    case N_RETRIEVE:
      return fuse_lowlevel_notify_retrieve(j->se, j->a, static_cast<size_t>(j->b), static_cast<off_t>(j->c),
                                           reinterpret_cast<void*>(static_cast<uintptr_t>(j->id)));
  }
  return -EINVAL;
}

void RunJob(BlockingJob* job) {
  Session* s = job->session;
  {
    std::lock_guard<std::mutex> lock(s->jobsMutex_);
    s->jobsRunning_++;
  }
  uv_ref(reinterpret_cast<uv_handle_t*>(s->jobsAsync_));
  std::thread([job] {
    job->result = Execute(job);
    Session* session = job->session;
    std::lock_guard<std::mutex> lock(session->jobsMutex_);
    session->jobsDone_.push_back(job);
    uv_async_send(session->jobsAsync_);
    session->jobsIdle_.notify_all();
  }).detach();
}

// notify(id, kind, a, b, c, nameOrData): starts a blocking notify; onJobDone(id, errno) follows.
Napi::Value Session::Notify(const Napi::CallbackInfo& info) {
  FK_CHECK_ARGS(info.Length() >= 6, "notify(id, kind, a, b, c, nameOrData)");
  if (se_ == nullptr || !serving_ || jobsAsync_ == nullptr) ThrowSystemError(env_, ENOTCONN, "fuse_lowlevel_notify");
  auto* job = new BlockingJob{};
  job->session = this;
  job->se = se_;
  job->id = info[0].As<Napi::Number>().Uint32Value();
  job->kind = static_cast<NotifyKind>(info[1].As<Napi::Number>().Uint32Value());
  job->a = static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value());
  job->b = static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value());
  job->c = static_cast<uint64_t>(info[4].As<Napi::Number>().Int64Value());
  if (info[5].IsBuffer()) {
    auto buf = info[5].As<Napi::Buffer<char>>();
    if (job->kind == N_STORE) job->data.assign(buf.Data(), buf.Data() + buf.Length());
    else job->name.assign(buf.Data(), buf.Length());
  } else if (info[5].IsString()) {
    job->name = info[5].As<Napi::String>().Utf8Value();
  }
  RunJob(job);
  return env_.Undefined();
}

void Session::OnJobsDone(uv_async_t* handle) {
  auto* s = static_cast<Session*>(handle->data);
  std::deque<BlockingJob*> done;
  {
    std::lock_guard<std::mutex> lock(s->jobsMutex_);
    done.swap(s->jobsDone_);
    s->jobsRunning_ -= static_cast<uint32_t>(done.size());
    if (s->jobsRunning_ == 0) {
      uv_unref(reinterpret_cast<uv_handle_t*>(handle));
      s->jobsIdle_.notify_all();
    }
  }
  Napi::HandleScope scope(s->env_);
  for (BlockingJob* job : done) {
    int err = job->result < 0 ? -job->result : 0;
    s->onJobDone_.MakeCallback(
        s->resource_.Value(), {Napi::Number::New(s->env_, job->id), Napi::Number::New(s->env_, err)}, s->asyncContext_);
    delete job;
  }
}

void Session::WaitForJobs() {
  std::unique_lock<std::mutex> lock(jobsMutex_);
  // Threads finish once the requests they wait on are answered; destroy answered them all.
  jobsIdle_.wait(lock, [this] { return jobsRunning_ == static_cast<uint32_t>(jobsDone_.size()); });
  for (BlockingJob* job : jobsDone_) delete job;
  jobsDone_.clear();
  jobsRunning_ = 0;
}

uint32_t Session::KeepPollHandle(fuse_pollhandle* ph) {
  uint32_t id;
  if (!freePollHandles_.empty()) {
    id = freePollHandles_.back();
    freePollHandles_.pop_back();
    pollHandles_[id] = ph;
  } else {
    id = static_cast<uint32_t>(pollHandles_.size());
    pollHandles_.push_back(ph);
  }
  return id;
}

// notifyPoll(handleId): wakes up poll() waiters; does not block (it only queues a notification).
Napi::Value Session::NotifyPoll(const Napi::CallbackInfo& info) {
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  if (id >= pollHandles_.size() || pollHandles_[id] == nullptr) throw Napi::Error::New(env_, "poll handle released");
  int res = fuse_lowlevel_notify_poll(pollHandles_[id]);
  if (res < 0) ThrowSystemError(env_, -res, "fuse_lowlevel_notify_poll");
  return env_.Undefined();
}

Napi::Value Session::DropPollHandle(const Napi::CallbackInfo& info) {
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  if (id < pollHandles_.size() && pollHandles_[id] != nullptr) {
    fuse_pollhandle_destroy(pollHandles_[id]);
    pollHandles_[id] = nullptr;
    freePollHandles_.push_back(id);
  }
  return env_.Undefined();
}

}  // namespace fusekit
