#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Where podrouter's cycles go, per graph node, for bench/routing.py's three cases.

Runs a podrouter built with `-Dgraph_stats=true` (rte_graph then counts calls, objects and
cycles per node; two rdtsc per node call are included in its figures) on each case's
configuration and traffic from bench/routing.py (net_pcap with infinite_rx=1 into
net_null), reads /podrouter/stats after SECONDS, and prints node_cycles / node_objs per
stage. No reference runs beside it: these are proportions between the nodes, not a
comparison with testpmd (bench/routing.py gives that).

Usage: bench/node_cycles.py BINARY [--seconds S] [--out FILE.json]
   e.g. scripts/build.sh build-stats -Dgraph_stats=true && bench/node_cycles.py build-stats/podrouter
Not a test.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import routing  # noqa: E402  (the cases, frames, configurations and telemetry client)


def run_case(binary, case, seconds, tmp):
    pcap = os.path.join(tmp, case + ".pcap")
    routing.write_pcap(pcap, routing.frames(case))
    cfg = routing.pr_config(tmp, case, "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap,
                            "net_null0,no-rx=1")
    log = os.path.join(tmp, "podrouter-%s.log" % case)
    with open(log, "w") as lf:
        p = subprocess.Popen([binary, "-c", cfg], stdout=lf, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
    try:
        time.sleep(seconds)
        st = routing.telemetry(routing.PR_PREFIX, "/podrouter/stats")
    finally:
        routing.stop(p, signal.SIGTERM)
    out = {}
    for name, s in st["stages"].items():
        if s.get("node_objs"):
            out[name] = s["node_cycles"] / s["node_objs"]
    if not out:
        sys.exit("%s: no per-node figures: is %s built with -Dgraph_stats=true?" %
                 (case, binary))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--out")
    a = ap.parse_args()
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in ("route", "decap", "encap"):
            res[case] = run_case(os.path.abspath(a.binary), case, a.seconds, tmp)
            print("%-6s %s" % (case, "  ".join("%s %.1f" % kv for kv in res[case].items())))
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "binary": a.binary,
                       "cycles_per_packet": res}, f, indent=1)


if __name__ == "__main__":
    main()
