#include "session.h"
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <set>
#include "errors.h"
#include "io.h"
#include "instance.h"
#include "log.h"
#include "notify.h"
#include "ops.h"

namespace fusekit {

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
  return DefineClass(env, "Session",
                     {
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
                         InstanceMethod<&Session::ReplyStatx>("replyStatx"),
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
                         InstanceMethod<&Session::BackingOpen>("backingOpen"),
                         InstanceMethod<&Session::BackingClose>("backingClose"),
                         InstanceMethod<&Session::PassthroughDepthJs>("passthroughDepth"),
                     });
}

// new Session(args: string[], options: {namesAsBuffers, maxInFlight, handleKillprivV2, busyPollMicros}, onEnded:
// (reason) => void,
//             onJobDone: (id, errno) => void); then mount(mountpoint, handlers).
Session::Session(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Session>(info), env_(info.Env()) {
  FK_CHECK_ARGS(
      info.Length() == 4 && info[0].IsArray() && info[1].IsObject() && info[2].IsFunction() && info[3].IsFunction(),
      "Session(args, options, onEnded, onJobDone)");
  Napi::Array args = info[0].As<Napi::Array>();
  Napi::Object options = info[1].As<Napi::Object>();
  for (uint32_t i = 0; i < args.Length(); i++) args_.push_back(args.Get(i).As<Napi::String>().Utf8Value());
  namesAsBuffers_ = options.Get("namesAsBuffers").ToBoolean();
  slots_.SetMax(options.Get("maxInFlight").ToNumber().Uint32Value());
  extraWants_.killprivV2 = options.Get("handleKillprivV2").ToBoolean();
  extraWants_.directIoAllowMmap = options.Get("directIoAllowMmap").ToBoolean();
  busyPollNs_ = static_cast<int64_t>(options.Get("busyPollMicros").ToNumber().DoubleValue() * 1000);
  guardEnabled_ = options.Get("unmountGuard").ToBoolean();
  if (Napi::Value t = options.Get("transport"); t.IsString()) {
    std::string name = t.As<Napi::String>().Utf8Value();
    transportWanted_ = name == "io_uring" ? 1 : name == "auto" ? 2 : 0;
  }
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
  if (transportWanted_ != 0) {
    // The ring exists before INIT is answered: only then is FUSE_OVER_IO_URING asked for.
    std::string why = UringTransport::Unavailable();
    // A fuseblk unmount sends DESTROY and waits for it; over the ring that request is delivered
    // by the unmounting thread itself, which then never returns (nor dies: kernel 6.18).
    for (const std::string& a : args_) {
      if (why.empty() && a.find("blkdev") != std::string::npos)
        why =
            "FUSE over io_uring cannot serve a fuseblk (blkdev) mount: its unmount would wait forever on a "
            "request only the unmounting thread can receive; use transport 'dev_fuse'";
    }
    int err = why.empty() ? 0 : EOPNOTSUPP;
    if (err == 0) {
      uring_ = std::make_unique<UringTransport>();
      if ((err = uring_->Create(fd, &why)) != 0) uring_.reset();
    }
    if (err != 0 && transportWanted_ == 1) {
      UnmountAndDestroy();
      ThrowError(env_, err, "io_uring", why);
    }
    transportNote_ = why;
  }
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
  if (uring_ != nullptr) {
    std::string why = StartRing();
    if (!why.empty() && transportWanted_ == 1) {
      UnmountAndDestroy();
      ThrowError(env_, EOPNOTSUPP, "io_uring", why);
    }
    transportNote_ = why;
  }
  info.This().As<Napi::Object>().Set("transport", uring_ != nullptr ? "io_uring" : "dev_fuse");
  info.This().As<Napi::Object>().Set("transportNote", transportNote_);
  return warning.empty() ? env_.Undefined() : Napi::String::New(env_, warning);
}

// Registers the ring's entries once INIT is answered; "" or why the ring is not used (then
// /dev/fuse carries everything: a refused registration turns the kernel's io_uring mode off).
std::string Session::StartRing() {
  std::string why;
  if ((kernelInitFlags_ & FUSE_OVER_IO_URING) == 0 || initMaxWrite_ == 0) {
    why = "the kernel did not offer FUSE over io_uring at INIT (FUSE_OVER_IO_URING)";
  } else {
    uv_loop_t* loop;
    napi_get_uv_event_loop(env_, &loop);
    if (uring_->Register(initMaxWrite_, initMaxPages_, loop, &Session::OnRingReadable, this, &why) == 0) {
      if (serving_ && !paused_) uring_->Watch(true);
      return "";
    }
  }
  uring_.reset();
  return why;
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

// groups(slot) -> number[]: the supplementary groups of the requesting process.
Napi::Value Session::Groups(const Napi::CallbackInfo& info) {
  uint32_t index;
  fuse_req_t req = SlotAt(info, &index);
  std::vector<gid_t> list(64);
  int n = fuse_req_getgroups(req, static_cast<int>(list.size()), list.data());
  if (n > static_cast<int>(list.size())) {
    list.resize(static_cast<size_t>(n));
    n = fuse_req_getgroups(req, n, list.data());
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
  c.Set("passthroughOffered", (kernelInitFlags_ & FUSE_PASSTHROUGH) != 0);
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
  uint32_t depth = 0;
  if (Napi::Value v = o.Get("passthroughDepth"); v.IsNumber()) depth = v.As<Napi::Number>().Uint32Value();
  extraWants_.passthroughDepth = std::min(depth, protocol::kFilesystemMaxStackDepth);
  extraWants_.overIoUring = uring_ != nullptr;
  uint64_t flags = KernelFlagsFor(conn->want, conn->capable, extraWants_, kernelInitFlags_);
  passthroughDepth_ = (flags & FUSE_PASSTHROUGH) != 0 ? extraWants_.passthroughDepth : 0;
  initFlags_ = flags;
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
  napi_value argv[4] = {Num(static_cast<double>(reinterpret_cast<uintptr_t>(cookie))), Num(static_cast<double>(ino)),
                        Num(static_cast<double>(offset)), buffer};
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
    if (slots_.Live(i) != nullptr) Refuse(i, EIO);
  }
  WaitForJobs();
  dataWorker_.Drain();
  selfAccess_.Stop();
  if (selfAccessAsync_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(selfAccessAsync_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
    selfAccessAsync_ = nullptr;
  }
  if (jobsAsync_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(jobsAsync_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
    jobsAsync_ = nullptr;
  }
  uring_.reset();  // before the session's fd closes: the ring holds it
  TrackMounted(se_, false);
  fuse_session_destroy(se_);
  se_ = nullptr;
  if (buf_.mem != lastRoom_) free(buf_.mem);
  buf_.mem = nullptr;
}

fuse_req_t Session::SlotAt(const Napi::CallbackInfo& info, uint32_t* index) {
  uint32_t i = info[0].As<Napi::Number>().Uint32Value();
  fuse_req_t req = slots_.Live(i);
  if (req == nullptr) throw Napi::Error::New(env_, "request already answered");
  *index = i;
  return req;
}

fuse_req_t Session::TakeSlot(const Napi::CallbackInfo& info, uint32_t* index) {
  uint32_t i;
  fuse_req_t req = SlotAt(info, &i);
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
