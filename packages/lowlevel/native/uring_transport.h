// FUSE over io_uring (Linux 6.14, protocol 7.42): the second way requests reach the session.
// Each CPU has a queue of ring entries (a header buffer and a payload buffer the kernel writes a
// request into); a request from a process on CPU n lands in a free entry of queue n. All
// entries live in one io_uring owned by the JS thread: completions are reaped in batches when
// libuv reports the ring readable, and each reply is written into its entry and committed
// together with fetching the entry's next request (COMMIT_AND_FETCH), all the commits of a
// batch in one io_uring_enter. libfuse stays the parser: a ring request is laid out as
// /dev/fuse would deliver it, in the entry's own memory, and processed the same way; replies
// leave libfuse through the writev hook (io.cc), which routes them here by request id.
// INTERRUPT, FORGET and the filesystem's notifications still travel over /dev/fuse: that is the
// kernel's design (fuse_io_uring_ops).
#pragma once
#include <liburing.h>
#include <sys/uio.h>
#include <uv.h>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>
#include "protocol_ext.h"

namespace fusekit {

class UringTransport {
 public:
  // One ring entry: the kernel's two buffers, and room just before the payload where the
  // request's headers are copied so that the request is contiguous for libfuse.
  struct Entry {
    fuse_uring_req_header* header;
    char* payload;
    iovec iov[2];
    uint16_t qid;
    uint64_t unique;  // of the request the entry holds while JS handles it
  };
  // A request taken from the ring: [mem, mem + size) as /dev/fuse would have delivered it.
  struct Request {
    Entry* entry;
    char* mem;
    size_t size;
  };

  // Entries per queue (per CPU): how many requests from one CPU can be in flight on the ring;
  // the kernel queues the rest until an entry is committed.
  static constexpr unsigned kQueueDepth = 32;

  // Why this machine cannot serve over io_uring, in one line naming the fix; "" if it may.
  static std::string Unavailable();

  UringTransport() = default;
  UringTransport(const UringTransport&) = delete;
  UringTransport& operator=(const UringTransport&) = delete;
  ~UringTransport() { Stop(); }

  // Creates the ring for the session's `fuseFd`, on the JS thread, before INIT is answered:
  // once the kernel is told FUSE_OVER_IO_URING it holds every request until entries are
  // registered, so what can fail fails here. 0, or an errno with `why` set.
  int Create(int fuseFd, std::string* why);
  // Registers the entries, after INIT answered (payload buffers as large as the kernel's
  // largest request: `maxWrite`, `maxPages` from the INIT reply). `onReadable(data)` is called
  // on the JS thread when requests are ready. 0, or an errno with `why` set.
  int Register(uint32_t maxWrite, uint32_t maxPages, uv_loop_t* loop, void (*onReadable)(void*), void* data,
               std::string* why);
  bool registered() const { return poll_ != nullptr; }

  // JS thread: watch the ring (or stop: back-pressure leaves completions in the ring).
  void Watch(bool on);
  // JS thread: the next request, false when none is ready. Entries the kernel tore down
  // (unmount, abort) are dropped; `Ended()` says when none is left.
  bool Next(Request* out);
  // JS thread: a completion is waiting (without taking it).
  bool Pending() {
    io_uring_cqe* cqe;
    return io_uring_peek_cqe(&ring_, &cqe) == 0;
  }
  bool Ended() const { return live_ == 0; }

  // Any thread (the writev hook): if `iov` answers a request taken from the ring, copies it into
  // the entry, queues the commit and returns true with `*res` the bytes "written".
  bool Reply(const iovec* iov, int count, ssize_t* res);
  // A request libfuse answers nothing to (NOTIFY_REPLY) still frees its entry: commit it empty.
  void CommitEmpty(Entry* entry);
  // JS thread: while a batch is served, commits wait for Flush (one submission for the batch);
  // otherwise a reply made on the JS thread is committed at once.
  void Hold(bool held) { held_ = held; }
  // JS thread: submits the queued commits, each fetching its entry's next request.
  void Flush();

  // Closes the ring and frees the buffers (JS thread; after the session stopped serving).
  void Stop();

 private:
  void Queue(Entry* entry);
  static void OnAsync(uv_async_t* handle);
  static void OnPoll(uv_poll_t* handle, int status, int events);

  io_uring ring_{};
  bool created_ = false;
  std::vector<Entry> entries_;
  char* memory_ = nullptr;
  size_t memoryBytes_ = 0;
  size_t capacity_ = 0;  // of each payload buffer
  size_t live_ = 0;      // entries the kernel still holds or may give back
  std::thread::id jsThread_;
  uv_poll_t* poll_ = nullptr;
  uv_async_t* async_ = nullptr;  // a reply from another thread (fd-backed data) wants a flush
  void (*onReadable_)(void*) = nullptr;
  void* data_ = nullptr;
  bool watching_ = false;
  bool held_ = false;

  std::mutex mutex_;  // guards what the writev hook touches from other threads
  std::unordered_map<uint64_t, Entry*> byUnique_;
  std::vector<Entry*> commits_;
  std::vector<Entry*> flushing_;  // JS thread: the commits being submitted
};

}  // namespace fusekit
