// What a case is, and the two kinds: run as root, or prepared by root and run as a user.

/** Runs a body in the case's directory, as root or as the given user; returns the records. */
export type Runner = (body: string, as?: { uid: number; gid: number }) => Promise<unknown[]>;

export interface PosixCase {
  title: string;
  /** errno names the oracle's records must contain. */
  errors?: string[];
  run(runner: Runner): Promise<unknown[]>;
}

const USER = { uid: 1000, gid: 1000 };

/** A case run as root. */
export const asRoot = (title: string, body: string, errors?: string[]): PosixCase => ({
  title,
  ...(errors ? { errors } : {}),
  run: (r) => r(body),
});

/** A case prepared by root (`setup`), then run as an unprivileged user (uid/gid 1000). */
export const asUser = (title: string, setup: string, body: string, errors?: string[]): PosixCase => ({
  title,
  ...(errors ? { errors } : {}),
  run: async (r) => [...(await r(setup)), ...(await r(body, USER))],
});
