// Where the built CLI is: integration tests run it as users do, as a subprocess.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnFs, type SpawnedFs } from '@fusekit/test-harness';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Starts `fusekit-memory <mountpoint> ...args` and waits for the mount. */
export function startMemoryFs(mountpoint: string, args: readonly string[] = []): Promise<SpawnedFs> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx turbo run build --filter=@fusekit/fs-memory)`);
  return spawnFs(process.execPath, [CLI, mountpoint, '-o', 'allow_other', ...args], mountpoint);
}
