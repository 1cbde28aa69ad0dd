#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The overlay stage microbenchmark (bench/bench_overlay.c): cycles per packet (rdtsc, plain
# run), then instructions per packet under callgrind, per case and per stage. Instructions
# are the noise-free figure; cycles move with whatever else runs on the machine.
#
#   bench/overlay.sh [PASSES [RUNS]]      (from the repository's top folder)
#   BUILD=build-hb bench/overlay.sh       another build folder (default: build)
#   EXTRA=0 bench/overlay.sh              no other routes than the node's own
#
# Needs valgrind for the second part (Debian: apt-get install -y valgrind).
set -eu

BUILD=${BUILD:-build}
EXTRA=${EXTRA:-10000}
PASSES=${1:-2000}
RUNS=${2:-5}
CG_PASSES=${CG_PASSES:-50}
BIN=$BUILD/bench/bench_overlay

if [ ! -x "$BIN" ]; then
	echo "overlay.sh: $BIN missing: ninja -C $BUILD" >&2
	exit 1
fi

echo "== cycles per packet (rdtsc): $PASSES passes a run, median (min) of $RUNS runs"
"$BIN" -n "$PASSES" -r "$RUNS" -R "$EXTRA" | grep -v '^passes:'

if ! command -v valgrind >/dev/null 2>&1; then
	echo "overlay.sh: no valgrind: apt-get install -y valgrind" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/overlay.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo
echo "== instructions per packet (callgrind, $CG_PASSES passes; the measured loop only)"
for c in decap encap route parse; do
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$c" --toggle-collect="loop_$c" \
		"$BIN" -n "$CG_PASSES" -r 1 -R "$EXTRA" -c "$c" >"$tmp/out.$c" 2>"$tmp/err.$c" || {
		cat "$tmp/err.$c" >&2
		exit 1
	}
	callgrind_annotate --inclusive=yes "$tmp/cg.$c" >"$tmp/ann.$c" 2>/dev/null
	passes=$(sed -n "s/^passes:.* $c=\([0-9]*\).*packets_per_pass=\([0-9]*\).*/\1 \2/p" \
		"$tmp/out.$c")
	# Inclusive Ir of each function of the binary: "1,234 (5.6%)  file:func [binary]".
	awk -v c="$c" -v pp="$passes" '
		BEGIN { split(pp, a, " "); pkts = a[1] * a[2] }
		/\[.*bench_overlay\]$/ {
			f = $0; sub(/ \[.*$/, "", f); sub(/^.*:/, "", f)
			n = $1; gsub(/,/, "", n); ir[f] = n
		}
		END {
			if (pkts == 0 || !(("loop_" c) in ir)) { print "overlay.sh: no figure for " c; exit 1 }
			total = ir["loop_" c] / pkts
			rest = ("restore_burst" in ir) ? ir["restore_burst"] / pkts : 0
			printf "%-6s %7.1f instructions/packet raw, %7.1f net (restore %.1f; %d packets)\n",
			       c, total, total - rest, rest, pkts
			n = split("stage_fast stage_parse stage_decap stage_route stage_output", s, " ")
			for (i = 1; i <= n; i++)
				if (s[i] in ir)
					printf "         %-13s %7.1f\n", s[i], ir[s[i]] / pkts
			if ("pr_parse_frame" in ir) # the slow path of the inner parse, inside the decap work
				printf "         %-13s %7.1f (inner parse, inside stage_decap or stage_fast)\n",
				       "pr_parse_frame", ir["pr_parse_frame"] / pkts
		}' "$tmp/ann.$c"
done
