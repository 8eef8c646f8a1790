// wasm-mmap: Python's mmap module for Node. Nothing but re-exports.
export { MMap } from './mmap.js';
export type { MMapOptions, MMapOpenOptions, LinesOptions } from './mmap.js';
export { ValueError, IndexError, OverflowError, BufferError, OSError } from './errors.js';
export * from './constants.js';
