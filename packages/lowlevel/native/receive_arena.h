// Where requests are received: slabs of memory backed by transparent huge pages, from which a
// large write's payload is handed to JS as it lies, without a copy. Receiving 1 MiB writes into
// fresh 4 KiB pages cost a page fault, a cgroup charge and a zeroing per page, which was most of
// the work of a write; a filesystem that keeps the data (fs-memory) keeps it where the kernel
// put it. Small requests are received over and over at the same place.
#pragma once
#include <napi.h>
#include <atomic>
#include <cstddef>

namespace fusekit {

class ReceiveArena {
 public:
  // libfuse 3.14's receive size (se->bufsize): the largest write plus a page for headers.
  static constexpr size_t kRequestBytes = 256 * 4096 + 4096;

  ReceiveArena() = default;
  ReceiveArena(const ReceiveArena&) = delete;
  ReceiveArena& operator=(const ReceiveArena&) = delete;
  ~ReceiveArena();

  // Room for the next request (kRequestBytes), or null when memory ran out.
  char* Next();
  // Gives JS [data, data + len), which must lie in the last request received, as a Buffer the
  // slab lives for; the next request is received after it. Null if the runtime refuses.
  napi_value Adopt(napi_env env, char* data, size_t len);
  // True if [data, data + len) lies in the room Next() gave.
  bool Holds(const char* data, size_t len) const;

 private:
  struct Slab;
  static void Release(Slab* slab);
  static void ReleaseFromJs(napi_env env, void* data, void* hint);

  Slab* slab_ = nullptr;
  size_t used_ = 0;
};

}  // namespace fusekit
