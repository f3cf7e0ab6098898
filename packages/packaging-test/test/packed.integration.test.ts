// The packed packages, installed as users install them: from a registry, with --ignore-scripts
// and no compiler, cmake or python reachable. Everything here runs from that project.
import { chmodSync, existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMountpoint, run, spawnFs, withMount, type RunResult } from '@fusekit/test-harness';
import { buildTools, installedPackages, packAndServe, published, repository, type Project } from './project.js';

let project: Project;
let installSeconds = 0;

beforeAll(async () => {
  project = await packAndServe();
  const started = process.hrtime.bigint();
  const install = await project.npm(['install', ...published]);
  installSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.stderr}`);
}, 300_000);

afterAll(async () => {
  await project?.registry.close();
});

const cli = (name: string) => join(project.dir, 'node_modules', '.bin', name);
const packageDir = (name: string) => join(project.dir, 'node_modules', name);

/** A CLI started through npx, stopped with Ctrl-C (SIGINT to its process group) by `close`. */
function npx(command: string, args: string[], mountpoint: string) {
  return spawnFs(project.bin('npx'), [command, ...args], mountpoint, { env: project.env, cwd: project.dir, processGroup: true });
}

describe('the packed packages, installed with no build tools', () => {
  it('install from prebuilt addons and pull in only what they run with', async () => {
    for (const tool of buildTools) {
      const found = await run('/bin/sh', ['-c', `command -v ${tool}`], { env: project.env });
      expect(found.code, `${tool} is reachable: ${found.stdout}`).not.toBe(0);
    }
    const installed = installedPackages(join(project.dir, 'node_modules'));
    expect(installed).toEqual([...published, 'lru-cache', 'node-gyp-build'].sort());
    for (const name of ['@fusekit/lowlevel', '@fusekit/fs-passthrough']) {
      expect(existsSync(join(packageDir(name), 'build')), `${name} was built at install`).toBe(false);
      expect(statSync(join(packageDir(name), 'prebuilds', `linux-${process.arch}`, 'node.napi.glibc.node')).size).toBeGreaterThan(0);
    }
    const size = await run('du', ['-sh', join(project.dir, 'node_modules')]);
    console.log(`installed ${installed.length} packages in ${installSeconds.toFixed(1)} s: ${size.stdout.split('\t')[0]}`);
  });

  it('ship what users need and nothing else', async () => {
    for (const [name, tarball] of project.tarballs) {
      const files = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);
      expect(files, name).toContain('package/package.json');
      expect(files, name).toContain('package/dist/index.js');
      expect(
        files.filter((f) => /\/(test|src|bench|build)\/|\.map$|\.log$|tsconfig/.test(f)),
        name,
      ).toEqual([]);
    }
  });

  it('pass publint and are the types wrong (ESM-only profile) with no problems', async () => {
    for (const [name, tarball] of project.tarballs) {
      const publint = await run(join(repository, 'node_modules', '.bin', 'publint'), ['run', tarball, '--strict'], { timeoutMs: 60_000 });
      expect(publint.code, `${name}: ${publint.stdout}${publint.stderr}`).toBe(0);
      expect(publint.stdout, name).toContain('All good!');
      const attw = await run(join(repository, 'node_modules', '.bin', 'attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], {
        timeoutMs: 60_000,
      });
      expect(attw.code, `${name}: ${attw.stdout}${attw.stderr}`).toBe(0);
    }
  });

  it('npx fusekit-memory mounts, keeps what is written, and unmounts on Ctrl-C', async () => {
    const mountpoint = await makeMountpoint();
    const fs = await npx('fusekit-memory', [mountpoint], mountpoint);
    try {
      await writeFile(join(mountpoint, 'note.txt'), 'kept in memory\n');
      expect(await readFile(join(mountpoint, 'note.txt'), 'utf8')).toBe('kept in memory\n');
      // npm exec itself dies of the SIGINT; what counts is that the server unmounted cleanly.
      await fs.stop('SIGINT');
      expect(fs.output()).toContain(`fusekit-memory: unmounted ${mountpoint}`);
    } finally {
      await fs.close();
      await rm(mountpoint, { recursive: true, force: true });
    }
  });

  it('npx fusekit-passthrough mirrors a directory and unmounts on Ctrl-C', async () => {
    const source = await makeMountpoint('fusekit-packed-source-');
    const mountpoint = await makeMountpoint();
    const fs = await npx('fusekit-passthrough', [source, mountpoint], mountpoint);
    try {
      await writeFile(join(mountpoint, 'through.txt'), 'reaches the host\n');
      expect(await readFile(join(source, 'through.txt'), 'utf8')).toBe('reaches the host\n');
      // npm exec itself dies of the SIGINT; what counts is that the server unmounted cleanly.
      await fs.stop('SIGINT');
      expect(fs.output()).toContain(`fusekit-passthrough: unmounted ${mountpoint}`);
    } finally {
      await fs.close();
      await rm(mountpoint, { recursive: true, force: true });
      await rm(source, { recursive: true, force: true });
    }
  });

  it("runs the README's hello filesystem on @fusekit/lowlevel", async () => {
    const script = join(project.dir, 'hello-lowlevel.mjs');
    writeFileSync(
      script,
      `
      import { FuseError, mount } from '@fusekit/lowlevel';
      const text = Buffer.from('Hello!\\n');
      const root = { ino: 1, mode: 0o40755, nlink: 2 };
      const file = { ino: 2, mode: 0o100444, nlink: 1, size: text.length };
      const session = await mount({
        lookup(parent, name) {
          if (parent === 1 && name === 'hello') return file;
          throw new FuseError('ENOENT');
        },
        getattr: (ino) => (ino === 1 ? root : file),
        read: (ino, size, offset) => text.subarray(offset, offset + size),
        readdir(ino, offset, fh, dir) {
          const entries = [['.', root], ['..', root], ['hello', file]];
          for (let i = offset; i < entries.length && dir.add(entries[i][0], entries[i][1], i + 1); i++);
        },
      }, process.argv[2]);
      process.on('SIGINT', () => session.close());
    `,
    );
    await withMount(
      (mp) => spawnFs(project.bin('node'), [script, mp], mp, { env: project.env, cwd: project.dir }),
      async (mp) => {
        expect(await readFile(join(mp, 'hello'), 'utf8')).toBe('Hello!\n');
      },
    );
  });

  it('runs a path-API filesystem on @fusekit/highlevel', async () => {
    const script = join(project.dir, 'hello-highlevel.mjs');
    writeFileSync(
      script,
      `
      import { FuseError, mount } from '@fusekit/highlevel';
      const files = new Map([['/hello', Buffer.from('Hello from the path API!\\n')]]);
      const session = await mount({
        getattr(path) {
          if (path === '/') return { mode: 0o40755, nlink: 2 };
          const data = files.get(path);
          if (data === undefined) throw new FuseError('ENOENT');
          return { mode: 0o100644, nlink: 1, size: data.length };
        },
        readdir: () => [...files.keys()].map((p) => p.slice(1)),
        read: (path, size, offset) => files.get(path).subarray(offset, offset + size),
      }, process.argv[2], { autoUnmount: true });
      process.on('SIGINT', () => session.close());
    `,
    );
    await withMount(
      (mp) => spawnFs(project.bin('node'), [script, mp], mp, { env: project.env, cwd: project.dir }),
      async (mp) => {
        expect((await run('ls', [mp])).stdout).toBe('hello\n');
        expect(await readFile(join(mp, 'hello'), 'utf8')).toBe('Hello from the path API!\n');
      },
    );
  });

  it('installs globally: fusekit-memory --help, and a mount', async () => {
    const prefix = join(project.dir, '..', 'global');
    const install = await project.npm(['install', '--global', '--prefix', prefix, '@fusekit/fs-memory']);
    expect(install.code, install.stderr).toBe(0);
    const command = join(prefix, 'bin', 'fusekit-memory');
    const help = await run(command, ['--help'], { env: project.env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: fusekit-memory <mountpoint>');
    await withMount(
      (mp) => spawnFs(command, [mp], mp, { env: project.env }),
      async (mp) => {
        await mkdir(join(mp, 'dir'));
        expect((await run('ls', ['-a', mp])).stdout).toBe('.\n..\ndir\n');
      },
    );
  });
});

describe('an addon that cannot load is one line naming the fix', () => {
  /** Moves a package's prebuilds away for `body`. */
  async function withoutPrebuilds(name: string, body: () => Promise<void>): Promise<void> {
    const prebuilds = join(packageDir(name), 'prebuilds');
    renameSync(prebuilds, `${prebuilds}.hidden`);
    try {
      await body();
    } finally {
      renameSync(`${prebuilds}.hidden`, prebuilds);
    }
  }

  const asRoot = process.getuid?.() === 0;

  /**
   * Runs `command` in a mount namespace of its own, after `setup` (bash, as root) has changed
   * what that namespace sees: what it hides stays hidden from nothing else on the machine.
   */
  async function inMountNamespace(setup: string, command: string, args: string[]): Promise<RunResult> {
    const scratch = await makeMountpoint('fusekit-namespace-');
    try {
      const script = `client_path=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin; scratch=${scratch}
        mount -t tmpfs none "$scratch"
        hide() { mkdir -p "$scratch/upper$1" "$scratch/work$1"; mount -t overlay overlay -o "lowerdir=$1,upperdir=$scratch/upper$1,workdir=$scratch/work$1" "$1"; }
        ${setup}
        PATH=$client_path; exec "$@"`;
      return await run(
        '/usr/bin/unshare',
        ['--mount', '--propagation', 'private', '/bin/bash', '--norc', '--noprofile', '-euc', script, 'namespace', command, ...args],
        { env: project.env },
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Expects a run that failed with exit status 1 and one line on stderr; answers the line. */
  function oneLine(r: RunResult): string {
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
    return r.stderr.trimEnd();
  }

  it.skipIf(!asRoot)('libfuse 3 missing: install fuse3', async () => {
    const ldd = await run('ldd', [join(packageDir('@fusekit/lowlevel'), 'prebuilds', `linux-${process.arch}`, 'node.napi.glibc.node')]);
    const libfuse = /libfuse3\.so\.3 => (\S+)/.exec(ldd.stdout)?.[1];
    expect(libfuse, ldd.stdout).toBeDefined();
    const libdir = dirname((await run('readlink', ['-f', libfuse!])).stdout.trim());
    const r = await inMountNamespace(`hide ${libdir}; rm -f ${libdir}/libfuse3.so*`, cli('fusekit-memory'), ['/tmp']);
    expect(oneLine(r)).toBe(
      'fusekit-memory: libfuse 3 is missing (libfuse3.so.3: cannot open shared object file: No such file or directory): ' +
        'install it with "sudo apt-get install fuse3" (Debian/Ubuntu) or "sudo dnf install fuse3" (Fedora)',
    );
  });

  describe.skipIf(!asRoot)('at mount', () => {
    let mountpoint: string;
    beforeAll(async () => {
      mountpoint = await makeMountpoint();
      // A normal user must reach the project and own a mountpoint.
      for (const dir of [dirname(project.dir), project.dir]) chmodSync(dir, 0o755);
      chmodSync(mountpoint, 0o777);
    });
    afterAll(async () => {
      await rm(mountpoint, { recursive: true, force: true });
    });

    const noDevFuse = `mkdir "$scratch/dev"; mount --bind /dev "$scratch/dev"; mount -t tmpfs -o mode=755 none /dev
      for d in null zero random urandom; do touch /dev/$d; mount --bind "$scratch/dev/$d" /dev/$d; done`;

    it('/dev/fuse missing: load the module', async () => {
      const line = oneLine(await inMountNamespace(noDevFuse, cli('fusekit-memory'), [mountpoint]));
      expect(line).toBe(
        `fusekit-memory: cannot mount ${mountpoint}: /dev/fuse is missing: load the FUSE module with "sudo modprobe fuse" ` +
          '(in a container, pass the device: --device /dev/fuse)',
      );
    });

    it('/dev/fuse not permitted: its mode', async () => {
      const r = await inMountNamespace(
        `${noDevFuse}; mknod -m 600 /dev/fuse c 10 229
        set -- /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups "$@"`,
        cli('fusekit-memory'),
        [mountpoint],
      );
      expect(oneLine(r)).toMatch(new RegExp(`^fusekit-memory: cannot mount ${mountpoint}: /dev/fuse: permission denied \\(.*\\)$`));
    });

    it('fusermount3 missing: install fuse3', async () => {
      const line = oneLine(await inMountNamespace('hide /usr/bin; rm -f /usr/bin/fusermount3', cli('fusekit-memory'), [mountpoint]));
      expect(line).toMatch(
        new RegExp(
          `^fusekit-memory: cannot mount ${mountpoint}: fusermount3 is missing \\(.*\\): install it with "sudo apt-get install fuse3"`,
        ),
      );
    });
  });

  it('no prebuilt addon for this platform: the build-from-source command', async () => {
    const mountpoint = await makeMountpoint();
    try {
      await withoutPrebuilds('@fusekit/lowlevel', async () => {
        const line = oneLine(await run(cli('fusekit-memory'), [mountpoint], { env: project.env }));
        expect(line).toBe(
          `fusekit-memory: @fusekit/lowlevel has no prebuilt addon for linux-${process.arch} (glibc): build it from source ` +
            `(needs libfuse3-dev, pkg-config, cmake and a C++ compiler): cd ${packageDir('@fusekit/lowlevel')} && npm run build-from-source`,
        );
      });
      await withoutPrebuilds('@fusekit/fs-passthrough', async () => {
        const line = oneLine(await run(cli('fusekit-passthrough'), [mountpoint, mountpoint], { env: project.env }));
        expect(line).toMatch(
          /^fusekit-passthrough: @fusekit\/fs-passthrough has no prebuilt addon for linux-\w+ \(glibc\): build it from source .*npm run build-from-source$/,
        );
      });
    } finally {
      await rm(mountpoint, { recursive: true, force: true });
    }
  });
});

describe('building from source, for platforms without a prebuild', () => {
  it('takes the one documented command, and the addon built wins over the prebuilt one', async () => {
    const dir = join(dirname(project.dir), 'from-source');
    await mkdir(dir);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'from-source', private: true, type: 'module' }));
    // The build tools are reachable here: the machine's own PATH.
    const env = { ...project.env, PATH: `${dirname(project.bin('node'))}:/usr/local/bin:/usr/bin:/bin` };
    const npm = (args: string[]) => run(project.bin('npm'), args, { cwd: dir, env, timeoutMs: 300_000 });
    expect((await npm(['install', '@fusekit/lowlevel'])).code).toBe(0);
    const lowlevel = join(dir, 'node_modules', '@fusekit', 'lowlevel');
    await rm(join(lowlevel, 'prebuilds'), { recursive: true });
    const build = await npm(['explore', '@fusekit/lowlevel', '--', 'npm', 'run', 'build-from-source']);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(existsSync(join(lowlevel, 'build', 'Release', 'fusekit.node'))).toBe(true);
    const loaded = await run(
      project.bin('node'),
      ['--input-type=module', '-e', "import { constants } from '@fusekit/lowlevel'; console.log(constants.FUSE_MAJOR_VERSION)"],
      { cwd: dir, env },
    );
    expect(loaded.stdout.trim(), loaded.stderr).toBe('3');
  }, 300_000);
});
