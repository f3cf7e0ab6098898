#include "host_pool.h"
#include <chrono>
#include <cstdlib>
#include "job.h"

namespace passthrough {

// How long exit waits for the threads to finish the calls they are in.
static constexpr auto kStopWait = std::chrono::seconds(2);

// FUSEKIT_HOST_THREADS, if it is a number from 1 to 256; else 4, as libuv's pool.
static size_t ThreadCount() {
  const char* value = std::getenv("FUSEKIT_HOST_THREADS");
  if (value == nullptr || *value == '\0') return 4;
  char* end = nullptr;
  long n = std::strtol(value, &end, 10);
  return *end == '\0' && n >= 1 && n <= 256 ? static_cast<size_t>(n) : 4;
}

void HostPool::Create(Napi::Env env) {
  auto* pool = new HostPool(env, ThreadCount());
  napi_value name = Napi::String::New(env, "fusekit-passthrough host call");
  // Registered before our cleanup hook, so Stop (hooks run last-registered first) sees it alive.
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, pool, Finalize, pool, Settle,
                                      &pool->shared_->tsfn) != napi_ok) {
    delete pool;
    throw Napi::Error::New(env);
  }
  // Keeps the event loop alive only while calls are pending, as libuv's own work requests do.
  napi_unref_threadsafe_function(env, pool->shared_->tsfn);
  napi_set_instance_data(env, pool, nullptr, nullptr);
  napi_add_env_cleanup_hook(env, Stop, pool);
}

HostPool* HostPool::Of(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  auto* pool = static_cast<HostPool*>(data);
  return pool != nullptr && !pool->stopped_ ? pool : nullptr;
}

HostPool::HostPool(napi_env env, size_t threads) : env_(env), maxThreads_(threads) {}

bool HostPool::Queue(Job* job) {
  if (pending_++ == 0) napi_ref_threadsafe_function(env_, shared_->tsfn);
  bool start, wake;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->queue.push_back(job);
    // A thread more while jobs outnumber the idle threads: a burst is taken up side by side.
    start = shared_->queue.size() > shared_->idle && threads_.size() < maxThreads_;
    wake = !start && shared_->idle > 0;
    if (start) shared_->alive++;
  }
  if (wake) shared_->wake.notify_one();
  if (!start) return true;
  try {
    threads_.emplace_back(Loop, shared_);
    return true;
  } catch (const std::system_error&) {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->alive--;
    if (!threads_.empty()) return true;  // the threads there are will take it
    shared_->queue.pop_back();           // none will: the caller fails it
  }
  if (--pending_ == 0) napi_unref_threadsafe_function(env_, shared_->tsfn);
  return false;
}

void HostPool::Loop(std::shared_ptr<Shared> shared) {
  Shared& s = *shared;
  std::unique_lock<std::mutex> lock(s.mutex);
  while (!s.stopping) {
    if (s.queue.empty()) {
      s.idle++;
      s.wake.wait(lock);
      s.idle--;
      continue;
    }
    Job* job = s.queue.front();
    s.queue.pop_front();
    lock.unlock();
    job->Execute();
    {
      std::lock_guard<std::mutex> done(s.doneMutex);
      s.done.push_back(job);
      // One wake-up per batch: the JS thread takes every job done by the time it runs.
      if (s.done.size() == 1 && !s.closed) napi_call_threadsafe_function(s.tsfn, nullptr, napi_tsfn_nonblocking);
    }
    lock.lock();
  }
  s.alive--;
  s.exited.notify_all();
}

void HostPool::Settle(napi_env env, napi_value, void* context, void*) {
  if (env == nullptr) return;  // the function is being torn down: Finalize frees what is left
  auto* pool = static_cast<HostPool*>(context);
  if (pool->stopped_) return;
  {
    std::lock_guard<std::mutex> lock(pool->shared_->doneMutex);
    pool->settling_.swap(pool->shared_->done);
  }
  for (Job* job : pool->settling_) {
    try {
      job->Settle(env);
    } catch (...) {  // nothing may escape into the event loop; the job's Promise stays pending
    }
    delete job;
  }
  pool->pending_ -= pool->settling_.size();
  if (pool->pending_ == 0 && !pool->settling_.empty()) napi_unref_threadsafe_function(env, pool->shared_->tsfn);
  pool->settling_.clear();
}

void HostPool::Stop(void* data) {
  auto* pool = static_cast<HostPool*>(data);
  Shared& s = *pool->shared_;
  pool->stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(s.doneMutex);
    s.closed = true;
  }
  bool ended;
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.stopping = true;
    s.wake.notify_all();
    ended = s.exited.wait_for(lock, kStopWait, [&] { return s.alive == 0; });
  }
  // A thread stuck in a host call that never returns (a dead network filesystem) is left behind:
  // it holds the shared state and its own job, and drops them if it ever returns.
  for (std::thread& thread : pool->threads_) {
    if (ended) thread.join();
    else thread.detach();
  }
  pool->threads_.clear();
  // Finalize follows on the JS thread once the function is closed.
  napi_release_threadsafe_function(s.tsfn, napi_tsfn_abort);
}

void HostPool::Finalize(napi_env, void* data, void*) { delete static_cast<HostPool*>(data); }

HostPool::~HostPool() {
  std::vector<Job*> left;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    left.assign(shared_->queue.begin(), shared_->queue.end());
    shared_->queue.clear();
  }
  {
    std::lock_guard<std::mutex> lock(shared_->doneMutex);
    left.insert(left.end(), shared_->done.begin(), shared_->done.end());
    shared_->done.clear();
  }
  // JS runs no more: their Promises are left unsettled.
  for (Job* job : left) {
    job->Drop(env_);
    delete job;
  }
}

HostPool::Shared::~Shared() {
  for (Job* job : queue) delete job;
  for (Job* job : done) delete job;
}

}  // namespace passthrough
