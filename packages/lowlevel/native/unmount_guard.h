// A session's unmount guard (guard/guard.h): started before the mount, told which mount it is
// once made, and told to stand down when the session has unmounted. The guard program is
// embedded in the addon and run from a memfd, so an installed package needs nothing but its
// .node file; where that copy cannot be executed (a memfd that may not be), the forked child runs
// the same code itself, at the cost of keeping a copy-on-write image of this process.
#pragma once
#include <sys/types.h>
#include <string>
#include "guard/guard.h"

namespace fusekit {

class UnmountGuard {
 public:
  // Starts the guard for a mount about to be made at `path` (resolved); `fusermount` is
  // fusermount3's path or "". Returns 0 or an errno.
  int Start(const std::string& path, const std::string& fusermount);
  // The mount is made: tells the guard which it is. False if it cannot be found.
  bool Mounted();
  // The session is done with its mount. If the mount is gone, the guard exits; if it is still
  // there (an unmount that failed, a connection aborted from outside) the guard stays, to
  // detach it when this process dies.
  void Done();
  // The guard exits, whatever is mounted (the mount failed).
  void Stop();
  bool running() const { return pid_ > 0; }

 private:
  void Reap();

  std::string path_;
  std::string escaped_;
  std::string fusermount_;
  std::string baseline_;
  guard::MountId id_;
  bool known_ = false;
  int fd_ = -1;  // write end of the pipe the guard reads; closing it without "U" means "gone"
  pid_t pid_ = -1;
};

}  // namespace fusekit
