// What every fusekit filesystem CLI does the same way, so a filesystem's own CLI is its usage
// text, its argument parser and its mount call: usage errors (exit 2), loading the library only
// after the arguments are read (so --help needs no native addon and an addon that cannot load is
// one line naming the fix), the mountpoint checks, mount errors (one line, exit 1), serving in the
// foreground until SIGINT/SIGTERM/SIGHUP or an unmount from outside, and the start and end lines.
// Imported as `@fusekit/lowlevel/cli`: this module loads no addon.

/** The session a CLI serves: closed on a signal, and settled once unmounted. */
export interface CliSession {
  close(): Promise<unknown>;
  readonly closed: Promise<unknown>;
  /** How requests arrive ('dev_fuse' or 'io_uring'): the start line says it. */
  readonly transport?: string;
}

/**
 * One filesystem's CLI, run by {@link runFilesystemCli}.
 * @internal Shared by the fusekit CLIs; not part of the API.
 */
export interface FilesystemCli<Config extends { mountpoint: string }, Library, Checked extends { mountpoint: string }> {
  /** The command's name, which starts every line it prints (`fusekit-memory`). */
  name: string;
  /** The `--help` text. */
  usage: string;
  /** Reads the arguments (without node and the script): a config, or 'help'; throws for a usage error. */
  parse(argv: string[]): Config | 'help';
  /** Loads the library (dynamic imports, so that only a mount needs the native addon). */
  load(): Promise<Library>;
  /**
   * Checks what must hold before mounting (the mountpoint, with checkMountpoint) and answers what
   * `mount` needs, the real mountpoint among it; throws an Error whose message says what is wrong.
   */
  check(config: Config, library: Library): Promise<Checked>;
  /** Builds the filesystem and mounts it at `checked.mountpoint`. */
  mount(config: Config, checked: Checked, library: Library): Promise<CliSession>;
  /** What the start line says is served (default: the mountpoint). */
  serving?(checked: Checked): string;
}

const message = (error: unknown): string => (error as Error)?.message ?? String(error);

/**
 * Runs a filesystem CLI on `argv` (default: the process's arguments) and answers its exit
 * status: 0 once unmounted (or after `--help`), 1 when it cannot load or mount, 2 for a usage
 * error (a bad argument, or an `-o` option libfuse refuses).
 * @internal Shared by the fusekit CLIs; not part of the API.
 */
export async function runFilesystemCli<C extends { mountpoint: string }, L, K extends { mountpoint: string }>(
  cli: FilesystemCli<C, L, K>,
  argv: string[] = process.argv.slice(2),
): Promise<number> {
  const { name } = cli;
  const usageError = (error: unknown): number => {
    console.error(`${name}: ${message(error)}\nTry '${name} --help'.`);
    return 2;
  };
  let config: C | 'help';
  try {
    config = cli.parse(argv);
  } catch (error) {
    return usageError(error);
  }
  if (config === 'help') {
    process.stdout.write(cli.usage);
    return 0;
  }
  // Loaded after the arguments are read, so --help needs no native addon and an addon that cannot
  // load (libfuse missing, no prebuild for this platform) is one line naming the fix.
  let library: L;
  try {
    library = await cli.load();
  } catch (error) {
    console.error(`${name}: ${message(error)}`);
    return 1;
  }
  let checked: K;
  try {
    checked = await cli.check(config, library);
  } catch (error) {
    console.error(`${name}: cannot mount: ${message(error)}`);
    return 1;
  }
  let session: CliSession;
  try {
    session = await cli.mount(config, checked, library);
  } catch (error) {
    // libfuse refused an -o option: a usage error, which the message names.
    if ((error as { syscall?: string } | null)?.syscall === 'fuse_session_new') return usageError(error);
    console.error(`${name}: cannot mount ${config.mountpoint}: ${message(error)}`);
    return 1;
  }
  const { mountpoint } = checked;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      session.close().catch((error: unknown) => console.error(`${name}: unmount failed: ${message(error)}`));
    });
  }
  const serving = cli.serving?.(checked) ?? mountpoint;
  const over = session.transport === 'io_uring' ? 'io_uring' : '/dev/fuse';
  console.log(`${name}: serving ${serving} over ${over} (stop with Ctrl-C or: fusermount3 -u ${mountpoint})`);
  await session.closed;
  console.log(`${name}: unmounted ${mountpoint}`);
  return 0;
}
