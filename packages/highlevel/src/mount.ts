// Mounting a path-based FileSystem: the lowlevel session plus notify helpers that take paths.
import {
  mount as mountLowLevel,
  traceSink,
  type MountOptions as LowLevelMountOptions,
  type Session as LowLevelSession,
} from '@fusekit/lowlevel';
import { Dispatcher } from './dispatch.js';
import type { FileSystem, PathLike } from './filesystem.js';
import { bufferNames, stringNames, type Names } from './names.js';
import type { Node } from './node.js';
import type { MountOptions } from './options.js';

/**
 * A mounted path-based filesystem: the lowlevel session's controls, and notify helpers that
 * take paths (resolved against the names the kernel knows; a path the kernel has never looked
 * up has nothing cached, so there is nothing to invalidate).
 */
export class Session<P extends PathLike = string> {
  /** The lowlevel session underneath (inode-based notify calls, `inFlight` …). */
  readonly lowlevel: LowLevelSession;
  readonly #dispatcher: Dispatcher<P>;
  readonly #names: Names<P>;

  /** @internal Use {@link mount}. */
  constructor(lowlevel: LowLevelSession, dispatcher: Dispatcher<P>, names: Names<P>) {
    this.lowlevel = lowlevel;
    this.#dispatcher = dispatcher;
    this.#names = names;
  }

  get mountpoint(): string {
    return this.lowlevel.mountpoint;
  }

  /** Settles when the filesystem is gone: unmounted from outside, or {@link Session.close}d. */
  get closed(): Promise<void> {
    return this.lowlevel.closed;
  }

  /** Requests being handled right now. */
  get inFlight(): number {
    return this.lowlevel.inFlight;
  }

  /** Files the kernel currently knows (lookup count above zero, or open), the root included. */
  get nodes(): number {
    return this.#dispatcher.table.size;
  }

  /** Open files and directories. */
  get openFiles(): number {
    return this.#dispatcher.openFiles;
  }

  /** Stops serving and unmounts (see the lowlevel `Session.close`). */
  close(options: { unmount?: boolean; graceMs?: number } = {}): Promise<void> {
    return this.lowlevel.close(options);
  }

  /** Ends serving from anywhere, even inside a FileSystem method. */
  terminate(): void {
    this.lowlevel.terminate();
  }

  /** `await using session = await mount(…)`: closes (and unmounts) at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Makes the kernel forget the name `path` (and what it maps to), so the next access looks it
   * up again: for changes made to the backend behind the mount's back. Safe from a method.
   */
  async invalidatePath(path: P | string): Promise<void> {
    const found = this.#resolve(path);
    if (found?.parent === undefined) return;
    await ignoreMissing(this.lowlevel.invalidateEntry(found.parent.id, found.name));
  }

  /** Drops cached data of the file at `path` from `offset` for `length` bytes (0: to the end). */
  async invalidateData(path: P | string, offset = 0, length = 0): Promise<void> {
    const found = this.#resolve(path);
    if (found?.node === undefined) return;
    await ignoreMissing(this.lowlevel.invalidateInode(found.node.id, offset, length));
  }

  /** Drops the cached attributes of the file at `path`. */
  async invalidateAttributes(path: P | string): Promise<void> {
    const found = this.#resolve(path);
    if (found?.node === undefined) return;
    await ignoreMissing(this.lowlevel.invalidateInode(found.node.id, -1, 0));
  }

  /** Tells the kernel the file at `path` was deleted behind the mount's back (dropping it from its caches). */
  async notifyDelete(path: P | string): Promise<void> {
    const found = this.#resolve(path);
    if (found?.parent === undefined || found.node === undefined) return;
    await ignoreMissing(this.lowlevel.notifyDelete(found.parent.id, found.node.id, found.name));
  }

  /** Walks the known names from the root. */
  #resolve(path: P | string): { parent?: Node<P>; name: P; node?: Node<P> } | undefined {
    const key = this.#names.key(this.#names.coerce(path));
    const parts = key.split('/').filter((p) => p.length > 0 && p !== '.');
    const table = this.#dispatcher.table;
    let node: Node<P> | undefined = table.root;
    let parent: Node<P> | undefined;
    let name = this.#names.root;
    for (const part of parts) {
      if (node === undefined) return undefined;
      parent = node;
      const dir: Node<P> = node;
      const child: Node<P> | undefined = dir.children?.get(part);
      const link = child?.links.find((l) => l.parent === dir && l.key === part);
      name = link?.name ?? this.#names.fromKey(part);
      node = link?.hidden === true ? undefined : child;
    }
    const out: { parent?: Node<P>; name: P; node?: Node<P> } = { name };
    if (parent !== undefined) out.parent = parent;
    if (node !== undefined) out.node = node;
    return out;
  }
}

async function ignoreMissing(notify: Promise<void>): Promise<void> {
  try {
    await notify;
  } catch (error) {
    // The kernel had nothing cached for it: nothing to do.
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
}

/**
 * Mounts a path-based filesystem at `mountpoint` and starts serving it. With `namesAsBuffers`,
 * paths and names are Buffers.
 *
 * @example
 * const session = await mount({ getattr: (p) => fs.lstat(root + p, { bigint: true }) }, './mnt');
 * process.on('SIGINT', () => session.close());
 */
export function mount<FH, DH>(
  fileSystem: FileSystem<FH, DH, Buffer>,
  mountpoint: string,
  options: MountOptions & { namesAsBuffers: true },
): Promise<Session<Buffer>>;
export function mount<FH, DH>(fileSystem: FileSystem<FH, DH, string>, mountpoint: string, options?: MountOptions): Promise<Session<string>>;
// biome-ignore lint/suspicious/noExplicitAny: the overloads above carry the types
export async function mount(fileSystem: FileSystem<any, any, any>, mountpoint: string, options: MountOptions = {}): Promise<Session<any>> {
  const names = (options.namesAsBuffers === true ? bufferNames : stringNames) as Names<PathLike>;
  const dispatcher = new Dispatcher(fileSystem, names, options);
  const lowOptions: LowLevelMountOptions = { ...options };
  if (options.readdirplus === true) lowOptions.capabilities = { ...options.capabilities, readdirplusAuto: false };
  // Trace records get the path of what they are about, as far as the names the kernel knows say.
  const sink = traceSink(options.trace);
  if (sink !== undefined) {
    lowOptions.trace = (record) => {
      const path = dispatcher.pathOf(record.ino, record.name);
      if (path !== undefined) record.path = path;
      sink(record);
    };
  }
  const lowlevel = await mountLowLevel(dispatcher.operations(), mountpoint, lowOptions);
  return new Session(lowlevel, dispatcher, names);
}
