#include "unmount_guard.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>

// The fusekit-guard program, built by the same CMakeLists (FUSEKIT_GUARD_PATH) and kept in the
// addon's read-only data.
asm(".pushsection .rodata.fusekit_guard, \"a\"\n"
    ".balign 16\n"
    ".globl fusekit_guard_program\n"
    ".hidden fusekit_guard_program\n"
    "fusekit_guard_program:\n"
    ".incbin \"" FUSEKIT_GUARD_PATH
    "\"\n"
    ".globl fusekit_guard_program_end\n"
    ".hidden fusekit_guard_program_end\n"
    "fusekit_guard_program_end:\n"
    ".popsection\n");
extern "C" const char fusekit_guard_program[];
extern "C" const char fusekit_guard_program_end[];

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  // Linux 6.3: say so, or a kernel set to refuse implicit exec says no
#endif

namespace fusekit {

// The kernel's mountinfo escaping of a path: space, tab, newline and backslash as \ooo.
static std::string Escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
      auto u = static_cast<unsigned char>(c);
      out += '\\';
      out += static_cast<char>('0' + (u >> 6));
      out += static_cast<char>('0' + ((u >> 3) & 7));
      out += static_cast<char>('0' + (u & 7));
    } else {
      out += c;
    }
  }
  return out;
}

// A memfd holding the guard program, or -1.
static int ProgramFd() {
  int fd = static_cast<int>(syscall(SYS_memfd_create, "fusekit-guard", MFD_CLOEXEC | MFD_EXEC));
  if (fd < 0 && errno == EINVAL) fd = static_cast<int>(syscall(SYS_memfd_create, "fusekit-guard", MFD_CLOEXEC));
  if (fd < 0) return -1;
  const char* p = fusekit_guard_program;
  while (p < fusekit_guard_program_end) {
    ssize_t n = write(fd, p, static_cast<size_t>(fusekit_guard_program_end - p));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return -1;
    }
    p += n;
  }
  return fd;
}

static void CloseFrom(int first) {
  if (syscall(SYS_close_range, first, ~0U, 0) == 0) return;
  rlimit limit;
  int last = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536 ? static_cast<int>(limit.rlim_cur) : 65536;
  for (int fd = first; fd < last; fd++) close(fd);
}

// In the forked child of a multi-threaded process: async-signal-safe calls only until exec.
// Leaves it with fd 0 = the pipe, 1 and 2 = /dev/null, 3 = the pidfd, nothing else open, no
// terminal, and / as its directory (it must hold neither /dev/fuse nor the mountpoint).
[[noreturn]] static void Child(int input, int pidfd, int program, char* const* argv, const guard::Config& config) {
  setsid();
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  for (int sig : {SIGINT, SIGHUP, SIGTERM, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2}) sigaction(sig, &ignore, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Out of the way of 0-4 first, so that no dup2 below overwrites another of them.
  input = fcntl(input, F_DUPFD_CLOEXEC, 10);
  if (pidfd >= 0) pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 10);
  if (program >= 0) program = fcntl(program, F_DUPFD_CLOEXEC, 10);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (input < 0 || null < 0) _exit(1);
  dup2(input, 0);
  dup2(null, 1);
  dup2(null, 2);
  if (pidfd >= 0) dup2(pidfd, 3);
  else close(3);
  if (program >= 0) dup3(program, 4, O_CLOEXEC);
  else close(4);
  CloseFrom(5);
  if (chdir("/") != 0) _exit(1);
  char* const envp[] = {nullptr};
  if (program >= 0) syscall(SYS_execveat, 4, "", argv, envp, AT_EMPTY_PATH);
  close(4);
  prctl(PR_SET_NAME, "fusekit-guard");
  guard::Config here = config;
  here.input = 0;
  here.pidfd = pidfd >= 0 ? 3 : -1;
  guard::Run(here);
}

int UnmountGuard::Start(const std::string& path, const std::string& fusermount) {
  path_ = path;
  escaped_ = Escape(path);
  fusermount_ = fusermount;
  char ids[4096] = "";
  guard::MountIdsAt(escaped_.c_str(), ids, sizeof ids);
  baseline_ = ids;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return errno;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));  // Linux 5.3; the pipe alone before
  int program = ProgramFd();
  guard::Config config;
  config.path = path_.c_str();
  config.escaped = escaped_.c_str();
  config.fusermount = fusermount_.c_str();
  config.baseline = baseline_.c_str();
  // Everything the child needs is made before fork.
  char* const argv[] = {const_cast<char*>("fusekit-guard"),
                        const_cast<char*>(path_.c_str()),
                        const_cast<char*>(escaped_.c_str()),
                        const_cast<char*>(fusermount_.empty() ? "-" : fusermount_.c_str()),
                        const_cast<char*>(baseline_.empty() ? "-" : baseline_.c_str()),
                        const_cast<char*>(pidfd >= 0 ? "3" : "-"),
                        nullptr};
  pid_t pid = fork();
  if (pid == 0) Child(pipefd[0], pidfd, program, argv, config);
  int err = errno;
  close(pipefd[0]);
  if (pidfd >= 0) close(pidfd);
  if (program >= 0) close(program);
  if (pid < 0) {
    close(pipefd[1]);
    return err;
  }
  fd_ = pipefd[1];
  pid_ = pid;
  return 0;
}

bool UnmountGuard::Mounted() {
  if (fd_ < 0) return false;
  known_ = guard::FindNewMount(escaped_.c_str(), baseline_.c_str(), &id_);
  if (!known_) return false;
  std::string line =
      "M " + std::to_string(id_.id) + " " + std::to_string(id_.major) + ":" + std::to_string(id_.minor) + "\n";
  // A pipe takes this much at once.
  return write(fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

void UnmountGuard::Done() {
  if (fd_ < 0) return;
  if (known_ && guard::Find(escaped_.c_str(), id_) != guard::Presence::kGone) return;
  Stop();
}

void UnmountGuard::Stop() {
  if (fd_ < 0) return;
  ssize_t ignored = write(fd_, "U\n", 2);  // EPIPE if it is gone already (Node ignores SIGPIPE)
  (void)ignored;
  close(fd_);
  fd_ = -1;
  Reap();
}

// The guard exits as soon as it reads "U"; waits for that briefly (up to 100 ms), so that no
// zombie is left.
void UnmountGuard::Reap() {
  static constexpr timespec kReapStep = {0, 500 * 1000};
  for (int i = 0; i < 200 && pid_ > 0; i++) {
    int status;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) pid_ = -1;
    else if (r == 0) nanosleep(&kReapStep, nullptr);
  }
  pid_ = -1;
}

}  // namespace fusekit
