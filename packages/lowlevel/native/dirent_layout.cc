// The kernel's directory entry structs, from <linux/fuse.h>: kept apart from libfuse's headers,
// which define some of the same names. src/dirents.ts encodes listings with these offsets.
#include <linux/fuse.h>
#include <napi.h>
#include <cstddef>

namespace fusekit {

void SetDirentLayout(Napi::Object o) {
  Napi::Env env = o.Env();
  // Byte offsets of the kernel's directory entry structs, which src/dirents.ts encodes in JS
  // (struct fuse_dirent, and struct fuse_direntplus: a fuse_entry_out, then the fuse_dirent).
#define FK_OFF(name, type, member) o.Set(#name, Napi::Number::New(env, static_cast<double>(offsetof(type, member))))
  FK_OFF(D_INO, fuse_dirent, ino);
  FK_OFF(D_OFF, fuse_dirent, off);
  FK_OFF(D_NAMELEN, fuse_dirent, namelen);
  FK_OFF(D_TYPE, fuse_dirent, type);
  FK_OFF(D_NAME, fuse_dirent, name);
  FK_OFF(DP_DIRENT, fuse_direntplus, dirent);
  FK_OFF(E_NODEID, fuse_entry_out, nodeid);
  FK_OFF(E_GENERATION, fuse_entry_out, generation);
  FK_OFF(E_ENTRY_VALID, fuse_entry_out, entry_valid);
  FK_OFF(E_ATTR_VALID, fuse_entry_out, attr_valid);
  FK_OFF(E_ENTRY_VALID_NSEC, fuse_entry_out, entry_valid_nsec);
  FK_OFF(E_ATTR_VALID_NSEC, fuse_entry_out, attr_valid_nsec);
  FK_OFF(E_ATTR, fuse_entry_out, attr);
  FK_OFF(A_INO, fuse_attr, ino);
  FK_OFF(A_SIZE, fuse_attr, size);
  FK_OFF(A_BLOCKS, fuse_attr, blocks);
  FK_OFF(A_ATIME, fuse_attr, atime);
  FK_OFF(A_MTIME, fuse_attr, mtime);
  FK_OFF(A_CTIME, fuse_attr, ctime);
  FK_OFF(A_ATIMENSEC, fuse_attr, atimensec);
  FK_OFF(A_MTIMENSEC, fuse_attr, mtimensec);
  FK_OFF(A_CTIMENSEC, fuse_attr, ctimensec);
  FK_OFF(A_MODE, fuse_attr, mode);
  FK_OFF(A_NLINK, fuse_attr, nlink);
  FK_OFF(A_UID, fuse_attr, uid);
  FK_OFF(A_GID, fuse_attr, gid);
  FK_OFF(A_RDEV, fuse_attr, rdev);
  FK_OFF(A_BLKSIZE, fuse_attr, blksize);
  FK_OFF(A_FLAGS, fuse_attr, flags);
#undef FK_OFF
}

}  // namespace fusekit
