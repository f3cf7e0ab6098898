import * as fs from 'node:fs';
import type { Attributes } from '@fusekit/highlevel';
import { type NativeHelper } from './native.js';
type MaybePromise<T> = T | Promise<T>;
/** The native helper's calls, answering now or later. */
type Helper = {
    [K in keyof NativeHelper]: NativeHelper[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => MaybePromise<R> : never;
};
/** The host system calls, by path (Buffer) or file descriptor: node:fs's, and the native helper's. */
export interface Host extends Helper {
    /** lstat, or undefined if nothing is there (a lookup of a missing name is common, and cheap). */
    lstat(path: Buffer): MaybePromise<Attributes | undefined>;
    fstat(fd: number): MaybePromise<Attributes>;
    access(path: Buffer, mode: number): MaybePromise<void>;
    readlink(path: Buffer): MaybePromise<Buffer>;
    readdir(path: Buffer): MaybePromise<Buffer[]>;
    unlink(path: Buffer): MaybePromise<void>;
    rmdir(path: Buffer): MaybePromise<void>;
    link(from: Buffer, to: Buffer): MaybePromise<void>;
    chmod(path: Buffer, mode: number): MaybePromise<void>;
    fchmod(fd: number, mode: number): MaybePromise<void>;
    lchown(path: Buffer, uid: number, gid: number): MaybePromise<void>;
    fchown(fd: number, uid: number, gid: number): MaybePromise<void>;
    truncate(path: Buffer, size: number): MaybePromise<void>;
    ftruncate(fd: number, size: number): MaybePromise<void>;
    close(fd: number): MaybePromise<void>;
    write(fd: number, data: Buffer, position: number): MaybePromise<number>;
    fsync(fd: number, datasync: boolean): MaybePromise<void>;
    statfs(path: Buffer): MaybePromise<fs.BigIntStatsFs>;
}
/** Every call on libuv's thread pool. */
export declare const poolHost: Host;
/** Every call synchronous, on the calling (JS) thread. */
export declare const syncHost: Host;
export {};
//# sourceMappingURL=host.d.ts.map