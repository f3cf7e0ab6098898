export type { CacheMode, PassthroughMode, PassthroughOptions } from './options.js';
export { createPassthroughFs, PassthroughFs } from './passthrough-fs.js';
