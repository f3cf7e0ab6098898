// Finds and loads a package's native addon with node-gyp-build: one built from source into
// build/Release when there is one (the repository, or a user's own build), else the prebuilt one
// shipped in prebuilds/<platform>-<arch>/. The ways that fails on a user's machine become one
// line that names the fix.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const nodeGypBuild = require('node-gyp-build') as { resolve(directory: string): string };

const installLibfuse = 'install it with "sudo apt-get install fuse3" (Debian/Ubuntu) or "sudo dnf install fuse3" (Fedora)';

/**
 * Loads the native addon of the package whose root directory is `packageRoot`: the one built
 * from source into `build/Release/` if there is one, else the prebuilt one for this platform in
 * `prebuilds/<platform>-<arch>/` (node-gyp-build's lookup: Node-API and libc tags). For
 * filesystems that ship a native helper of their own next to fusekit's.
 *
 * @param packageName - the package, as errors name it.
 * @throws Error with code `ERR_FUSEKIT_ADDON` and a one-line message naming the fix: libfuse 3
 *   missing (install `fuse3`) or older than 3.14, no prebuilt addon for this platform, or one this
 *   system cannot load (build from source with `npm run build-from-source` in the package's
 *   directory).
 */
export function loadAddon<T>(packageRoot: string, packageName: string): T {
  let path: string;
  try {
    path = nodeGypBuild.resolve(packageRoot);
  } catch (error) {
    throw addonError(`${packageName} has no prebuilt addon for ${platform()}`, packageRoot, error);
  }
  try {
    return require(path) as T;
  } catch (error) {
    const detail = firstLine(error);
    if (/version `FUSE_3\.\d+' not found/.test(detail)) {
      throw addonError(`libfuse 3 is too old (${detail}): fusekit needs libfuse 3.14 or newer`, undefined, error);
    }
    if (/libfuse3?\.so/.test(detail)) {
      throw addonError(`libfuse 3 is missing (${detail}): ${installLibfuse}`, undefined, error);
    }
    throw addonError(`${packageName}'s addon does not load on this system (${detail})`, packageRoot, error);
  }
}

function addonError(problem: string, buildIn: string | undefined, cause: unknown): Error {
  const fix =
    buildIn === undefined
      ? ''
      : `: build it from source (needs libfuse3-dev, pkg-config, cmake and a C++ compiler): cd ${buildIn} && npm run build-from-source`;
  return Object.assign(new Error(problem + fix, { cause }), { code: 'ERR_FUSEKIT_ADDON' });
}

function platform(): string {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const libc = process.platform !== 'linux' ? '' : report?.header?.glibcVersionRuntime !== undefined ? ' (glibc)' : ' (musl)';
  return `${process.platform}-${process.arch}${libc}`;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n', 1)[0]!;
}
