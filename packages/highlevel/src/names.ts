// Names and paths in either representation: strings, or Buffers in namesAsBuffers mode.
// The node table keys children by a string either way (a Buffer's latin1 decoding is one char
// per byte, so it is exact and cheap).
import type { PathLike } from './filesystem.js';

export interface Names<P extends PathLike> {
  readonly root: P;
  /** The map key of a name. */
  key(name: P): string;
  /** `parent` + '/' + `name`. */
  join(parent: P, name: P): P;
  /** The name a map key stands for. */
  fromKey(key: string): P;
  /** A name from a string (hidden names, '.' and '..'). */
  from(text: string): P;
  /** Turns a name into P when it comes in the other representation. */
  coerce(name: string | Buffer): P;
}

export const stringNames: Names<string> = {
  root: '/',
  key: (name) => name,
  fromKey: (key) => key,
  join: (parent, name) => (parent.length === 1 ? `/${name}` : `${parent}/${name}`),
  from: (text) => text,
  coerce: (name) => (typeof name === 'string' ? name : name.toString()),
};

const SLASH = Buffer.from('/');

export const bufferNames: Names<Buffer> = {
  root: SLASH,
  key: (name) => name.toString('latin1'),
  fromKey: (key) => Buffer.from(key, 'latin1'),
  join: (parent, name) => (parent.length === 1 ? Buffer.concat([SLASH, name]) : Buffer.concat([parent, SLASH, name])),
  from: (text) => Buffer.from(text),
  coerce: (name) => (typeof name === 'string' ? Buffer.from(name) : name),
};
