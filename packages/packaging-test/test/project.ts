// Packs the published packages and installs them into a fresh project the way a user on a machine
// without build tools would: npm with --ignore-scripts, from a registry, with a PATH that reaches
// node, npm and sh only, so nothing could be compiled even if something tried.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from '@fusekit/test-harness';
import { serveTarballs, type Registry } from './registry.js';

export const repository = resolve(fileURLToPath(import.meta.url), '../../../..');
export const published = ['@fusekit/lowlevel', '@fusekit/highlevel', '@fusekit/fs-memory', '@fusekit/fs-passthrough'];
/** What would build an addon: none may be reachable from the project's PATH. */
export const buildTools = ['cc', 'gcc', 'g++', 'c++', 'clang', 'cmake', 'make', 'python3', 'node-gyp', 'cmake-js'];

export interface Project {
  /** The project directory, holding node_modules. */
  dir: string;
  /** The environment its commands run with: PATH has node, npm, npx and sh, nothing else. */
  env: NodeJS.ProcessEnv;
  /** The tarballs `npm pack` made, by package name. */
  tarballs: Map<string, string>;
  registry: Registry;
  /** Runs npm (or npx) in the project with the project's environment. */
  npm(args: readonly string[], options?: { npx?: boolean; timeoutMs?: number; cwd?: string }): Promise<RunResult>;
  /** The path of a command in the restricted PATH. */
  bin(name: 'npm' | 'npx' | 'node'): string;
}

export async function packAndServe(): Promise<Project> {
  const top = mkdtempSync(join(tmpdir(), 'fusekit-packed-'));
  const packs = join(top, 'tarballs');
  mkdirSync(packs);
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', packs, ...published.flatMap((p) => ['-w', p])], {
      cwd: repository,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  ) as { name: string; filename: string }[];
  const tarballs = new Map(packed.map((p) => [p.name, join(packs, p.filename)]));

  const bin = join(top, 'bin');
  mkdirSync(bin);
  const npmCli = realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(npmCli, join(bin, 'npm'));
  symlinkSync(join(dirname(npmCli), 'npx-cli.js'), join(bin, 'npx'));
  symlinkSync('/bin/sh', join(bin, 'sh'));

  const dir = join(top, 'project');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fusekit-user', private: true, type: 'module' }, null, 2));
  const registry = await serveTarballs([...tarballs.values()]);
  // The user's npm configuration: @fusekit from the registry above, no install scripts. Nothing
  // of the npm run that started the tests (npm_config_*, npm_package_*) leaks in.
  const userconfig = join(top, 'npmrc');
  writeFileSync(
    userconfig,
    [
      `@fusekit:registry=${registry.url}`,
      'ignore-scripts=true',
      'audit=false',
      'fund=false',
      'update-notifier=false',
      'prefer-offline=true',
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: bin,
    HOME: process.env.HOME ?? top,
    LANG: 'C.UTF-8',
    npm_config_userconfig: userconfig,
    npm_config_cache: join(process.env.HOME ?? top, '.npm'),
  };
  return {
    dir,
    env,
    tarballs,
    registry,
    npm: (args, { npx = false, timeoutMs = 180_000, cwd = dir } = {}) => run(join(bin, npx ? 'npx' : 'npm'), args, { cwd, env, timeoutMs }),
    bin: (name) => join(bin, name),
  };
}

/** The packages in a node_modules tree, scoped ones by their full name. */
export function installedPackages(nodeModules: string): string[] {
  return readdirSync(nodeModules)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) => (n.startsWith('@') ? readdirSync(join(nodeModules, n)).map((m) => `${n}/${m}`) : [n]))
    .sort();
}
