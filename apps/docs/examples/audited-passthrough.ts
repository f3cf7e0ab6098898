// audited-passthrough.ts — fs-passthrough as a base class: a mirror of a
// host directory that records every name it removes or moves.
import { PassthroughFs } from '@fusekit/fs-passthrough';

export class AuditedFs extends PassthroughFs {
  readonly log: string[] = [];

  override async unlink(path: Buffer): Promise<void> {
    await super.unlink(path); // the host's unlink; its errors pass through
    this.log.push(`unlink ${path}`);
  }

  override async rename(from: Buffer, to: Buffer, flags: number): Promise<void> {
    await super.rename(from, to, flags);
    this.log.push(`rename ${from} ${to}`);
  }
}

export async function mountAudited(source: string, mountpoint: string) {
  const audited = new AuditedFs(source, { cache: 'auto' });
  // Paths arrive as Buffers (names need not be UTF-8): mount() adds the
  // options that say so to yours, as mountOptions() does.
  const session = await audited.mount(mountpoint, { autoUnmount: true });
  return { audited, session };
}
