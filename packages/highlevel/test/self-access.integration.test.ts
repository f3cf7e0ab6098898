// A path-API filesystem used from the process that serves it: detected and refused, never a hang.
import { describeSelfAccess } from '@fusekit/posix-suite';

describeSelfAccess({
  name: 'a highlevel FileSystem',
  serve: `
    import { FuseError, mount } from '@fusekit/highlevel';
    async function serve(mountpoint) {
      const files = new Map();
      const attributes = (data) => ({ mode: 0o100644, nlink: 1, size: data.length });
      return mount({
        getattr(path) {
          if (path === '/') return { mode: 0o40755, nlink: 2 };
          const data = files.get(path);
          if (data === undefined) throw new FuseError('ENOENT');
          return attributes(data);
        },
        readdir: () => [...files.keys()].map((path) => path.slice(1)),
        create(path) { files.set(path, Buffer.alloc(0)); },
        open(path) { if (!files.has(path)) throw new FuseError('ENOENT'); },
        truncate(path, size) { files.set(path, Buffer.concat([files.get(path), Buffer.alloc(size)]).subarray(0, size)); },
        read: (path, size, offset) => files.get(path).subarray(offset, offset + size),
        write(path, data, offset) {
          const old = files.get(path);
          const next = Buffer.alloc(Math.max(old.length, offset + data.length));
          old.copy(next);
          data.copy(next, offset);
          files.set(path, next);
          return data.length;
        },
      }, mountpoint);
    }
  `,
});
