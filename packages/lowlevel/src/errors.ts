import { constants as osConstants } from 'node:os';

const errnoByCode = osConstants.errno as Readonly<Record<string, number>>;
const codeByErrno = new Map<number, string>(Object.entries(errnoByCode).map(([code, n]) => [n, code]));

/**
 * The error a handler throws to answer a request with an errno, and the error the binding
 * throws for system failures (with `code`, `errno` and `syscall`, like Node's own).
 *
 * @example throw new FuseError('ENOENT')
 */
export class FuseError extends Error {
  /** Symbolic name, e.g. `'ENOENT'`. */
  readonly code: string;
  /** Positive errno number, e.g. `2`. */
  readonly errno: number;
  /** The call that failed, when the binding raised it. */
  readonly syscall: string | undefined;

  constructor(codeOrErrno: string | number, message?: string, syscall?: string) {
    const errno = typeof codeOrErrno === 'number' ? Math.abs(codeOrErrno) : errnoByCode[codeOrErrno];
    if (errno === undefined || !Number.isInteger(errno) || errno === 0) {
      throw new TypeError(`FuseError: unknown errno ${String(codeOrErrno)}`);
    }
    const code = typeof codeOrErrno === 'string' ? codeOrErrno : (codeByErrno.get(errno) ?? `E${errno}`);
    super(message ?? code);
    this.name = 'FuseError';
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}

// The native side constructs FuseError as (message, errno, syscall).
const NativeFuseError = function (this: unknown, message: string, errno: number, syscall: string) {
  return new FuseError(errno, message, syscall);
};
export { NativeFuseError };

/**
 * The errno a thrown value answers with: a FuseError's own, a Node system error's `code`
 * (as `node:fs` throws), or undefined for anything else (the caller answers EIO and logs it).
 */
export function errnoOf(error: unknown): number | undefined {
  if (error instanceof FuseError) return error.errno;
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') {
      const n = errnoByCode[code];
      if (n !== undefined) return n;
    }
  }
  return undefined;
}

/** The name of an errno number (`'ENOENT'`), or `E<n>` for one the system does not name. */
export function errnoName(errno: number): string {
  return codeByErrno.get(errno) ?? `E${errno}`;
}

/** errno numbers by name, from the running system. */
export const errno: Readonly<Record<string, number>> = errnoByCode;
