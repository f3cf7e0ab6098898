// mount-options.ts — mounting with explicit options and capability choices.
import { constants, defaultOptions, mount } from '@fusekit/lowlevel';
import type { Operations, Session } from '@fusekit/lowlevel';

export function mountTuned(ops: Operations, mountpoint: string): Promise<Session> {
  const init: Operations['init'] = (conn) => {
    // The options below have chosen already; init sees the result and may
    // refine it (conn.want, conn.maxWrite …).
    const on = (bit = 0) => ((conn.want & bit) !== 0 ? 'on' : 'off');
    console.log(
      `protocol ${conn.protoMajor}.${conn.protoMinor},`,
      `writeback cache ${on(constants.FUSE_CAP_WRITEBACK_CACHE)},`,
      `max_write ${conn.maxWrite}`,
    );
    ops.init?.(conn);
  };
  return mount({ ...ops, init }, mountpoint, {
    options: [...defaultOptions, 'noatime'], // libfuse -o options
    fsname: 'notes', // the "device" column of /proc/mounts
    subtype: 'notes', // the type shows as fuse.notes
    autoUnmount: true, // unmounted even if this process is killed
    attrTimeout: 5, // seconds the kernel trusts attributes
    entryTimeout: 5, // seconds the kernel trusts name lookups
    maxInFlight: 256, // back-pressure: at most 256 requests at once
    capabilities: { writebackCache: true, maxWrite: 1024 * 1024 },
    logger: {
      error: (message, error) => console.error(`notes: ${message}`, error),
      warn: (message) => console.warn(`notes: ${message}`),
    },
  });
}
