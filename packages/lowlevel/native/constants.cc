#include "constants.h"
#include <fcntl.h>
#include <sys/stat.h>
#include "fuse.h"
#include "notify.h"
#include "session.h"

namespace fusekit {

Napi::Object ConstantsObject(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
#define FK_C(name) o.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
  FK_C(FUSE_CAP_ASYNC_READ);
  FK_C(FUSE_CAP_POSIX_LOCKS);
  FK_C(FUSE_CAP_ATOMIC_O_TRUNC);
  FK_C(FUSE_CAP_EXPORT_SUPPORT);
  FK_C(FUSE_CAP_DONT_MASK);
  FK_C(FUSE_CAP_SPLICE_WRITE);
  FK_C(FUSE_CAP_SPLICE_MOVE);
  FK_C(FUSE_CAP_SPLICE_READ);
  FK_C(FUSE_CAP_FLOCK_LOCKS);
  FK_C(FUSE_CAP_IOCTL_DIR);
  FK_C(FUSE_CAP_AUTO_INVAL_DATA);
  FK_C(FUSE_CAP_READDIRPLUS);
  FK_C(FUSE_CAP_READDIRPLUS_AUTO);
  FK_C(FUSE_CAP_ASYNC_DIO);
  FK_C(FUSE_CAP_WRITEBACK_CACHE);
  FK_C(FUSE_CAP_NO_OPEN_SUPPORT);
  FK_C(FUSE_CAP_PARALLEL_DIROPS);
  FK_C(FUSE_CAP_POSIX_ACL);
  FK_C(FUSE_CAP_HANDLE_KILLPRIV);
  FK_C(FUSE_CAP_CACHE_SYMLINKS);
  FK_C(FUSE_CAP_NO_OPENDIR_SUPPORT);
  FK_C(FUSE_CAP_EXPLICIT_INVAL_DATA);
  FK_C(FUSE_CAP_EXPIRE_ONLY);
  FK_C(FUSE_SET_ATTR_MODE);
  FK_C(FUSE_SET_ATTR_UID);
  FK_C(FUSE_SET_ATTR_GID);
  FK_C(FUSE_SET_ATTR_SIZE);
  FK_C(FUSE_SET_ATTR_ATIME);
  FK_C(FUSE_SET_ATTR_MTIME);
  FK_C(FUSE_SET_ATTR_ATIME_NOW);
  FK_C(FUSE_SET_ATTR_MTIME_NOW);
  FK_C(FUSE_SET_ATTR_CTIME);
  FK_C(FUSE_IOCTL_COMPAT);
  FK_C(FUSE_IOCTL_UNRESTRICTED);
  FK_C(FUSE_IOCTL_RETRY);
  FK_C(FUSE_IOCTL_DIR);
  FK_C(RENAME_NOREPLACE);
  FK_C(RENAME_EXCHANGE);
  FK_C(F_RDLCK);
  FK_C(F_WRLCK);
  FK_C(F_UNLCK);
  FK_C(STATX_BASIC_STATS);
  FK_C(STATX_BTIME);
  FK_C(N_INVAL_INODE);
  FK_C(N_INVAL_ENTRY);
  FK_C(N_EXPIRE_ENTRY);
  FK_C(N_DELETE);
  FK_C(N_STORE);
  FK_C(N_RETRIEVE);
  FK_C(FUSE_MAJOR_VERSION);
  FK_C(FUSE_MINOR_VERSION);
#undef FK_C
  // Op names and argument layouts by op code, from op_table.h (src/op-table.ts is checked against them).
  Napi::Array ops = Napi::Array::New(env, OP_COUNT);
  Napi::Array opArgs = Napi::Array::New(env, OP_COUNT);
  for (uint32_t i = 0; i < OP_COUNT; i++) {
    ops.Set(i, kOpNames[i]);
    Napi::Array names = Napi::Array::New(env, kOpArgs[i].count);
    for (uint32_t j = 0; j < kOpArgs[i].count; j++) names.Set(j, kOpArgs[i].names[j]);
    opArgs.Set(i, names);
  }
  o.Set("ops", ops);
  o.Set("opArgs", opArgs);
  return o;
}

}  // namespace fusekit
