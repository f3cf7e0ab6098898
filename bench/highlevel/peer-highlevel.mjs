// The highlevel peer: the same tree served by @fusekit/highlevel (built package), by path.
// usage: node peer-highlevel.mjs <mountpoint>   (prints "ready"; SIGTERM or end of stdin unmounts)
import { FuseError, mount } from '@fusekit/highlevel';
import { LONG, nodes } from './tree.mjs';
import { serve } from './serve.mjs';

const attrs = new Map(nodes().map((n) => [n.path, n.attr]));

await serve((mountpoint) =>
  mount(
    {
      getattr(path) {
        const attr = attrs.get(path);
        if (attr === undefined) throw new FuseError('ENOENT');
        return attr;
      },
    },
    mountpoint,
    { entryTimeout: LONG, autoUnmount: true, fsname: 'fusekit-bench-hl' },
  ),
);
