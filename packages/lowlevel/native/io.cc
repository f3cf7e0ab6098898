#include "io.h"
#include <linux/fuse.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cstddef>
#include "session.h"

namespace fusekit {

static ssize_t Read(int fd, void* buf, size_t len, void*) { return read(fd, buf, len); }

static ssize_t Writev(int fd, struct iovec* iov, int count, void* userdata) {
  auto* session = static_cast<Session*>(userdata);
  uint32_t extra = session->TakeInitFlags();
  // The INIT reply is the out header followed by fuse_init_out; only the first reply can be it.
  if (extra != 0 && count >= 2 && iov[1].iov_len >= offsetof(fuse_init_out, flags) + sizeof(uint32_t)) {
    static_cast<fuse_init_out*>(iov[1].iov_base)->flags |= extra;
  }
  return writev(fd, iov, count);
}

int InstallIo(fuse_session* se, int fd) {
  static const fuse_custom_io io = {Writev, Read, nullptr, nullptr};
  return fuse_session_custom_io(se, &io, fd);
}

uint32_t KernelFlagsFor(unsigned want, unsigned capable) {
  uint32_t flags = 0;
  if ((want & capable & FUSE_CAP_PARALLEL_DIROPS) != 0) flags |= FUSE_PARALLEL_DIROPS;
  return flags;
}

}  // namespace fusekit
