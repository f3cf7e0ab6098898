// What the op callbacks share (ops.cc: entries and attributes, ops_files.cc: requests on open
// files): the argument conversions, and one declaration per callback, typed from its
// fuse_lowlevel_ops member by the op table, so BuildOps (ops.cc) registers callbacks of both files.
#pragma once
#include <type_traits>
#include "op_table.h"
#include "session.h"

namespace fusekit {

#define S Session::From(req)
// Converts an unsigned 64-bit kernel value; refuses (EOVERFLOW) what a JS number cannot hold.
#define U64(dst, v)                        \
  do {                                     \
    uint64_t _v = (v);                     \
    if (!FitsJs(_v)) return -EOVERFLOW;    \
    dst = s->Num(static_cast<double>(_v)); \
  } while (0)
// A size or end a file would grow to: past what a JS number holds, the file would be too large
// for the filesystem (EFBIG, as truncate(2), write(2) and fallocate(2) say).
#define GROW_TO(end)                                        \
  do {                                                      \
    if (!FitsJs(static_cast<uint64_t>(end))) return -EFBIG; \
  } while (0)
#define FH(dst, fi)                          \
  do {                                       \
    if ((fi) != nullptr) U64(dst, (fi)->fh); \
    else dst = s->Undef();                   \
  } while (0)

#define FK_DECLARE_IF_SET(member) std::remove_pointer_t<decltype(fuse_lowlevel_ops::member)> op_##member;
#define FK_DECLARE_ALWAYS(member) FK_DECLARE_IF_SET(member)
#define FK_DECLARE_NONE(member)
#define FK_DECLARE(code, name, member, reg, ...) FK_DECLARE_##reg(member)
FUSEKIT_OPS(FK_DECLARE)
FK_DECLARE_IF_SET(forget_multi)
#undef FK_DECLARE
#undef FK_DECLARE_NONE
#undef FK_DECLARE_ALWAYS
#undef FK_DECLARE_IF_SET

}  // namespace fusekit
