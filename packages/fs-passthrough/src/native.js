// The small native helper: the system calls node:fs does not offer, typed in one place.
// Every call runs on libuv's thread pool and rejects with an Error carrying `code`, `errno` and
// `syscall`, like node:fs, so its errors reach the kernel as the same errno; the same calls under
// `sync` run on the calling thread and answer -errno on failure instead (an Error costs more
// to build than most calls take).
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
// src/ and dist/ are both one level below the package root, next to build/.
export const native = require('../build/Release/passthrough.node');
//# sourceMappingURL=native.js.map