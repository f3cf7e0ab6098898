#include "uring_transport.h"
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace fusekit {

static constexpr const char* kEnableUring = "/sys/module/fuse/parameters/enable_uring";
// Room before each payload: the entry's header buffer at its start, the request's headers
// (fuse_in_header and the opcode's header) copied at its end, right before the payload.
static constexpr size_t kGap = 4096;

static std::string FirstLine(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string UringTransport::Unavailable() {
  if (access(kEnableUring, F_OK) != 0) {
    return "FUSE over io_uring needs Linux 6.14 or later built with CONFIG_FUSE_IO_URING (this kernel's fuse "
           "module has no enable_uring parameter): use transport 'dev_fuse' or 'auto'";
  }
  if (FirstLine(kEnableUring) != "Y") {
    return std::string("FUSE over io_uring is off in this kernel: as root, echo Y > ") + kEnableUring +
           " (or boot with fuse.enable_uring=1)";
  }
  if (FirstLine("/proc/sys/kernel/io_uring_disabled") == "2") {
    return "io_uring is disabled on this machine (sysctl kernel.io_uring_disabled=2): set it to 0";
  }
  return "";
}

int UringTransport::Create(int fuseFd, std::string* why) {
  unsigned queues = static_cast<unsigned>(std::max(1, get_nprocs_conf()));
  unsigned count = queues * kQueueDepth;
  io_uring_params p{};
  p.cq_entries = count * 2;
  // COOP_TASKRUN: a request for us does not interrupt the JS thread while it runs, it is
  // delivered at its next system call (a sleeping thread is still woken).
  p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
            IORING_SETUP_SINGLE_ISSUER;
  int res = io_uring_queue_init_params(count, &ring_, &p);
  if (res == -EINVAL) {
    p = io_uring_params{};
    p.cq_entries = count * 2;
    p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQSIZE;
    res = io_uring_queue_init_params(count, &ring_, &p);
  }
  if (res != 0) {
    int err = -res;
    if (err == EPERM || err == EACCES || err == ENOSYS) {
      *why = "io_uring is not permitted for this process (io_uring_setup: " + std::string(std::strerror(err)) +
             "; sysctl kernel.io_uring_disabled, or a seccomp filter such as a container's): use transport "
             "'dev_fuse' or 'auto'";
    } else if (err == EINVAL) {
      *why = "this kernel's io_uring lacks 128-byte SQEs (Linux 5.19+): use transport 'dev_fuse' or 'auto'";
    } else {
      *why = std::string("io_uring_setup failed: ") + std::strerror(err);
    }
    return err;
  }
  created_ = true;
  jsThread_ = std::this_thread::get_id();
  if (int r = io_uring_register_files(&ring_, &fuseFd, 1); r != 0) {
    *why = std::string("io_uring_register_files failed: ") + std::strerror(-r);
    return -r;
  }
  entries_.resize(count);
  return 0;
}

static void Prepare(io_uring_sqe* sqe, UringTransport::Entry* entry, uint32_t op) {
  io_uring_prep_rw(IORING_OP_URING_CMD, sqe, 0, entry->iov, 2, 0);
  sqe->flags |= IOSQE_FIXED_FILE;  // index 0: /dev/fuse
  sqe->cmd_op = op;
  sqe->__pad1 = 0;
  std::memset(sqe->cmd, 0, 80);
  auto* cmd = reinterpret_cast<fuse_uring_cmd_req*>(sqe->cmd);
  cmd->qid = entry->qid;
  cmd->commit_id = entry->unique;
  io_uring_sqe_set_data(sqe, entry);
}

int UringTransport::Register(uint32_t maxWrite, uint32_t maxPages, uv_loop_t* loop, void (*onReadable)(void*),
                             void* data, std::string* why) {
  // The kernel wants room for its largest request: max(8 KiB, max_write, max_pages pages).
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t payload = std::max<size_t>({8192, maxWrite, static_cast<size_t>(maxPages) * page});
  payload = (payload + page - 1) / page * page;
  capacity_ = payload;
  size_t stride = kGap + payload;
  memoryBytes_ = stride * entries_.size();
  void* mem = mmap(nullptr, memoryBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) {
    memoryBytes_ = 0;
    *why = std::string("no memory for the ring's buffers: ") + std::strerror(errno);
    return ENOMEM;
  }
  memory_ = static_cast<char*>(mem);
  for (size_t i = 0; i < entries_.size(); i++) {
    Entry& e = entries_[i];
    char* base = memory_ + i * stride;
    e.header = reinterpret_cast<fuse_uring_req_header*>(base);
    e.payload = base + kGap;
    e.iov[0] = {e.header, sizeof(fuse_uring_req_header)};
    e.iov[1] = {e.payload, payload};
    e.qid = static_cast<uint16_t>(i / kQueueDepth);
    e.unique = 0;
    Prepare(io_uring_get_sqe(&ring_), &e, FUSE_IO_URING_CMD_REGISTER);
  }
  int submitted = io_uring_submit(&ring_);
  if (submitted < 0) {
    *why = std::string("io_uring_enter failed: ") + std::strerror(-submitted);
    return -submitted;
  }
  live_ = entries_.size();
  // A registration the kernel refuses completes at once; a good one stays pending.
  io_uring_cqe* cqe;
  unsigned head;
  int err = 0;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    if (cqe->res < 0 && err == 0) err = -cqe->res;
  }
  if (err != 0) {
    *why = err == EOPNOTSUPP ? std::string("the kernel refused FUSE over io_uring (is ") + kEnableUring + " Y?)"
                             : std::string("the kernel refused the ring's entries: ") + std::strerror(err);
    return err;
  }
  onReadable_ = onReadable;
  data_ = data;
  poll_ = new uv_poll_t;
  uv_poll_init(loop, poll_, ring_.ring_fd);
  poll_->data = this;
  async_ = new uv_async_t;
  uv_async_init(loop, async_, &UringTransport::OnAsync);
  async_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(async_));
  return 0;
}

void UringTransport::Watch(bool on) {
  if (poll_ == nullptr || on == watching_) return;
  watching_ = on;
  if (on) uv_poll_start(poll_, UV_READABLE, &UringTransport::OnPoll);
  else uv_poll_stop(poll_);
}

void UringTransport::OnPoll(uv_poll_t* handle, int, int) {
  auto* self = static_cast<UringTransport*>(handle->data);
  self->onReadable_(self->data_);
}

void UringTransport::OnAsync(uv_async_t* handle) { static_cast<UringTransport*>(handle->data)->Flush(); }

bool UringTransport::Next(Request* out) {
  io_uring_cqe* cqe;
  while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
    auto* e = static_cast<Entry*>(io_uring_cqe_get_data(cqe));
    int res = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    if (e == nullptr) continue;
    if (res < 0) {
      live_--;  // torn down (unmount, abort: ENOTCONN) or a commit the kernel refused
      continue;
    }
    auto* in = reinterpret_cast<fuse_in_header*>(e->header->in_out);
    size_t payload = e->header->ring_ent_in_out.payload_sz;
    e->unique = e->header->ring_ent_in_out.commit_id;
    if (in->len < sizeof(fuse_in_header) + payload ||
        in->len - sizeof(fuse_in_header) - payload > FUSE_URING_OP_IN_OUT_SZ || payload > capacity_) {
      // Not a request libfuse could parse: answer EIO so that the entry comes back.
      auto* oh = reinterpret_cast<fuse_out_header*>(e->header->in_out);
      *oh = {sizeof(fuse_out_header), -EIO, e->unique};
      e->header->ring_ent_in_out.payload_sz = 0;
      Queue(e);
      continue;
    }
    size_t opLen = in->len - sizeof(fuse_in_header) - payload;
    char* mem = e->payload - sizeof(fuse_in_header) - opLen;
    std::memcpy(mem, in, sizeof(fuse_in_header));
    std::memcpy(mem + sizeof(fuse_in_header), e->header->op_in, opLen);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      byUnique_[e->unique] = e;
    }
    *out = {e, mem, in->len};
    return true;
  }
  return false;
}

bool UringTransport::Reply(const iovec* iov, int count, ssize_t* res) {
  if (count < 1 || iov[0].iov_len < sizeof(fuse_out_header)) return false;
  auto* oh = static_cast<const fuse_out_header*>(iov[0].iov_base);
  Entry* e;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = byUnique_.find(oh->unique);
    if (it == byUnique_.end()) return false;
    e = it->second;
    byUnique_.erase(it);
  }
  // Everything after the out header is the reply's payload (the kernel reads its arguments
  // from the payload buffer in order).
  size_t size = 0;
  bool fits = true;
  for (int i = 0; i < count && fits; i++) {
    const char* base = static_cast<const char*>(iov[i].iov_base);
    size_t len = iov[i].iov_len;
    if (i == 0) {
      base += sizeof(fuse_out_header);
      len -= sizeof(fuse_out_header);
    }
    if (size + len > capacity_) fits = false;
    else if (len > 0) std::memcpy(e->payload + size, base, len);
    size += len;
  }
  auto* out = reinterpret_cast<fuse_out_header*>(e->header->in_out);
  *out = *oh;
  if (!fits) {
    out->error = -EIO;
    size = 0;
  }
  out->len = static_cast<uint32_t>(sizeof(fuse_out_header) + size);
  e->header->ring_ent_in_out.payload_sz = static_cast<uint32_t>(size);
  *res = static_cast<ssize_t>(sizeof(fuse_out_header) + size);
  Queue(e);
  return true;
}

void UringTransport::CommitEmpty(Entry* entry) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (byUnique_.erase(entry->unique) == 0) return;  // answered after all
  }
  auto* out = reinterpret_cast<fuse_out_header*>(entry->header->in_out);
  *out = {sizeof(fuse_out_header), 0, entry->unique};
  entry->header->ring_ent_in_out.payload_sz = 0;
  Queue(entry);
}

void UringTransport::Queue(Entry* entry) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    commits_.push_back(entry);
  }
  // The JS thread submits (the ring has a single issuer); others ask it to.
  if (std::this_thread::get_id() != jsThread_) {
    if (async_ != nullptr) uv_async_send(async_);
  } else if (!held_) {
    Flush();
  }
}

void UringTransport::Flush() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (commits_.empty()) return;
    flushing_.swap(commits_);
  }
  for (Entry* e : flushing_) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    Prepare(sqe, e, FUSE_IO_URING_CMD_COMMIT_AND_FETCH);
  }
  flushing_.clear();
  int res = io_uring_submit(&ring_);
  if (res < 0 && res != -EINTR) std::fprintf(stderr, "fusekit: io_uring commit failed: %s\n", std::strerror(-res));
}

void UringTransport::Stop() {
  auto close = [](auto*& handle) {
    if (handle == nullptr) return;
    uv_close(reinterpret_cast<uv_handle_t*>(handle),
             [](uv_handle_t* h) { delete reinterpret_cast<std::remove_reference_t<decltype(handle)>>(h); });
    handle = nullptr;
  };
  if (poll_ != nullptr) uv_poll_stop(poll_);
  close(poll_);
  close(async_);
  if (created_) io_uring_queue_exit(&ring_);  // the kernel cancels the entries it still holds
  created_ = false;
  if (memory_ != nullptr) munmap(memory_, memoryBytes_);
  memory_ = nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  byUnique_.clear();
  commits_.clear();
}

}  // namespace fusekit
