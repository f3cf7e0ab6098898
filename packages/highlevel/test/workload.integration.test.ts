import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sh, withMount } from '@fusekit/test-harness';
import { mount } from '../src/index.js';
import { MirrorFs } from './fixtures/mirror-fs.js';

let host = '';
beforeEach(async () => {
  host = await mkdtemp(join(tmpdir(), 'fusekit-hl-work-'));
});
afterEach(async () => {
  await rm(host, { recursive: true, force: true });
});

describe('everyday tools through a node:fs mirror', () => {
  it('copies a tree in, compares it, moves it around in parallel, and removes it', async () => {
    // A real tree from the system: part of Node's own headers (dozens of files, nested directories).
    const source = join(process.execPath, '../../include/node/cppgc');
    await withMount(
      (mp) => mount(new MirrorFs(host), mp),
      async (mp, session) => {
        const out = await sh(
          `
        cd "${mp}"
        cp -a "${source}" tree
        diff -r "${source}" tree && echo same
        find tree -type f | wc -l > /tmp/fusekit-hl-count-$$
        for i in 1 2 3 4; do (cp -a tree copy$i && mv copy$i moved$i && diff -r "${source}" moved$i >/dev/null && echo ok$i) & done; wait
        tar -cf - tree | tar -tf - | wc -l | awk '{print ($1 > 20)}'
        rm -rf tree moved1 moved2 moved3 moved4
        ls -A | wc -l
        rm /tmp/fusekit-hl-count-$$
      `,
          { timeoutMs: 120_000 },
        );
        const lines = out.trim().split('\n');
        expect(lines[0]).toBe('same');
        expect(lines.slice(1, 5).sort()).toEqual(['ok1', 'ok2', 'ok3', 'ok4']);
        expect(lines.slice(5)).toEqual(['1', '0']);
        expect(await sh(`ls -A "${host}" | wc -l`)).toBe('0\n');
        expect(session.openFiles).toBe(0);
      },
      { timeoutMs: 150_000 },
    );
  }, 180_000);
});
