#include "io.h"
#include <linux/fuse.h>
#include <sys/uio.h>
#include <unistd.h>
#include <algorithm>
#include <cstddef>
#include <cstring>
#include "protocol_ext.h"
#include "receive_arena.h"
#include "session.h"

namespace fusekit {

static ssize_t Read(int fd, void* buf, size_t len, void* userdata) {
  auto* session = static_cast<Session*>(userdata);
  // The arena's room is libfuse 3.14's buffer size; a later libfuse may ask for more.
  len = std::min(len, ReceiveArena::kRequestBytes);
  ssize_t res = 0;
  if (session->selfAccess().HasKept()) res = static_cast<ssize_t>(session->selfAccess().TakeKept(buf, len));
  if (res == 0) res = read(fd, buf, len);
  if (res > 0) session->OnRawRequest(PrepareRawRequest(buf, static_cast<size_t>(res)));
  return res;
}

// Replies are sent on the thread that calls fuse_reply_*, so the pending backing id is per thread.
struct NextBacking {
  int32_t backingId = 0;
  size_t openOutAt = 0;
};
static thread_local NextBacking gNextBacking;

void SetNextBacking(int32_t backingId, size_t openOutAt) { gNextBacking = {backingId, openOutAt}; }

static void AddInitFlags(Session* session, uint64_t extra, iovec* arg) {
  auto* out = static_cast<fuse_init_out*>(arg->iov_base);
  out->flags |= static_cast<uint32_t>(extra);
  if ((extra >> 32) == 0 || arg->iov_len < protocol::kInitOutMaxStackDepth + sizeof(uint32_t)) return;
  out->flags |= FUSE_INIT_EXT;
  out->flags2 |= static_cast<uint32_t>(extra >> 32);
  if ((extra & FUSE_PASSTHROUGH) != 0) {
    uint32_t depth = session->PassthroughDepth();
    std::memcpy(static_cast<char*>(arg->iov_base) + protocol::kInitOutMaxStackDepth, &depth, sizeof(depth));
  }
}

static void AddBacking(iovec* iov, int count) {
  NextBacking next = gNextBacking;
  gNextBacking = {};
  auto* header = static_cast<fuse_out_header*>(iov[0].iov_base);
  if (count < 2 || header->error != 0 || iov[1].iov_len < next.openOutAt + sizeof(fuse_open_out)) return;
  auto* open = reinterpret_cast<fuse_open_out*>(static_cast<char*>(iov[1].iov_base) + next.openOutAt);
  open->open_flags |= FOPEN_PASSTHROUGH;
  std::memcpy(reinterpret_cast<char*>(open) + protocol::kOpenOutBackingId, &next.backingId, sizeof(int32_t));
}

static ssize_t Writev(int fd, struct iovec* iov, int count, void* userdata) {
  auto* session = static_cast<Session*>(userdata);
  uint64_t extra = session->TakeInitFlags();
  // The INIT reply is the out header followed by fuse_init_out; only the first reply can be it.
  if (extra != 0 && count >= 2 && iov[1].iov_len >= offsetof(fuse_init_out, flags) + sizeof(uint32_t)) {
    AddInitFlags(session, extra, &iov[1]);
    auto* out = static_cast<fuse_init_out*>(iov[1].iov_base);
    session->OnInitReply(out->max_write, out->max_pages);
  }
  if (gNextBacking.backingId != 0) AddBacking(iov, count);
  // A reply to a request that came over io_uring goes back into its ring entry.
  if (UringTransport* uring = session->uring()) {
    ssize_t res;
    if (uring->Reply(iov, count, &res)) return res;
  }
  return writev(fd, iov, count);
}

int InstallIo(fuse_session* se, int fd) {
  static const fuse_custom_io io = {Writev, Read, nullptr, nullptr};
  return fuse_session_custom_io(se, &io, fd);
}

template <typename In>
static const In* ArgOf(const void* request, size_t len) {
  if (len < sizeof(fuse_in_header) + sizeof(In)) return nullptr;
  return reinterpret_cast<const In*>(static_cast<const char*>(request) + sizeof(fuse_in_header));
}

static RawRequestFacts InspectRequest(const void* request, size_t len) {
  RawRequestFacts facts;
  if (len < sizeof(fuse_in_header)) return facts;
  facts.unique = static_cast<const fuse_in_header*>(request)->unique;
  switch (static_cast<const fuse_in_header*>(request)->opcode) {
    case FUSE_INIT:
      if (auto* in = ArgOf<fuse_init_in>(request, len)) {
        facts.initFlags = in->flags;
        if ((in->flags & FUSE_INIT_EXT) != 0) facts.initFlags |= static_cast<uint64_t>(in->flags2) << 32;
      }
      break;
    case FUSE_WRITE:
      if (auto* in = ArgOf<fuse_write_in>(request, len))
        facts.killSuidgid = (in->write_flags & FUSE_WRITE_KILL_SUIDGID) != 0;
      break;
    case FUSE_SETATTR:
      if (auto* in = ArgOf<fuse_setattr_in>(request, len)) facts.killSuidgid = (in->valid & FATTR_KILL_SUIDGID) != 0;
      break;
    case FUSE_OPEN:
      if (auto* in = ArgOf<fuse_open_in>(request, len))
        facts.killSuidgid = (in->open_flags & FUSE_OPEN_KILL_SUIDGID) != 0;
      break;
    case FUSE_CREATE:
      if (auto* in = ArgOf<fuse_create_in>(request, len))
        facts.killSuidgid = (in->open_flags & FUSE_OPEN_KILL_SUIDGID) != 0;
      break;
    default:
      break;
  }
  return facts;
}

RawRequestFacts PrepareRawRequest(void* request, size_t len) {
  RawRequestFacts facts = InspectRequest(request, len);
  if (len < sizeof(fuse_in_header)) return facts;
  auto* in = static_cast<fuse_in_header*>(request);
  if (in->opcode == FUSE_TMPFILE && ArgOf<fuse_create_in>(request, len) != nullptr) {
    facts.rewrittenFrom = FUSE_TMPFILE;
    in->opcode = FUSE_CREATE;
  } else if (in->opcode == protocol::FUSE_STATX) {
    if (auto* sx = ArgOf<protocol::fuse_statx_in>(request, len)) {
      facts.rewrittenFrom = protocol::FUSE_STATX;
      facts.statxFlags = sx->sx_flags;
      facts.statxMask = sx->sx_mask;
      in->opcode = FUSE_GETATTR;
    }
  }
  return facts;
}

RequestIds IdsOf(const void* request, size_t len) {
  RequestIds ids;
  if (len < sizeof(fuse_in_header)) return ids;
  auto* in = static_cast<const fuse_in_header*>(request);
  if (in->opcode != FUSE_INTERRUPT) ids.unique = in->unique;
  else if (auto* arg = ArgOf<fuse_interrupt_in>(request, len)) ids.interrupts = arg->unique;
  return ids;
}

uint64_t KernelFlagsFor(unsigned want, unsigned capable, const ExtraWants& extra, uint64_t offered) {
  uint64_t flags = 0;
  if (extra.overIoUring && (offered & FUSE_OVER_IO_URING) != 0) flags |= FUSE_OVER_IO_URING;
  if ((want & capable & FUSE_CAP_PARALLEL_DIROPS) != 0) flags |= FUSE_PARALLEL_DIROPS;
  if (extra.killprivV2 && (offered & FUSE_HANDLE_KILLPRIV_V2) != 0) flags |= FUSE_HANDLE_KILLPRIV_V2;
  if (extra.directIoAllowMmap && (offered & FUSE_DIRECT_IO_ALLOW_MMAP) != 0) flags |= FUSE_DIRECT_IO_ALLOW_MMAP;
  if (extra.passthroughDepth != 0 && (offered & FUSE_PASSTHROUGH) != 0 && (want & FUSE_CAP_WRITEBACK_CACHE) == 0)
    flags |= FUSE_PASSTHROUGH;
  return flags;
}

}  // namespace fusekit
