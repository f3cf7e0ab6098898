// The callbacks of requests on open files (by file handle): data, flush and release, sync,
// listings, locks, ioctl, poll, fallocate, copies and seeks.
#include <fcntl.h>
#include "op_callbacks.h"

namespace fusekit {

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_OPEN, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(fi->flags);
    return 2;
  });
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
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

void op_write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
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

void op_write_buf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* in, off_t off, fuse_file_info* fi) {
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

void op_flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_FLUSH, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Big(fi->lock_owner);
    return 3;
  });
}

void op_release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
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

void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_FSYNC, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Bool(datasync);
    FH(a[2], fi);
    return 3;
  });
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_OPENDIR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(fi->flags);
    return 2;
  });
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_READDIR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(static_cast<double>(size));
    U64(a[2], off);
    FH(a[3], fi);
    return 4;
  });
}

void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_READDIRPLUS, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(static_cast<double>(size));
    U64(a[2], off);
    FH(a[3], fi);
    return 4;
  });
}

void op_releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_RELEASEDIR, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    return 2;
  });
}

void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_FSYNCDIR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Bool(datasync);
    FH(a[2], fi);
    return 3;
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

void op_getlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) {
  Session* s = S;
  s->Dispatch(req, OP_GETLK, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Big(fi->lock_owner);
    LockArgs(s, a + 3, lock);
    return 7;
  });
}

void op_setlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep) {
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

void op_flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  Session* s = S;
  s->Dispatch(req, OP_FLOCK, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Big(fi->lock_owner);
    a[3] = s->Num(op);
    return 4;
  });
}

void op_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void* arg, fuse_file_info* fi, unsigned flags,
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

void op_poll(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, fuse_pollhandle* ph) {
  Session* s = S;
  s->Dispatch(req, OP_POLL, [&](napi_value* a) {
    U64(a[0], ino);
    FH(a[1], fi);
    a[2] = s->Num(fi->poll_events);
    a[3] = ph != nullptr ? s->Num(s->KeepPollHandle(ph)) : s->Undef();
    return 4;
  });
}

void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, fuse_file_info* fi) {
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

void op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, fuse_file_info* fi_in, fuse_ino_t ino_out,
                        off_t off_out, fuse_file_info* fi_out, size_t len, int flags) {
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

void op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info* fi) {
  Session* s = S;
  s->Dispatch(req, OP_LSEEK, [&](napi_value* a) {
    U64(a[0], ino);
    U64(a[1], off);
    a[2] = s->Num(whence);
    FH(a[3], fi);
    return 4;
  });
}

}  // namespace fusekit
