// The requests the kernel is waiting on, by slot: JS refers to a request by its slot index, and
// a slot is free again once the request is answered. Also counts them (maxInFlight throttles
// the receive loop) and matches the kernel's INTERRUPTs against them by request id.
#pragma once
#include <cstdint>
#include <vector>
#include "fuse.h"

namespace fusekit {

// One request the kernel is waiting on. `req` is null once answered.
struct Slot {
  fuse_req_t req = nullptr;
  uint64_t unique = 0;   // the kernel's id of the request, which an INTERRUPT names (0: unknown)
  bool watched = false;  // libfuse's interrupt callback registered (for an unknown id)
};

class SlotTable {
 public:
  void SetMax(uint32_t max) { max_ = max; }

  // Takes a free slot for `req` (the kernel's id `unique`, 0 when unknown). A request with an
  // unknown id is `watched`: the caller registers libfuse's interrupt callback for it.
  uint32_t Take(fuse_req_t req, uint64_t unique) {
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    Slot& s = slots_[index];
    s.req = req;
    s.unique = unique;
    s.watched = unique == 0;
    inFlight_++;
    return index;
  }
  // Frees the slot; true when this ends a throttle (the receive loop may read again).
  bool Free(uint32_t index) {
    slots_[index].req = nullptr;
    free_.push_back(index);
    inFlight_--;
    if (throttled_ && inFlight_ < max_) {
      throttled_ = false;
      return true;
    }
    return false;
  }

  // The request in slot `index`, or null (out of range, or answered).
  fuse_req_t Live(uint32_t index) const { return index < slots_.size() ? slots_[index].req : nullptr; }
  const Slot& operator[](uint32_t index) const { return slots_[index]; }
  uint32_t size() const { return static_cast<uint32_t>(slots_.size()); }

  // maxInFlight reached: the receive loop stops reading (the kernel queues what it does not read).
  bool Full() const { return max_ != 0 && inFlight_ >= max_; }
  bool Throttle() {
    if (!Full()) return false;
    throttled_ = true;
    return true;
  }
  bool throttled() const { return throttled_; }

  // An INTERRUPT naming the request with id `unique`: queued for JS unless libfuse's own
  // callback reports it (a watched slot).
  void MatchInterrupt(uint64_t unique);
  // libfuse's callback reported an interrupt of the request in `index`.
  void Interrupted(uint32_t index) { interrupted_.push_back(index); }
  bool HasInterrupts() const { return !interrupted_.empty(); }
  // The slots interrupted since the last call (check each is still Live when its turn comes).
  std::vector<uint32_t> TakeInterrupts();

 private:
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  std::vector<uint32_t> interrupted_;
  uint32_t inFlight_ = 0;
  uint32_t max_ = 0;
  bool throttled_ = false;
};

}  // namespace fusekit
