// The shared POSIX conformance suite, against fusekit-passthrough over a tmpfs host directory:
// each case's syscalls through the mount must give what they give on tmpfs itself, in every
// cache mode, with host calls on the JS thread (the default for a tmpfs) and on the pool, with
// kernel passthrough (the default as root) and without.
import { definePosixSuite } from '@fusekit/posix-suite';
import { startPassthroughFs } from './cli-path.js';

// Not (yet) in fusekit-passthrough: O_TMPFILE, and a birth time (its host stat reports none).
const notImplemented = {
  'O_TMPFILE files, then linkat from /proc/self/fd': 'fusekit-passthrough has no tmpfile handler (EOPNOTSUPP)',
  'statx birth time: set once, kept through changes, renames and links': "the host helper's stat reports no birth time",
};

for (const args of [
  ['--cache=auto'],
  ['--cache=always'],
  ['--cache=never'],
  ['--pool-calls'],
  ['--passthrough=off'],
  ['--cache=always', '--passthrough=off'],
  ['--cache=never', '--passthrough=off'],
]) {
  definePosixSuite({
    name: `fusekit-passthrough ${args.join(' ')}`,
    start: (mountpoint) => startPassthroughFs(mountpoint, args),
    skip: notImplemented,
  });
}

// With the writeback cache the kernel, not the host file, is the truth about recent writes:
// these cases look at what only the host file can say while the data is still in the kernel.
definePosixSuite({
  name: 'fusekit-passthrough --writeback',
  start: (mountpoint) => startPassthroughFs(mountpoint, ['--writeback']),
  skip: {
    ...notImplemented,
    'create, write, read, fstat': 'st_blocks comes from the host file, which lags until writeback',
    'a 5 GiB sparse file costs what is written':
      'st_blocks lags until writeback; SEEK_DATA/SEEK_HOLE are answered by the kernel (all data)',
    'lseek SEEK_DATA and SEEK_HOLE': 'answered by the kernel (all data): the host file lacks data not yet written back',
    'timestamps per operation': 'the kernel reads a page before a partial write of it, which moves the host atime',
  },
});
