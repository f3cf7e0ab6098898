export { createPassthroughFs, PassthroughFs } from './passthrough-fs.js';
//# sourceMappingURL=index.js.map