// The receive loop of a Session: when libuv says the session fd is readable, requests are
// received (into the arena) and processed in a batch until EAGAIN, each calling its JS handler
// directly; adaptive probing when requests come one at a time, and optional busy polling.
#include <ctime>
#include <string>
#include "io.h"
#include "session.h"

namespace fusekit {

// Requests handled per wake-up before yielding to the rest of the event loop.
static constexpr int kBatch = 256;

// Receives into the arena; when it has no memory left, libfuse allocates a buffer of its own.
void Session::PrepareReceive() {
  char* room = arena_.Next();
  if (room != nullptr) {
    if (buf_.mem != nullptr && buf_.mem != lastRoom_) free(buf_.mem);
    buf_.mem = lastRoom_ = room;
  } else if (buf_.mem == lastRoom_) {
    buf_.mem = nullptr;
  }
}

void Session::StartPolling() {
  if (poll_ == nullptr || !serving_ || paused_) return;
  uv_poll_start(poll_, UV_READABLE | UV_DISCONNECT, &Session::OnReadable);
  if (uring_ != nullptr) uring_->Watch(true);
  selfAccess_.SetReading(true);
  // Requests the watcher kept do not make the device readable.
  if (selfAccess_.HasKept()) uv_async_send(selfAccessAsync_);
}

void Session::StopPolling() {
  selfAccess_.SetReading(false);
  if (poll_ != nullptr) uv_poll_stop(poll_);
  if (uring_ != nullptr) uring_->Watch(false);
}

void Session::OnReadable(uv_poll_t* handle, int, int) { static_cast<Session*>(handle->data)->ServeBatch(); }

void Session::OnSelfAccess(uv_async_t* handle) {
  auto* session = static_cast<Session*>(handle->data);
  if (uint64_t refused = session->selfAccess_.TakeRefused(); refused != 0 && !session->warn_.IsEmpty()) {
    Napi::HandleScope scope(session->env_);
    std::string message =
        "answered " + std::to_string(refused) +
        " request(s) EDEADLK: they came from this process while it could not serve them (a synchronous "
        "call on its own mount, or spawn with a cwd in it); a process must not wait on the filesystem it serves";
    session->warn_.MakeCallback(session->resource_.Value(), {Napi::String::New(session->env_, message)},
                                session->asyncContext_);
  }
  if (session->serving_ && !session->paused_ && !session->slots_.throttled() && session->selfAccess_.HasKept())
    session->ServeBatch();
}

// Reading /dev/fuse again after a request costs a syscall that, when requests come one at a
// time (a caller waiting on each answer), only says EAGAIN. So the loop adapts: while those
// speculative reads keep failing it serves one request per wake-up, probing now and then; as
// soon as one finds a queued request it drains the queue again.
static constexpr uint32_t kProbeEvery = 16;

void Session::ServeBatch() {
  selfAccess_.Serving();
  Napi::HandleScope scope(env_);
  napi_callback_scope cbScope;
  napi_open_callback_scope(env_, resource_.Value(), asyncContext_, &cbScope);
  bool ended = false;
  int limit = kBatch;
  if (sparse_ && ++wakeups_ % kProbeEvery != 0) limit = 1;
  for (int n = 0; n < limit && serving_; n++) {
    if (slots_.Throttle()) {
      StopPolling();  // back-pressure: the kernel queues what we do not read
      break;
    }
    PrepareReceive();
    int res = fuse_session_receive_buf(se_, &buf_);
    if (res == -EAGAIN) {
      sparse_ = n == 1;
      break;
    }
    if (res == -EINTR) continue;
    if (res <= 0) {
      ended = true;  // ENODEV: unmounted or aborted from outside
      break;
    }
    if (n == 1) sparse_ = false;
    if (!ProcessReceived(buf_)) {
      ended = true;
      break;
    }
  }
  napi_close_callback_scope(env_, cbScope);
  if (ended) {
    Finish();
    return;
  }
  // Kept requests do not make the device readable: come back for the rest.
  if (selfAccess_.HasKept()) uv_async_send(selfAccessAsync_);
  if (busyPollNs_ > 0) BusyPoll();
}

// Processes the request just received; false when the session has exited.
bool Session::ProcessReceived(fuse_buf& buf) {
  NoteIds(buf);
  fuse_session_process_buf(se_, &buf);
  if (slots_.HasInterrupts()) FlushInterrupts();
  return !fuse_session_exited(se_);
}

void Session::OnRingReadable(void* data) { static_cast<Session*>(data)->ServeRing(); }

static int64_t NowNs();

// As BusyPoll for /dev/fuse: after a batch, keep looking at the ring for busyPollMicros, so that
// a caller sending its next request at once finds this thread awake (the ring's completion
// queue is memory: looking costs no system call until the kernel flags pending work).
void Session::ServeRing() {
  ServeRingBatch();
  if (busyPollNs_ <= 0) return;
  int64_t deadline = NowNs() + busyPollNs_;
  for (int rounds = 0; rounds < kBatch && serving_ && uring_ != nullptr && !slots_.Full();) {
    if (!uring_->Pending()) {
      if (NowNs() > deadline) return;
      continue;
    }
    ServeRingBatch();
    rounds++;
    deadline = NowNs() + busyPollNs_;
  }
}

// The io_uring side of the receive loop: requests the ring delivered are processed as the ones
// read from /dev/fuse are (the same inspection, libfuse, handlers); the replies made meanwhile
// are committed in one submission, which also fetches whatever the kernel queued since.
void Session::ServeRingBatch() {
  selfAccess_.Serving();
  Napi::HandleScope scope(env_);
  napi_callback_scope cbScope;
  napi_open_callback_scope(env_, resource_.Value(), asyncContext_, &cbScope);
  bool ended = false;
  UringTransport::Request request;
  uring_->Hold(true);
  for (int n = 0; n < kBatch && serving_ && uring_ != nullptr; n++) {
    if (slots_.Throttle()) {
      StopPolling();  // back-pressure: requests stay in their entries, the kernel queues the rest
      break;
    }
    if (!uring_->Next(&request)) {
      uring_->Flush();
      if (!uring_->Next(&request)) break;
    }
    fuse_buf buf{};
    buf.mem = request.mem;
    buf.size = request.size;
    OnRawRequest(PrepareRawRequest(request.mem, request.size));
    uint32_t opcode = reinterpret_cast<const fuse_in_header*>(request.mem)->opcode;
    if (!ProcessReceived(buf)) {
      ended = true;
      break;
    }
    if (opcode == FUSE_NOTIFY_REPLY && uring_ != nullptr) uring_->CommitEmpty(request.entry);
  }
  napi_close_callback_scope(env_, cbScope);  // settles promises: more replies
  if (uring_ == nullptr) return;             // a handler destroyed the session
  uring_->Hold(false);
  if (ended) {
    Finish();
    return;
  }
  uring_->Flush();
  if (uring_->Ended()) uring_->Watch(false);  // unmounted: /dev/fuse says so (ENODEV)
}

// libfuse tells the filesystem of an INTERRUPT only for requests that registered a callback,
// which costs every request two mutexes; instead each request keeps the kernel's id, read here
// from the header, and an INTERRUPT is matched against the requests in flight. A request whose
// header is not in memory (a large write spliced through a pipe) registers libfuse's callback.
void Session::NoteIds(const fuse_buf& buf) {
  unique_ = 0;
  if ((buf.flags & FUSE_BUF_IS_FD) != 0 || buf.mem == nullptr) return;
  RequestIds ids = IdsOf(buf.mem, buf.size);
  unique_ = ids.unique;
  if (ids.interrupts != 0) slots_.MatchInterrupt(ids.interrupts);
}

static int64_t NowNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// Keeps reading for a while before going back to sleep in epoll: a caller that sends its next
// request as soon as it has an answer (a metadata loop) then finds this thread awake, and the
// request costs no wake-up. On a machine where waking a thread on another CPU takes longer than
// the request itself, this made create and unlink loops 1.5-2x faster. Each request runs in a
// callback scope of its own, so promise replies go out at once, as in ServeBatch; after a batch's
// worth the event loop gets its turn, so replies that wait on it are not held up by a busy caller.
void Session::BusyPoll() {
  selfAccess_.Serving();
  int64_t deadline = NowNs() + busyPollNs_;
  for (int served = 0; served < kBatch && serving_ && !slots_.Full();) {
    PrepareReceive();
    int res = fuse_session_receive_buf(se_, &buf_);
    if (res == -EAGAIN || res == -EINTR) {
      if (NowNs() > deadline) return;
      continue;
    }
    if (res <= 0) {
      Finish();
      return;
    }
    Napi::HandleScope scope(env_);
    napi_callback_scope cbScope;
    napi_open_callback_scope(env_, resource_.Value(), asyncContext_, &cbScope);
    bool serving = ProcessReceived(buf_);
    napi_close_callback_scope(env_, cbScope);
    if (!serving) {
      Finish();
      return;
    }
    served++;
    deadline = NowNs() + busyPollNs_;
  }
}

}  // namespace fusekit
