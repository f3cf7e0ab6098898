#include "slot_table.h"

namespace fusekit {

void SlotTable::MatchInterrupt(uint64_t unique) {
  for (uint32_t i = 0; i < slots_.size(); i++) {
    const Slot& s = slots_[i];
    if (s.req != nullptr && s.unique == unique) {
      if (!s.watched) interrupted_.push_back(i);  // a watched one is reported by libfuse's callback
      return;
    }
  }
}

std::vector<uint32_t> SlotTable::TakeInterrupts() {
  std::vector<uint32_t> pending;
  pending.swap(interrupted_);
  return pending;
}

}  // namespace fusekit
