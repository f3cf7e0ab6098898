// mount-options.ts — mounting with explicit options and capability choices.
import { constants, defaultOptions, mount, type Operations, type Session } from '@fusekit/lowlevel';

export function mountTuned(ops: Operations, mountpoint: string): Promise<Session> {
  return mount(
    {
      ...ops,
      init(conn) {
        // The session options below have already chosen; init sees the result and may refine it.
        const wanted = (bit = 0) => (conn.want & bit) !== 0;
        console.log(`kernel protocol ${conn.protoMajor}.${conn.protoMinor},`,
          `writeback cache ${wanted(constants.FUSE_CAP_WRITEBACK_CACHE) ? 'on' : 'off'}, max_write ${conn.maxWrite}`);
        ops.init?.(conn);
      },
    },
    mountpoint,
    {
      options: [...defaultOptions, 'noatime'], // libfuse -o options; keep default_permissions
      fsname: 'notes', // the "device" column of /proc/mounts
      subtype: 'notes', // the type shows as fuse.notes
      autoUnmount: true, // unmounted even if this process is killed
      attrTimeout: 5, // seconds the kernel trusts attributes
      entryTimeout: 5, // seconds the kernel trusts name lookups
      maxInFlight: 256, // back-pressure: at most 256 requests being handled
      capabilities: { writebackCache: true, maxWrite: 1024 * 1024 },
      logger: {
        error: (message, error) => console.error(`notes: ${message}`, error),
        warn: (message) => console.warn(`notes: ${message}`),
      },
    },
  );
}
