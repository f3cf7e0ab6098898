// The system calls PassthroughFs makes on the host, in two flavours with one shape: on
// libuv's thread pool (a slow host call delays nothing else), or synchronous on the JS thread
// (no hand-off to a pool thread and back: about twice the metadata operations per second on a
// fast local source, but one slow call stalls every request meanwhile).
import * as fs from 'node:fs';
import * as os from 'node:os';
import { getSystemErrorName, promisify } from 'node:util';
import { native } from './native.js';
const { sync: { stat: statInto, ...nativeSync }, ...nativePool } = native;
const { ENOENT } = os.constants.errno;
/**
 * Throws for a -errno of the synchronous helper: one shared error per errno, with `code` and
 * `errno` and no stack trace, as building an Error costs more than most calls (and a missing
 * xattr is asked for routinely: security.capability before writes and chowns).
 */
const failures = new Map();
function fail(errno) {
    let error = failures.get(errno);
    if (error === undefined) {
        const code = getSystemErrorName(errno);
        failures.set(errno, (error = Object.assign(new Error(code), { code, errno, stack: `Error: ${code}` })));
    }
    throw error;
}
/** The synchronous helper's calls, throwing for -errno. */
const helperSync = Object.fromEntries(Object.entries(nativeSync).map(([name, call]) => [name, (...args) => {
        const result = call(...args);
        return typeof result !== 'number' || result >= 0 ? result : fail(result);
    }]));
/**
 * Attributes from the helper's stat, read from one array the JS thread reuses: node:fs's
 * BigIntStats (14 BigInts, 4 Dates) cost more than the lstat on every lookup. Exact as they:
 * dev, ino and times stay BigInts.
 */
const st = new BigInt64Array(13);
function statSync(pathOrFd) {
    const result = statInto(pathOrFd, st);
    if (result === -ENOENT && typeof pathOrFd !== 'number')
        return undefined;
    if (result < 0)
        fail(result);
    return {
        dev: st[0], ino: st[1], mode: Number(st[2]), nlink: Number(st[3]), uid: Number(st[4]), gid: Number(st[5]),
        rdev: Number(st[6]), size: Number(st[7]), blksize: Number(st[8]), blocks: Number(st[9]),
        atimeNs: st[10], mtimeNs: st[11], ctimeNs: st[12],
    };
}
const bigint = { bigint: true };
const asBuffer = { encoding: 'buffer' };
const cb = {
    close: promisify(fs.close),
    fstat: promisify(fs.fstat),
    fsync: promisify(fs.fsync),
    fdatasync: promisify(fs.fdatasync),
    fchmod: promisify(fs.fchmod),
    fchown: promisify(fs.fchown),
    ftruncate: promisify(fs.ftruncate),
};
/** Every call on libuv's thread pool. */
export const poolHost = {
    ...nativePool,
    lstat: (path) => fs.promises.lstat(path, bigint).catch((error) => {
        if (error.code === 'ENOENT')
            return undefined;
        throw error;
    }),
    fstat: (fd) => cb.fstat(fd, bigint),
    access: (path, mode) => fs.promises.access(path, mode),
    readlink: (path) => fs.promises.readlink(path, asBuffer),
    readdir: (path) => fs.promises.readdir(path, asBuffer),
    unlink: (path) => fs.promises.unlink(path),
    rmdir: (path) => fs.promises.rmdir(path),
    link: (from, to) => fs.promises.link(from, to),
    chmod: (path, mode) => fs.promises.chmod(path, mode),
    fchmod: (fd, mode) => cb.fchmod(fd, mode),
    lchown: (path, uid, gid) => fs.promises.lchown(path, uid, gid),
    fchown: (fd, uid, gid) => cb.fchown(fd, uid, gid),
    truncate: (path, size) => fs.promises.truncate(path, size),
    ftruncate: (fd, size) => cb.ftruncate(fd, size),
    close: (fd) => cb.close(fd),
    write: (fd, data, position) => new Promise((resolve, reject) => {
        fs.write(fd, data, 0, data.length, position, (error, written) => (error ? reject(error) : resolve(written)));
    }),
    fsync: (fd, datasync) => (datasync ? cb.fdatasync(fd) : cb.fsync(fd)),
    statfs: (path) => fs.promises.statfs(path, bigint),
};
/** Every call synchronous, on the calling (JS) thread. */
export const syncHost = {
    ...helperSync,
    lstat: (path) => statSync(path),
    fstat: (fd) => statSync(fd),
    access: (path, mode) => fs.accessSync(path, mode),
    readlink: (path) => fs.readlinkSync(path, asBuffer),
    readdir: (path) => fs.readdirSync(path, asBuffer),
    unlink: (path) => fs.unlinkSync(path),
    rmdir: (path) => fs.rmdirSync(path),
    link: (from, to) => fs.linkSync(from, to),
    chmod: (path, mode) => fs.chmodSync(path, mode),
    fchmod: (fd, mode) => fs.fchmodSync(fd, mode),
    lchown: (path, uid, gid) => fs.lchownSync(path, uid, gid),
    fchown: (fd, uid, gid) => fs.fchownSync(fd, uid, gid),
    truncate: (path, size) => fs.truncateSync(path, size),
    ftruncate: (fd, size) => fs.ftruncateSync(fd, size),
    close: (fd) => fs.closeSync(fd),
    write: (fd, data, position) => fs.writeSync(fd, data, 0, data.length, position),
    fsync: (fd, datasync) => (datasync ? fs.fdatasyncSync(fd) : fs.fsyncSync(fd)),
    statfs: (path) => fs.statfsSync(path, bigint),
};
//# sourceMappingURL=host.js.map