#include "data_worker.h"
#include <linux/magic.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <cerrno>

namespace fusekit {

static void ReplyFromFd(fuse_req_t req, int fd, off_t pos, size_t size) {
  fuse_bufvec bufv = FUSE_BUFVEC_INIT(size);
  bufv.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  bufv.buf[0].fd = fd;
  bufv.buf[0].pos = pos;
  int res = fuse_reply_data(req, &bufv, FUSE_BUF_SPLICE_MOVE);
  // A positive result is an errno libfuse could not answer with (a failed read): answer it.
  if (res > 0) fuse_reply_err(req, res);
}

// Memory-backed files never wait on a disk, but tmpfs refuses RWF_NOWAIT (EOPNOTSUPP): without
// this, every read of a tmpfs source would take the worker thread, a hand-off each.
static bool InMemory(int fd) {
  struct statfs s;
  return fstatfs(fd, &s) == 0 && (s.f_type == TMPFS_MAGIC || s.f_type == RAMFS_MAGIC);
}

void DataWorker::Reply(fuse_req_t req, int fd, off_t pos, size_t size, bool inMemory) {
  if (buffer_.size() < size) buffer_.resize(size);
  iovec iov{buffer_.data(), size};
  ssize_t n = preadv2(fd, &iov, 1, pos, inMemory ? 0 : RWF_NOWAIT);
  bool complete = n == static_cast<ssize_t>(size) || n == 0 || (inMemory && n >= 0);
  if (n < 0 && errno == EOPNOTSUPP && InMemory(fd)) {
    n = preadv2(fd, &iov, 1, pos, 0);
    complete = n >= 0;  // short only at end of file
  }
  if (complete) {
    fuse_reply_buf(req, buffer_.data(), static_cast<size_t>(n));
    return;
  }
  if (n < 0 && errno != EAGAIN && errno != EOPNOTSUPP) {
    fuse_reply_err(req, errno);
    return;
  }
  // Not (all) cached, or end of file reached early: the worker reads it, blocking if it must.
  int copy = dup(fd);
  if (copy < 0) {
    fuse_reply_err(req, errno);
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!thread_.joinable()) thread_ = std::thread(&DataWorker::Run, this);
  jobs_.push_back({req, copy, pos, size});
  wake_.notify_one();
}

void DataWorker::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;
    Job job = jobs_.front();
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    ReplyFromFd(job.req, job.fd, job.pos, job.size);
    close(job.fd);
    lock.lock();
    busy_ = false;
    if (jobs_.empty()) idle_.notify_all();
  }
}

void DataWorker::Drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

DataWorker::~DataWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace fusekit
