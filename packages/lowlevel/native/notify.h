// Notify calls that can block in the kernel run on their own short-lived thread, never on the
// JS thread (it must stay free to answer the very request the kernel may be waiting on) and
// never on libuv's pool (handlers' own fs calls need it).
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "fuse.h"

namespace fusekit {

class Session;

enum NotifyKind : uint32_t { N_INVAL_INODE, N_INVAL_ENTRY, N_EXPIRE_ENTRY, N_DELETE, N_STORE, N_RETRIEVE };

struct BlockingJob {
  Session* session;
  fuse_session* se;
  uint32_t id;
  NotifyKind kind;
  uint64_t a = 0, b = 0, c = 0;
  std::string name;
  std::vector<char> data;
  int result = 0;
};

void RunJob(BlockingJob* job);

}  // namespace fusekit
