// The lowlevel peer: the tree of tree.mjs served by @fusekit/lowlevel (built package), inodes by hand.
// usage: node peer-lowlevel.mjs <mountpoint>   (prints "ready"; SIGTERM or end of stdin unmounts)
import { FuseError, mount } from '@fusekit/lowlevel';
import { LONG, nodes } from './tree.mjs';
import { serve } from './serve.mjs';

const byPath = new Map();
const byIno = [];
for (const [i, n] of nodes().entries()) {
  const node = { ino: i + 1, attr: { ...n.attr, ino: i + 1 }, children: new Map() };
  node.entry = { ...node.attr, entryTimeout: LONG };
  byPath.set(n.path, node);
  byIno[node.ino] = node;
  if (n.parent !== undefined) byPath.get(n.parent).children.set(n.name, node);
}

await serve((mountpoint) =>
  mount(
    {
      lookup(parent, name) {
        const child = byIno[parent]?.children.get(name);
        if (child === undefined) throw new FuseError('ENOENT');
        return child.entry;
      },
      getattr(ino) {
        const node = byIno[ino];
        if (node === undefined) throw new FuseError('ENOENT');
        return node.attr;
      },
    },
    mountpoint,
    { entryTimeout: LONG, autoUnmount: true, fsname: 'fusekit-bench-hl' },
  ),
);
