#include "convert.h"
#include <cstring>

namespace fusekit {

timespec NsToTimespec(int64_t ns) {
  timespec ts;
  ts.tv_sec = ns / 1000000000;
  ts.tv_nsec = ns % 1000000000;
  if (ts.tv_nsec < 0) {  // floor division for times before 1970
    ts.tv_nsec += 1000000000;
    ts.tv_sec -= 1;
  }
  return ts;
}

void ReadStat(const double* f, const int64_t* t, struct stat* st) {
  std::memset(st, 0, sizeof *st);
  st->st_ino = static_cast<ino_t>(f[F_INO]);
  st->st_mode = static_cast<mode_t>(f[F_MODE]);
  st->st_nlink = static_cast<nlink_t>(f[F_NLINK]);
  st->st_uid = static_cast<uid_t>(f[F_UID]);
  st->st_gid = static_cast<gid_t>(f[F_GID]);
  st->st_rdev = static_cast<dev_t>(f[F_RDEV]);
  st->st_size = static_cast<off_t>(f[F_SIZE]);
  st->st_blocks = static_cast<blkcnt_t>(f[F_BLOCKS]);
  st->st_blksize = static_cast<blksize_t>(f[F_BLKSIZE]);
  st->st_atim = NsToTimespec(t[T_ATIME]);
  st->st_mtim = NsToTimespec(t[T_MTIME]);
  st->st_ctim = NsToTimespec(t[T_CTIME]);
}

void ReadEntry(const double* f, const int64_t* t, fuse_entry_param* e) {
  std::memset(e, 0, sizeof *e);
  e->ino = static_cast<fuse_ino_t>(f[F_NODEID]);
  e->generation = static_cast<uint64_t>(f[F_GENERATION]);
  e->attr_timeout = f[F_ATTR_TIMEOUT];
  e->entry_timeout = f[F_ENTRY_TIMEOUT];
  ReadStat(f, t, &e->attr);
}

void ReadStatvfs(const double* f, struct statvfs* st) {
  std::memset(st, 0, sizeof *st);
  st->f_bsize = static_cast<unsigned long>(f[SF_BSIZE]);
  st->f_frsize = static_cast<unsigned long>(f[SF_FRSIZE]);
  st->f_blocks = static_cast<fsblkcnt_t>(f[SF_BLOCKS]);
  st->f_bfree = static_cast<fsblkcnt_t>(f[SF_BFREE]);
  st->f_bavail = static_cast<fsblkcnt_t>(f[SF_BAVAIL]);
  st->f_files = static_cast<fsfilcnt_t>(f[SF_FILES]);
  st->f_ffree = static_cast<fsfilcnt_t>(f[SF_FFREE]);
  st->f_favail = static_cast<fsfilcnt_t>(f[SF_FAVAIL]);
  st->f_fsid = static_cast<unsigned long>(f[SF_FSID]);
  st->f_flag = static_cast<unsigned long>(f[SF_FLAG]);
  st->f_namemax = static_cast<unsigned long>(f[SF_NAMEMAX]);
}

Napi::Object LayoutObject(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
#define FK_SET(name) o.Set(#name, Napi::Number::New(env, name))
  FK_SET(F_INO);
  FK_SET(F_MODE);
  FK_SET(F_NLINK);
  FK_SET(F_UID);
  FK_SET(F_GID);
  FK_SET(F_RDEV);
  FK_SET(F_SIZE);
  FK_SET(F_BLOCKS);
  FK_SET(F_BLKSIZE);
  FK_SET(F_GENERATION);
  FK_SET(F_ATTR_TIMEOUT);
  FK_SET(F_ENTRY_TIMEOUT);
  FK_SET(F_NODEID);
  FK_SET(F_STATX_MASK);
  FK_SET(T_ATIME);
  FK_SET(T_MTIME);
  FK_SET(T_CTIME);
  FK_SET(T_BTIME);
  FK_SET(I_UID);
  FK_SET(I_GID);
  FK_SET(I_PID);
  FK_SET(I_UMASK);
  FK_SET(I_KILL_SUIDGID);
  FK_SET(SF_BSIZE);
  FK_SET(SF_FRSIZE);
  FK_SET(SF_BLOCKS);
  FK_SET(SF_BFREE);
  FK_SET(SF_BAVAIL);
  FK_SET(SF_FILES);
  FK_SET(SF_FFREE);
  FK_SET(SF_FAVAIL);
  FK_SET(SF_FSID);
  FK_SET(SF_FLAG);
  FK_SET(SF_NAMEMAX);
#undef FK_SET
  o.Set("bytes", Napi::Number::New(env, kScratchBytes));
  SetDirentLayout(o);
  return o;
}

}  // namespace fusekit
