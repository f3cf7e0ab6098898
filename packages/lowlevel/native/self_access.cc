#include "self_access.h"
#include <linux/fuse.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include "receive_arena.h"

namespace fusekit {

// How long requests may sit unread while the JS thread means to read before the watcher looks
// at them. The JS thread takes a readable fd within microseconds when it is free; a batch of
// requests takes milliseconds.
static constexpr int kStallMs = 100;
// What the watcher keeps for a JS thread that is busy rather than blocked on itself; past it
// the kernel keeps the rest.
static constexpr size_t kMaxKeptBytes = 64 << 20;
static constexpr size_t kMaxKept = 4096;

static std::string Readlink(const char* path) {
  char target[PATH_MAX];
  ssize_t n = readlink(path, target, sizeof target);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
}

void SelfAccessGuard::Start(int fd, uv_async_t* wake) {
  if (thread_.joinable()) return;
  fd_ = fd;
  wake_ = wake;
  jsTid_ = static_cast<pid_t>(syscall(SYS_gettid));
  pid_ = getpid();
  exe_ = Readlink("/proc/self/exe");
  stopFd_ = eventfd(0, EFD_CLOEXEC);
  if (stopFd_ < 0) return;  // unguarded rather than unmountable
  thread_ = std::thread(&SelfAccessGuard::Run, this);
}

void SelfAccessGuard::Stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    while (write(stopFd_, &one, sizeof one) < 0 && errno == EINTR) {}
    thread_.join();
  }
  if (stopFd_ >= 0) close(stopFd_);
  stopFd_ = -1;
  std::lock_guard<std::mutex> lock(mutex_);
  kept_.clear();
  keptBytes_ = 0;
  keptCount_.store(0, std::memory_order_release);
}

void SelfAccessGuard::Run() {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {stopFd_, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return;  // the connection ended
    // Requests are waiting: give the JS thread its chance first.
    uint64_t before = batches_.load(std::memory_order_relaxed);
    if (poll(&fds[1], 1, kStallMs) != 0) return;
    if (reading_.load(std::memory_order_relaxed) && batches_.load(std::memory_order_relaxed) == before) Drain(before);
  }
}

// Reads what the JS thread left unread: requests from the blocked process itself are answered
// EDEADLK at once, the others are kept for the JS thread. Stops as soon as the JS thread serves
// again, so that it reads its requests itself.
void SelfAccessGuard::Drain(uint64_t batchesBefore) {
  std::vector<char> request(ReceiveArena::kRequestBytes);
  bool woke = false;
  while (batches_.load(std::memory_order_relaxed) == batchesBefore && keptCount_.load() < kMaxKept) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (keptBytes_ >= kMaxKeptBytes) break;
    }
    ssize_t n = read(fd_, request.data(), request.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < static_cast<ssize_t>(sizeof(fuse_in_header))) break;  // EAGAIN: all read; ENODEV: unmounted
    const auto* in = reinterpret_cast<const fuse_in_header*>(request.data());
    // Requests that take no answer, or that libfuse must see, always go to the JS thread.
    bool answerable = in->opcode != FUSE_INIT && in->opcode != FUSE_DESTROY && in->opcode != FUSE_FORGET &&
                      in->opcode != FUSE_BATCH_FORGET && in->opcode != FUSE_INTERRUPT &&
                      in->opcode != FUSE_NOTIFY_REPLY;
    if (answerable && FromBlockedSelf(static_cast<pid_t>(in->pid))) {
      fuse_out_header out{sizeof(fuse_out_header), -EDEADLK, in->unique};
      ssize_t res = write(fd_, &out, sizeof out);  // ENOENT: the request was interrupted meanwhile
      (void)res;
      refused_.fetch_add(1);
    } else {
      Keep(request.data(), static_cast<size_t>(n));
    }
    woke = true;
  }
  if (woke) uv_async_send(wake_);
}

// The JS thread itself, or a child of this process that still runs this program (forked, not
// yet exec'd: libuv's spawn holds the JS thread until the exec).
bool SelfAccessGuard::FromBlockedSelf(pid_t tid) const {
  if (tid == jsTid_) return true;
  if (tid <= 0 || tid == pid_) return false;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(tid));
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return false;
  char stat[512];
  size_t len = std::fread(stat, 1, sizeof stat - 1, f);
  std::fclose(f);
  stat[len] = '\0';
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
  const char* after = std::strrchr(stat, ')');
  char state;
  int ppid;
  if (after == nullptr || std::sscanf(after + 1, " %c %d", &state, &ppid) != 2 || ppid != pid_) return false;
  std::snprintf(path, sizeof path, "/proc/%d/exe", static_cast<int>(tid));
  return !exe_.empty() && Readlink(path) == exe_;
}

void SelfAccessGuard::Keep(const char* request, size_t len) {
  std::lock_guard<std::mutex> lock(mutex_);
  kept_.emplace_back(request, request + len);
  keptBytes_ += len;
  keptCount_.fetch_add(1, std::memory_order_release);
}

size_t SelfAccessGuard::TakeKept(void* buf, size_t len) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (kept_.empty()) return 0;
  std::vector<char> request = std::move(kept_.front());
  kept_.pop_front();
  keptBytes_ -= request.size();
  keptCount_.fetch_sub(1, std::memory_order_release);
  size_t n = std::min(len, request.size());
  std::memcpy(buf, request.data(), n);
  return n;
}

}  // namespace fusekit
