// Not yet implemented: see the open issue for @fusekit/fs-passthrough.
export {};
