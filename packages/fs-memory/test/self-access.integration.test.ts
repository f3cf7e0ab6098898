// fs-memory used from the process that serves it: detected and refused, never a hang.
import { describeSelfAccess } from '@fusekit/posix-suite';

describeSelfAccess({
  name: 'fs-memory',
  serve: `
    import { mount } from '@fusekit/lowlevel';
    import { MemoryFs } from '@fusekit/fs-memory';
    async function serve(mountpoint) {
      const memory = new MemoryFs();
      return mount(memory.operations, mountpoint, memory.mountOptions());
    }
  `,
});
