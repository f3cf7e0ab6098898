// A mounted libfuse session served on the JS thread: the session fd is non-blocking and watched
// by libuv; when it is readable, requests are received and processed in a batch until EAGAIN,
// each calling its JS handler directly (no thread hand-off per request).
#pragma once
#include <napi.h>
#include <uv.h>
#include <cstdint>
#include <deque>
#include <atomic>
#include <memory>
#include <cassert>
#include <condition_variable>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>
#include "convert.h"
#include "data_worker.h"
#include "io.h"
#include "receive_arena.h"
#include "unmount_guard.h"
#include "uring_transport.h"
#include "self_access.h"
#include "slot_table.h"
#include "fuse.h"
#include "op_table.h"

namespace fusekit {

// Work done off the JS thread (notify calls that may block in the kernel); the result comes
// back through `done_` and settles a JS promise.
struct BlockingJob;

class Session : public Napi::ObjectWrap<Session> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Session(const Napi::CallbackInfo& info);
  ~Session() override;

  static Session* From(fuse_req_t req) { return static_cast<Session*>(fuse_req_userdata(req)); }

  // Called by the op callbacks (ops.cc) on the JS thread. `build` fills argv after the slot
  // index and returns the count, or -errno when a value cannot be represented exactly in JS
  // (EOVERFLOW, or EFBIG for a file size or position: see ops.cc).
  // Handles live in the batch's scope (ServeBatch): one scope per request costs an allocation.
  template <typename Build>
  void Dispatch(fuse_req_t req, Op op, Build&& build) {
    uint32_t index = Begin(req);
    napi_value argv[kMaxOpArgs + 1];
    napi_create_uint32(env_, index, &argv[0]);
    int argc = build(argv + 1);
    if (argc < 0) return Refuse(index, -argc);
    assert(static_cast<size_t>(argc) == kOpArgs[op].count && "ops.cc and op_table.h disagree");
    Call(op, index, static_cast<size_t>(argc) + 1, argv);
  }
  // For requests answered natively before JS runs (forget): the handler only observes.
  template <typename Build>
  void Notice(Op op, Build&& build) {
    napi_value argv[kMaxOpArgs];
    int argc = build(argv);
    assert((argc < 0 || static_cast<size_t>(argc) == kOpArgs[op].count) && "ops.cc and op_table.h disagree");
    if (argc >= 0) Call(op, UINT32_MAX, static_cast<size_t>(argc), argv);
  }
  napi_value Num(double v) {
    napi_value r;
    napi_create_double(env_, v, &r);
    return r;
  }
  napi_value Big(uint64_t v) {
    napi_value r;
    napi_create_bigint_uint64(env_, v, &r);
    return r;
  }
  napi_value Bool(bool v) {
    napi_value r;
    napi_get_boolean(env_, v, &r);
    return r;
  }
  napi_value Undef() {
    napi_value r;
    napi_get_undefined(env_, &r);
    return r;
  }
  napi_value Copy(const void* data, size_t len);
  // A write's payload for JS: large ones without a copy (see the definition).
  napi_value Payload(const char* data, size_t len);
  Napi::Env Env() const { return env_; }
  bool namesAsBuffers() const { return namesAsBuffers_; }
  napi_value Name(const char* s);
  void OnInterrupted(uint32_t slot);
  void OnInit(fuse_conn_info* conn);
  void OnDestroy();
  uint32_t KeepPollHandle(fuse_pollhandle* ph);
  // Flags to add to the INIT reply, taken (once) by the writev hook (io.cc).
  uint64_t TakeInitFlags() { return initFlags_.exchange(0); }
  // The max_stack_depth the INIT reply carries with FUSE_PASSTHROUGH (io.cc).
  uint32_t PassthroughDepth() const { return passthroughDepth_; }
  // The INIT reply as sent (io.cc): the ring's payload buffers must hold the largest request.
  void OnInitReply(uint32_t maxWrite, uint32_t maxPages) {
    initMaxWrite_ = maxWrite;
    initMaxPages_ = maxPages;
  }
  // The io_uring transport when the session uses one (replies are routed to it: io.cc).
  UringTransport* uring() { return uring_.get(); }
  // Requests the watcher read for the JS thread come before the device's (io.cc).
  SelfAccessGuard& selfAccess() { return selfAccess_; }
  // Called by the read hook (io.cc) with each request before libfuse processes it.
  void OnRawRequest(const RawRequestFacts& facts) {
    killSuidgid_ = facts.killSuidgid;
    if (facts.initFlags != 0) kernelInitFlags_ = facts.initFlags;
    if (facts.rewrittenFrom != 0) NoteRewrite(facts);
  }
  // What a request PrepareRawRequest rewrote was (io.cc): the create and getattr callbacks ask.
  struct Rewritten {
    uint32_t from = 0;  // FUSE_TMPFILE, protocol::FUSE_STATX, or 0: not rewritten
    uint32_t statxFlags = 0;
    uint32_t statxMask = 0;
  };
  // The rewrite of the request being processed, taken once; a map lookup only while one is pending.
  Rewritten TakeRewrite() {
    if (rewritten_.empty()) return {};
    auto it = rewritten_.find(unique_);
    if (it == rewritten_.end()) return {};
    Rewritten r = it->second;
    rewritten_.erase(it);
    return r;
  }
  // Whether TS implements the op (its handler was given at mount).
  bool Serves(Op op) const { return !handlers_[op].IsEmpty(); }
  void OnRetrieveReply(fuse_req_t req, void* cookie, fuse_ino_t ino, off_t offset, fuse_bufvec* bufv);

  double* f64() { return reinterpret_cast<double*>(scratch_); }
  int64_t* i64() { return reinterpret_cast<int64_t*>(scratch_); }
  int32_t* i32() { return reinterpret_cast<int32_t*>(scratch_); }

  void UnmountAndDestroy();

 private:
  // JS-facing methods.
  Napi::Value Mount(const Napi::CallbackInfo& info);
  Napi::Value Pause(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value Unmount(const Napi::CallbackInfo& info);
  Napi::Value Destroy(const Napi::CallbackInfo& info);
  Napi::Value DrainLog(const Napi::CallbackInfo& info);
  Napi::Value Groups(const Napi::CallbackInfo& info);
  Napi::Value Notify(const Napi::CallbackInfo& info);
  Napi::Value NotifyPoll(const Napi::CallbackInfo& info);
  Napi::Value DropPollHandle(const Napi::CallbackInfo& info);

  // Replies: each takes the slot index first and frees the slot.
  Napi::Value ReplyErr(const Napi::CallbackInfo& info);
  Napi::Value ReplyEntry(const Napi::CallbackInfo& info);
  Napi::Value ReplyCreate(const Napi::CallbackInfo& info);
  Napi::Value ReplyAttr(const Napi::CallbackInfo& info);
  Napi::Value ReplyStatx(const Napi::CallbackInfo& info);
  Napi::Value ReplyReadlink(const Napi::CallbackInfo& info);
  Napi::Value ReplyOpen(const Napi::CallbackInfo& info);
  Napi::Value ReplyWrite(const Napi::CallbackInfo& info);
  Napi::Value TakeBack(const Napi::CallbackInfo& info);
  Napi::Value ReplyBuf(const Napi::CallbackInfo& info);
  Napi::Value ReplyIov(const Napi::CallbackInfo& info);
  Napi::Value ReplyData(const Napi::CallbackInfo& info);
  Napi::Value ReplyStatfs(const Napi::CallbackInfo& info);
  Napi::Value ReplyXattr(const Napi::CallbackInfo& info);
  Napi::Value ReplyLock(const Napi::CallbackInfo& info);
  Napi::Value ReplyBmap(const Napi::CallbackInfo& info);
  Napi::Value ReplyIoctl(const Napi::CallbackInfo& info);
  Napi::Value ReplyIoctlRetry(const Napi::CallbackInfo& info);
  Napi::Value ReplyPoll(const Napi::CallbackInfo& info);
  Napi::Value ReplyLseek(const Napi::CallbackInfo& info);

  // Kernel passthrough (passthrough.cc): backing files registered on the session fd.
  Napi::Value BackingOpen(const Napi::CallbackInfo& info);
  Napi::Value BackingClose(const Napi::CallbackInfo& info);
  Napi::Value PassthroughDepthJs(const Napi::CallbackInfo& info);

  std::string StartGuard();
  uint32_t Begin(fuse_req_t req);
  void Refuse(uint32_t index, int err);
  void Call(Op op, uint32_t index, size_t argc, napi_value* argv);
  fuse_req_t TakeSlot(const Napi::CallbackInfo& info, uint32_t* index = nullptr);
  fuse_req_t SlotAt(const Napi::CallbackInfo& info, uint32_t* index);
  void FreeSlot(uint32_t index);
  void ReplyFailed(int res, const char* what);

  static void OnReadable(uv_poll_t* handle, int status, int events);
  static void OnJobsDone(uv_async_t* handle);
  static void OnSelfAccess(uv_async_t* handle);
  void ServeBatch();
  void BusyPoll();
  static void OnRingReadable(void* data);
  void ServeRing();
  void ServeRingBatch();
  std::string StartRing();
  bool ProcessReceived(fuse_buf& buf);
  void NoteIds(const fuse_buf& buf);
  void PrepareReceive();
  void Finish();
  void NoteRewrite(const RawRequestFacts& facts) {
    // Bounded: a request libfuse answers without a callback never takes its entry.
    if (rewritten_.size() >= 1024) rewritten_.clear();
    rewritten_[facts.unique] = {facts.rewrittenFrom, facts.statxFlags, facts.statxMask};
  }
  void StartPolling();
  void StopPolling();
  void FlushInterrupts();
  void WaitForJobs();

 public:
  void Enqueue(BlockingJob* job);

 private:
  Napi::Env env_;
  fuse_session* se_ = nullptr;
  fuse_buf buf_{};
  ReceiveArena arena_;
  char* lastRoom_ = nullptr;  // where buf_.mem points when it is the arena's
  std::vector<std::string> args_;
  std::string mountpoint_;
  bool mounted_ = false;
  bool serving_ = false;
  bool paused_ = false;
  bool finished_ = false;
  bool namesAsBuffers_ = false;
  bool guardEnabled_ = false;  // start an unmount guard (unmount_guard.h) with the mount
  std::string fusermount_;     // fusermount3's path, for the guard of a normal user's mount
  UnmountGuard guard_;

  uv_poll_t* poll_ = nullptr;
  uv_async_t* jobsAsync_ = nullptr;
  uv_async_t* selfAccessAsync_ = nullptr;  // the watcher kept or refused requests
  SelfAccessGuard selfAccess_;
  std::mutex jobsMutex_;
  std::deque<BlockingJob*> jobsDone_;
  uint32_t jobsRunning_ = 0;  // guarded by jobsMutex_
  std::condition_variable jobsIdle_;
  bool sparse_ = false;  // requests arrive one at a time: skip the speculative read
  uint32_t wakeups_ = 0;
  std::atomic<uint64_t> initFlags_{0};
  ExtraWants extraWants_;
  std::atomic<uint32_t> passthroughDepth_{0};  // negotiated at INIT; 0: no passthrough
  int64_t busyPollNs_ = 0;
  uint64_t kernelInitFlags_ = 0;  // what the kernel's INIT offered, libfuse's unknown flags too
  bool killSuidgid_ = false;      // of the request being processed
  // Transport: 0 /dev/fuse, 1 io_uring, 2 io_uring when the kernel allows it (transport option).
  int transportWanted_ = 0;
  std::unique_ptr<UringTransport> uring_;  // set once the ring is created
  std::string transportNote_;              // why 'auto' chose /dev/fuse
  uint32_t initMaxWrite_ = 0;
  uint32_t initMaxPages_ = 0;
  uint64_t unique_ = 0;                                // the kernel's id of the request being processed (0: unknown)
  std::unordered_map<uint64_t, Rewritten> rewritten_;  // by request id (PrepareRawRequest)
  DataWorker dataWorker_;
  std::vector<fuse_pollhandle*> pollHandles_;
  std::vector<uint32_t> freePollHandles_;

  SlotTable slots_;

  Napi::FunctionReference handlers_[OP_COUNT];
  Napi::FunctionReference onEnded_;    // (reason: string) when the kernel side went away
  Napi::FunctionReference onJobDone_;  // (id, errno, result) for blocking jobs
  Napi::FunctionReference warn_;       // (message) for the session's logger
  Napi::ObjectReference scratchRef_;
  uint8_t* scratch_ = nullptr;
  napi_async_context asyncContext_ = nullptr;
  Napi::ObjectReference resource_;
  fuse_lowlevel_ops ops_{};
  friend void RunJob(BlockingJob* job);
};

}  // namespace fusekit
