// libfuse and kernel constants that TS needs (capability bits, setattr bits, ioctl flags...),
// read from the installed headers so they can never drift.
#pragma once
#include <napi.h>

namespace fusekit {
Napi::Object ConstantsObject(Napi::Env env);
}
