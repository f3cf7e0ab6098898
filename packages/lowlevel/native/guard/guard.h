// The unmount guard: a small process, started before each mount, that detaches the mount when
// the process serving it dies without unmounting (SIGKILL, a crash, the OOM killer). It is the
// program fusekit-guard (main.cc), run from a copy embedded in the addon (see unmount_guard.h),
// or this same code in the forked child itself when the copy cannot be executed. Everything here
// is async-signal-safe (raw system calls, no allocation, no locks), because in that second case
// it runs in a fork of a multi-threaded process.
#pragma once
#include <cstddef>

namespace fusekit::guard {

// One mount as /proc/self/mountinfo shows it.
struct MountId {
  unsigned long id = 0;  // the mount's id, unique among the mounts that exist
  unsigned major = 0;    // the filesystem's device: for FUSE, its connection
  unsigned minor = 0;
};

struct Config {
  const char* path = "";        // the mountpoint, resolved (realpath) before mounting
  const char* escaped = "";     // the same as mountinfo writes it (space, tab, newline, \ as \ooo)
  const char* fusermount = "";  // fusermount3's path, "" when there is none
  const char* baseline = "";    // ids of the mounts at `path` before mounting, comma-separated
  int input = 0;                // read end of the pipe from the serving process
  int pidfd = -1;               // a pidfd of the serving process, or -1
};

// The serving process tells the guard on `input`, one line each:
//   M <id> <major>:<minor>   the mount is made, and this is it
//   U                        the session has unmounted: exit without touching anything
// The guard acts when `input` reaches end of file or `pidfd` becomes readable (the serving
// process is gone, or has exec'd): if the mountpoint still holds that mount on top (or, when
// death came before the M line, a FUSE mount made since `baseline`), it aborts the connection
// (root only) and detaches the mount: umount2(MNT_DETACH), or `fusermount3 -u -z` where that is
// refused. A mount that is gone, or covered by another at the same path, is left alone; and the
// guard exits as soon as its mount goes while the process lives (a mount made there later may
// carry the same id and device number).
[[noreturn]] void Run(const Config& config);

// The topmost FUSE mount at `escaped` whose id is not in `baseline`; false when there is none.
bool FindNewMount(const char* escaped, const char* baseline, MountId* found);
// Whether `id` is still mounted at `escaped`, and if so whether another mount covers it there.
enum class Presence { kGone, kTop, kCovered };
Presence Find(const char* escaped, const MountId& id);
// Appends to `out` (up to `size` bytes with the NUL) the ids of every mount at `escaped`,
// comma-separated; false if they do not fit.
bool MountIdsAt(const char* escaped, char* out, size_t size);

}  // namespace fusekit::guard
