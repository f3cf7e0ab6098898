#include "log.h"
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include "fuse.h"

namespace fusekit {

static std::mutex gMutex;
static std::vector<std::string> gLines;
static std::string gPartial;  // libfuse writes some lines in several calls (its unknown options)

static void Hook(enum fuse_log_level, const char* fmt, va_list ap) {
  char text[1024];
  int n = std::vsnprintf(text, sizeof text, fmt, ap);
  if (n <= 0) return;
  std::lock_guard<std::mutex> lock(gMutex);
  gPartial += text;
  for (size_t end; (end = gPartial.find('\n')) != std::string::npos;) {
    if (gLines.size() < 1000) gLines.push_back(gPartial.substr(0, end));
    gPartial.erase(0, end + 1);
  }
  if (gPartial.size() > 4096) gPartial.clear();
}

void InstallLogHook() { fuse_set_log_func(Hook); }

std::vector<std::string> DrainLog() {
  std::lock_guard<std::mutex> lock(gMutex);
  std::vector<std::string> out;
  out.swap(gLines);
  if (!gPartial.empty()) out.push_back(std::move(gPartial));
  gPartial.clear();
  return out;
}

}  // namespace fusekit
