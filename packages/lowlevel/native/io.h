// The session's kernel I/O, installed through fuse_session_custom_io so the INIT reply can be
// corrected: libfuse before 3.16 never tells the kernel about FUSE_CAP_PARALLEL_DIROPS, so
// every lookup and readdir in one directory was serialized even when the filesystem wanted them
// in parallel (libfuse PR #861).
#pragma once
#include <cstdint>
#include "fuse.h"

namespace fusekit {

class Session;

// Installs the hooks on a mounted session; returns 0 or a negative errno.
int InstallIo(fuse_session* se, int fd);
// Kernel INIT flags libfuse may have left out for what the filesystem wants.
uint32_t KernelFlagsFor(unsigned want, unsigned capable);

}  // namespace fusekit
