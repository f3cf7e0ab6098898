// The one list of operations on the native side, as libfuse keeps fuse_ll_ops[] in
// lib/fuse_lowlevel.c. It generates the op codes, their names for TS, the registration in
// fuse_lowlevel_ops (ops.cc) and each op's argument layout, exported to JS as
// constants.opArgs and checked against the TS table (src/op-table.ts) by test/op-table.test.ts.
//
// X(CODE, jsName, fuse_lowlevel_ops member, REGISTER, argument names...)
//   member: the one its requests arrive through. tmpfile and statx, which libfuse 3.14 answers
//           ENOSYS, arrive rewritten as create and getattr (io.cc PrepareRawRequest), whose
//           callbacks then serve them.
//   REGISTER: IF_SET   the member is set only when TS has a handler (ENOSYS otherwise);
//             ALWAYS   set whatever TS implements (the binding needs it);
//             NONE     no member of its own (interrupts reach TS through the slot table).
//   Arguments: what the op's callback passes to its JS handler. For a request (one the handler
//   answers) they follow the slot index; forget, init, destroy, retrieveReply and interrupt are
//   answered natively or are not requests, and pass only these.
// Adding an op: one line here, its callback op_<member> in ops.cc (or ops_files.cc for requests on
// open files), its entry in src/op-table.ts.
#pragma once
#include <cstddef>
#include <cstdint>

#define FUSEKIT_OPS(X)                                                                                                \
  X(INIT, init, init, ALWAYS, "conn")                                                                                 \
  X(DESTROY, destroy, destroy, ALWAYS)                                                                                \
  X(LOOKUP, lookup, lookup, IF_SET, "parent", "name")                                                                 \
  X(FORGET, forget, forget, IF_SET, "ino", "nlookup")                                                                 \
  X(GETATTR, getattr, getattr, IF_SET, "ino", "fh")                                                                   \
  X(SETATTR, setattr, setattr, IF_SET, "ino", "toSet", "mode", "uid", "gid", "size", "atime", "mtime", "ctime", "fh") \
  X(READLINK, readlink, readlink, IF_SET, "ino")                                                                      \
  X(MKNOD, mknod, mknod, IF_SET, "parent", "name", "mode", "rdev")                                                    \
  X(MKDIR, mkdir, mkdir, IF_SET, "parent", "name", "mode")                                                            \
  X(UNLINK, unlink, unlink, IF_SET, "parent", "name")                                                                 \
  X(RMDIR, rmdir, rmdir, IF_SET, "parent", "name")                                                                    \
  X(SYMLINK, symlink, symlink, IF_SET, "target", "parent", "name")                                                    \
  X(RENAME, rename, rename, IF_SET, "parent", "name", "newParent", "newName", "flags")                                \
  X(LINK, link, link, IF_SET, "ino", "newParent", "newName")                                                          \
  X(OPEN, open, open, IF_SET, "ino", "flags")                                                                         \
  X(READ, read, read, IF_SET, "ino", "size", "off", "fh", "flags")                                                    \
  X(WRITE, write, write, IF_SET, "ino", "buf", "off", "fh", "flags", "writepage")                                     \
  X(FLUSH, flush, flush, IF_SET, "ino", "fh", "owner")                                                                \
  X(RELEASE, release, release, IF_SET, "ino", "fh", "flags", "flush", "flockOwner")                                   \
  X(FSYNC, fsync, fsync, IF_SET, "ino", "datasync", "fh")                                                             \
  X(OPENDIR, opendir, opendir, IF_SET, "ino", "flags")                                                                \
  X(READDIR, readdir, readdir, IF_SET, "ino", "size", "off", "fh")                                                    \
  X(RELEASEDIR, releasedir, releasedir, IF_SET, "ino", "fh")                                                          \
  X(FSYNCDIR, fsyncdir, fsyncdir, IF_SET, "ino", "datasync", "fh")                                                    \
  X(STATFS, statfs, statfs, IF_SET, "ino")                                                                            \
  X(SETXATTR, setxattr, setxattr, IF_SET, "ino", "name", "value", "flags")                                            \
  X(GETXATTR, getxattr, getxattr, IF_SET, "ino", "name", "size")                                                      \
  X(LISTXATTR, listxattr, listxattr, IF_SET, "ino", "size")                                                           \
  X(REMOVEXATTR, removexattr, removexattr, IF_SET, "ino", "name")                                                     \
  X(ACCESS, access, access, IF_SET, "ino", "mask")                                                                    \
  X(CREATE, create, create, IF_SET, "parent", "name", "mode", "flags")                                                \
  X(GETLK, getlk, getlk, IF_SET, "ino", "fh", "owner", "type", "start", "end", "pid")                                 \
  X(SETLK, setlk, setlk, IF_SET, "ino", "fh", "owner", "type", "start", "end", "pid", "sleep")                        \
  X(BMAP, bmap, bmap, IF_SET, "ino", "blocksize", "idx")                                                              \
  X(IOCTL, ioctl, ioctl, IF_SET, "ino", "cmd", "arg", "fh", "flags", "inBuf", "outBufsz")                             \
  X(POLL, poll, poll, IF_SET, "ino", "fh", "events", "handle")                                                        \
  X(WRITE_BUF, writeBuf, write_buf, IF_SET, "ino", "buf", "off", "fh", "flags", "writepage")                          \
  X(RETRIEVE_REPLY, retrieveReply, retrieve_reply, ALWAYS, "cookie", "ino", "off", "buf")                             \
  X(FLOCK, flock, flock, IF_SET, "ino", "fh", "owner", "op")                                                          \
  X(FALLOCATE, fallocate, fallocate, IF_SET, "ino", "mode", "off", "len", "fh")                                       \
  X(READDIRPLUS, readdirplus, readdirplus, IF_SET, "ino", "size", "off", "fh")                                        \
  X(COPY_FILE_RANGE, copyFileRange, copy_file_range, IF_SET, "inoIn", "offIn", "fhIn", "inoOut", "offOut", "fhOut",   \
    "len", "flags")                                                                                                   \
  X(LSEEK, lseek, lseek, IF_SET, "ino", "off", "whence", "fh")                                                        \
  X(TMPFILE, tmpfile, create, IF_SET, "parent", "mode", "flags")                                                      \
  X(STATX, statx, getattr, IF_SET, "ino", "flags", "mask", "fh")                                                      \
  X(INTERRUPT, interrupt, none, NONE, "slot")

namespace fusekit {

// Operation codes shared with TS (index into the handler array passed at mount).
enum Op : uint32_t {
#define FK_OP_CODE(code, name, member, reg, ...) OP_##code,
  FUSEKIT_OPS(FK_OP_CODE)
#undef FK_OP_CODE
      OP_COUNT
};

// The JS name of each op (libfuse's member name in camelCase), by code.
inline constexpr const char* kOpNames[OP_COUNT] = {
#define FK_OP_NAME(code, name, member, reg, ...) #name,
    FUSEKIT_OPS(FK_OP_NAME)
#undef FK_OP_NAME
};

struct OpArgs {
  const char* const* names;
  size_t count;
};

namespace op_args {
#define FK_OP_ARGS(code, name, member, reg, ...) \
  inline constexpr const char* name[] = {__VA_OPT__(__VA_ARGS__, ) nullptr};
FUSEKIT_OPS(FK_OP_ARGS)
#undef FK_OP_ARGS
}  // namespace op_args

// Each op's argument names (the layout its callback fills), by code.
inline constexpr OpArgs kOpArgs[OP_COUNT] = {
#define FK_OP_LAYOUT(code, name, member, reg, ...) {op_args::name, sizeof(op_args::name) / sizeof(char*) - 1},
    FUSEKIT_OPS(FK_OP_LAYOUT)
#undef FK_OP_LAYOUT
};

// The most arguments any op passes (argv in Session::Dispatch holds these plus the slot).
inline constexpr size_t kMaxOpArgs = [] {
  size_t most = 0;
  for (const OpArgs& a : kOpArgs) most = a.count > most ? a.count : most;
  return most;
}();

}  // namespace fusekit
