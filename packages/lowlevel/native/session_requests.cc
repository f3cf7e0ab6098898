// A request's way into JS: its slot and context in the scratch buffer (Begin), the handler call
// (Call), the refusal when it cannot be made (Refuse), interrupts, and the values built for a
// handler's arguments (names, copies and adopted write payloads).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include "session.h"

namespace fusekit {

static void InterruptCallback(fuse_req_t req, void* data) {
  Session::From(req)->OnInterrupted(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data)));
}

uint32_t Session::Begin(fuse_req_t req) {
  const fuse_ctx* c = fuse_req_ctx(req);
  int32_t* ci = i32();
  ci[I_UID] = static_cast<int32_t>(c->uid);
  ci[I_GID] = static_cast<int32_t>(c->gid);
  ci[I_PID] = static_cast<int32_t>(c->pid);
  ci[I_UMASK] = static_cast<int32_t>(c->umask);
  ci[I_KILL_SUIDGID] = killSuidgid_ ? 1 : 0;
  uint32_t index = slots_.Take(req, unique_);
  if (unique_ == 0)
    fuse_req_interrupt_func(req, InterruptCallback, reinterpret_cast<void*>(static_cast<uintptr_t>(index)));
  return index;
}

void Session::FreeSlot(uint32_t index) {
  if (slots_.Free(index)) StartPolling();
}

void Session::Refuse(uint32_t index, int err) {
  fuse_req_t req = slots_.Live(index);
  FreeSlot(index);
  fuse_reply_err(req, err);
}

void Session::Call(Op op, uint32_t index, size_t argc, napi_value* argv) {
  napi_value result;
  napi_status status = napi_call_function(env_, resource_.Value(), handlers_[op].Value(), argc, argv, &result);
  if (status == napi_ok) return;
  // The TS glue never throws; if it did, answer so the kernel is not left waiting.
  napi_value exc;
  napi_get_and_clear_last_exception(env_, &exc);
  std::fprintf(stderr, "fusekit: internal error in dispatch of op %u\n", static_cast<unsigned>(op));
  if (index != UINT32_MAX && slots_.Live(index) != nullptr) Refuse(index, EIO);
}

void Session::OnInterrupted(uint32_t slot) { slots_.Interrupted(slot); }

void Session::FlushInterrupts() {
  for (uint32_t slot : slots_.TakeInterrupts()) {
    if (slots_.Live(slot) == nullptr) continue;
    napi_value argv[1];
    napi_create_uint32(env_, slot, &argv[0]);
    Call(OP_INTERRUPT, UINT32_MAX, 1, argv);
  }
}

napi_value Session::Name(const char* s) {
  napi_value r;
  if (namesAsBuffers_) {
    void* data;
    size_t len = std::strlen(s);
    napi_create_buffer_copy(env_, len, s, &data, &r);
  } else {
    napi_create_string_utf8(env_, s, NAPI_AUTO_LENGTH, &r);
  }
  return r;
}

napi_value Session::Copy(const void* data, size_t len) {
  napi_value r;
  void* out;
  napi_create_buffer_copy(env_, len, data, &out, &r);
  return r;
}

// Large writes are handed to JS where the kernel put them (see receive_arena.h); small ones are
// copied, so that they do not hold on to a slab.
static constexpr size_t kAdoptMinBytes = 64 * 1024;

napi_value Session::Payload(const char* data, size_t len) {
  if (len >= kAdoptMinBytes && buf_.mem == lastRoom_ && arena_.Holds(data, len)) {
    if (napi_value adopted = arena_.Adopt(env_, const_cast<char*>(data), len)) return adopted;
  }
  return Copy(data, len);
}

// A payload lent to a write handler (lendWriteData), back once the handler is done: its
// ArrayBuffer is detached, which frees an adopted payload's share of its slab now rather than at
// the next garbage collection (the arena then reuses the slab: see receive_arena.cc).
Napi::Value Session::TakeBack(const Napi::CallbackInfo& info) {
  if (info.Length() == 1 && info[0].IsTypedArray()) {
    Napi::ArrayBuffer buffer = info[0].As<Napi::TypedArray>().ArrayBuffer();
    if (!buffer.IsDetached()) napi_detach_arraybuffer(info.Env(), buffer);  // not detachable: left to the GC
  }
  return info.Env().Undefined();
}

}  // namespace fusekit
