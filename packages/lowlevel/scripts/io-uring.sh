#!/usr/bin/env bash
# Runs the suites whose behaviour depends on how requests travel over FUSE over io_uring
# (FUSEKIT_TRANSPORT=io_uring, which mount() honours): lowlevel behaviour, ops, interrupts,
# lifecycle (unmount from outside), fs-memory's posix suite and fsx. Turns the fuse module's
# enable_uring on for the run (root) and puts it back; skips, saying why, when it cannot.
# Usage: npm run test:io_uring -w @fusekit/lowlevel
set -euo pipefail
cd "$(dirname "$0")/../../.."
param=/sys/module/fuse/parameters/enable_uring
if [ ! -e "$param" ]; then
  echo "io_uring suites skipped: this kernel has no FUSE over io_uring (Linux 6.14+, CONFIG_FUSE_IO_URING)"
  exit 0
fi
before=$(cat "$param")
if [ "$before" != Y ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "io_uring suites skipped: $param is $before and only root can turn it on"
    exit 0
  fi
  echo Y > "$param"
  trap 'echo "$before" > "$param"' EXIT
fi
FUSEKIT_TRANSPORT=io_uring npx vitest run \
  packages/lowlevel/test/hello.integration.test.ts packages/lowlevel/test/io-uring.integration.test.ts \
  packages/lowlevel/test/behaviour.integration.test.ts packages/lowlevel/test/ops.integration.test.ts \
  packages/lowlevel/test/interrupts.integration.test.ts packages/lowlevel/test/lifecycle.integration.test.ts \
  packages/fs-memory/test/posix.integration.test.ts packages/fs-memory/test/fsx.integration.test.ts
