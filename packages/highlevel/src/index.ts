// Not yet implemented: see the open issue for @fusekit/highlevel.
export {};
