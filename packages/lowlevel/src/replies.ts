// The reply side, as index.ts exports it: validation (reply-checks.ts), the scratch buffer
// (scratch.ts), directory replies (directory-reply.ts) and poll handles (poll-handle.ts).
export { openBits, ReplyShapeError } from './reply-checks.js';
export { Scratch } from './scratch.js';
export { DirectoryReply, encodeDirent, type EncodedDirent } from './directory-reply.js';
export { PollHandle } from './poll-handle.js';
