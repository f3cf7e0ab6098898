import { definePosixSuite } from '@fusekit/posix-suite';
import { startMemoryFs } from './cli-path.js';

definePosixSuite({ name: 'fusekit-memory', start: (mountpoint) => startMemoryFs(mountpoint) });
