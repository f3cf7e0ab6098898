// Kernel passthrough (protocol 7.40): backing files registered on the session's /dev/fuse fd,
// as libfuse 3.17's fuse_passthrough_open/close do. The ioctls only take a reference on the
// file and allocate an id, so they run on the JS thread.
#include <sys/ioctl.h>
#include <cerrno>
#include "errors.h"
#include "protocol_ext.h"
#include "session.h"

namespace fusekit {

// backingOpen(fd) -> backing id (> 0); throws with the kernel's errno.
Napi::Value Session::BackingOpen(const Napi::CallbackInfo& info) {
  FK_CHECK_ARGS(info.Length() >= 1 && info[0].IsNumber(), "backingOpen(fd)");
  if (se_ == nullptr) ThrowError(env_, EBADF, "FUSE_DEV_IOC_BACKING_OPEN", "the session is not mounted");
  fuse_backing_map map{};
  map.fd = info[0].As<Napi::Number>().Int32Value();
  int id = ioctl(fuse_session_fd(se_), FUSE_DEV_IOC_BACKING_OPEN, &map);
  if (id < 0) ThrowSystemError(env_, errno, "FUSE_DEV_IOC_BACKING_OPEN");
  return Napi::Number::New(env_, id);
}

// backingClose(id); throws with the kernel's errno.
Napi::Value Session::BackingClose(const Napi::CallbackInfo& info) {
  FK_CHECK_ARGS(info.Length() >= 1 && info[0].IsNumber(), "backingClose(id)");
  if (se_ == nullptr) ThrowError(env_, EBADF, "FUSE_DEV_IOC_BACKING_CLOSE", "the session is not mounted");
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  if (ioctl(fuse_session_fd(se_), FUSE_DEV_IOC_BACKING_CLOSE, &id) < 0)
    ThrowSystemError(env_, errno, "FUSE_DEV_IOC_BACKING_CLOSE");
  return env_.Undefined();
}

// passthroughDepth() -> the max_stack_depth negotiated at INIT, 0 when passthrough is off.
Napi::Value Session::PassthroughDepthJs(const Napi::CallbackInfo&) {
  return Napi::Number::New(env_, passthroughDepth_.load());
}

}  // namespace fusekit
