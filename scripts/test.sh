#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Set up, build with AddressSanitizer and UndefinedBehaviorSanitizer, run every test suite
# (unit, config, pcap, cluster, fuzz), and end with "N passed, N failed".
#   test.sh [meson test options...]   e.g. test.sh --suite unit
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
bash scripts/build.sh build-test -Dsanitize=true -Dbuildtype=debugoptimized || {
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
}
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
meson test -C build-test --print-errorlogs --num-processes 1 "$@"
rc=$?
log=build-test/meson-logs/testlog.json
passed=0
failed=0
if [ -f "$log" ]; then
	passed=$(grep -c '"result": "OK"' "$log" || true)
	failed=$(grep -Ec '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log" || true)
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
