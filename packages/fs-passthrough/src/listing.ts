// Directory listings of PassthroughFs: names and types from the host's listing, attributes for
// readdirplus only when the kernel asks.
import type { Attributes, DirectoryEntry, Result } from '@fusekit/highlevel';
import { andThen } from '@fusekit/lowlevel';
import { syncHost, type Host } from './host.js';

const SLASH = Buffer.from('/');

/** Calls `op` with the host path of a path in the mount. */
type At = <R>(path: Buffer, op: (hostPath: Buffer) => Result<R>) => Result<R>;

/**
 * Each name with its type, from the host's listing (d_type: no stat), and with synchronous host
 * calls its attributes, stat'ed only when readdirplus asks for them (as passthrough_ll does):
 * readdirplus then spares a LOOKUP per name (`rm -r`, `ls -l`, `du`). On the pool, names and
 * types only: a hand-off per name would cost more than the LOOKUPs it spares.
 */
export function listDirectory(host: Host, syncCalls: boolean, at: At, path: Buffer): Result<Iterable<DirectoryEntry<Buffer>>> {
  return andThen(
    at(path, (dir) => host.readdir(dir)),
    (listed) => {
      if (!syncCalls) return listed.map((entry): DirectoryEntry<Buffer> => ({ name: entry.name, mode: entry.type }));
      // Listable but not searchable (no x for a server that is not root): lstat throws, the name goes alone.
      const lstat = (name: Buffer) => at(Buffer.concat([path, SLASH, name]), (p) => syncHost.lstat(p)) as Attributes | undefined;
      return listed.map((entry): DirectoryEntry<Buffer> => ({ name: entry.name, mode: entry.type, attributes: () => lstat(entry.name) }));
    },
  );
}
