// fusekit-passthrough killed with SIGKILL: no mount may stay behind.
import { describeSigkill } from '@fusekit/posix-suite';
import { CLI } from './cli-path.js';

describeSigkill({ name: 'fusekit-passthrough', cli: CLI, args: (mountpoint, source) => [source, mountpoint] });
