#include "guard.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <unistd.h>
#include <cerrno>

namespace fusekit::guard {

// Only system calls and our own string handling below: see guard.h.

static size_t Length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') n++;
  return n;
}

static bool Same(const char* a, size_t alen, const char* b, size_t blen) {
  if (alen != blen) return false;
  for (size_t i = 0; i < alen; i++) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Reads a decimal number at `p` (up to `end`), moving `p` past it; false if there is none.
static bool Number(const char*& p, const char* end, unsigned long* out) {
  unsigned long n = 0;
  const char* start = p;
  while (p < end && *p >= '0' && *p <= '9') n = n * 10 + static_cast<unsigned long>(*p++ - '0');
  *out = n;
  return p != start;
}

// Writes `n` in decimal at `out`; returns the digits written.
static size_t Decimal(unsigned long n, char* out) {
  char digits[24];
  size_t len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  for (size_t i = 0; i < len; i++) out[i] = digits[len - 1 - i];
  return len;
}

static bool Listed(unsigned long id, const char* list) {
  const char* p = list;
  const char* end = list + Length(list);
  while (p < end) {
    unsigned long n;
    if (Number(p, end, &n) && n == id) return true;
    while (p < end && *p != ',') p++;
    if (p < end) p++;
  }
  return false;
}

struct Entry {
  MountId id;
  unsigned long parent = 0;
  const char* mountpoint = nullptr;
  size_t mountpointLen = 0;
  const char* type = "";  // empty when the line was too long to reach it
  size_t typeLen = 0;
};

// One mountinfo line: id parent major:minor root mountpoint options [optional...] - type source super.
static bool Parse(const char* line, size_t len, Entry* e) {
  const char* p = line;
  const char* end = line + len;
  unsigned long n;
  auto skip = [&] {
    while (p < end && *p != ' ') p++;
    if (p < end) p++;
  };
  if (!Number(p, end, &e->id.id)) return false;
  skip();
  if (!Number(p, end, &e->parent)) return false;
  skip();
  if (!Number(p, end, &n) || p == end || *p != ':') return false;
  e->id.major = static_cast<unsigned>(n);
  p++;
  if (!Number(p, end, &n)) return false;
  e->id.minor = static_cast<unsigned>(n);
  skip();  // to root
  skip();  // to the mountpoint
  e->mountpoint = p;
  while (p < end && *p != ' ') p++;
  e->mountpointLen = static_cast<size_t>(p - e->mountpoint);
  // The optional fields end with a lone "-"; the type follows.
  while (p < end) {
    p++;
    if (p + 1 < end && p[0] == '-' && p[1] == ' ') {
      e->type = p + 2;
      const char* t = e->type;
      while (t < end && *t != ' ') t++;
      e->typeLen = static_cast<size_t>(t - e->type);
      break;
    }
    while (p < end && *p != ' ') p++;
  }
  return true;
}

// Calls `visit(entry)` for each mount in /proc/self/mountinfo, in its order (a mount stacked on
// another comes after it). False if the table cannot be read.
template <typename Visit>
static bool ForEachMount(Visit&& visit) {
  int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[16384];
  size_t len = 0;
  bool skipping = false;  // the rest of a line longer than buf, already visited in part
  for (;;) {
    ssize_t n = read(fd, buf + len, sizeof buf - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += static_cast<size_t>(n);
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
      if (buf[i] != '\n') continue;
      Entry e;
      if (!skipping && Parse(buf + start, i - start, &e)) visit(e);
      skipping = false;
      start = i + 1;
    }
    if (start == 0 && len == sizeof buf) {
      // A line longer than the buffer: its start holds what we compare (the type may be cut off).
      Entry e;
      if (!skipping && Parse(buf, len, &e)) visit(e);
      skipping = true;
      len = 0;
      continue;
    }
    for (size_t i = start; i < len; i++) buf[i - start] = buf[i];
    len -= start;
  }
  close(fd);
  return true;
}

static bool IsFuse(const Entry& e) {
  return e.typeLen >= 4 && e.type[0] == 'f' && e.type[1] == 'u' && e.type[2] == 's' && e.type[3] == 'e';
}

bool FindNewMount(const char* escaped, const char* baseline, MountId* found) {
  size_t len = Length(escaped);
  bool any = false;
  ForEachMount([&](const Entry& e) {
    if (Same(e.mountpoint, e.mountpointLen, escaped, len) && IsFuse(e) && !Listed(e.id.id, baseline)) {
      *found = e.id;
      any = true;
    }
  });
  return any;
}

Presence Find(const char* escaped, const MountId& id) {
  size_t len = Length(escaped);
  bool there = false;
  bool covered = false;
  ForEachMount([&](const Entry& e) {
    if (!Same(e.mountpoint, e.mountpointLen, escaped, len)) return;
    if (e.id.id == id.id && e.id.major == id.major && e.id.minor == id.minor) there = true;
    else if (e.parent == id.id) covered = true;
  });
  return !there ? Presence::kGone : covered ? Presence::kCovered : Presence::kTop;
}

bool MountIdsAt(const char* escaped, char* out, size_t size) {
  size_t len = Length(escaped);
  size_t used = Length(out);
  bool fits = true;
  ForEachMount([&](const Entry& e) {
    if (!Same(e.mountpoint, e.mountpointLen, escaped, len)) return;
    char digits[24];
    size_t n = Decimal(e.id.id, digits);
    if (used + n + 2 > size) {
      fits = false;
      return;
    }
    if (used > 0) out[used++] = ',';
    for (size_t i = 0; i < n; i++) out[used++] = digits[i];
    out[used] = '\0';
  });
  return fits;
}

// Ends the dead session's connection (root only: the kernel then fails whatever still waits on
// it, also when some other process holds /dev/fuse open) and detaches its mount.
[[noreturn]] static void Detach(const Config& config, const MountId& id) {
  if (geteuid() == 0) {
    // /sys/fs/fuse/connections/<dev>: the kernel's dev_t, major << 20 | minor.
    char path[96] = "/sys/fs/fuse/connections/";
    size_t n = Length(path);
    n += Decimal((static_cast<unsigned long>(id.major) << 20) | id.minor, path + n);
    const char* tail = "/abort";
    for (size_t i = 0; tail[i] != '\0'; i++) path[n++] = tail[i];
    path[n] = '\0';
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      ssize_t ignored = write(fd, "1", 1);
      (void)ignored;
      close(fd);
    }
  }
  if (umount2(config.path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0) _exit(0);
  if ((errno == EPERM || errno == EACCES) && config.fusermount[0] != '\0') {
    char* const argv[] = {const_cast<char*>("fusermount3"), const_cast<char*>("-u"), const_cast<char*>("-z"),
                          const_cast<char*>(config.path), nullptr};
    char* const envp[] = {nullptr};
    execve(config.fusermount, argv, envp);
  }
  _exit(1);
}

void Run(const Config& config) {
  char in[256];
  size_t inLen = 0;
  MountId mine;
  bool known = false;
  // Takes what the serving process wrote; false at end of file.
  auto take = [&]() -> bool {
    ssize_t n = read(config.input, in + inLen, sizeof in - 1 - inLen);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    inLen += static_cast<size_t>(n);
    size_t start = 0;
    for (size_t i = 0; i < inLen; i++) {
      if (in[i] != '\n') continue;
      const char* p = in + start;
      const char* end = in + i;
      if (p < end && *p == 'U') _exit(0);
      unsigned long id, major, minor;
      if (p + 2 < end && p[0] == 'M' && p[1] == ' ') {
        p += 2;
        if (Number(p, end, &id) && p < end && *p++ == ' ' && Number(p, end, &major) && p < end && *p++ == ':' &&
            Number(p, end, &minor)) {
          mine.id = id;
          mine.major = static_cast<unsigned>(major);
          mine.minor = static_cast<unsigned>(minor);
          known = true;
        }
      }
      start = i + 1;
    }
    for (size_t i = start; i < inLen; i++) in[i - start] = in[i];
    inLen -= start;
    if (inLen == sizeof in - 1) inLen = 0;  // not ours to understand
    return true;
  };
  // Mount ids and device numbers are reused (lowest free first): once ours is gone, a mount made
  // there later may well carry both. So the guard retires as soon as its mount goes, told by the
  // mount table, which signals every change to a poller. (It stays until the serving process
  // ends or says U, so that it does not linger as that process's zombie.)
  int table = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  bool retired = false;
  for (bool alive = true; alive;) {
    pollfd fds[3] = {{config.input, POLLIN, 0}, {table, POLLPRI, 0}, {config.pidfd, POLLIN, 0}};
    int res = poll(fds, config.pidfd >= 0 ? 3 : 2, -1);
    if (res < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    if (fds[0].revents != 0) alive = take();
    if (config.pidfd >= 0 && fds[2].revents != 0) alive = false;
    if (alive && known && (fds[1].revents != 0 || fds[0].revents != 0) &&
        Find(config.escaped, mine) == Presence::kGone) {
      retired = true;
      close(table);
      table = -1;
    }
  }
  if (retired) _exit(0);
  // What was written before the end is still to be read (the pidfd may have spoken first).
  for (pollfd fd = {config.input, POLLIN, 0}; poll(&fd, 1, 0) > 0 && take();) {}
  // A mount made on top of ours (at the same path) is someone else's, and unmounting by path
  // would take that one: then ours is left as it is.
  if (known) {
    if (Find(config.escaped, mine) == Presence::kTop) Detach(config, mine);
    _exit(0);
  }
  // Gone before the mount was reported: libfuse may still be mounting through fusermount3, which
  // (in libfuse 3.14) leaves its mount behind when the process that asked for it is gone.
  for (int i = 0; i < 100; i++) {
    MountId found;
    if (FindNewMount(config.escaped, config.baseline, &found)) {
      if (Find(config.escaped, found) == Presence::kTop) Detach(config, found);
      _exit(0);
    }
    poll(nullptr, 0, 10);
  }
  _exit(0);
}

}  // namespace fusekit::guard
