// notes-fs.ts — a flat, writable in-memory directory on the inode API. It
// shows the bookkeeping a low-level filesystem owns: lookup counts and forget,
// deferred unlink, generation numbers for reused inode numbers, and readdir
// offsets that stay valid while entries come and go.
import { FuseError, type Attr, type Entry, type Operations } from '@fusekit/lowlevel';

const ROOT = 1;
const S_IFREG = 0o100000;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

interface Inode {
  attr: Attr & { ino: number; nlink: number; size: number };
  generation: number;
  data: Buffer;
  lookups: number; // the kernel's references: +1 per entry sent, -n per forget
}

export function createNotesFs() {
  const root: Attr = { ino: ROOT, mode: 0o040777, nlink: 2 };
  const inodes = new Map<number, Inode>();
  // name → inode and readdir cookie, kept in cookie order
  const names = new Map<string, { ino: number; cookie: number }>();
  const freeInos: number[] = []; // forgotten numbers, reused with a new generation
  const generations = new Map<number, number>();
  let nextIno = 2;
  let nextCookie = 1;

  // #region lookup-counts
  const entry = (node: Inode): Entry => {
    node.lookups++; // every entry the kernel receives is one more reference
    return { ...node.attr, generation: node.generation };
  };
  const get = (ino: number): Inode => {
    const node = inodes.get(ino);
    if (node === undefined) throw new FuseError('ENOENT');
    return node;
  };
  const maybeFree = (node: Inode) => {
    // Unlinked and forgotten: only now may the inode (and its number) go.
    if (node.attr.nlink === 0 && node.lookups === 0) {
      inodes.delete(node.attr.ino);
      freeInos.push(node.attr.ino);
    }
  };
  // #endregion lookup-counts

  const ops: Operations = {
    // #region lookup-forget
    lookup(parent, name) {
      const hit = parent === ROOT ? names.get(String(name)) : undefined;
      if (hit === undefined) throw new FuseError('ENOENT');
      return entry(get(hit.ino));
    },
    forget(ino, nlookup) {
      const node = inodes.get(ino);
      if (node === undefined) return;
      node.lookups -= nlookup;
      maybeFree(node);
    },
    // #endregion lookup-forget
    getattr: (ino) => (ino === ROOT ? root : get(ino).attr),
    setattr(ino, changes) {
      const node = get(ino);
      if (changes.size !== undefined) {
        const data = Buffer.alloc(changes.size);
        node.data.copy(data, 0, 0, Math.min(changes.size, node.data.length));
        node.data = data;
        node.attr.size = changes.size;
      }
      if (changes.mode !== undefined) {
        node.attr.mode = S_IFREG | (changes.mode & 0o7777);
      }
      if (changes.mtimeNs !== undefined) {
        node.attr.mtimeNs = changes.mtimeNs === 'now' ? nowNs() : changes.mtimeNs;
      }
      node.attr.ctimeNs = nowNs();
      return node.attr;
    },
    create(parent, name, mode, _flags, ctx) {
      if (parent !== ROOT) throw new FuseError('ENOENT');
      if (names.has(String(name))) throw new FuseError('EEXIST');
      // #region generation
      const ino = freeInos.pop() ?? nextIno++;
      // The same number for a new file: a new generation.
      const generation = (generations.get(ino) ?? 0) + 1;
      generations.set(ino, generation);
      // #endregion generation
      const t = nowNs();
      const node: Inode = {
        attr: {
          ino,
          mode: S_IFREG | (mode & 0o7777),
          nlink: 1,
          size: 0,
          uid: ctx.uid,
          gid: ctx.gid,
          atimeNs: t,
          mtimeNs: t,
          ctimeNs: t,
        },
        generation,
        data: Buffer.alloc(0),
        lookups: 0,
      };
      inodes.set(ino, node);
      names.set(String(name), { ino, cookie: nextCookie++ });
      return { ...entry(node), fh: 0 };
    },
    read(ino, size, offset) {
      return get(ino).data.subarray(offset, offset + size);
    },
    write(ino, data, offset) {
      const node = get(ino);
      const end = offset + data.length;
      if (end > node.data.length) {
        const grown = Buffer.alloc(end);
        node.data.copy(grown);
        node.data = grown;
      }
      data.copy(node.data, offset);
      node.attr.size = node.data.length;
      node.attr.mtimeNs = node.attr.ctimeNs = nowNs();
      return data.length;
    },
    // #region unlink
    unlink(parent, name) {
      const hit = parent === ROOT ? names.get(String(name)) : undefined;
      if (hit === undefined) throw new FuseError('ENOENT');
      names.delete(String(name));
      const node = get(hit.ino);
      node.attr.nlink = 0; // the name is gone; open files keep it until forget
      maybeFree(node);
    },
    // #endregion unlink
    // #region readdir
    readdir(ino, offset, _fh, dir) {
      if (ino !== ROOT) throw new FuseError('ENOTDIR');
      // Offsets are per-entry cookies, not positions: removing an entry
      // cannot shift the ones after it.
      if (offset < 1 && !dir.add('.', root, 1)) return;
      if (offset < 2 && !dir.add('..', root, 2)) return;
      for (const [name, { ino: child, cookie }] of names) {
        if (cookie + 2 <= offset) continue;
        if (!dir.add(name, get(child).attr, cookie + 2)) return;
      }
    },
    // #endregion readdir
  };

  /** How many inodes are alive (for tests and curious readers). */
  const inodeCount = () => inodes.size;
  return { ops, inodeCount };
}
