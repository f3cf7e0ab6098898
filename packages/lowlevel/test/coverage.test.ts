// Fails when a member of the installed libfuse's fuse_lowlevel_ops has no integration test
// (tests carry [op:name] tags in their titles) or no handler slot in the binding, and when an op
// the binding serves beyond libfuse 3.14 (tmpfile, statx) has no integration test.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { native } from '../src/native.js';

function lowlevelOpsMembers(): string[] {
  const includeDir = execFileSync('pkg-config', ['--variable=includedir', 'fuse3'], { encoding: 'utf8' }).trim();
  const header = readFileSync(join(includeDir, 'fuse3', 'fuse_lowlevel.h'), 'utf8');
  const body = header.slice(
    header.indexOf('struct fuse_lowlevel_ops {'),
    header.indexOf('};', header.indexOf('struct fuse_lowlevel_ops {')),
  );
  // Strip comments, then pick the function-pointer members.
  const code = body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/#if[\s\S]*?#endif/g, (block) => block.split('#else')[1] ?? block);
  return [...new Set([...code.matchAll(/\(\s*\*\s*(\w+)\s*\)/g)].map((m) => m[1]!))];
}

const camel = (name: string) => name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

describe('coverage of fuse_lowlevel_ops', () => {
  const members = lowlevelOpsMembers();
  const tested = new Set<string>();
  const testDir = import.meta.dirname;
  for (const file of readdirSync(testDir).filter((f) => f.endsWith('.integration.test.ts'))) {
    for (const m of readFileSync(join(testDir, file), 'utf8').matchAll(/\[op:(\w+)\]/g)) tested.add(m[1]!);
  }

  it('reads the struct from the installed header', () => {
    expect(members).toContain('lookup');
    expect(members).toContain('copy_file_range');
    expect(members.length).toBeGreaterThanOrEqual(44);
  });

  it('has an integration test for every member', () => {
    expect(members.filter((m) => !tested.has(m))).toEqual([]);
  });

  it('has an integration test for every op beyond libfuse 3.14 (tmpfile, statx)', () => {
    const known = new Set(members.map(camel));
    const beyond = native.constants.ops.filter((op) => !known.has(op) && op !== 'interrupt');
    expect(beyond).toEqual(expect.arrayContaining(['tmpfile', 'statx']));
    expect(beyond.filter((op) => !tested.has(op))).toEqual([]);
  });

  it('has a handler slot for every member (forget_multi folds into forget)', () => {
    const slots = new Set(native.constants.ops);
    const missing = members.filter((m) => m !== 'forget_multi' && !slots.has(camel(m)));
    expect(missing).toEqual([]);
  });
});
