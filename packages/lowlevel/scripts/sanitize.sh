#!/usr/bin/env bash
# Runs the lowlevel integration tests against an AddressSanitizer + UBSan build of the addon.
# Usage: npm run test:asan -w @fusekit/lowlevel
# Passes when ASan/UBSan report no error and LeakSanitizer reports no leak allocated by fusekit
# (Node itself is not built with ASan; its own allocations at exit are not ours to judge).
set -euo pipefail
cd "$(dirname "$0")/.."
npx cmake-js compile --out build-asan --debug --CDFUSEKIT_SANITIZE=ON >/dev/null
logs=$(mktemp -d)
export FUSEKIT_ADDON=../build-asan/Debug/fusekit.node
export ASAN_OPTIONS="detect_leaks=1:log_path=$logs/asan:verify_asan_link_order=0:halt_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="exitcode=0"
status=0
LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)" \
  npx vitest run --root ../.. packages/lowlevel/test || status=$?
errors=$(cat "$logs"/* 2>/dev/null | grep -cE 'ERROR: AddressSanitizer|runtime error:' || true)
# A leak report is ours when its allocation stack runs through the addon.
# Only text inside a leak report counts (a child that ASan could not start prints a memory map).
ours=$(cat "$logs"/asan* 2>/dev/null | awk '/^(Direct|Indirect) leak/{block=$0; next} /^$/{ if (block ~ /fusekit/) n++; block=""; next} block != "" {block=block"\n"$0} END{print n+0}')
echo "sanitizers: $errors errors, $ours leaks from fusekit (logs in $logs)"
if [ "$status" -ne 0 ] || [ "$errors" -ne 0 ] || [ "$ours" -ne 0 ]; then exit 1; fi
