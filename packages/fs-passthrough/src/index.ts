export type { CacheMode, PassthroughOptions } from './options.js';
export { createPassthroughFs, PassthroughFs } from './passthrough-fs.js';
