#include "ops.h"
#include <fcntl.h>
#include <cstring>
#include "op_callbacks.h"

namespace fusekit {

void op_init(void* userdata, fuse_conn_info* conn) { static_cast<Session*>(userdata)->OnInit(conn); }
void op_destroy(void* userdata) { static_cast<Session*>(userdata)->OnDestroy(); }

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_LOOKUP, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    return 2;
  });
}

void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Session* s = S;
  fuse_reply_none(req);
  s->Notice(OP_FORGET, [&](napi_value* a) {
    U64(a[0], ino);
    U64(a[1], nlookup);
    return 2;
  });
}

void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
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

// FUSE_STATX, rewritten into a GETATTR for libfuse 3.14 (io.cc PrepareRawRequest).
static void Statx(Session* s, fuse_req_t req, fuse_ino_t ino, const Session::Rewritten& r, fuse_file_info* fi) {
  if (!s->Serves(OP_STATX)) {
    fuse_reply_err(req, ENOSYS);  // as libfuse would: the kernel stops asking and uses getattr
    return;
  }
  s->Dispatch(req, OP_STATX, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(r.statxFlags);
    a[2] = s->Num(r.statxMask);
    FH(a[3], fi);
    return 4;
  });
}

// Registered for getattr or statx: serves whichever the request was.
void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = S;
  if (Session::Rewritten r = s->TakeRewrite(); r.from == protocol::FUSE_STATX) return Statx(s, req, ino, r, fi);
  if (!s->Serves(OP_GETATTR)) {
    fuse_reply_err(req, ENOSYS);
    return;
  }
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

void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
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

void op_readlink(fuse_req_t req, fuse_ino_t ino) {
  Session* s = S;
  s->Dispatch(req, OP_READLINK, [&](napi_value* a) {
    U64(a[0], ino);
    return 1;
  });
}

void op_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  Session* s = S;
  s->Dispatch(req, OP_MKNOD, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    a[2] = s->Num(mode);
    U64(a[3], rdev);
    return 4;
  });
}

void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Session* s = S;
  s->Dispatch(req, OP_MKDIR, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    a[2] = s->Num(mode);
    return 3;
  });
}

void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_UNLINK, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    return 2;
  });
}

void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_RMDIR, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    return 2;
  });
}

void op_symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_SYMLINK, [&](napi_value* a) {
    a[0] = s->Name(link);
    U64(a[1], parent);
    a[2] = s->Name(name);
    return 3;
  });
}

void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
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

void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  Session* s = S;
  s->Dispatch(req, OP_LINK, [&](napi_value* a) {
    U64(a[0], ino);
    U64(a[1], newparent);
    a[2] = s->Name(newname);
    return 3;
  });
}

void op_statfs(fuse_req_t req, fuse_ino_t ino) {
  Session* s = S;
  s->Dispatch(req, OP_STATFS, [&](napi_value* a) {
    U64(a[0], ino);
    return 1;
  });
}

void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags) {
  Session* s = S;
  s->Dispatch(req, OP_SETXATTR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Name(name);
    a[2] = s->Copy(value, size);
    a[3] = s->Num(flags);
    return 4;
  });
}

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  Session* s = S;
  s->Dispatch(req, OP_GETXATTR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Name(name);
    a[2] = s->Num(static_cast<double>(size));
    return 3;
  });
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  Session* s = S;
  s->Dispatch(req, OP_LISTXATTR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(static_cast<double>(size));
    return 2;
  });
}

void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  Session* s = S;
  s->Dispatch(req, OP_REMOVEXATTR, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Name(name);
    return 2;
  });
}

void op_access(fuse_req_t req, fuse_ino_t ino, int mask) {
  Session* s = S;
  s->Dispatch(req, OP_ACCESS, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(mask);
    return 2;
  });
}

// FUSE_TMPFILE (open(dir, O_TMPFILE)), rewritten into a CREATE for libfuse 3.14 (io.cc
// PrepareRawRequest): an unnamed file in `parent`, answered as a create is.
static void Tmpfile(Session* s, fuse_req_t req, fuse_ino_t parent, mode_t mode, fuse_file_info* fi) {
  if (!s->Serves(OP_TMPFILE)) {
    fuse_reply_err(req, ENOSYS);  // as libfuse would: the kernel answers EOPNOTSUPP from now on
    return;
  }
  s->Dispatch(req, OP_TMPFILE, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Num(mode);
    a[2] = s->Num(fi->flags);
    return 3;
  });
}

// Registered for create or tmpfile: serves whichever the request was.
void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  Session* s = S;
  if (s->TakeRewrite().from == FUSE_TMPFILE) return Tmpfile(s, req, parent, mode, fi);
  if (!s->Serves(OP_CREATE)) {
    fuse_reply_err(req, ENOSYS);
    return;
  }
  s->Dispatch(req, OP_CREATE, [&](napi_value* a) {
    U64(a[0], parent);
    a[1] = s->Name(name);
    a[2] = s->Num(mode);
    a[3] = s->Num(fi->flags);
    return 4;
  });
}

void op_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx) {
  Session* s = S;
  s->Dispatch(req, OP_BMAP, [&](napi_value* a) {
    U64(a[0], ino);
    a[1] = s->Num(static_cast<double>(blocksize));
    U64(a[2], idx);
    return 3;
  });
}

void op_retrieve_reply(fuse_req_t req, void* cookie, fuse_ino_t ino, off_t offset, fuse_bufvec* bufv) {
  S->OnRetrieveReply(req, cookie, ino, offset, bufv);
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
