// The session's kernel I/O, installed through fuse_session_custom_io to fill in what libfuse
// 3.14 leaves out of the protocol: it never tells the kernel about FUSE_CAP_PARALLEL_DIROPS, so
// every lookup and readdir in one directory was serialized even when the filesystem wanted them
// in parallel (libfuse PR #861); and it knows nothing of FUSE_HANDLE_KILLPRIV_V2, whose
// per-request kill-suid/sgid flags are read here from the raw request; nor of
// FUSE_DIRECT_IO_ALLOW_MMAP (a flags2 bit, so the reply then needs FUSE_INIT_EXT); nor of kernel
// passthrough (FUSE_PASSTHROUGH with max_stack_depth at INIT, FOPEN_PASSTHROUGH and backing_id in
// open and create replies: protocol 7.40); nor of FUSE_OVER_IO_URING (7.42), whose replies the
// write hook routes to the ring (uring_transport.h); nor of FUSE_TMPFILE and FUSE_STATX
// (PrepareRawRequest).
#pragma once
#include <cstddef>
#include <cstdint>
#include "fuse.h"
#include "protocol_ext.h"

namespace fusekit {

class Session;

// Installs the hooks on a mounted session; returns 0 or a negative errno.
int InstallIo(fuse_session* se, int fd);
// What the filesystem asks of the kernel beyond libfuse's `want` bits.
struct ExtraWants {
  bool killprivV2 = false;
  bool directIoAllowMmap = false;
  uint32_t passthroughDepth = 0;  // max_stack_depth for FUSE_PASSTHROUGH; 0: no passthrough
  bool overIoUring = false;       // FUSE_OVER_IO_URING: the session has a ring ready
};
// Kernel INIT flags (bits 32-63: flags2) libfuse may have left out for what the filesystem wants.
// The kernel refuses passthrough together with the writeback cache, so it is not asked for then.
uint64_t KernelFlagsFor(unsigned want, unsigned capable, const ExtraWants& extra, uint64_t offered);
// The backing id the next open or create reply sent from this thread carries (FOPEN_PASSTHROUGH),
// its fuse_open_out `openOutAt` bytes into the reply; 0 clears it.
void SetNextBacking(int32_t backingId, size_t openOutAt);
// What a raw request says that libfuse does not pass on (read before libfuse processes it).
struct RawRequestFacts {
  bool killSuidgid = false;    // WRITE/SETATTR/OPEN/CREATE asks to clear setuid/setgid
  uint64_t initFlags = 0;      // INIT: every flag the kernel offers (flags2 in bits 32-63)
  uint64_t unique = 0;         // the kernel's id of the request
  uint32_t rewrittenFrom = 0;  // FUSE_TMPFILE or protocol::FUSE_STATX when rewritten (0: not)
  uint32_t statxFlags = 0;     // STATX: sx_flags (AT_STATX_* sync hints)
  uint32_t statxMask = 0;      // STATX: sx_mask (the STATX_* fields asked for)
};
// The one step every transport runs on each raw request before libfuse 3.14 processes it: reads
// what libfuse drops, and rewrites in place the opcodes libfuse 3.14 would answer ENOSYS into
// ones it parses, with the same argument layout: FUSE_TMPFILE becomes a FUSE_CREATE (a
// fuse_create_in and a name), FUSE_STATX a FUSE_GETATTR (fuse_getattr_in is fuse_statx_in's
// prefix). Hand the facts to Session::OnRawRequest: its create and getattr callbacks then
// serve the request as the tmpfile or statx it was.
RawRequestFacts PrepareRawRequest(void* request, size_t len);
// The kernel's id of a request, or for an INTERRUPT the id of the request it interrupts.
struct RequestIds {
  uint64_t unique = 0;
  uint64_t interrupts = 0;
};
RequestIds IdsOf(const void* request, size_t len);

}  // namespace fusekit
