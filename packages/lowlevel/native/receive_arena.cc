#include "receive_arena.h"
#include <sys/mman.h>
#include <cstdint>
#include <mutex>
#include <vector>

namespace fusekit {

// Seven large writes per slab (four huge pages). A slab is freed once the last Buffer made from
// it is collected, so a Buffer a filesystem keeps pins at most this much: small enough that a
// few kept writes cannot hold much memory, large enough that a slab wastes little at its end.
static constexpr size_t kSlabBytes = 8u << 20;
static constexpr size_t kHugePage = 2u << 20;
static constexpr size_t kAlign = 4096;

struct ReceiveArena::Slab {
  char* base;
  std::atomic<uint32_t> refs{1};  // the arena's while it receives into it, and one per Buffer
};

// Slabs whose Buffers are all gone, kept for the next one: memory touched before costs no page
// faults. A filesystem that lends its write data (lendWriteData: its Buffers are detached once
// written) receives into the same few slabs, as a C filesystem receives into one buffer. Shared
// by the sessions of the process: a Buffer may outlive its session.
static constexpr size_t kSpareSlabs = 2;
static std::mutex spareLock;
static std::vector<char*> spares;

ReceiveArena::~ReceiveArena() { Release(slab_); }

// Slabs are mapped, not malloc'd: freed (but for the spares), they go back to the system at once.
// (From malloc, after the first one was freed glibc would raise its mmap threshold and serve the
// next ones from its heap, which keeps freed memory.) Aligned to a huge page so that THP can back
// all of it.
static char* MapSlab() {
  size_t span = kSlabBytes + kHugePage;
  void* mapped = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return nullptr;
  auto start = (reinterpret_cast<uintptr_t>(mapped) + kHugePage - 1) & ~(kHugePage - 1);
  size_t head = start - reinterpret_cast<uintptr_t>(mapped);
  if (head != 0) munmap(mapped, head);
  if (span - head > kSlabBytes) munmap(reinterpret_cast<char*>(start) + kSlabBytes, span - head - kSlabBytes);
  madvise(reinterpret_cast<void*>(start), kSlabBytes, MADV_HUGEPAGE);  // advice: works without THP too
  return reinterpret_cast<char*>(start);
}

void ReceiveArena::Release(Slab* slab) {
  if (slab == nullptr || slab->refs.fetch_sub(1) != 1) return;
  {
    std::lock_guard<std::mutex> hold(spareLock);
    if (spares.size() < kSpareSlabs) {
      spares.push_back(slab->base);
      slab->base = nullptr;
    }
  }
  if (slab->base != nullptr) munmap(slab->base, kSlabBytes);
  delete slab;
}

// A spare slab, or a new one.
static char* TakeSlab() {
  {
    std::lock_guard<std::mutex> hold(spareLock);
    if (!spares.empty()) {
      char* base = spares.back();
      spares.pop_back();
      return base;
    }
  }
  return MapSlab();
}

void ReceiveArena::ReleaseFromJs(napi_env, void*, void* hint) { Release(static_cast<Slab*>(hint)); }

char* ReceiveArena::Next() {
  if (slab_ != nullptr && kSlabBytes - used_ >= kRequestBytes) return slab_->base + used_;
  char* base = TakeSlab();
  if (base == nullptr) return nullptr;
  Release(slab_);
  slab_ = new Slab{base};
  used_ = 0;
  return slab_->base;
}

bool ReceiveArena::Holds(const char* data, size_t len) const {
  if (slab_ == nullptr) return false;
  const char* room = slab_->base + used_;
  return data >= room && data + len <= room + kRequestBytes;
}

napi_value ReceiveArena::Adopt(napi_env env, char* data, size_t len) {
  slab_->refs++;
  napi_value buffer;
  if (napi_create_external_buffer(env, len, data, ReleaseFromJs, slab_, &buffer) != napi_ok) {
    slab_->refs--;
    return nullptr;
  }
  size_t end = static_cast<size_t>(data - slab_->base) + len;
  used_ = (end + kAlign - 1) & ~(kAlign - 1);
  return buffer;
}

}  // namespace fusekit
