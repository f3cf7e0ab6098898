export { createPassthroughFs, PassthroughFs, type CacheMode, type PassthroughOptions } from './passthrough-fs.js';
//# sourceMappingURL=index.d.ts.map