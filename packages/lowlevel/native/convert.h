// Conversions between the shared scratch area (written by TS) and libfuse's structs.
#pragma once
#include <napi.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <fcntl.h>
#include <cstdint>
#include "fuse.h"

namespace fusekit {

// Indices into the session's scratch area, viewed as Float64Array (F_*), BigInt64Array (T_*)
// and Int32Array (I_*). TS reads these names from `layout`, so both sides share one definition.
enum ScratchF64 : uint32_t {
  F_INO = 2,
  F_MODE,
  F_NLINK,
  F_UID,
  F_GID,
  F_RDEV,
  F_SIZE,
  F_BLOCKS,
  F_BLKSIZE,
  F_GENERATION,
  F_ATTR_TIMEOUT,
  F_ENTRY_TIMEOUT,
  F_NODEID,
  F_STATX_MASK,  // statx: the STATX_* fields answered
  // statfs reuses the attribute slots from F_INO on (one reply reads one block).
  F_COUNT = 32,
};
enum ScratchI64 : uint32_t { T_ATIME = 16, T_MTIME, T_CTIME, T_BTIME, T_COUNT };
enum ScratchI32 : uint32_t { I_UID = 0, I_GID, I_PID, I_UMASK, I_KILL_SUIDGID };
constexpr size_t kScratchBytes = 8 * 32;

// Statfs fields in the order TS writes them, starting at F_INO.
enum StatfsOrder : uint32_t {
  SF_BSIZE = F_INO,
  SF_FRSIZE,
  SF_BLOCKS,
  SF_BFREE,
  SF_BAVAIL,
  SF_FILES,
  SF_FFREE,
  SF_FAVAIL,
  SF_FSID,
  SF_FLAG,
  SF_NAMEMAX,
};

// Nanoseconds since the epoch as a timespec (floor division: times before 1970 too).
timespec NsToTimespec(int64_t ns);
void ReadStat(const double* f, const int64_t* t, struct stat* st);
void ReadEntry(const double* f, const int64_t* t, fuse_entry_param* e);
void ReadStatvfs(const double* f, struct statvfs* st);

// The largest integer a JS number holds exactly; larger values are refused, never rounded.
constexpr uint64_t kMaxSafe = 9007199254740991ULL;
inline bool FitsJs(uint64_t v) { return v <= kMaxSafe; }

Napi::Object LayoutObject(Napi::Env env);
// Adds the kernel's directory entry offsets to `layout` (dirent_layout.cc).
void SetDirentLayout(Napi::Object layout);

}  // namespace fusekit
