#!/usr/bin/python3
"""The pyfuse3 peer of fusekit's low-level benchmark (run with Debian's /usr/bin/python3).

Serves what every peer serves: the root directory and one 1 GiB file `data` whose byte at
offset o is (o & 0xff), answered from memory, zero attr/entry timeouts, opened with direct_io.

usage: bench_fs.py <mountpoint>     (prints "ready" once mounted; SIGINT/SIGTERM unmount,
                                     and SIGTERM comes when the parent dies)
"""
import ctypes
import errno
import os
import signal
import stat
import sys

import pyfuse3
import trio

FILE_SIZE = 1 << 30
MAX_READ = 1 << 20
NAME = b'data'
# The pattern repeats every 256 bytes, so any read is one slice of this buffer.
PATTERN = memoryview(bytes(i & 0xFF for i in range(256)) * ((MAX_READ + 256) // 256))


def attributes(ino):
    a = pyfuse3.EntryAttributes()
    a.st_ino = ino
    a.attr_timeout = 0
    a.entry_timeout = 0
    if ino == pyfuse3.ROOT_INODE:
        a.st_mode = stat.S_IFDIR | 0o755
        a.st_nlink = 2
    else:
        a.st_mode = stat.S_IFREG | 0o444
        a.st_nlink = 1
        a.st_size = FILE_SIZE
    return a


ROOT = attributes(pyfuse3.ROOT_INODE)
FILE = attributes(2)


class BenchFs(pyfuse3.Operations):
    async def lookup(self, parent_inode, name, ctx=None):
        if parent_inode == pyfuse3.ROOT_INODE and name == NAME:
            return FILE
        raise pyfuse3.FUSEError(errno.ENOENT)

    async def getattr(self, inode, ctx=None):
        if inode == pyfuse3.ROOT_INODE:
            return ROOT
        if inode == 2:
            return FILE
        raise pyfuse3.FUSEError(errno.ENOENT)

    async def opendir(self, inode, ctx):
        if inode != pyfuse3.ROOT_INODE:
            raise pyfuse3.FUSEError(errno.ENOTDIR)
        return inode

    async def readdir(self, fh, start_id, token):
        if start_id == 0:
            pyfuse3.readdir_reply(token, NAME, FILE, 1)

    async def open(self, inode, flags, ctx):
        if inode != 2:
            raise pyfuse3.FUSEError(errno.EISDIR)
        if flags & os.O_ACCMODE != os.O_RDONLY:
            raise pyfuse3.FUSEError(errno.EACCES)
        return pyfuse3.FileInfo(fh=inode, direct_io=True)

    async def read(self, fh, off, size):
        if off >= FILE_SIZE:
            return b''
        size = min(size, FILE_SIZE - off, MAX_READ)
        start = off & 0xFF
        return PATTERN[start:start + size]


async def serve():
    async with trio.open_nursery() as nursery:
        async def stop_on_signal():
            with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    pyfuse3.terminate()
                    return
        nursery.start_soon(stop_on_signal)
        await pyfuse3.main()
        nursery.cancel_scope.cancel()


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: bench_fs.py <mountpoint>')
    # The bench may be killed outright: then SIGTERM unmounts, as Ctrl-C does (PR_SET_PDEATHSIG).
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    if os.getppid() == 1:
        sys.exit('bench_fs.py: parent is gone')
    options = set(pyfuse3.default_options)
    options.add('fsname=pyfuse3-bench')
    options.add('auto_unmount')
    pyfuse3.init(BenchFs(), sys.argv[1], options)
    print('ready', flush=True)
    try:
        trio.run(serve)
    finally:
        pyfuse3.close(unmount=True)


if __name__ == '__main__':
    main()
