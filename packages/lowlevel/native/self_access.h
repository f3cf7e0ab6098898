// Requests the serving process makes on its own mount while its JS thread cannot serve them:
// the JS thread itself, blocked in a system call on the mount (fs.readFileSync), or a child it
// forked that has not exec'd yet, which libuv's spawn waits for with the JS thread blocked
// (child_process.spawn with a cwd in the mount). Only the JS thread reads /dev/fuse, so these
// would wait forever, and the process with them. A watcher thread notices requests left unread
// while the JS thread means to read, reads them itself, answers those EDEADLK, and keeps the
// rest, in order, for the JS thread, which takes them through the read hook (io.cc) before it
// reads the device again. While the JS thread keeps up, the watcher sleeps in poll().
#pragma once
#include <sys/types.h>
#include <uv.h>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fusekit {

class SelfAccessGuard {
 public:
  SelfAccessGuard() = default;
  SelfAccessGuard(const SelfAccessGuard&) = delete;
  SelfAccessGuard& operator=(const SelfAccessGuard&) = delete;
  ~SelfAccessGuard() { Stop(); }

  // Starts watching the session fd; call on the JS thread. `wake` is sent when requests were
  // kept for the JS thread or answered EDEADLK.
  void Start(int fd, uv_async_t* wake);
  void Stop();

  // JS thread: a batch is being served / reading is wanted (not paused or throttled).
  void Serving() { batches_.fetch_add(1, std::memory_order_relaxed); }
  void SetReading(bool reading) { reading_.store(reading, std::memory_order_relaxed); }
  bool HasKept() const { return keptCount_.load(std::memory_order_acquire) != 0; }
  // Moves the oldest kept request into `buf` (at most `len` bytes); its length, or 0 if none.
  size_t TakeKept(void* buf, size_t len);
  // Requests answered EDEADLK since the last call.
  uint64_t TakeRefused() { return refused_.exchange(0); }

 private:
  void Run();
  void Drain(uint64_t batchesBefore);
  bool FromBlockedSelf(pid_t tid) const;
  void Keep(const char* request, size_t len);

  int fd_ = -1;
  int stopFd_ = -1;  // eventfd: Stop() wakes the watcher
  pid_t jsTid_ = 0;
  pid_t pid_ = 0;
  std::string exe_;  // what /proc/self/exe names: a child that still runs it has not exec'd
  uv_async_t* wake_ = nullptr;
  std::thread thread_;
  std::atomic<uint64_t> batches_{0};
  std::atomic<bool> reading_{false};
  std::atomic<uint64_t> refused_{0};
  std::mutex mutex_;
  std::deque<std::vector<char>> kept_;
  size_t keptBytes_ = 0;
  std::atomic<size_t> keptCount_{0};
};

}  // namespace fusekit
