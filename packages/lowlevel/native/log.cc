#include "log.h"
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include "fuse.h"

namespace fusekit {

static std::mutex gMutex;
static std::vector<std::string> gLines;

static void Hook(enum fuse_log_level, const char* fmt, va_list ap) {
  char line[1024];
  int n = std::vsnprintf(line, sizeof line, fmt, ap);
  if (n <= 0) return;
  std::string s(line);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  std::lock_guard<std::mutex> lock(gMutex);
  if (gLines.size() < 1000) gLines.push_back(std::move(s));
}

void InstallLogHook() { fuse_set_log_func(Hook); }

std::vector<std::string> DrainLog() {
  std::lock_guard<std::mutex> lock(gMutex);
  std::vector<std::string> out;
  out.swap(gLines);
  return out;
}

}  // namespace fusekit
