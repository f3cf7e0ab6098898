#include "ops.h"
#include <fcntl.h>
#include <cstring>

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

static void op_init(void* userdata, fuse_conn_info* conn) { static_cast<Session*>(userdata)->OnInit(conn); }
static void op_destroy(void* userdata) { static_cast<Session*>(userdata)->OnDestroy(); }

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_LOOKUP, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    return 2;
  });
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Session* s = S;
  fuse_reply_none(req);
  s->Notice(OP_FORGET, [&](napi_value* a) {
    U64(a[0], ino);
    U64(a[1], nlookup);
    return 2;
  });
}

static void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  Session* s = S;
  fuse_reply_none(req);
  for (size_t i = 0; i < count; i++) {
    s->Notice(OP_FORGET, [&](napi_value* a) {
      U64(a[0], forgets[i].ino);
      U64(a[1], forgets[i].nlookup);
      return 2;
    });
  }
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_GETATTR, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    return 2;
  });
}

static napi_value TimeArg(Session* s, const timespec& ts, bool now) {
  if (now) return s->Bool(true);  // UTIME_NOW: the handler stamps the current time
  napi_value r;
  napi_create_bigint_int64(s->Env(), static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec, &r);
  return r;
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_SETATTR, [&](napi_value* a) {
    U64(a[0], ino);
    if (to_set & FUSE_SET_ATTR_SIZE) GROW_TO(attr->st_size);
    a[1] = s->Num(to_set);
    a[2] = s->Num(attr->st_mode);
    a[3] = s->Num(attr->st_uid);
    a[4] = s->Num(attr->st_gid);
    a[5] = s->Num(static_cast<double>(attr->st_size));
    a[6] = TimeArg(s, attr->st_atim, to_set & FUSE_SET_ATTR_ATIME_NOW);
    a[7] = TimeArg(s, attr->st_mtim, to_set & FUSE_SET_ATTR_MTIME_NOW);
    a[8] = TimeArg(s, attr->st_ctim, false);
    FH(a[9], fi);
    return 10;
  });
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino) {
  Session* s = S;
  s->Dispatch(req, OP_READLINK, [&](napi_value* a) {
    U64(a[0], ino);
    return 1;
  });
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  Session* s = S;
  s->Dispatch(req, OP_MKNOD, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    a[2] = s->Num(mode);
    U64(a[3], rdev);
    return 4;
  });
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Session* s = S;
  s->Dispatch(req, OP_MKDIR, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    a[2] = s->Num(mode);
    return 3;
  });
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_UNLINK, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    return 2;
  });
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_RMDIR, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    return 2;
  });
}

static void op_symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_SYMLINK, [&](napi_value* a) {
    a[0] = s->Name(link);
    U64(a[1], parent);
    a[2] = s->Name(name);
    return 3;
  });
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
                      unsigned int flags) {
  Session* s = S;
  s->Dispatch(req, OP_RENAME, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    U64(a[2], newparent);
    a[3] = s->Name(newname);
    a[4] = s->Num(flags);
    return 5;
  });
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  Session* s = S;
  s->Dispatch(req, OP_LINK, [&](napi_value* a) {
    U64(a[0], ino);
    U64(a[1], newparent);
    a[2] = s->Name(newname);
    return 3;
  });
}

static void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_OPEN, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(fi->flags);
    return 2;
  });
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_READ, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(static_cast<double>(size));
    U64(a[2], off);
    FH(a[3], fi);
    a[4] = s->Num(fi->flags);
    return 5;
  });
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_WRITE, [&](napi_value* a) {
    GROW_TO(static_cast<uint64_t>(off) + size);
    U64(a[0], ino);
    a[1] = s->Payload(buf, size);
    U64(a[2], off);
    FH(a[3], fi);
    a[4] = s->Num(fi->flags);
    a[5] = s->Bool(fi->writepage);
    return 6;
  });
}

static void op_write_buf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* in, off_t off, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_WRITE_BUF, [&](napi_value* a) {
    size_t size = fuse_buf_size(in);
    GROW_TO(static_cast<uint64_t>(off) + size);
    U64(a[0], ino);
    void* data;
    napi_create_buffer(s->Env(), size, &data, &a[1]);
    fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
    dst.buf[0].mem = data;
    fuse_buf_copy(&dst, in, static_cast<fuse_buf_copy_flags>(0));
    U64(a[2], off);
    FH(a[3], fi);
    a[4] = s->Num(fi->flags);
    a[5] = s->Bool(fi->writepage);
    return 6;
  });
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_FLUSH, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Big(fi->lock_owner);
    return 3;
  });
}

static void op_release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_RELEASE, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Num(fi->flags);
    a[3] = s->Bool(fi->flush);
    a[4] = fi->flock_release ? s->Big(fi->lock_owner) : s->Undef();
    return 5;
  });
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_FSYNC, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Bool(datasync);
    FH(a[2], fi);
    return 3;
  });
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_OPENDIR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(fi->flags);
    return 2;
  });
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_READDIR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(static_cast<double>(size));
    U64(a[2], off);
    FH(a[3], fi);
    return 4;
  });
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_READDIRPLUS, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(static_cast<double>(size));
    U64(a[2], off);
    FH(a[3], fi);
    return 4;
  });
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_RELEASEDIR, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    return 2;
  });
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_FSYNCDIR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Bool(datasync);
    FH(a[2], fi);
    return 3;
  });
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino) {
  Session* s = S;
  s->Dispatch(req, OP_STATFS, [&](napi_value* a) {
    U64(a[0], ino);
    return 1;
  });
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags) {
  Session* s = S;
  s->Dispatch(req, OP_SETXATTR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Name(name);
    a[2] = s->Copy(value, size);
    a[3] = s->Num(flags);
    return 4;
  });
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  Session* s = S;
  s->Dispatch(req, OP_GETXATTR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Name(name);
    a[2] = s->Num(static_cast<double>(size));
    return 3;
  });
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  Session* s = S;
  s->Dispatch(req, OP_LISTXATTR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(static_cast<double>(size));
    return 2;
  });
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_REMOVEXATTR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Name(name);
    return 2;
  });
}

static void op_access(fuse_req_t req, fuse_ino_t ino, int mask) {
  Session* s = S;
  s->Dispatch(req, OP_ACCESS, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(mask);
    return 2;
  });
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_CREATE, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    a[2] = s->Num(mode);
    a[3] = s->Num(fi->flags);
    return 4;
  });
}

static int LockArgs(Session* s, napi_value* a, const struct flock* lock) {
  a[0] = s->Num(lock->l_type);
  a[1] = s->Num(static_cast<double>(lock->l_start));
  // l_len 0 means "to the end of file": passed as end = -1 like the kernel's OFFSET_MAX idea.
  a[2] = s->Num(lock->l_len == 0 ? -1.0 : static_cast<double>(lock->l_start + lock->l_len - 1));
  a[3] = s->Num(lock->l_pid);
  return 4;
}

static void op_getlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) {
  Session* s = S;
  s->Dispatch(req, OP_GETLK, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Big(fi->lock_owner);
    LockArgs(s, a + 3, lock);
    return 7;
  });
}

static void op_setlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep) {
  Session* s = S;
  s->Dispatch(req, OP_SETLK, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Big(fi->lock_owner);
    LockArgs(s, a + 3, lock);
    a[7] = s->Bool(sleep);
    return 8;
  });
}

static void op_flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  Session* s = S;
  s->Dispatch(req, OP_FLOCK, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Big(fi->lock_owner);
    a[3] = s->Num(op);
    return 4;
  });
}

static void op_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx) {
  Session* s = S;
  s->Dispatch(req, OP_BMAP, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(static_cast<double>(blocksize));
    U64(a[2], idx);
    return 3;
  });
}

static void op_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void* arg, fuse_file_info* fi, unsigned flags,
                     const void* in_buf, size_t in_bufsz, size_t out_bufsz) {
  Session* s = S;
  s->Dispatch(req, OP_IOCTL, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(cmd);
    a[2] = s->Big(reinterpret_cast<uintptr_t>(arg));
    FH(a[3], fi);
    a[4] = s->Num(flags);
    a[5] = s->Copy(in_buf, in_bufsz);
    a[6] = s->Num(static_cast<double>(out_bufsz));
    return 7;
  });
}

static void op_poll(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, fuse_pollhandle* ph) {
  Session* s = S;
  s->Dispatch(req, OP_POLL, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Num(fi->poll_events);
    a[3] = ph != nullptr ? s->Num(s->KeepPollHandle(ph)) : s->Undef();
    return 4;
  });
}

static void op_retrieve_reply(fuse_req_t req, void* cookie, fuse_ino_t ino, off_t offset, fuse_bufvec* bufv) {
  S->OnRetrieveReply(req, cookie, ino, offset, bufv);
}

static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_FALLOCATE, [&](napi_value* a) {
    if (!(mode & FALLOC_FL_KEEP_SIZE)) GROW_TO(static_cast<uint64_t>(offset) + static_cast<uint64_t>(length));
    U64(a[0], ino);
    a[1] = s->Num(mode);
    U64(a[2], offset);
    U64(a[3], length);
    FH(a[4], fi);
    return 5;
  });
}

static void op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, fuse_file_info* fi_in,
                               fuse_ino_t ino_out, off_t off_out, fuse_file_info* fi_out, size_t len, int flags) {
  Session* s = S;
  s->Dispatch(req, OP_COPY_FILE_RANGE, [&](napi_value* a) {
    U64(a[0], ino_in);
    U64(a[1], off_in);
    FH(a[2], fi_in);
    U64(a[3], ino_out);
    U64(a[4], off_out);
    FH(a[5], fi_out);
    U64(a[6], len);
    a[7] = s->Num(flags);
    return 8;
  });
}

static void op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_LSEEK, [&](napi_value* a) {
    U64(a[0], ino);
    U64(a[1], off);
    a[2] = s->Num(whence);
    FH(a[3], fi);
    return 4;
  });
}

fuse_lowlevel_ops BuildOps(const bool on[OP_COUNT]) {
  fuse_lowlevel_ops o;
  std::memset(&o, 0, sizeof o);
#define FK_REGISTER_IF_SET(code, member) \
  if (on[OP_##code]) o.member = op_##member
#define FK_REGISTER_ALWAYS(code, member) o.member = op_##member
#define FK_REGISTER_NONE(code, member)
#define FK_REGISTER(code, name, member, reg, ...) FK_REGISTER_##reg(code, member);
  FUSEKIT_OPS(FK_REGISTER)
#undef FK_REGISTER
#undef FK_REGISTER_NONE
#undef FK_REGISTER_ALWAYS
#undef FK_REGISTER_IF_SET
  // forget_multi is libfuse's batched forget: TS sees each as a forget.
  if (on[OP_FORGET]) o.forget_multi = op_forget_multi;
  return o;
}

}  // namespace fusekit
