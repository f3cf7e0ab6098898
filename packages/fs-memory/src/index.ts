// Not yet implemented: see the open issue for @fusekit/fs-memory.
export {};
