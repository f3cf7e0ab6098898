// fs-passthrough's own threads for host calls. libuv's thread pool is never borrowed: a process
// that serves a mount and awaits node:fs calls on it (which hold libuv's threads while they wait
// for the mount) must not starve the host calls that would answer them.
//
// A few threads (FUSEKIT_HOST_THREADS, default 4, started as calls need them) take jobs from one
// queue; finished jobs are handed back through one threadsafe function and settled on the JS
// thread in batches. Pool threads make no napi call but napi_call_threadsafe_function, which is
// made for them. At environment exit the threads are stopped and joined (a thread stuck in a host
// call is left behind, holding only its own job); Promises still pending then stay unsettled.
#pragma once
#include <napi.h>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace passthrough {

class Job;

class HostPool {
 public:
  // Makes the environment's pool: call once, when the addon loads.
  static void Create(Napi::Env env);
  // The environment's pool, or null once it stopped.
  static HostPool* Of(napi_env env);

  // On the JS thread: runs `job` on a pool thread, then settles it on the JS thread. False if
  // no thread could be started to run it (the caller still owns it then).
  bool Queue(Job* job);

 private:
  // What the pool threads share; it lives until the last of them is gone.
  struct Shared {
    ~Shared();
    // Jobs to run, and the threads. Apart from `doneMutex`, so that queueing on the JS thread and
    // handing back on pool threads do not wait for each other.
    std::mutex mutex;
    std::condition_variable wake;    // a job was queued, or the pool stops
    std::condition_variable exited;  // a thread ended
    std::deque<Job*> queue;
    size_t idle = 0;  // threads waiting for a job
    size_t alive = 0;
    bool stopping = false;
    // Jobs done, for the JS thread.
    std::mutex doneMutex;
    std::vector<Job*> done;
    napi_threadsafe_function tsfn = nullptr;  // called with `doneMutex` held, and never once `closed`
    bool closed = false;
  };

  HostPool(napi_env env, size_t threads);
  ~HostPool();

  static void Loop(std::shared_ptr<Shared> shared);
  static void Settle(napi_env env, napi_value, void* context, void*);
  static void Stop(void* data);
  static void Finalize(napi_env env, void* data, void*);

  napi_env env_;
  size_t maxThreads_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::vector<std::thread> threads_;  // JS thread only
  std::vector<Job*> settling_;        // the batch being settled; JS thread only
  size_t pending_ = 0;                // queued and not yet settled; JS thread only
  bool stopped_ = false;
};

}  // namespace passthrough
