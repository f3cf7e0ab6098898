// Names travel as Buffers (the session is mounted with namesAsBuffers) and are kept as latin1
// strings: one char per byte, so names that are not UTF-8 round-trip exactly.
import { FuseError, type Name } from '@fusekit/lowlevel';
import { NAME_MAX } from './constants.js';

/** The key a name is stored under; ENAMETOOLONG past NAME_MAX bytes. */
export function keyOf(name: Name): string {
  const key = typeof name === 'string' ? Buffer.from(name).toString('latin1') : name.toString('latin1');
  if (key.length > NAME_MAX) throw new FuseError('ENAMETOOLONG');
  return key;
}

/** The name's bytes again. */
export const nameOf = (key: string): Buffer => Buffer.from(key, 'latin1');
