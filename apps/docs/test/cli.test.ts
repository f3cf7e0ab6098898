// What the CLI reference promises about both commands: help, and the exit status of each failure.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '@fusekit/test-harness';
import { docsDir } from './compile.js';

const packages = resolve(docsDir, '..', '..', 'packages');
const commands = [
  { command: 'fusekit-memory', cli: join(packages, 'fs-memory', 'dist', 'cli.js'), args: [] as string[] },
  { command: 'fusekit-passthrough', cli: join(packages, 'fs-passthrough', 'dist', 'cli.js'), args: ['/tmp'] },
];

describe.each(commands)('$command, as the CLI reference describes it', ({ command, cli, args }) => {
  it.skipIf(!existsSync(cli))('prints its help and exits 0', async () => {
    const r = await run(process.execPath, [cli, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: ${command}`);
  });

  it.skipIf(!existsSync(cli))('exits 2 on a bad argument, and 1 on a missing mountpoint', async () => {
    const bad = await run(process.execPath, [cli, '--no-such-option', ...args, '/tmp']);
    expect(bad.code).toBe(2);
    const missing = await run(process.execPath, [cli, ...args, '/nonexistent/fusekit-docs-mnt']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/fusekit-docs-mnt/);
  });
});
