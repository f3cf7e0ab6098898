// Runs fusekit-passthrough as users do: the built CLI as a subprocess, over a host directory on
// a tmpfs of its own (so the host side behaves exactly like the tmpfs oracles it is compared to).
import { execFile as execFileCb } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeMountpoint, spawnFs } from '@fusekit/test-harness';
const execFile = promisify(execFileCb);
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** A fresh tmpfs to use as the host directory; `close` unmounts and removes it. */
export async function makeTmpfs(prefix = 'fusekit-pt-source-') {
    const dir = await makeMountpoint(prefix);
    await execFile('mount', ['-t', 'tmpfs', '-o', 'size=2g,mode=0755', 'fusekit-pt-source', dir]);
    return {
        dir,
        close: async () => {
            await execFile('umount', ['-l', dir]).catch(() => undefined);
            await rm(dir, { recursive: true, force: true });
        },
    };
}
/**
 * Starts `fusekit-passthrough <source> <mountpoint> -o allow_other ...args` and waits for the
 * mount. Without `source`, a fresh tmpfs is made for it and removed when the result is closed.
 */
export async function startPassthroughFs(mountpoint, args = [], source) {
    if (!existsSync(CLI))
        throw new Error(`${CLI} is missing: build first (npx turbo run build --filter=@fusekit/fs-passthrough...)`);
    const tmpfs = source === undefined ? await makeTmpfs() : undefined;
    const dir = source ?? tmpfs.dir;
    try {
        const spawned = await spawnFs(process.execPath, [CLI, dir, mountpoint, '-o', 'allow_other', ...args], mountpoint);
        return {
            ...spawned,
            source: dir,
            close: async () => {
                try {
                    await spawned.close();
                }
                finally {
                    await tmpfs?.close();
                }
            },
        };
    }
    catch (error) {
        await tmpfs?.close();
        throw error;
    }
}
//# sourceMappingURL=cli-path.js.map