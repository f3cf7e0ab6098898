export { MemoryFs, type MemoryFsOptions } from './memory-fs.js';
export { parseSize } from './size.js';
