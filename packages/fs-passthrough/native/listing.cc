#include "listing.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>
#include "args.h"
#include "host_calls.h"
#include "job.h"

namespace passthrough {

namespace {

// Offsets the kernel gets: host cookies below 2^52 as they are (tmpfs, btrfs, xfs), so that a
// seekdir lands where the host's would; larger ones (ext4's hash cookies) as 2^52 + an index
// into the stream's table, since JS numbers hold 53 bits.
constexpr uint64_t kBig = uint64_t{1} << 52;
// libfuse's FUSE_UNKNOWN_INO: what fuse.c lists without use_ino.
constexpr uint64_t kUnknownIno = 0xffffffff;
constexpr size_t kHostBatch = 32 * 1024;
// A readdirplus record for JS: the 13 stat fields (host_calls.h), d_ino, the kernel offset,
// then namelen, the d_type and whether the stat fields are there, and the name, 8-aligned.
constexpr size_t kPlusHeader = 16 * sizeof(int64_t);
enum Flags { kPlus = 1, kUseIno = 2 };

// One open host directory: its fd and what getdents64 read from it that the kernel has not
// taken yet. Calls on one directory are serialised by its mutex.
struct DirStream {
  std::mutex mutex;
  int fd;
  uint64_t next = 0;  // the kernel offset at which buf[cursor] lies
  std::vector<char> buf;
  size_t filled = 0, cursor = 0;
  std::vector<off_t> big;  // host cookies of 2^52 and more, by index
  std::unordered_map<off_t, uint64_t> bigIndex;

  explicit DirStream(int f) : fd(f) {}

  uint64_t KernelOffset(off_t cookie) {
    if (static_cast<uint64_t>(cookie) < kBig) return static_cast<uint64_t>(cookie);
    auto [at, added] = bigIndex.try_emplace(cookie, big.size());
    if (added) big.push_back(cookie);
    return kBig + at->second;
  }

  // Moves the host directory to kernel offset `offset`; -errno for one not handed out here.
  int SeekTo(uint64_t offset) {
    off_t cookie = static_cast<off_t>(offset);
    if (offset >= kBig) {
      if (offset - kBig >= big.size()) return -EINVAL;
      cookie = big[offset - kBig];
    }
    if (lseek(fd, cookie, SEEK_SET) < 0) return -errno;
    next = offset;
    filled = cursor = 0;
    return 0;
  }
};

std::mutex registryMutex;
std::unordered_map<int, std::shared_ptr<DirStream>> streams;

std::shared_ptr<DirStream> Find(int fd) {
  std::lock_guard<std::mutex> lock(registryMutex);
  auto it = streams.find(fd);
  return it == streams.end() ? nullptr : it->second;
}

bool IsDotOrDotDot(const char* n) { return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')); }

// d_type if one of the seven file types (its S_IFMT bits >> 12), else 0 (unknown).
uint32_t ListedType(unsigned char type) {
  switch (type) {
    case DT_FIFO:
    case DT_CHR:
    case DT_DIR:
    case DT_BLK:
    case DT_REG:
    case DT_LNK:
    case DT_SOCK:
      return type;
    default:
      return 0;
  }
}

// Whether `name` is one of `hidden` (NUL-terminated names back to back).
bool IsHidden(const std::string& hidden, const char* name, size_t length) {
  for (size_t at = 0; at < hidden.size();) {
    size_t end = hidden.find('\0', at);
    if (end == std::string::npos) end = hidden.size();
    if (end - at == length && std::memcmp(hidden.data() + at, name, length) == 0) return true;
    at = end + 1;
  }
  return false;
}

size_t Align8(size_t n) { return (n + 7) & ~size_t{7}; }

// Lists `s` from kernel offset `offset` into `out` until the kernel's `room` is used up or the
// directory ends: bytes of `out`, or -errno if nothing could be listed.
int64_t List(DirStream& s, uint64_t offset, size_t room, int flags, const std::string& hidden, std::string& out) {
  if (s.fd < 0) return -EBADF;
  if (offset != s.next) {
    int r = s.SeekTo(offset);
    if (r < 0) return r;
  }
  if (s.buf.empty()) s.buf.resize(kHostBatch);
  const bool plus = (flags & kPlus) != 0;
  size_t used = 0;
  for (;;) {
    if (s.cursor == s.filled) {
      ssize_t n = getdents64(s.fd, s.buf.data(), s.buf.size());
      if (n < 0) return used > 0 ? static_cast<int64_t>(out.size()) : -errno;
      if (n == 0) break;
      s.filled = static_cast<size_t>(n);
      s.cursor = 0;
    }
    const auto* d = reinterpret_cast<const dirent64*>(s.buf.data() + s.cursor);
    size_t namelen = std::strlen(d->d_name);
    bool skip = !hidden.empty() && IsHidden(hidden, d->d_name, namelen);
    size_t size = Align8((plus ? FUSE_NAME_OFFSET_DIRENTPLUS : FUSE_NAME_OFFSET) + namelen);
    if (!skip && used + size > room) break;
    uint64_t next = s.KernelOffset(d->d_off);
    if (!skip) {
      uint64_t ino = (flags & kUseIno) != 0 ? d->d_ino : kUnknownIno;
      uint32_t type = ListedType(d->d_type);
      size_t at = out.size();
      if (plus) {
        out.resize(at + Align8(kPlusHeader + namelen), '\0');
        auto* head = reinterpret_cast<int64_t*>(out.data() + at);
        struct stat st;
        bool stated = !IsDotOrDotDot(d->d_name) && fstatat(s.fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (stated) StatFields(st, head);
        head[13] = static_cast<int64_t>(ino);
        head[14] = static_cast<int64_t>(next);
        head[15] = static_cast<int64_t>(namelen | (uint64_t{type} << 32) | (uint64_t{stated} << 40));
        std::memcpy(out.data() + at + kPlusHeader, d->d_name, namelen);
      } else {
        out.resize(at + size, '\0');
        fuse_dirent dirent = {ino, next, static_cast<uint32_t>(namelen), type};
        std::memcpy(out.data() + at, &dirent, FUSE_NAME_OFFSET);
        std::memcpy(out.data() + at + FUSE_NAME_OFFSET, d->d_name, namelen);
      }
      used += size;
    }
    s.cursor += d->d_reclen;
    s.next = next;
  }
  return static_cast<int64_t>(out.size());
}

// dirOpen(path) → fd: opens a host directory for listing.
Napi::Value DirOpen(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 1 && IsBytes(info[0]), "dirOpen(path)");
  std::string path = Bytes(info[0]);
  return Job::Run(info, "open", [=](Outcome&) -> int64_t {
    int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    std::lock_guard<std::mutex> lock(registryMutex);
    streams[fd] = std::make_shared<DirStream>(fd);
    return fd;
  });
}

// dirClose(fd): closes a directory of dirOpen, once no listing of it runs.
Napi::Value DirClose(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() == 1 && info[0].IsNumber(), "dirClose(fd)");
  int fd = static_cast<int>(Int(info[0]));
  return Job::Run(info, "close", [=](Outcome& out) -> int64_t {
    std::shared_ptr<DirStream> s;
    {
      std::lock_guard<std::mutex> lock(registryMutex);
      auto it = streams.find(fd);
      if (it == streams.end()) return -EBADF;
      s = std::move(it->second);
      streams.erase(it);
    }
    std::lock_guard<std::mutex> lock(s->mutex);
    out.answer = Answer::kUndefined;
    int r = close(s->fd);
    s->fd = -1;
    return r < 0 ? -errno : 0;
  });
}

// list(fd, offset, room, flags, hidden?) → Buffer: the entries from `offset` that fit in `room`
// bytes of the kernel's reply: struct fuse_dirent back to back, or readdirplus records (kPlus).
Napi::Value ListCall(const Napi::CallbackInfo& info) {
  PT_CHECK(info.Length() >= 4 && info[0].IsNumber() && info[1].IsNumber() && info[2].IsNumber() && info[3].IsNumber() &&
               (info.Length() == 4 || info[4].IsUndefined() || info[4].IsBuffer()),
           "list(fd, offset, room, flags, hidden?: Buffer)");
  int fd = static_cast<int>(Int(info[0]));
  uint64_t offset = static_cast<uint64_t>(Int(info[1]));
  size_t room = static_cast<size_t>(Int(info[2]));
  int flags = static_cast<int>(Int(info[3]));
  std::string hidden = info.Length() > 4 && info[4].IsBuffer() ? Bytes(info[4]) : std::string();
  std::shared_ptr<DirStream> stream = Find(fd);
  return Job::Run(info, "getdents64", [=](Outcome& out) -> int64_t {
    if (stream == nullptr) return -EBADF;
    std::lock_guard<std::mutex> lock(stream->mutex);
    out.answer = Answer::kBuffer;
    return List(*stream, offset, room, flags, hidden, out.data);
  });
}

}  // namespace

void AddListing(Napi::Env env, Napi::Object exports, Napi::Object sync) {
  auto add = [&](const char* name, Napi::Function::Callback call) {
    exports.Set(name, Napi::Function::New(env, call, name));
    sync.Set(name, Napi::Function::New(env, call, name, &Job::sync));
  };
  add("dirOpen", DirOpen);
  add("dirClose", DirClose);
  add("list", ListCall);
}

}  // namespace passthrough
