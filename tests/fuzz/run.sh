#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the libFuzzer targets of tests/fuzz with clang (AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer on) and run each on its seed corpus for a bounded time. The
# corpus is copied first: what libFuzzer adds to it stays out of the repository. Exits
# non-zero when a target crashes, leaks, times out or runs out of memory, and prints the
# input that does it (kept under BUILD_DIR/artifacts/TARGET/) and how to replay it.
#   run.sh BUILD_DIR
#   PR_FUZZ_SECONDS=N      seconds per target (default 20)
#   PR_FUZZ_TARGETS="..."  a subset of: parse decap fast k8s config
# clang and libFuzzer come from Debian's clang and libclang-rt-14-dev (scripts/setup.sh).
set -uo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
mkdir -p "$1" || exit 1
out=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
seconds=${PR_FUZZ_SECONDS:-20}
targets=${PR_FUZZ_TARGETS:-parse decap fast k8s config}

# The project .c files each target compiles in (no meson library: it is built with gcc).
declare -A sources=(
	[parse]="src/counters.c"
	[decap]="src/counters.c src/addr_set.c"
	[fast]="src/counters.c src/addr_set.c src/config.c src/redis_conn.c src/ports.c
		pipeline/route_table.c pipeline/neigh.c pipeline/io.c pipeline/stage.c"
	[k8s]="src/k8s.c src/json_doc.c src/cluster.c src/tables.c src/addr_set.c src/counters.c"
	[config]="src/config.c src/redis_conn.c"
)

cc=${PR_FUZZ_CC:-clang}
if ! command -v "$cc" > /dev/null; then
	echo "fuzz: $cc not found: install clang and libclang-rt-14-dev (scripts/setup.sh)" >&2
	exit 1
fi
deps=$(pkg-config --cflags --libs libdpdk yaml-0.1 libcyaml hiredis) || exit 1
cflags=("-fsanitize=fuzzer,address,undefined" -fno-sanitize-recover=all
	-fno-omit-frame-pointer -g -O1 -std=gnu11
	-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
	-DALLOW_EXPERIMENTAL_API -D_GNU_SOURCE -DRTE_LOG_DEFAULT_LOGTYPE=podrouter
	-DPODROUTER_VERSION=\"fuzz\" -Isrc -Ipipeline)

# Build every target at once (they are independent); a log per target, shown on failure.
start=$SECONDS
pids=()
for t in $targets; do
	if [ -z "${sources[$t]+x}" ]; then
		echo "fuzz: unknown target '$t' (known: ${!sources[*]})" >&2
		exit 2
	fi
	# shellcheck disable=SC2086 # word splitting of the source list and pkg-config output
	"$cc" "${cflags[@]}" -o "$out/fuzz_$t" "tests/fuzz/fuzz_$t.c" ${sources[$t]} $deps \
		> "$out/build_$t.log" 2>&1 &
	pids+=($!)
done
failed=0
i=0
for t in $targets; do
	if ! wait "${pids[$i]}"; then
		echo "fuzz: building fuzz_$t failed:" >&2
		cat "$out/build_$t.log" >&2
		failed=1
	fi
	i=$((i + 1))
done
[ "$failed" -eq 0 ] || exit 1
echo "fuzz: built $targets in $((SECONDS - start)) s (clang, ASan, LSan, UBSan) in $out"

# LeakSanitizer on whatever the caller set (scripts/test.sh turns leaks off for the others).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:symbolize=1
work=$(mktemp -d "${TMPDIR:-/tmp}/podrouter-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work # fuzz_config writes its files here

for t in $targets; do
	corpus=$work/corpus-$t
	artifacts=$out/artifacts/$t
	log=$out/fuzz_$t.log
	mkdir -p "$corpus" "$artifacts"
	if [ -d "tests/fuzz/corpus/$t" ]; then
		cp -r "tests/fuzz/corpus/$t/." "$corpus/"
	fi
	seeds=$(find "$corpus" -type f | wc -l)
	(cd "$work" && "$out/fuzz_$t" "$corpus" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1) \
		> "$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -n 1 |
	       sed 's/.* in \([0-9]*\) second/\1/')
	if [ "$rc" -eq 0 ]; then
		echo "fuzz: $t: ${execs:-?} runs in ${secs:-?} s from $seeds seeds," \
		     "corpus grew to $(find "$corpus" -type f | wc -l): no crash"
		continue
	fi
	failed=1
	echo "fuzz: $t FAILED (exit $rc) after ${execs:-?} runs; the end of $log:" >&2
	tail -n 60 "$log" >&2
	repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	if [ -n "$repro" ]; then
		echo "fuzz: reproducer: $repro" >&2
		echo "fuzz: replay with: $out/fuzz_$t $repro" >&2
		echo "fuzz: input as hex: $(od -An -tx1 -v "$repro" | tr -d ' \n' | head -c 4096)" >&2
	fi
done
exit "$failed"
