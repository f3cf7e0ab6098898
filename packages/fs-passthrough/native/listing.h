// Directory listings read natively: getdents64 on a host directory fd opened at opendir, each
// name encoded straight into the kernel's struct fuse_dirent (readdir), or for readdirplus into
// a record with fstatat's attributes, which JS books in its node table. No object per name.
#pragma once
#include <napi.h>

namespace passthrough {

// Adds dirOpen, dirClose and list to `exports` (and to `sync`, their synchronous flavours).
void AddListing(Napi::Env env, Napi::Object exports, Napi::Object sync);

}  // namespace passthrough
