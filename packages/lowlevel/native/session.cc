#include "session.h"
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <set>
#include "errors.h"
#include "io.h"
#include "instance.h"
#include "log.h"
#include "notify.h"
#include "ops.h"

namespace fusekit {

// Requests handled per wake-up before yielding to the rest of the event loop.
static constexpr int kBatch = 256;

// Every mounted session in the process, for the exit() hook: process.exit() does not run
// environment cleanup hooks, so without it a mount would outlive the process.
static std::mutex gMountedMutex;
static std::set<fuse_session*> gMounted;

static void UnmountAllAtExit() {
  std::lock_guard<std::mutex> lock(gMountedMutex);
  for (fuse_session* se : gMounted) fuse_session_unmount(se);
  gMounted.clear();
}

static void TrackMounted(fuse_session* se, bool mounted) {
  static std::once_flag hooked;
  std::call_once(hooked, [] { std::atexit(UnmountAllAtExit); });
  std::lock_guard<std::mutex> lock(gMountedMutex);
  if (mounted) gMounted.insert(se);
  else gMounted.erase(se);
}

Napi::Function Session::Define(Napi::Env env) {
  return DefineClass(env, "Session", {
    InstanceMethod<&Session::Mount>("mount"),
    InstanceMethod<&Session::Pause>("pause"),
    InstanceMethod<&Session::Resume>("resume"),
    InstanceMethod<&Session::Unmount>("unmount"),
    InstanceMethod<&Session::Destroy>("destroy"),
    InstanceMethod<&Session::DrainLog>("drainLog"),
    InstanceMethod<&Session::Groups>("groups"),
    InstanceMethod<&Session::Notify>("notify"),
    InstanceMethod<&Session::NotifyPoll>("notifyPoll"),
    InstanceMethod<&Session::DropPollHandle>("dropPollHandle"),
    InstanceMethod<&Session::ReplyErr>("replyErr"),
    InstanceMethod<&Session::ReplyEntry>("replyEntry"),
    InstanceMethod<&Session::ReplyCreate>("replyCreate"),
    InstanceMethod<&Session::ReplyAttr>("replyAttr"),
    InstanceMethod<&Session::ReplyReadlink>("replyReadlink"),
    InstanceMethod<&Session::ReplyOpen>("replyOpen"),
    InstanceMethod<&Session::ReplyWrite>("replyWrite"),
    InstanceMethod<&Session::TakeBack>("takeBack"),
    InstanceMethod<&Session::ReplyBuf>("replyBuf"),
    InstanceMethod<&Session::ReplyIov>("replyIov"),
    InstanceMethod<&Session::ReplyData>("replyData"),
    InstanceMethod<&Session::ReplyStatfs>("replyStatfs"),
    InstanceMethod<&Session::ReplyXattr>("replyXattr"),
    InstanceMethod<&Session::ReplyLock>("replyLock"),
    InstanceMethod<&Session::ReplyBmap>("replyBmap"),
    InstanceMethod<&Session::ReplyIoctl>("replyIoctl"),
    InstanceMethod<&Session::ReplyIoctlRetry>("replyIoctlRetry"),
    InstanceMethod<&Session::ReplyPoll>("replyPoll"),
    InstanceMethod<&Session::ReplyLseek>("replyLseek"),
  });
}

// new Session(args: string[], options: {namesAsBuffers, maxInFlight, handleKillprivV2, busyPollMicros}, onEnded: (reason) => void,
//             onJobDone: (id, errno) => void); then mount(mountpoint, handlers).
Session::Session(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Session>(info), env_(info.Env()) {
  FK_CHECK_ARGS(info.Length() == 4 && info[0].IsArray() && info[1].IsObject() && info[2].IsFunction() &&
                    info[3].IsFunction(),
                "Session(args, options, onEnded, onJobDone)");
  Napi::Array args = info[0].As<Napi::Array>();
  Napi::Object options = info[1].As<Napi::Object>();
  for (uint32_t i = 0; i < args.Length(); i++) args_.push_back(args.Get(i).As<Napi::String>().Utf8Value());
  namesAsBuffers_ = options.Get("namesAsBuffers").ToBoolean();
  maxInFlight_ = options.Get("maxInFlight").ToNumber().Uint32Value();
  handleKillprivV2_ = options.Get("handleKillprivV2").ToBoolean();
  directIoAllowMmap_ = options.Get("directIoAllowMmap").ToBoolean();
  busyPollNs_ = static_cast<int64_t>(options.Get("busyPollMicros").ToNumber().DoubleValue() * 1000);
  guardEnabled_ = options.Get("unmountGuard").ToBoolean();
  if (Napi::Value path = options.Get("fusermount"); path.IsString()) fusermount_ = path.As<Napi::String>().Utf8Value();
  onEnded_ = Napi::Persistent(info[2].As<Napi::Function>());
  onJobDone_ = Napi::Persistent(info[3].As<Napi::Function>());
  if (Napi::Value warn = options.Get("warn"); warn.IsFunction()) warn_ = Napi::Persistent(warn.As<Napi::Function>());

  Napi::ArrayBuffer scratch = Napi::ArrayBuffer::New(env_, kScratchBytes);
  scratch_ = static_cast<uint8_t*>(scratch.Data());
  scratchRef_ = Napi::Persistent(scratch.As<Napi::Object>());
  info.This().As<Napi::Object>().Set("scratch", scratch);

  resource_ = Napi::Persistent(Napi::Object::New(env_));
  napi_async_init(env_, resource_.Value(), Napi::String::New(env_, "fusekit:request"), &asyncContext_);
  Instance::Get(env_).sessions.insert(this);
}

Session::~Session() {
  UnmountAndDestroy();
  if (asyncContext_ != nullptr) napi_async_destroy(env_, asyncContext_);
  Instance::Get(env_).sessions.erase(this);
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

// What fuse_session_new said about the options it refused, in one line: libfuse logs unknown ones
// as "fuse: unknown option(s): `-o a,b'" (argv words, -o values comma-joined, commas in a value
// escaped with a backslash) and a bad value as "fuse: invalid parameter in option `max_read=x'".
static std::string OptionsProblem(const std::vector<std::string>& lines) {
  static const std::string kUnknown = "fuse: unknown option(s): `";
  static const std::string kInvalid = "fuse: invalid parameter in option `";
  std::string all;
  for (const std::string& line : lines) {
    std::string text = line.rfind("fuse: ", 0) == 0 ? line.substr(6) : line;
    if (line.rfind(kUnknown, 0) == 0 && line.size() > kUnknown.size() && line.back() == '\'') {
      std::vector<std::string> names(1);
      std::string words = line.substr(kUnknown.size(), line.size() - kUnknown.size() - 1);
      for (size_t i = 0; i < words.size(); i++) {
        char c = words[i];
        if (c == '\\' && i + 1 < words.size()) names.back() += words[++i];
        else if (c == ',' || c == ' ') names.emplace_back();
        else names.back() += c;
      }
      std::erase_if(names, [](const std::string& n) { return n.empty() || n == "-o"; });
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + (n.rfind("-o", 0) == 0 ? n.substr(2) : n);
      text = (names.size() == 1 ? "unknown mount option: " : "unknown mount options: ") + list;
    } else if (line.rfind(kInvalid, 0) == 0 && line.back() == '\'') {
      text = "invalid value in mount option: " + line.substr(kInvalid.size(), line.size() - kInvalid.size() - 1);
    }
    all += (all.empty() ? "" : "; ") + text;
  }
  return all.empty() ? "libfuse refused the options" : all;
}

// Starts the unmount guard for the mount about to be made; answers a warning when it cannot.
std::string Session::StartGuard() {
  char real[PATH_MAX];
  if (realpath(mountpoint_.c_str(), real) == nullptr) return "";  // the mount fails, and says why
  if (int err = guard_.Start(real, fusermount_); err != 0) {
    return std::string("no unmount guard (") + std::strerror(err) + "): if this process is killed, its mount stays";
  }
  return "";
}

// mount(mountpoint, handlers: (Function|undefined)[] by op code) -> warning?: mounts and starts serving.
Napi::Value Session::Mount(const Napi::CallbackInfo& info) {
  FK_CHECK_ARGS(info.Length() == 2 && info[0].IsString() && info[1].IsArray(), "mount(mountpoint, handlers)");
  if (se_ != nullptr || finished_) throw Napi::Error::New(env_, "session already mounted");
  mountpoint_ = info[0].As<Napi::String>().Utf8Value();
  Napi::Array handlers = info[1].As<Napi::Array>();
  bool implemented[OP_COUNT] = {};
  for (uint32_t i = 0; i < OP_COUNT && i < handlers.Length(); i++) {
    Napi::Value h = handlers.Get(i);
    if (h.IsFunction()) {
      handlers_[i] = Napi::Persistent(h.As<Napi::Function>());
      implemented[i] = true;
    }
  }
  ops_ = BuildOps(implemented);
  std::vector<char*> argv;
  for (auto& a : args_) argv.push_back(a.data());
  fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  fusekit::DrainLog();
  se_ = fuse_session_new(&fargs, &ops_, sizeof ops_, this);
  fuse_opt_free_args(&fargs);
  if (se_ == nullptr) ThrowError(env_, EINVAL, "fuse_session_new", OptionsProblem(fusekit::DrainLog()));
  std::string warning = guardEnabled_ ? StartGuard() : "";
  errno = 0;
  if (fuse_session_mount(se_, mountpoint_.c_str()) != 0) {
    int err = errno != 0 ? errno : EIO;
    guard_.Stop();
    std::string detail;
    for (auto& l : fusekit::DrainLog()) detail += (detail.empty() ? "" : "; ") + l;
    fuse_session_destroy(se_);
    se_ = nullptr;
    ThrowSystemError(env_, err, "mount", detail.empty() ? mountpoint_ : detail);
  }
  mounted_ = true;
  TrackMounted(se_, true);
  if (guard_.running() && !guard_.Mounted()) warning = "unmount guard: the new mount is not in /proc/self/mountinfo";
  int fd = fuse_session_fd(se_);
  if (int res = InstallIo(se_, fd); res != 0) ThrowSystemError(env_, -res, "fuse_session_custom_io");
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  uv_loop_t* loop;
  napi_get_uv_event_loop(env_, &loop);
  poll_ = new uv_poll_t;
  uv_poll_init(loop, poll_, fd);
  poll_->data = this;
  jobsAsync_ = new uv_async_t;
  uv_async_init(loop, jobsAsync_, &Session::OnJobsDone);
  jobsAsync_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(jobsAsync_));
  selfAccessAsync_ = new uv_async_t;
  uv_async_init(loop, selfAccessAsync_, &Session::OnSelfAccess);
  selfAccessAsync_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(selfAccessAsync_));
  selfAccess_.Start(fd, selfAccessAsync_);
  serving_ = true;
  StartPolling();
  // The kernel sent INIT while mounting and holds every other request until it is answered:
  // answer it now, so that the filesystem is ready when mount() returns, even to a caller that
  // goes on to use it from this very thread.
  ServeBatch();
  return warning.empty() ? env_.Undefined() : Napi::String::New(env_, warning);
}

void Session::StartPolling() {
  if (poll_ == nullptr || !serving_ || paused_) return;
  uv_poll_start(poll_, UV_READABLE | UV_DISCONNECT, &Session::OnReadable);
  selfAccess_.SetReading(true);
  // Requests the watcher kept do not make the device readable.
  if (selfAccess_.HasKept()) uv_async_send(selfAccessAsync_);
}

void Session::StopPolling() {
  selfAccess_.SetReading(false);
  if (poll_ != nullptr) uv_poll_stop(poll_);
}

void Session::OnReadable(uv_poll_t* handle, int, int) { static_cast<Session*>(handle->data)->ServeBatch(); }

void Session::OnSelfAccess(uv_async_t* handle) {
  auto* session = static_cast<Session*>(handle->data);
  if (uint64_t refused = session->selfAccess_.TakeRefused(); refused != 0 && !session->warn_.IsEmpty()) {
    Napi::HandleScope scope(session->env_);
    std::string message = "answered " + std::to_string(refused) +
                          " request(s) EDEADLK: they came from this process while it could not serve them (a synchronous "
                          "call on its own mount, or spawn with a cwd in it); a process must not wait on the filesystem it serves";
    session->warn_.MakeCallback(session->resource_.Value(), {Napi::String::New(session->env_, message)}, session->asyncContext_);
  }
  if (session->serving_ && !session->paused_ && !session->throttled_ && session->selfAccess_.HasKept()) session->ServeBatch();
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
    if (maxInFlight_ != 0 && inFlight_ >= maxInFlight_) {
      StopPolling();  // back-pressure: the kernel queues what we do not read
      throttled_ = true;
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
    if (!ProcessReceived()) {
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
bool Session::ProcessReceived() {
  NoteIds();
  fuse_session_process_buf(se_, &buf_);
  if (!interrupted_.empty()) FlushInterrupts();
  return !fuse_session_exited(se_);
}

// libfuse tells the filesystem of an INTERRUPT only for requests that registered a callback,
// which costs every request two mutexes; instead each request keeps the kernel's id, read here
// from the header, and an INTERRUPT is matched against the requests in flight. A request whose
// header is not in memory (a large write spliced through a pipe) registers libfuse's callback.
void Session::NoteIds() {
  unique_ = 0;
  if ((buf_.flags & FUSE_BUF_IS_FD) != 0 || buf_.mem == nullptr) return;
  RequestIds ids = IdsOf(buf_.mem, buf_.size);
  unique_ = ids.unique;
  if (ids.interrupts == 0) return;
  for (uint32_t i = 0; i < slots_.size(); i++) {
    const Slot& s = slots_[i];
    if (s.req != nullptr && s.unique == ids.interrupts) {
      if (!s.watched) interrupted_.push_back(i);  // a watched one is reported by libfuse's callback
      break;
    }
  }
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
  for (int served = 0; served < kBatch && serving_ && (maxInFlight_ == 0 || inFlight_ < maxInFlight_);) {
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
    bool serving = ProcessReceived();
    napi_close_callback_scope(env_, cbScope);
    if (!serving) {
      Finish();
      return;
    }
    served++;
    deadline = NowNs() + busyPollNs_;
  }
}

void Session::Finish() {
  if (finished_) return;
  finished_ = true;
  serving_ = false;
  StopPolling();
  // The kernel side is gone: nobody reads our unmount, so only forget the mount.
  mounted_ = false;
  TrackMounted(se_, false);
  guard_.Done();
  onEnded_.MakeCallback(resource_.Value(), {Napi::String::New(env_, "unmounted")}, asyncContext_);
}

static void InterruptCallback(fuse_req_t req, void* data);

uint32_t Session::Begin(fuse_req_t req) {
  const fuse_ctx* c = fuse_req_ctx(req);
  int32_t* ci = i32();
  ci[I_UID] = static_cast<int32_t>(c->uid);
  ci[I_GID] = static_cast<int32_t>(c->gid);
  ci[I_PID] = static_cast<int32_t>(c->pid);
  ci[I_UMASK] = static_cast<int32_t>(c->umask);
  ci[I_KILL_SUIDGID] = killSuidgid_ ? 1 : 0;
  uint32_t index;
  if (!freeSlots_.empty()) {
    index = freeSlots_.back();
    freeSlots_.pop_back();
  } else {
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[index];
  s.req = req;
  s.unique = unique_;
  s.watched = unique_ == 0;
  if (s.watched) fuse_req_interrupt_func(req, InterruptCallback, reinterpret_cast<void*>(static_cast<uintptr_t>(index)));
  inFlight_++;
  return index;
}

void Session::FreeSlot(uint32_t index) {
  Slot& s = slots_[index];
  s.req = nullptr;
  freeSlots_.push_back(index);
  inFlight_--;
  if (throttled_ && inFlight_ < maxInFlight_) {
    throttled_ = false;
    StartPolling();
  }
}

void Session::Refuse(uint32_t index, int err) {
  fuse_req_t req = slots_[index].req;
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
  if (index != UINT32_MAX && index < slots_.size() && slots_[index].req != nullptr) Refuse(index, EIO);
}

void Session::OnInterrupted(uint32_t slot) { interrupted_.push_back(slot); }

void Session::FlushInterrupts() {
  std::vector<uint32_t> pending;
  pending.swap(interrupted_);
  for (uint32_t slot : pending) {
    if (slot >= slots_.size() || slots_[slot].req == nullptr) continue;
    napi_value argv[1];
    napi_create_uint32(env_, slot, &argv[0]);
    Call(OP_INTERRUPT, UINT32_MAX, 1, argv);
  }
}

static void InterruptCallback(fuse_req_t req, void* data) {
  Session::From(req)->OnInterrupted(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data)));
}

// groups(slot) -> number[]: the supplementary groups of the requesting process.
Napi::Value Session::Groups(const Napi::CallbackInfo& info) {
  uint32_t index;
  Slot& s = SlotAt(info, &index);
  std::vector<gid_t> list(64);
  int n = fuse_req_getgroups(s.req, static_cast<int>(list.size()), list.data());
  if (n > static_cast<int>(list.size())) {
    list.resize(static_cast<size_t>(n));
    n = fuse_req_getgroups(s.req, n, list.data());
  }
  if (n < 0) ThrowSystemError(env_, -n, "fuse_req_getgroups");
  Napi::Array out = Napi::Array::New(env_, static_cast<size_t>(n));
  for (int i = 0; i < n; i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env_, list[static_cast<size_t>(i)]));
  return out;
}

void Session::OnInit(fuse_conn_info* conn) {
  if (!handlers_[OP_INIT]) return;
  Napi::HandleScope scope(env_);
  Napi::Object c = Napi::Object::New(env_);
  c.Set("protoMajor", conn->proto_major);
  c.Set("protoMinor", conn->proto_minor);
  c.Set("capable", conn->capable);
  c.Set("want", conn->want);
  c.Set("maxWrite", conn->max_write);
  c.Set("maxRead", conn->max_read);
  c.Set("maxReadahead", conn->max_readahead);
  c.Set("maxBackground", conn->max_background);
  c.Set("congestionThreshold", conn->congestion_threshold);
  c.Set("timeGran", conn->time_gran);
  napi_value argv[1] = {c};
  napi_value result;
  if (napi_call_function(env_, resource_.Value(), handlers_[OP_INIT].Value(), 1, argv, &result) != napi_ok) {
    napi_value exc;
    napi_get_and_clear_last_exception(env_, &exc);
    return;
  }
  Napi::Value r(env_, result);
  if (!r.IsObject()) return;
  Napi::Object o = r.As<Napi::Object>();
  auto pick = [&](const char* key, unsigned* field) {
    Napi::Value v = o.Get(key);
    if (v.IsNumber()) *field = v.As<Napi::Number>().Uint32Value();
  };
  pick("want", &conn->want);
  pick("maxWrite", &conn->max_write);
  pick("maxRead", &conn->max_read);
  pick("maxReadahead", &conn->max_readahead);
  pick("maxBackground", &conn->max_background);
  pick("congestionThreshold", &conn->congestion_threshold);
  pick("timeGran", &conn->time_gran);
  initFlags_ = KernelFlagsFor(conn->want, conn->capable, handleKillprivV2_, directIoAllowMmap_, kernelInitFlags_);
}

bool gTearingDown = false;

void Session::OnDestroy() {
  if (gTearingDown || !handlers_[OP_DESTROY]) return;
  Napi::HandleScope scope(env_);
  napi_value result;
  if (napi_call_function(env_, resource_.Value(), handlers_[OP_DESTROY].Value(), 0, nullptr, &result) != napi_ok) {
    napi_value exc;
    napi_get_and_clear_last_exception(env_, &exc);
  }
}

void Session::OnRetrieveReply(fuse_req_t req, void* cookie, fuse_ino_t ino, off_t offset, fuse_bufvec* bufv) {
  fuse_reply_none(req);
  if (!handlers_[OP_RETRIEVE_REPLY]) return;
  Napi::HandleScope scope(env_);
  size_t size = fuse_buf_size(bufv);
  napi_value buffer;
  void* data;
  napi_create_buffer(env_, size, &data, &buffer);
  fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
  dst.buf[0].mem = data;
  fuse_buf_copy(&dst, bufv, static_cast<fuse_buf_copy_flags>(0));
  napi_value argv[4] = {Num(static_cast<double>(reinterpret_cast<uintptr_t>(cookie))),
                        Num(static_cast<double>(ino)), Num(static_cast<double>(offset)), buffer};
  Call(OP_RETRIEVE_REPLY, UINT32_MAX, 4, argv);
}

Napi::Value Session::Pause(const Napi::CallbackInfo&) {
  paused_ = true;
  StopPolling();
  return env_.Undefined();
}

Napi::Value Session::Resume(const Napi::CallbackInfo&) {
  paused_ = false;
  StartPolling();
  return env_.Undefined();
}

Napi::Value Session::DrainLog(const Napi::CallbackInfo&) {
  auto lines = fusekit::DrainLog();
  Napi::Array out = Napi::Array::New(env_, lines.size());
  for (size_t i = 0; i < lines.size(); i++) out.Set(static_cast<uint32_t>(i), lines[i]);
  return out;
}

// unmount(): stops serving and detaches the mount; in-flight requests may still be answered.
Napi::Value Session::Unmount(const Napi::CallbackInfo&) {
  serving_ = false;
  StopPolling();
  if (mounted_ && se_ != nullptr) {
    mounted_ = false;
    TrackMounted(se_, false);
    fuse_session_unmount(se_);
  }
  guard_.Done();
  return env_.Undefined();
}

// destroy(): answers what is still open with EIO, then frees the libfuse session.
Napi::Value Session::Destroy(const Napi::CallbackInfo&) {
  UnmountAndDestroy();
  return env_.Undefined();
}

void Session::UnmountAndDestroy() {
  serving_ = false;
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }
  if (se_ == nullptr) return;
  if (mounted_) {
    mounted_ = false;
    TrackMounted(se_, false);
    fuse_session_unmount(se_);
  }
  guard_.Done();
  for (uint32_t i = 0; i < slots_.size(); i++) {
    if (slots_[i].req != nullptr) Refuse(i, EIO);
  }
  WaitForJobs();
  dataWorker_.Drain();
  selfAccess_.Stop();
  if (selfAccessAsync_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(selfAccessAsync_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
    selfAccessAsync_ = nullptr;
  }
  if (jobsAsync_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(jobsAsync_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
    jobsAsync_ = nullptr;
  }
  TrackMounted(se_, false);
  fuse_session_destroy(se_);
  se_ = nullptr;
  if (buf_.mem != lastRoom_) free(buf_.mem);
  buf_.mem = nullptr;
}

Slot& Session::SlotAt(const Napi::CallbackInfo& info, uint32_t* index) {
  uint32_t i = info[0].As<Napi::Number>().Uint32Value();
  if (i >= slots_.size() || slots_[i].req == nullptr) throw Napi::Error::New(env_, "request already answered");
  *index = i;
  return slots_[i];
}

fuse_req_t Session::TakeSlot(const Napi::CallbackInfo& info, uint32_t* index) {
  uint32_t i;
  fuse_req_t req = SlotAt(info, &i).req;
  FreeSlot(i);
  if (index != nullptr) *index = i;
  return req;
}

void Session::ReplyFailed(int res, const char* what) {
  // ENOENT: the request was interrupted and already answered by the kernel; others are logged.
  if (res != 0 && res != -ENOENT && res != -ENODEV && res != -ENOTCONN && res != -EBADF)
    std::fprintf(stderr, "fusekit: %s failed: %s\n", what, std::strerror(-res));
}

}  // namespace fusekit
