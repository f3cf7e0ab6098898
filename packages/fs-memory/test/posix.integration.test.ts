import { definePosixSuite } from '@fusekit/posix-suite';
import { startMemoryFs } from './cli-path.js';

definePosixSuite({ name: 'fusekit-memory', start: (mountpoint) => startMemoryFs(mountpoint) });
// With the kernel caching writes, data reaches the filesystem later: block counts, SEEK_DATA and
// atime lag behind until writeback. Everything else must still match tmpfs.
definePosixSuite({
  name: 'fusekit-memory -o writeback',
  start: (mountpoint) => startMemoryFs(mountpoint, ['-o', 'writeback']),
  skip: {
    'create, write, read, fstat': 'st_blocks counts pages written back so far',
    'a 5 GiB sparse file costs what is written': 'st_blocks and SEEK_DATA see pages written back so far',
    'timestamps per operation': 'reads served from the page cache do not reach the filesystem to move atime',
    'statx birth time: set once, kept through changes, renames and links':
      "ctime is the kernel's own clock's, the birth time the filesystem's: they cannot be compared",
  },
});
