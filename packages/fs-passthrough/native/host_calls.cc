#include "host_calls.h"
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <cerrno>
#include <string>
#include "args.h"
#include "job.h"

namespace passthrough {

void StatFields(const struct stat& st, int64_t out[13]) {
  auto ns = [](const timespec& t) { return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; };
  const int64_t fields[13] = {static_cast<int64_t>(st.st_dev),
                              static_cast<int64_t>(st.st_ino),
                              st.st_mode,
                              static_cast<int64_t>(st.st_nlink),
                              st.st_uid,
                              st.st_gid,
                              static_cast<int64_t>(st.st_rdev),
                              st.st_size,
                              st.st_blksize,
                              st.st_blocks,
                              ns(st.st_atim),
                              ns(st.st_mtim),
                              ns(st.st_ctim)};
  for (int i = 0; i < 13; i++) out[i] = fields[i];
}

// A call that answers nothing: undefined, or a rejection.
template <typename Call>
static Job::Work Void(Call call) {
  return [call](Outcome& out) -> int64_t {
    out.answer = Answer::kUndefined;
    return call() < 0 ? -errno : 0;
  };
}

static int Fd(const Napi::Value& v) { return static_cast<int>(Int(v)); }

// stat(pathOrFd) → BigInt64Array(13) (StatFields), lstat(2) of a path or fstat(2) of an fd; null
// for a path that does not exist (a lookup of a missing name is common, and an Error is dear).
static Napi::Value Stat(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 1 && (IsBytes(info[0]) || info[0].IsNumber()), "stat(pathOrFd)");
  bool byFd = info[0].IsNumber();
  int fd = byFd ? Fd(info[0]) : -1;
  std::string path = byFd ? std::string() : Bytes(info[0]);
  return Job::Run(info, byFd ? "fstat" : "lstat", [=](Outcome& out) -> int64_t {
    struct stat st;
    if ((byFd ? fstat(fd, &st) : lstat(path.c_str(), &st)) < 0) {
      if (errno != ENOENT || byFd) return -errno;
      out.answer = Answer::kNull;
      return 0;
    }
    StatFields(st, out.ints);
    out.count = 13;
    out.answer = Answer::kBigInts;
    return 0;
  });
}

// statfs(path) → BigInt64Array(7): type, bsize, blocks, bfree, bavail, files, ffree (node:fs's StatFs).
static Napi::Value Statfs(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 1 && IsBytes(info[0]), "statfs(path)");
  std::string path = Bytes(info[0]);
  return Job::Run(info, "statfs", [=](Outcome& out) -> int64_t {
    struct statfs s;
    if (statfs(path.c_str(), &s) < 0) return -errno;
    const int64_t fields[7] = {static_cast<int64_t>(s.f_type),   static_cast<int64_t>(s.f_bsize),
                               static_cast<int64_t>(s.f_blocks), static_cast<int64_t>(s.f_bfree),
                               static_cast<int64_t>(s.f_bavail), static_cast<int64_t>(s.f_files),
                               static_cast<int64_t>(s.f_ffree)};
    for (int i = 0; i < 7; i++) out.ints[i] = fields[i];
    out.count = 7;
    out.answer = Answer::kBigInts;
    return 0;
  });
}

// readlink(path) → Buffer
static Napi::Value Readlink(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 1 && IsBytes(info[0]), "readlink(path)");
  std::string path = Bytes(info[0]);
  return Job::Run(info, "readlink", [=](Outcome& out) -> int64_t {
    for (size_t size = 256;; size *= 2) {  // a target may be as long as PATH_MAX
      out.data.resize(size);
      ssize_t n = readlink(path.c_str(), out.data.data(), size);
      if (n < 0) return -errno;
      if (static_cast<size_t>(n) < size) {
        out.data.resize(static_cast<size_t>(n));
        out.answer = Answer::kBuffer;
        return n;
      }
    }
  });
}

// access(path, mode)
static Napi::Value Access(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && IsBytes(info[0]) && info[1].IsNumber(), "access(path, mode)");
  std::string path = Bytes(info[0]);
  int mode = static_cast<int>(Int(info[1]));
  return Job::Run(info, "access", Void([=] { return access(path.c_str(), mode); }));
}

// unlink(path)
static Napi::Value Unlink(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 1 && IsBytes(info[0]), "unlink(path)");
  std::string path = Bytes(info[0]);
  return Job::Run(info, "unlink", Void([=] { return unlink(path.c_str()); }));
}

// rmdir(path)
static Napi::Value Rmdir(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 1 && IsBytes(info[0]), "rmdir(path)");
  std::string path = Bytes(info[0]);
  return Job::Run(info, "rmdir", Void([=] { return rmdir(path.c_str()); }));
}

// link(from, to)
static Napi::Value Link(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && IsBytes(info[0]) && IsBytes(info[1]), "link(from, to)");
  std::string from = Bytes(info[0]), to = Bytes(info[1]);
  return Job::Run(info, "link", Void([=] { return link(from.c_str(), to.c_str()); }));
}

// chmod(path, mode), following a final symlink as chmod(2) does
static Napi::Value Chmod(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && IsBytes(info[0]) && info[1].IsNumber(), "chmod(path, mode)");
  std::string path = Bytes(info[0]);
  mode_t mode = static_cast<mode_t>(Int(info[1]));
  return Job::Run(info, "chmod", Void([=] { return chmod(path.c_str(), mode); }));
}

// fchmod(fd, mode)
static Napi::Value Fchmod(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && info[0].IsNumber() && info[1].IsNumber(), "fchmod(fd, mode)");
  int fd = Fd(info[0]);
  mode_t mode = static_cast<mode_t>(Int(info[1]));
  return Job::Run(info, "fchmod", Void([=] { return fchmod(fd, mode); }));
}

// lchown(path, uid, gid)
static Napi::Value Lchown(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 3 && IsBytes(info[0]) && info[1].IsNumber() && info[2].IsNumber(),
           "lchown(path, uid, gid)");
  std::string path = Bytes(info[0]);
  uid_t uid = static_cast<uid_t>(Int(info[1]));
  gid_t gid = static_cast<gid_t>(Int(info[2]));
  return Job::Run(info, "lchown", Void([=] { return lchown(path.c_str(), uid, gid); }));
}

// fchown(fd, uid, gid)
static Napi::Value Fchown(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 3 && info[0].IsNumber() && info[1].IsNumber() && info[2].IsNumber(),
           "fchown(fd, uid, gid)");
  int fd = Fd(info[0]);
  uid_t uid = static_cast<uid_t>(Int(info[1]));
  gid_t gid = static_cast<gid_t>(Int(info[2]));
  return Job::Run(info, "fchown", Void([=] { return fchown(fd, uid, gid); }));
}

// truncate(path, size)
static Napi::Value Truncate(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && IsBytes(info[0]) && info[1].IsNumber(), "truncate(path, size)");
  std::string path = Bytes(info[0]);
  off_t size = Int(info[1]);
  return Job::Run(info, "truncate", Void([=] { return truncate(path.c_str(), size); }));
}

// ftruncate(fd, size)
static Napi::Value Ftruncate(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && info[0].IsNumber() && info[1].IsNumber(), "ftruncate(fd, size)");
  int fd = Fd(info[0]);
  off_t size = Int(info[1]);
  return Job::Run(info, "ftruncate", Void([=] { return ftruncate(fd, size); }));
}

// close(fd)
static Napi::Value Close(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 1 && info[0].IsNumber(), "close(fd)");
  int fd = Fd(info[0]);
  return Job::Run(info, "close", Void([=] { return close(fd); }));
}

// write(fd, data, position) → bytes written: pwrite(2) straight from the Buffer, which is kept
// alive (and not copied) until the Promise settles.
static Napi::Value Write(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 3 && info[0].IsNumber() && info[1].IsBuffer() && info[2].IsNumber(),
           "write(fd, data, position)");
  int fd = Fd(info[0]);
  auto data = info[1].As<Napi::Buffer<char>>();
  const char* bytes = data.Data();
  size_t length = data.Length();
  off_t position = Int(info[2]);
  return Job::Run(
      info, "write",
      [=](Outcome&) -> int64_t {
        ssize_t n = pwrite(fd, bytes, length, position);
        return n < 0 ? -errno : n;
      },
      data);
}

// fsync(fd, datasync): fdatasync(2) when `datasync`, else fsync(2)
static Napi::Value Fsync(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 2 && info[0].IsNumber(), "fsync(fd, datasync)");
  int fd = Fd(info[0]);
  bool datasync = info[1].ToBoolean().Value();
  return Job::Run(info, datasync ? "fdatasync" : "fsync", Void([=] { return datasync ? fdatasync(fd) : fsync(fd); }));
}

void AddHostCalls(Napi::Env env, Napi::Object exports) {
  auto add = [&](const char* name, Napi::Function::Callback call) {
    exports.Set(name, Napi::Function::New(env, call, name));
  };
  add("stat", Stat);
  add("statfs", Statfs);
  add("readlink", Readlink);
  add("access", Access);
  add("unlink", Unlink);
  add("rmdir", Rmdir);
  add("link", Link);
  add("chmod", Chmod);
  add("fchmod", Fchmod);
  add("lchown", Lchown);
  add("fchown", Fchown);
  add("truncate", Truncate);
  add("ftruncate", Ftruncate);
  add("close", Close);
  add("write", Write);
  add("fsync", Fsync);
}

}  // namespace passthrough
