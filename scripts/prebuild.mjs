#!/usr/bin/env node
// Copies a package's freshly built addon to prebuilds/<platform>-<arch>/, where node-gyp-build
// finds it in an installed package (tags: Node-API, libc). Run from the package's directory:
//   node ../../scripts/prebuild.mjs <addon>     (build/Release/<addon>.node)
//   node ../../scripts/prebuild.mjs --check     (before packing: is this platform's prebuild there?)
// `npm pack` ships prebuilds/ and not build/, so users load this copy and need no compiler.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const addon = process.argv[2];
if (!addon) throw new Error('usage: prebuild.mjs <addon name> | --check');
const libc = process.platform !== 'linux' ? '' : process.report.getReport().header.glibcVersionRuntime ? '.glibc' : '.musl';
const dir = join('prebuilds', `${process.platform}-${process.arch}`);
const prebuilt = join(dir, `node.napi${libc}.node`);
if (addon === '--check') {
  if (!existsSync(prebuilt)) throw new Error(`${prebuilt} is missing: build the package before packing it`);
  process.exit(0);
}
const built = join('build', 'Release', `${addon}.node`);
if (!existsSync(built)) throw new Error(`${built} is missing: build the addon first`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
copyFileSync(built, prebuilt);
