import { type SpawnedFs } from '@fusekit/test-harness';
export declare const CLI: string;
/** A fresh tmpfs to use as the host directory; `close` unmounts and removes it. */
export declare function makeTmpfs(prefix?: string): Promise<{
    dir: string;
    close(): Promise<void>;
}>;
/** A running fusekit-passthrough: the spawned CLI and the host directory it mirrors. */
export interface PassthroughProcess extends SpawnedFs {
    source: string;
}
/**
 * Starts `fusekit-passthrough <source> <mountpoint> -o allow_other ...args` and waits for the
 * mount. Without `source`, a fresh tmpfs is made for it and removed when the result is closed.
 */
export declare function startPassthroughFs(mountpoint: string, args?: readonly string[], source?: string): Promise<PassthroughProcess>;
//# sourceMappingURL=cli-path.d.ts.map