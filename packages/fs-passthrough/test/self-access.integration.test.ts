// fs-passthrough used from the process that serves it: detected and refused, never a hang.
import { describeSelfAccess } from '@fusekit/posix-suite';

describeSelfAccess({
  name: 'fs-passthrough',
  serve: `
    import { mkdtempSync } from 'node:fs';
    import { mount } from '@fusekit/highlevel';
    import { createPassthroughFs } from '@fusekit/fs-passthrough';
    async function serve(mountpoint) {
      const passthrough = createPassthroughFs(mkdtempSync(mountpoint + '-source-'));
      return mount(passthrough, mountpoint, passthrough.mountOptions());
    }
  `,
});
