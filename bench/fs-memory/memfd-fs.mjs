#!/usr/bin/env node
// The memfd experiment of issue 20 (deliverable 4), as a bench target: an in-memory filesystem
// whose file data lives in anonymous shmem files (O_TMPFILE on /dev/shm, what memfd_create makes)
// registered as kernel-passthrough backing files, while names and metadata stay in JavaScript.
// Reads, writes and mmap then run in the kernel at tmpfs speed. A prototype to measure the data
// path against fusekit-memory and tmpfs, not a complete filesystem: one flat directory, regular
// files only, size/blocks/mtime/ctime read from the shmem file. Needs root (CAP_SYS_ADMIN).
//
//   node bench/fs-memory/memfd-fs.mjs <mountpoint>
import { closeSync, fstatSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const { mount, FuseError } = await import(join(root, 'packages/lowlevel/dist/index.js'));
const O_TMPFILE = 0o20200000;
const O_RDWR = 2;
const S_IFREG = 0o100000;
const ns = (ms) => BigInt(Math.round(ms * 1e6));

const names = new Map(); // name → ino
const inodes = new Map(); // ino → { fd, mode, uid, gid, nlink, lookups, opens, backingId }
let next = 2;

function attr(ino) {
  if (ino === 1) return { ino: 1, mode: 0o40777, nlink: 2 };
  const n = inodes.get(ino);
  if (n === undefined) throw new FuseError('ENOENT');
  const st = fstatSync(n.fd);
  return {
    ino,
    mode: n.mode,
    nlink: n.nlink,
    uid: n.uid,
    gid: n.gid,
    size: st.size,
    blocks: st.blocks,
    atimeNs: ns(st.atimeMs),
    mtimeNs: ns(st.mtimeMs),
    ctimeNs: ns(st.ctimeMs),
  };
}

function drop(ino) {
  const n = inodes.get(ino);
  if (n !== undefined && n.nlink === 0 && n.lookups === 0 && n.opens === 0) {
    closeSync(n.fd);
    inodes.delete(ino);
  }
}

// One backing id per inode while it is open (the kernel wants every open of it to name one).
function opened(ino, ctx) {
  const n = inodes.get(ino);
  if (n.opens++ === 0) n.backingId = ctx.backingOpen(n.fd);
  return { backingId: n.backingId };
}

const ops = {
  lookup(parent, name) {
    const ino = parent === 1 ? names.get(name) : undefined;
    if (ino === undefined) throw new FuseError('ENOENT');
    inodes.get(ino).lookups++;
    return attr(ino);
  },
  forget(ino, count) {
    const n = inodes.get(ino);
    if (n === undefined) return;
    n.lookups -= count;
    drop(ino);
  },
  getattr: (ino) => attr(ino),
  setattr(ino, changes) {
    const n = inodes.get(ino);
    if (n === undefined) throw new FuseError('ENOENT');
    if (changes.size !== undefined) ftruncateSync(n.fd, changes.size);
    if (changes.mode !== undefined) n.mode = S_IFREG | (changes.mode & 0o7777);
    if (changes.uid !== undefined) n.uid = changes.uid;
    if (changes.gid !== undefined) n.gid = changes.gid;
    return attr(ino);
  },
  create(parent, name, mode, _flags, ctx) {
    if (parent !== 1) throw new FuseError('ENOENT');
    if (names.has(name)) throw new FuseError('EEXIST');
    const ino = next++;
    inodes.set(ino, {
      fd: openSync('/dev/shm', O_TMPFILE | O_RDWR, 0o600),
      mode: S_IFREG | (mode & 0o7777),
      uid: ctx.uid,
      gid: ctx.gid,
      nlink: 1,
      lookups: 1,
      opens: 0,
    });
    names.set(name, ino);
    return { ...attr(ino), ...opened(ino, ctx) };
  },
  open(ino, flags, ctx) {
    if (flags & 0o1000) ftruncateSync(inodes.get(ino).fd, 0); // O_TRUNC
    return opened(ino, ctx);
  },
  release(ino, _fh, _flags, _owner, ctx) {
    const n = inodes.get(ino);
    if (--n.opens === 0) ctx.backingClose(n.backingId);
    drop(ino);
  },
  unlink(parent, name) {
    const ino = parent === 1 ? names.get(name) : undefined;
    if (ino === undefined) throw new FuseError('ENOENT');
    names.delete(name);
    inodes.get(ino).nlink = 0;
    drop(ino);
  },
  readdir(_ino, offset, _fh, dir) {
    const list = [...names];
    for (let i = offset; i < list.length; i++) if (!dir.add(list[i][0], { ino: list[i][1], mode: S_IFREG }, i + 1)) break;
  },
  statfs: () => ({
    bsize: 4096,
    frsize: 4096,
    blocks: 1 << 20,
    bfree: 1 << 20,
    bavail: 1 << 20,
    files: 1 << 20,
    ffree: 1 << 20,
    namemax: 255,
  }),
  fsync() {},
  flush() {},
};

const session = await mount(ops, process.argv[2], { capabilities: { passthrough: true }, attrTimeout: 1, entryTimeout: 1 });
await session.initialized;
if (!session.passthrough) {
  console.error(`memfd-fs: kernel passthrough is not available: ${session.passthroughOffReason}`);
  await session.close();
  process.exit(1);
}
const stop = () => void session.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
