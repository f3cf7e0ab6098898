// The op callbacks, one per member of fuse_lowlevel_ops (ops.cc: entries, attributes, xattrs;
// ops_files.cc: requests on open files); each turns libfuse's arguments into JS values and
// hands the request to its TS handler.
#pragma once
#include "fuse.h"
#include "session.h"

namespace fusekit {

// The ops table: a member is set only when its handler exists, so libfuse (and the kernel)
// see ENOSYS for the rest. init, destroy and retrieve_reply are always set (the binding needs them).
fuse_lowlevel_ops BuildOps(const bool implemented[OP_COUNT]);

}  // namespace fusekit
