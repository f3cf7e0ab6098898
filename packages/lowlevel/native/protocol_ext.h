// FUSE protocol definitions newer than Debian 12's <linux/fuse.h> (7.38), named as the kernel's
// include/uapi/linux/fuse.h names them. Every later-protocol constant and struct fusekit uses
// lives here, guarded so that a newer system header wins.
#pragma once
#include <linux/fuse.h>
#include <sys/ioctl.h>
#include <cstddef>
#include <cstdint>

// 7.39: shared mmap of FOPEN_DIRECT_IO files (an INIT flags2 bit).
#ifndef FUSE_DIRECT_IO_ALLOW_MMAP
#define FUSE_DIRECT_IO_ALLOW_MMAP (1ULL << 36)
#endif

// 7.40: kernel passthrough. The daemon registers a backing file on the session fd and names it
// by its backing id in an open or create reply; the kernel then does that file's I/O itself.
#ifndef FUSE_PASSTHROUGH
#define FUSE_PASSTHROUGH (1ULL << 37)
#endif
#ifndef FOPEN_PASSTHROUGH
#define FOPEN_PASSTHROUGH (1 << 7)
#endif
#ifndef FUSE_DEV_IOC_BACKING_OPEN
struct fuse_backing_map {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};
#define FUSE_DEV_IOC_BACKING_OPEN _IOW(FUSE_DEV_IOC_MAGIC, 1, struct fuse_backing_map)
#define FUSE_DEV_IOC_BACKING_CLOSE _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t)
#endif

namespace fusekit::protocol {

// 7.39: FUSE_STATX, statx(2) with the birth time. An enumerator in newer headers, so a constant
// here; the structs carry the kernel's names inside this namespace, apart from a newer header's.
constexpr uint32_t FUSE_STATX = 52;
struct fuse_sx_time {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t __reserved;
};
struct fuse_statx {
  uint32_t mask;
  uint32_t blksize;
  uint64_t attributes;
  uint32_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint16_t mode;
  uint16_t __spare0[1];
  uint64_t ino;
  uint64_t size;
  uint64_t blocks;
  uint64_t attributes_mask;
  fuse_sx_time atime;
  fuse_sx_time btime;
  fuse_sx_time ctime;
  fuse_sx_time mtime;
  uint32_t rdev_major;
  uint32_t rdev_minor;
  uint32_t dev_major;
  uint32_t dev_minor;
  uint64_t __spare2[14];
};
struct fuse_statx_in {
  uint32_t getattr_flags;
  uint32_t reserved;
  uint64_t fh;
  uint32_t sx_flags;
  uint32_t sx_mask;
};
struct fuse_statx_out {
  uint64_t attr_valid;
  uint32_t attr_valid_nsec;
  uint32_t flags;
  uint64_t spare[2];
  fuse_statx stat;
};
static_assert(sizeof(fuse_statx) == 256 && sizeof(fuse_statx_out) == 288);
// A STATX is rewritten into a GETATTR for libfuse 3.14 (io.cc): fuse_getattr_in is its prefix.
static_assert(offsetof(fuse_statx_in, fh) == offsetof(fuse_getattr_in, fh) && sizeof(fuse_getattr_in) == 16);

// The kernel's FILESYSTEM_MAX_STACK_DEPTH: the deepest max_stack_depth INIT may ask for.
constexpr uint32_t kFilesystemMaxStackDepth = 2;

// Fields 7.40 placed where 7.38's structs have padding, at the kernel's offsets.
// fuse_init_out.max_stack_depth follows flags2 (7.38: unused[0]).
constexpr size_t kInitOutMaxStackDepth = offsetof(fuse_init_out, flags2) + sizeof(uint32_t);
// fuse_open_out.backing_id follows open_flags (7.38: padding).
constexpr size_t kOpenOutBackingId = offsetof(fuse_open_out, open_flags) + sizeof(uint32_t);
static_assert(kInitOutMaxStackDepth + sizeof(uint32_t) <= sizeof(fuse_init_out));
static_assert(kOpenOutBackingId + sizeof(int32_t) == sizeof(fuse_open_out));

}  // namespace fusekit::protocol

// 7.42: FUSE over io_uring (Linux 6.14). Requests arrive in buffers the daemon registered with
// IORING_OP_URING_CMD; a reply is committed together with fetching the next request.
#ifndef FUSE_OVER_IO_URING
#define FUSE_OVER_IO_URING (1ULL << 41)

#define FUSE_URING_IN_OUT_HEADER_SZ 128
#define FUSE_URING_OP_IN_OUT_SZ 128

// Used as part of the fuse_uring_req_header.
struct fuse_uring_ent_in_out {
  uint64_t flags;
  // The kernel's id of the request in this entry: the commit names it.
  uint64_t commit_id;
  // Bytes of payload in the entry's payload buffer (request or reply).
  uint32_t payload_sz;
  uint32_t padding;
  uint64_t reserved;
};

// The header buffer of a ring entry (its first iovec).
struct fuse_uring_req_header {
  // fuse_in_header of a request, fuse_out_header of its reply.
  char in_out[FUSE_URING_IN_OUT_HEADER_SZ];
  // The opcode's own header (fuse_write_in, fuse_getattr_in …), if it has one.
  char op_in[FUSE_URING_OP_IN_OUT_SZ];
  struct fuse_uring_ent_in_out ring_ent_in_out;
};

// sqe->cmd_op of an IORING_OP_URING_CMD on /dev/fuse.
enum fuse_uring_cmd {
  FUSE_IO_URING_CMD_INVALID = 0,
  // Register an entry's buffers (sqe->addr: iovec[2], header then payload) and wait for a request.
  FUSE_IO_URING_CMD_REGISTER = 1,
  // Commit the reply in the entry and wait for its next request.
  FUSE_IO_URING_CMD_COMMIT_AND_FETCH = 2,
};

// In the SQE's 80-byte command area (the ring needs IORING_SETUP_SQE128).
struct fuse_uring_cmd_req {
  uint64_t flags;
  uint64_t commit_id;
  uint16_t qid;
  uint8_t padding[6];
};
#endif
