export { createPassthroughFs, PassthroughFs, type CacheMode, type PassthroughOptions } from './passthrough-fs.js';
