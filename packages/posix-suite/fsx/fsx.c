// Kept as one file: the tests compile and run this exerciser as a single self-contained C program.
// fsx: a single-file data-integrity exerciser in the style of xfstests/LTP fsx (written anew).
// It applies a seeded sequence of random operations to one file, through several opens and a
// second process, and checks every read, the size after every operation and the whole file now
// and then against an in-memory model of what the file must hold. On success it prints a JSON
// summary; on the first difference it prints the offset, the bytes and the last operations, and
// exits 1.
// With -b, the model's file starts at that offset (above a hole): offsets past 2^31 or 2^32 find
// arithmetic that a small file never reaches. Offsets in reports are relative to it.
//   fsx [-N ops] [-S seed] [-l maxlen] [-o maxoplen] [-c checkevery] [-b base] [-x op,...] <file>
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum op {
  OP_READ, OP_WRITE, OP_MAPREAD, OP_MAPWRITE, OP_TRUNCATE, OP_FALLOCATE, OP_KEEP_SIZE,
  OP_PUNCH_HOLE, OP_ZERO_RANGE, OP_COPY_RANGE, OP_FSYNC, OP_FDATASYNC, OP_REOPEN, OP_CHECK, NOPS
};
static const char *const op_names[NOPS] = {
  "read", "write", "mapread", "mapwrite", "truncate", "fallocate", "keep_size",
  "punch_hole", "zero_range", "copy_range", "fsync", "fdatasync", "reopen", "check",
};
// Relative frequencies; "check" is not drawn but done every -c operations.
static const int weights[NOPS] = {20, 20, 8, 8, 5, 3, 3, 4, 3, 5, 2, 2, 3, 0};

// Where a read or write goes: the main open, a second open in this process, the child's open.
enum via { VIA_FD, VIA_FD2, VIA_CHILD };
static const char *const via_names[] = {"", " via fd2", " via child"};

#define PAGE 4096
#define LOG_TAIL 30

struct logent {
  long n;
  int op, via, direct, flag;  // flag: msync done (mapwrite)
  long off, len, dst, size_before, size_after;
};

static const char *path;
static int fd = -1, fd2 = -1, child_sock = -1, in_child;
static pid_t child_pid;
static unsigned char *good, *buf;  // the model (zero beyond flen), an I/O buffer (page aligned)
static long flen, maxlen = 256 * 1024, maxoplen = 64 * 1024, base;
static int direct;  // the main fd is open with O_DIRECT
static const char *disabled[NOPS];  // why an op is not done, or NULL
static const char *no_direct, *no_direct_mmap, *no_fd2, *no_child;
static long counts[NOPS], via_counts[3], direct_ops;
static struct logent logbuf[LOG_TAIL];
static long opnum;
static uint64_t rng_state;

static uint64_t next64(void) {
  // splitmix64: fast, and any seed (including 0) gives a good sequence.
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static long rnd(long n) { return n <= 0 ? 0 : (long)(next64() % (uint64_t)n); }

static void fill_random(unsigned char *p, long len) {
  for (long i = 0; i < len; i += 8) {
    uint64_t v = next64();
    memcpy(p + i, &v, len - i < 8 ? (size_t)(len - i) : 8);
  }
}

static struct logent *log_op(int op, int via, long off, long len) {
  struct logent *e = &logbuf[opnum % LOG_TAIL];
  *e = (struct logent){.n = opnum, .op = op, .via = via, .direct = direct && via == VIA_FD, .off = off, .len = len,
                       .dst = -1, .size_before = flen, .size_after = -1};
  return e;
}

// Prints the last operations, marking those whose range covers `bad` (-1: none).
static void print_log(long bad) {
  fprintf(stderr, "last operations (* = touched offset 0x%lx):\n", bad);
  long first = opnum - LOG_TAIL + 1 < 0 ? 0 : opnum - LOG_TAIL + 1;
  for (long n = first; n <= opnum; n++) {
    struct logent *e = &logbuf[n % LOG_TAIL];
    if (e->n != n) continue;
    long start = e->dst >= 0 ? e->dst : e->off;
    int covers = bad >= 0 && bad >= start && bad < start + e->len;
    // truncate and the size-changing fallocates touch what lies between the two sizes
    if (e->size_after >= 0 && bad >= 0 && bad >= (e->size_before < e->size_after ? e->size_before : e->size_after) &&
        bad < (e->size_before > e->size_after ? e->size_before : e->size_after))
      covers = 1;
    fprintf(stderr, "%c%6ld %-10s off 0x%06lx len 0x%05lx", covers ? '*' : ' ', e->n, op_names[e->op], e->off, e->len);
    if (e->dst >= 0) fprintf(stderr, " to 0x%06lx", e->dst);
    fprintf(stderr, " size 0x%06lx", e->size_before);
    if (e->size_after >= 0) fprintf(stderr, " -> 0x%06lx", e->size_after);
    fprintf(stderr, "%s%s%s\n", via_names[e->via], e->direct ? " O_DIRECT" : "", e->flag ? " msync" : "");
  }
}

static void fail(long bad, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fsx: op %ld%s: ", opnum, base ? " (offsets relative to -b)" : "");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  print_log(bad);
  if (child_pid > 0) kill(child_pid, SIGKILL);
  exit(1);
}

static void on_signal(int sig) { fail(-1, "killed by signal %d (%s)", sig, strsignal(sig)); }

static void dump_row(const char *label, const unsigned char *p, long from, long to, long base) {
  fprintf(stderr, "  %-8s", label);
  for (long i = from; i < to; i++) fprintf(stderr, " %02x", p[i - base]);
  fprintf(stderr, "\n");
}

// Compares `actual` (file bytes at `off`) with the model; on a difference reports and exits.
static void check_bytes(const char *what, long off, const unsigned char *actual, long len) {
  if (memcmp(good + off, actual, len) == 0) return;
  long i = 0, ndiff = 0, last = 0;
  while (good[off + i] == actual[i]) i++;
  for (long j = i; j < len; j++)
    if (good[off + j] != actual[j]) ndiff++, last = j;
  long bad = off + i, row = bad & ~15L, end = row + 32 < off + len ? row + 32 : off + len;
  if (row < off) row = off;
  fprintf(stderr, "fsx: %s: data mismatch at offset 0x%lx: expected 0x%02x, got 0x%02x; %ld bytes differ in [0x%lx, 0x%lx]\n",
          what, bad, good[bad], actual[i], ndiff, bad, off + last);
  fprintf(stderr, "  bytes from 0x%lx:\n", row);
  dump_row("expected", good, row, end, 0);
  dump_row("actual", actual, row, end, off);
  fail(bad, "%s at 0x%lx (file size 0x%lx)", what, bad, flen);
}

static void check_size(const char *what) {
  struct stat st;
  if (fstat(fd, &st) < 0) fail(-1, "fstat: %s", strerror(errno));
  if (st.st_size - base != flen) fail(flen < st.st_size - base ? flen : st.st_size - base, "%s: st_size is base + 0x%lx, expected base + 0x%lx", what, (long)st.st_size - base, flen);
}

// --- the second process: its own open of the file; reads and writes on request -----------------

struct request { char kind; long off, len; };
struct reply { long ret; int err; };

static void xfer(int s, void *p, size_t n, int out) {
  for (size_t done = 0; done < n;) {
    ssize_t r = out ? write(s, (char *)p + done, n - done) : read(s, (char *)p + done, n - done);
    if (r <= 0) {
      if (in_child) _exit(0);  // the parent is done (or gone)
      fail(-1, "talking to the child process: %s", r < 0 ? strerror(errno) : "closed");
    }
    done += r;
  }
}

static void child_main(int s) {
  int cfd = open(path, O_RDWR);
  unsigned char *cbuf = malloc(maxoplen);
  if (cfd < 0 || !cbuf) _exit(3);
  for (;;) {
    struct request q;
    struct reply a = {0, 0};
    xfer(s, &q, sizeof q, 0);
    if (q.kind == 'w') {
      xfer(s, cbuf, q.len, 0);
      a.ret = pwrite(cfd, cbuf, q.len, q.off);
    } else {
      a.ret = pread(cfd, cbuf, q.len, q.off);
    }
    a.err = errno;
    xfer(s, &a, sizeof a, 1);
    if (q.kind == 'r' && a.ret > 0) xfer(s, cbuf, a.ret, 1);
  }
}

static void start_child(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) fail(-1, "socketpair: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) fail(-1, "fork: %s", strerror(errno));
  if (pid == 0) {
    close(sv[0]);
    in_child = 1;
    child_main(sv[1]);
  }
  close(sv[1]);
  child_sock = sv[0];
  child_pid = pid;
}

static long child_io(char kind, unsigned char *p, long off, long len) {
  struct request q = {kind, base + off, len};
  struct reply a;
  xfer(child_sock, &q, sizeof q, 1);
  if (kind == 'w') xfer(child_sock, p, len, 1);
  xfer(child_sock, &a, sizeof a, 0);
  if (kind == 'r' && a.ret > 0) xfer(child_sock, p, a.ret, 0);
  errno = a.err;
  return a.ret;
}

// --- operations ------------------------------------------------------------------------------

// Offsets near page boundaries a quarter of the time: that is where caches split requests.
static long pick_off(long limit) {
  if (limit <= 0) return 0;
  if (rnd(4) == 0) {
    long o = rnd(limit / PAGE + 1) * PAGE + rnd(9) - 4;
    return o < 0 ? 0 : o >= limit ? limit - 1 : o;
  }
  return rnd(limit);
}

static long pick_len(void) {
  switch (rnd(8)) {
    case 0: return rnd(16) + 1;
    case 1: return (rnd(maxoplen / PAGE) + 1) * PAGE;
    default: return rnd(maxoplen) + 1;
  }
}

static int pick_via(void) {
  int v = rnd(8);
  if (v == 0 && !no_fd2) return VIA_FD2;
  if (v == 1 && !no_child) return VIA_CHILD;
  return VIA_FD;
}

// O_DIRECT wants aligned offsets and lengths; the buffer is always page aligned.
static void align_direct(long *off, long *len, long limit) {
  *off &= ~(long)(PAGE - 1);
  *len = (*len + PAGE - 1) & ~(long)(PAGE - 1);
  if (*off + *len > limit) *len = limit - *off;
}

static void do_read(void) {
  // Mostly inside the file; now and then across or beyond EOF.
  long off = rnd(16) == 0 ? pick_off(maxlen) : pick_off(flen), len = pick_len();
  int via = pick_via();
  if (direct && via == VIA_FD) align_direct(&off, &len, maxlen + maxoplen);
  log_op(OP_READ, via, off, len);
  long expect = off >= flen ? 0 : (len < flen - off ? len : flen - off), got = 0;
  while (got < len) {
    long r = via == VIA_CHILD ? child_io('r', buf + got, off + got, len - got)
                              : pread(via == VIA_FD2 ? fd2 : fd, buf + got, len - got, base + off + got);
    if (r < 0) fail(off, "read 0x%lx bytes at 0x%lx: %s", len - got, off + got, strerror(errno));
    if (r == 0) break;
    got += r;
  }
  if (got != expect) fail(off + got, "read at 0x%lx len 0x%lx returned 0x%lx bytes, expected 0x%lx (size 0x%lx)", off, len, got, expect, flen);
  check_bytes("read", off, buf, got);
  via_counts[via]++;
  if (direct && via == VIA_FD) direct_ops++;
}

static void do_write(void) {
  long off = pick_off(maxlen), len = pick_len();
  int via = pick_via();
  if (off + len > maxlen) len = maxlen - off;
  if (direct && via == VIA_FD) align_direct(&off, &len, maxlen);
  if (len <= 0) return;
  struct logent *e = log_op(OP_WRITE, via, off, len);
  fill_random(buf, len);
  for (long done = 0; done < len;) {
    long r = via == VIA_CHILD ? child_io('w', buf + done, off + done, len - done)
                              : pwrite(via == VIA_FD2 ? fd2 : fd, buf + done, len - done, base + off + done);
    if (r <= 0) fail(off + done, "write 0x%lx bytes at 0x%lx: %s", len - done, off + done, r < 0 ? strerror(errno) : "wrote nothing");
    done += r;
  }
  memcpy(good + off, buf, len);
  if (off + len > flen) flen = off + len;
  e->size_after = flen;
  via_counts[via]++;
  if (direct && via == VIA_FD) direct_ops++;
}

static void *map(int op, long pg, long maplen, int prot) {
  void *p = mmap(NULL, maplen, prot, MAP_SHARED, fd, base + pg);
  if (p != MAP_FAILED) return p;
  // FUSE cannot map a direct_io open shared before FUSE_CAP_DIRECT_IO_ALLOW_MMAP (libfuse 3.16):
  // a filesystem may serve every open so, or only O_DIRECT ones.
  if (errno == ENODEV && direct) {
    no_direct_mmap = "ENODEV";
    return NULL;
  }
  if (errno == ENODEV && counts[OP_MAPREAD] + counts[OP_MAPWRITE] == 0) {
    disabled[OP_MAPREAD] = disabled[OP_MAPWRITE] = "ENODEV";
    return NULL;
  }
  fail(pg, "mmap %s 0x%lx bytes at 0x%lx: %s", op_names[op], maplen, pg, strerror(errno));
  return NULL;
}

static int do_mapread(void) {
  if (flen == 0) return 0;
  long off = pick_off(flen), len = pick_len();
  if (len > flen - off) len = flen - off;
  long pg = off & ~(long)(PAGE - 1), maplen = off + len - pg;
  log_op(OP_MAPREAD, VIA_FD, off, len);
  unsigned char *p = map(OP_MAPREAD, pg, maplen, PROT_READ);
  if (!p) return 0;
  check_bytes("mapread", off, p + (off - pg), len);
  // The rest of the page holding EOF must read as zeros.
  long eof_page_end = (flen + PAGE - 1) & ~(long)(PAGE - 1);
  if (off + len == flen && eof_page_end > flen) {
    for (long i = flen; i < eof_page_end; i++)
      if (p[i - pg] != 0) fail(i, "mapread: byte 0x%lx past EOF (size 0x%lx) in the last page is 0x%02x, not 0", i, flen, p[i - pg]);
  }
  if (munmap(p, maplen) < 0) fail(-1, "munmap: %s", strerror(errno));
  return 1;
}

static int do_mapwrite(void) {
  long off = pick_off(maxlen), len = pick_len();
  if (off + len > maxlen) len = maxlen - off;
  if (len <= 0) return 0;
  long pg = off & ~(long)(PAGE - 1), maplen = off + len - pg;
  struct logent *e = log_op(OP_MAPWRITE, VIA_FD, off, len);
  // A mapping cannot extend a file: grow it first, as fsx does.
  if (off + len > flen) {
    if (ftruncate(fd, base + off + len) < 0) fail(-1, "ftruncate to 0x%lx before mapwrite: %s", off + len, strerror(errno));
    flen = off + len;
  }
  e->size_after = flen;
  unsigned char *p = map(OP_MAPWRITE, pg, maplen, PROT_READ | PROT_WRITE);
  if (!p) {
    if (e->size_before != flen) counts[OP_TRUNCATE]++;  // the growth stands, as a truncate
    return 0;
  }
  fill_random(buf, len);
  memcpy(p + (off - pg), buf, len);
  memcpy(good + off, buf, len);
  if (rnd(2)) {
    e->flag = 1;
    if (msync(p, maplen, MS_SYNC) < 0) fail(-1, "msync: %s", strerror(errno));
  }
  if (munmap(p, maplen) < 0) fail(-1, "munmap: %s", strerror(errno));
  return 1;
}

static void do_truncate(void) {
  long size = rnd(4) == 0 ? rnd(maxlen / PAGE + 1) * PAGE : rnd(maxlen + 1);
  struct logent *e = log_op(OP_TRUNCATE, VIA_FD, size, 0);
  if (ftruncate(fd, base + size) < 0) fail(-1, "ftruncate to 0x%lx: %s", size, strerror(errno));
  if (size < flen) memset(good + size, 0, flen - size);
  flen = size;
  e->size_after = flen;
}

static int do_fallocate(int op) {
  static const int modes[NOPS] = {
    [OP_KEEP_SIZE] = FALLOC_FL_KEEP_SIZE,
    [OP_PUNCH_HOLE] = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
    [OP_ZERO_RANGE] = FALLOC_FL_ZERO_RANGE,
  };
  // Punching and zeroing matter where data is; allocating, anywhere up to the limit.
  long off = op == OP_PUNCH_HOLE && flen > 0 ? pick_off(flen) : pick_off(maxlen), len = pick_len();
  if (off + len > maxlen) len = maxlen - off;
  if (len <= 0) return 0;
  struct logent *e = log_op(op, VIA_FD, off, len);
  if (fallocate(fd, modes[op], base + off, len) < 0) {
    if (errno == EOPNOTSUPP) {
      disabled[op] = "EOPNOTSUPP";
      return 0;
    }
    fail(off, "fallocate %s 0x%lx bytes at 0x%lx: %s", op_names[op], len, off, strerror(errno));
  }
  long end = off + len;
  if (op == OP_PUNCH_HOLE && off < flen) memset(good + off, 0, (end < flen ? end : flen) - off);
  if (op == OP_ZERO_RANGE) memset(good + off, 0, len);
  if ((op == OP_FALLOCATE || op == OP_ZERO_RANGE) && end > flen) flen = end;
  e->size_after = flen;
  return 1;
}

static int do_copy_range(void) {
  if (flen == 0) return 0;
  long src = pick_off(flen), len = pick_len(), dst = 0;
  // Direct I/O copies are block copies: aligned, and not across EOF (where the tail is not).
  if (direct) align_direct(&src, &len, flen & ~(long)(PAGE - 1));
  if (len <= 0) return 0;
  // The kernel refuses overlapping ranges within one file (EINVAL): draw until they do not.
  int tries = 0;
  do dst = pick_off(maxlen - len) & (direct ? ~(long)(PAGE - 1) : ~0L);
  while (dst < src + len && src < dst + len && ++tries < 8);
  if (tries == 8 || dst + len > maxlen) return 0;
  struct logent *e = log_op(OP_COPY_RANGE, VIA_FD, src, len);
  e->dst = dst;
  long expect = len < flen - src ? len : flen - src, done = 0;
  loff_t in = base + src, out = base + dst;
  while (done < expect) {
    ssize_t r = copy_file_range(fd, &in, fd, &out, len - done, 0);
    if (r < 0 && done == 0 && (errno == EOPNOTSUPP || errno == EXDEV || errno == ENOSYS)) {
      disabled[OP_COPY_RANGE] = strerrorname_np(errno);
      return 0;
    }
    if (r < 0) fail(dst + done, "copy_file_range 0x%lx bytes 0x%lx -> 0x%lx: %s", len - done, src + done, dst + done, strerror(errno));
    if (r == 0) fail(dst + done, "copy_file_range 0x%lx -> 0x%lx len 0x%lx copied 0x%lx bytes, expected 0x%lx", src, dst, len, done, expect);
    done += r;
  }
  memmove(good + dst, good + src, expect);
  if (dst + expect > flen) flen = dst + expect;
  e->size_after = flen;
  return 1;
}

static void do_sync(int op) {
  log_op(op, VIA_FD, 0, 0);
  if ((op == OP_FSYNC ? fsync(fd) : fdatasync(fd)) < 0) fail(-1, "%s: %s", op_names[op], strerror(errno));
}

static void do_reopen(void) {
  if (close(fd) < 0) fail(-1, "close: %s", strerror(errno));
  direct = !no_direct && rnd(3) == 0;
  log_op(OP_REOPEN, VIA_FD, 0, 0);
  fd = open(path, O_RDWR | (direct ? O_DIRECT : 0));
  if (fd < 0 && direct && errno == EINVAL) {
    no_direct = "EINVAL";
    direct = 0;
    logbuf[opnum % LOG_TAIL].direct = 0;
    fd = open(path, O_RDWR);
  }
  if (fd < 0) fail(-1, "reopen %s: %s", path, strerror(errno));
}

static void do_check(void) {
  log_op(OP_CHECK, VIA_FD, 0, flen);
  check_size("check");
  for (long off = 0; off < flen; off += maxoplen) {
    long len = flen - off < maxoplen ? flen - off : maxoplen, want = direct ? (len + PAGE - 1) & ~(long)(PAGE - 1) : len;
    long r = pread(fd, buf, want, base + off);
    if (r != len) fail(off, "check: read at 0x%lx returned %ld, expected 0x%lx (%s)", off, r, len, r < 0 ? strerror(errno) : "short");
    check_bytes("check", off, buf, len);
  }
  if ((!direct || flen % PAGE == 0) && pread(fd, buf, direct ? PAGE : 1, base + flen) != 0) fail(flen, "check: read at EOF 0x%lx did not return 0", flen);
}

static int apply(int op) {
  switch (op) {
    case OP_READ: do_read(); return 1;
    case OP_WRITE: do_write(); return 1;
    case OP_MAPREAD: return do_mapread();
    case OP_MAPWRITE: return do_mapwrite();
    case OP_TRUNCATE: do_truncate(); return 1;
    case OP_FALLOCATE: case OP_KEEP_SIZE: case OP_PUNCH_HOLE: case OP_ZERO_RANGE: return do_fallocate(op);
    case OP_COPY_RANGE: return do_copy_range();
    case OP_FSYNC: case OP_FDATASYNC: do_sync(op); return 1;
    case OP_REOPEN: do_reopen(); return 1;
  }
  return 0;
}

static int draw(void) {
  int total = 0;
  for (int i = 0; i < NOPS; i++) total += disabled[i] ? 0 : weights[i];
  long r = rnd(total);
  for (int i = 0; i < NOPS; i++) {
    if (disabled[i]) continue;
    if (r < weights[i]) return i;
    r -= weights[i];
  }
  return OP_READ;
}

static void exclude(char *list) {
  for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
    int found = 0;
    for (int i = 0; i < NOPS; i++)
      if (strcmp(name, op_names[i]) == 0) disabled[i] = "excluded", found = 1;
    if (strcmp(name, "direct") == 0) no_direct = "excluded", found = 1;
    if (strcmp(name, "fd2") == 0) no_fd2 = "excluded", found = 1;
    if (strcmp(name, "child") == 0) no_child = "excluded", found = 1;
    if (!found) fprintf(stderr, "fsx: unknown op %s\n", name), exit(2);
  }
}

static void summary(long ops, uint64_t seed) {
  printf("{\"seed\":%llu,\"ops\":%ld,\"base\":%ld,\"size\":%ld,\"counts\":{", (unsigned long long)seed, ops, base, flen);
  for (int i = 0, first = 1; i < NOPS; i++)
    if (counts[i]) printf("%s\"%s\":%ld", first ? "" : ",", op_names[i], counts[i]), first = 0;
  printf("},\"via\":{\"fd\":%ld,\"fd2\":%ld,\"child\":%ld,\"direct\":%ld},\"disabled\":{", via_counts[VIA_FD],
         via_counts[VIA_FD2], via_counts[VIA_CHILD], direct_ops);
  int first = 1;
  for (int i = 0; i < NOPS; i++)
    if (disabled[i]) printf("%s\"%s\":\"%s\"", first ? "" : ",", op_names[i], disabled[i]), first = 0;
  const char *extra[][2] = {{"direct", no_direct}, {"direct_mmap", no_direct_mmap}, {"fd2", no_fd2}, {"child", no_child}};
  for (int i = 0; i < 4; i++)
    if (extra[i][1]) printf("%s\"%s\":\"%s\"", first ? "" : ",", extra[i][0], extra[i][1]), first = 0;
  printf("}}\n");
}

int main(int argc, char **argv) {
  long ops = 10000, check_every = 100;
  uint64_t seed = 1;
  int c;
  while ((c = getopt(argc, argv, "N:S:l:o:c:b:x:")) != -1) {
    switch (c) {
      case 'N': ops = atol(optarg); break;
      case 'S': seed = strtoull(optarg, NULL, 0); break;
      case 'l': maxlen = atol(optarg); break;
      case 'o': maxoplen = atol(optarg); break;
      case 'c': check_every = atol(optarg); break;
      case 'b': base = strtol(optarg, NULL, 0); break;
      case 'x': exclude(optarg); break;
      default: goto usage;
    }
  }
  if (optind != argc - 1 || maxlen < PAGE || maxlen % PAGE || maxoplen < PAGE || maxoplen % PAGE || maxoplen > maxlen || check_every < 1 || base < 0 || base % PAGE) {
  usage:
    fprintf(stderr, "usage: fsx [-N ops] [-S seed] [-l maxlen] [-o maxoplen] [-c checkevery] [-b base] [-x op,...] <file>\n"
                    "  maxlen, maxoplen and base are multiples of %d; -x ops: names from the summary, direct, fd2, child\n", PAGE);
    return 2;
  }
  path = argv[optind];
  rng_state = seed;
  good = calloc(maxlen + maxoplen, 1);
  if (!good || posix_memalign((void **)&buf, PAGE, maxlen + maxoplen)) return fprintf(stderr, "fsx: out of memory\n"), 1;
  signal(SIGBUS, on_signal);
  signal(SIGSEGV, on_signal);

  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fprintf(stderr, "fsx: open %s: %s\n", path, strerror(errno)), 1;
  if (ftruncate(fd, base) < 0) return fprintf(stderr, "fsx: ftruncate %s to base 0x%lx: %s\n", path, base, strerror(errno)), 1;
  if (!no_fd2 && (fd2 = open(path, O_RDWR)) < 0) fail(-1, "open %s again: %s", path, strerror(errno));
  if (!no_child) start_child();

  for (opnum = 0; opnum < ops; opnum++) {
    int op = draw();
    if (apply(op)) counts[op]++;
    check_size(op_names[op]);
    if ((opnum + 1) % check_every == 0) counts[OP_CHECK]++, do_check();
  }
  do_check();
  counts[OP_CHECK]++;
  if (child_pid > 0) {
    close(child_sock);
    int status;
    waitpid(child_pid, &status, 0);
  }
  if (fd2 >= 0) close(fd2);
  if (close(fd) < 0) fail(-1, "close: %s", strerror(errno));
  summary(ops, seed);
  return 0;
}
