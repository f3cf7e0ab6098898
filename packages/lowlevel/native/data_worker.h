// Replies with data read from a file descriptor without blocking the JS thread: data already in
// the page cache is read at once (RWF_NOWAIT); anything that would wait for a disk goes to one
// worker thread per session, which answers with fuse_reply_data (spliced when the kernel allows).
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>
#include "fuse.h"

namespace fusekit {

class DataWorker {
 public:
  ~DataWorker();
  // Answers `req` with `size` bytes of `fd` at `pos`. Never blocks on I/O (`inMemory`: the
  // caller knows the file is in memory, so a plain read cannot block).
  void Reply(fuse_req_t req, int fd, off_t pos, size_t size, bool inMemory);
  // Waits until every queued reply was sent (before the session is destroyed).
  void Drain();

 private:
  struct Job {
    fuse_req_t req;
    int fd;  // a dup, closed once answered: the caller may close its own right away
    off_t pos;
    size_t size;
  };
  void Run();

  std::vector<char> buffer_;  // JS-thread fast path
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> jobs_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fusekit
