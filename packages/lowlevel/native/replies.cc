// The reply half of a request: each JS-facing method takes the slot index first, answers the
// kernel exactly once and frees the slot. Values were validated in TS; structs come from scratch.
// Replies that hand the kernel a reference (entry, create, open, a readdirplus buffer) return
// libfuse's result, so TS can undo it when the kernel refused the reply (an interrupted request).
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <cerrno>
#include "errors.h"
#include "session.h"

namespace fusekit {

#define ARG_U32(i) info[i].As<Napi::Number>().Uint32Value()
#define ARG_F64(i) info[i].As<Napi::Number>().DoubleValue()
#define ARG_I64(i) info[i].As<Napi::Number>().Int64Value()

Napi::Value Session::ReplyErr(const Napi::CallbackInfo& info) {
  int err = info[1].As<Napi::Number>().Int32Value();
  ReplyFailed(fuse_reply_err(TakeSlot(info), err), "fuse_reply_err");
  return env_.Undefined();
}

Napi::Value Session::ReplyEntry(const Napi::CallbackInfo& info) {
  fuse_entry_param e;
  ReadEntry(f64(), i64(), &e);
  int res = fuse_reply_entry(TakeSlot(info), &e);
  ReplyFailed(res, "fuse_reply_entry");
  return Napi::Number::New(env_, res);
}

static void ReadOpenFlags(const Napi::CallbackInfo& info, size_t at, fuse_file_info* fi) {
  fi->fh = static_cast<uint64_t>(info[at].As<Napi::Number>().Int64Value());
  uint32_t bits = info[at + 1].As<Napi::Number>().Uint32Value();
  fi->direct_io = bits & 1;
  fi->keep_cache = (bits >> 1) & 1;
  fi->nonseekable = (bits >> 2) & 1;
  fi->cache_readdir = (bits >> 3) & 1;
  fi->noflush = (bits >> 4) & 1;
}

// The backing id argument of replyOpen/replyCreate (0: no passthrough).
static int32_t BackingIdArg(const Napi::CallbackInfo& info, size_t at) {
  return info.Length() > at && info[at].IsNumber() ? info[at].As<Napi::Number>().Int32Value() : 0;
}

// replyCreate(slot, fh, openBits, backingId) with the entry in scratch.
Napi::Value Session::ReplyCreate(const Napi::CallbackInfo& info) {
  fuse_entry_param e;
  ReadEntry(f64(), i64(), &e);
  fuse_file_info fi{};
  ReadOpenFlags(info, 1, &fi);
  fuse_req_t req = TakeSlot(info);
  // fuse_reply_create sends fuse_entry_out then fuse_open_out in one buffer (protocol >= 7.9).
  SetNextBacking(BackingIdArg(info, 3), sizeof(fuse_entry_out));
  int res = fuse_reply_create(req, &e, &fi);
  SetNextBacking(0, 0);
  ReplyFailed(res, "fuse_reply_create");
  return Napi::Number::New(env_, res);
}

Napi::Value Session::ReplyAttr(const Napi::CallbackInfo& info) {
  struct stat st;
  ReadStat(f64(), i64(), &st);
  ReplyFailed(fuse_reply_attr(TakeSlot(info), &st, f64()[F_ATTR_TIMEOUT]), "fuse_reply_attr");
  return env_.Undefined();
}

static protocol::fuse_sx_time SxTime(const timespec& ts) {
  return {static_cast<int64_t>(ts.tv_sec), static_cast<uint32_t>(ts.tv_nsec), 0};
}

// replyStatx(slot) with the attributes, the answered mask and the birth time in scratch: a
// fuse_statx_out built here (libfuse 3.14 has no fuse_reply_statx), sent as the reply's bytes.
Napi::Value Session::ReplyStatx(const Napi::CallbackInfo& info) {
  struct stat st;
  ReadStat(f64(), i64(), &st);
  protocol::fuse_statx_out out{};
  double timeout = f64()[F_ATTR_TIMEOUT];
  out.attr_valid = static_cast<uint64_t>(timeout);
  out.attr_valid_nsec = static_cast<uint32_t>((timeout - static_cast<double>(out.attr_valid)) * 1e9);
  protocol::fuse_statx& sx = out.stat;
  sx.mask = static_cast<uint32_t>(f64()[F_STATX_MASK]);
  sx.blksize = static_cast<uint32_t>(st.st_blksize);
  sx.nlink = static_cast<uint32_t>(st.st_nlink);
  sx.uid = st.st_uid;
  sx.gid = st.st_gid;
  sx.mode = static_cast<uint16_t>(st.st_mode);
  sx.ino = st.st_ino;
  sx.size = static_cast<uint64_t>(st.st_size);
  sx.blocks = static_cast<uint64_t>(st.st_blocks);
  sx.atime = SxTime(st.st_atim);
  sx.btime = SxTime(NsToTimespec(i64()[T_BTIME]));
  sx.ctime = SxTime(st.st_ctim);
  sx.mtime = SxTime(st.st_mtim);
  sx.rdev_major = major(st.st_rdev);
  sx.rdev_minor = minor(st.st_rdev);
  ReplyFailed(fuse_reply_buf(TakeSlot(info), reinterpret_cast<const char*>(&out), sizeof out),
              "fuse_reply_buf (statx)");
  return env_.Undefined();
}

// replyReadlink(slot, target: string | Buffer)
Napi::Value Session::ReplyReadlink(const Napi::CallbackInfo& info) {
  std::string target = info[1].IsBuffer() ? std::string(info[1].As<Napi::Buffer<char>>().Data(),
                                                        info[1].As<Napi::Buffer<char>>().Length())
                                          : info[1].As<Napi::String>().Utf8Value();
  ReplyFailed(fuse_reply_readlink(TakeSlot(info), target.c_str()), "fuse_reply_readlink");
  return env_.Undefined();
}

// replyOpen(slot, fh, openBits, backingId)
Napi::Value Session::ReplyOpen(const Napi::CallbackInfo& info) {
  fuse_file_info fi{};
  ReadOpenFlags(info, 1, &fi);
  fuse_req_t req = TakeSlot(info);
  SetNextBacking(BackingIdArg(info, 3), 0);
  int res = fuse_reply_open(req, &fi);
  SetNextBacking(0, 0);
  ReplyFailed(res, "fuse_reply_open");
  return Napi::Number::New(env_, res);
}

Napi::Value Session::ReplyWrite(const Napi::CallbackInfo& info) {
  ReplyFailed(fuse_reply_write(TakeSlot(info), static_cast<size_t>(ARG_F64(1))), "fuse_reply_write");
  return env_.Undefined();
}

// replyBuf(slot, data: Uint8Array) -> libfuse's result (readdirplus replies undo on refusal).
Napi::Value Session::ReplyBuf(const Napi::CallbackInfo& info) {
  auto data = info[1].As<Napi::Uint8Array>();
  int res = fuse_reply_buf(TakeSlot(info), reinterpret_cast<const char*>(data.Data()), data.ByteLength());
  ReplyFailed(res, "fuse_reply_buf");
  return Napi::Number::New(env_, res);
}

// replyIov(slot, parts: Uint8Array[])
Napi::Value Session::ReplyIov(const Napi::CallbackInfo& info) {
  Napi::Array parts = info[1].As<Napi::Array>();
  std::vector<iovec> iov(parts.Length());
  for (uint32_t i = 0; i < parts.Length(); i++) {
    auto p = parts.Get(i).As<Napi::Uint8Array>();
    iov[i].iov_base = p.Data();
    iov[i].iov_len = p.ByteLength();
  }
  ReplyFailed(fuse_reply_iov(TakeSlot(info), iov.data(), static_cast<int>(iov.size())), "fuse_reply_iov");
  return env_.Undefined();
}

// replyData(slot, fd, position, size): data straight from a file descriptor, never through a JS
// Buffer and never blocking the JS thread on a disk (data_worker.cc).
Napi::Value Session::ReplyData(const Napi::CallbackInfo& info) {
  int fd = info[1].As<Napi::Number>().Int32Value();
  off_t pos = static_cast<off_t>(ARG_I64(2));
  size_t size = static_cast<size_t>(ARG_F64(3));
  bool inMemory = info[4].As<Napi::Boolean>().Value();
  dataWorker_.Reply(TakeSlot(info), fd, pos, size, inMemory);
  return env_.Undefined();
}

Napi::Value Session::ReplyStatfs(const Napi::CallbackInfo& info) {
  struct statvfs st;
  ReadStatvfs(f64(), &st);
  ReplyFailed(fuse_reply_statfs(TakeSlot(info), &st), "fuse_reply_statfs");
  return env_.Undefined();
}

Napi::Value Session::ReplyXattr(const Napi::CallbackInfo& info) {
  ReplyFailed(fuse_reply_xattr(TakeSlot(info), static_cast<size_t>(ARG_F64(1))), "fuse_reply_xattr");
  return env_.Undefined();
}

// replyLock(slot, type, start, end (-1: to EOF), pid)
Napi::Value Session::ReplyLock(const Napi::CallbackInfo& info) {
  struct flock lock {};
  lock.l_type = static_cast<short>(info[1].As<Napi::Number>().Int32Value());
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(ARG_I64(2));
  int64_t end = ARG_I64(3);
  lock.l_len = end < 0 ? 0 : static_cast<off_t>(end - lock.l_start + 1);
  lock.l_pid = info[4].As<Napi::Number>().Int32Value();
  ReplyFailed(fuse_reply_lock(TakeSlot(info), &lock), "fuse_reply_lock");
  return env_.Undefined();
}

Napi::Value Session::ReplyBmap(const Napi::CallbackInfo& info) {
  ReplyFailed(fuse_reply_bmap(TakeSlot(info), static_cast<uint64_t>(ARG_I64(1))), "fuse_reply_bmap");
  return env_.Undefined();
}

// replyIoctl(slot, result, data?: Uint8Array)
Napi::Value Session::ReplyIoctl(const Napi::CallbackInfo& info) {
  int result = info[1].As<Napi::Number>().Int32Value();
  const void* data = nullptr;
  size_t size = 0;
  if (info[2].IsTypedArray()) {
    auto d = info[2].As<Napi::Uint8Array>();
    data = d.Data();
    size = d.ByteLength();
  }
  ReplyFailed(fuse_reply_ioctl(TakeSlot(info), result, data, size), "fuse_reply_ioctl");
  return env_.Undefined();
}

// replyIoctlRetry(slot, in: [base: bigint, len][], out: [base: bigint, len][]) (unrestricted ioctls)
static std::vector<iovec> ReadIovecs(Napi::Array list) {
  std::vector<iovec> out(list.Length());
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Array pair = list.Get(i).As<Napi::Array>();
    bool lossless;
    out[i].iov_base = reinterpret_cast<void*>(pair.Get(0u).As<Napi::BigInt>().Uint64Value(&lossless));
    out[i].iov_len = static_cast<size_t>(pair.Get(1u).As<Napi::Number>().Int64Value());
  }
  return out;
}

Napi::Value Session::ReplyIoctlRetry(const Napi::CallbackInfo& info) {
  auto in = ReadIovecs(info[1].As<Napi::Array>());
  auto out = ReadIovecs(info[2].As<Napi::Array>());
  ReplyFailed(fuse_reply_ioctl_retry(TakeSlot(info), in.data(), in.size(), out.data(), out.size()),
              "fuse_reply_ioctl_retry");
  return env_.Undefined();
}

Napi::Value Session::ReplyPoll(const Napi::CallbackInfo& info) {
  ReplyFailed(fuse_reply_poll(TakeSlot(info), ARG_U32(1)), "fuse_reply_poll");
  return env_.Undefined();
}

Napi::Value Session::ReplyLseek(const Napi::CallbackInfo& info) {
  ReplyFailed(fuse_reply_lseek(TakeSlot(info), static_cast<off_t>(ARG_I64(1))), "fuse_reply_lseek");
  return env_.Undefined();
}

}  // namespace fusekit
