#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Print podrouter's telemetry (as dpdk-telemetry.py prints it, on stdin) as tables.

  telemetry-summary.py              /podrouter/stats
  telemetry-summary.py --sync       /podrouter/sync
  telemetry-summary.py --services   /podrouter/services or /podrouter/endpoints
  telemetry-summary.py --routes     /podrouter/routes
  telemetry-summary.py --neighbours /podrouter/neighbours
"""
import json
import sys

text = sys.stdin.read()
mode = sys.argv[1] if len(sys.argv) > 1 else "--stats"
if mode != "--stats":
    reply = next(iter(json.loads(next(
        line for line in text.splitlines() if line.startswith("{"))).values()))
    if mode == "--sync":
        print("  source %s (%s), connected %d, stream at %s, generation %d" % (
            reply["source"], reply["where"], reply["connected"], reply["last_stream_id"],
            reply["generation"]))
        print("  objects: " + ", ".join("%s %d" % kv for kv in reply["objects"].items()))
        print("  tables: %d services, %d frontends, %d backends, %d routes; last build %d us,"
              " change to publication %d us" % (
                  reply["services"], reply["frontends"], reply["backends"], reply["routes"],
                  reply["build_us"], reply["change_to_publish_us"]))
        for r in reply["rejected"]:
            print("  rejected: " + r)
    elif mode == "--services":
        for s in reply.values():
            print("  %s (%s): %s" % (s["name"], s["type"], ", ".join(s["frontends"])))
            for p in s["ports"].values():
                print("    port %s %s/%d: %d backends, %d usable" % (
                    p["name"] or "-", p["protocol"], p["port"], p["backends"], p["usable"]))
                for e in p.get("endpoints", []):
                    print("      " + e)
    elif mode in ("--routes", "--neighbours"):
        if reply is None:
            sys.exit("  (no such telemetry command in this podrouter)")
        for r in reply:
            print("  " + r)
    sys.exit(0)
stats = None
for line in text.splitlines():
    line = line.strip()
    if line.startswith("{") and "/podrouter/stats" in line:
        stats = json.loads(line)["/podrouter/stats"]
if stats is None:
    sys.exit("no /podrouter/stats reply in:\n" + text)

print("packets: %d in, %d out, %d dropped" % (stats["rx_packets"], stats["tx_packets"],
                                              stats["dropped"]))
print("\n%-10s %12s %12s %12s %12s" % ("port", "rx", "tx", "tx_dropped", "hw_imissed"))
for name, p in stats["ports"].items():
    print("%-10s %12d %12d %12d %12d" % (name, p["rx_packets"], p["tx_packets"],
                                         p["tx_dropped"], p.get("hw_imissed", 0)))
print("\n%-10s %6s %12s %12s %12s" % ("worker", "lcore", "rx", "tx", "dropped"))
for name, w in stats["workers"].items():
    print("%-10s %6d %12d %12d %12d" % (name, w["lcore"], w["rx_packets"], w["tx_packets"],
                                        w["dropped"]))
print("\nstage      counters (non-zero)")
for stage, s in stats["stages"].items():
    ctrs = ["%s=%d" % (k, v) for k, v in s.items()
            if isinstance(v, int) and v and not k.startswith("node_")]
    drops = ["%s=%d" % (k, v) for k, v in s["drops"].items() if v]
    # Cycles per packet mean something only over many packets (caches warm).
    cyc = (" (%.0f cycles/pkt)" % (s["node_cycles"] / s["node_objs"])
           if s["node_objs"] > 100000 else "")
    print("%-10s %s%s" % (stage, " ".join(ctrs) or "-", cyc))
    if drops:
        print("%-10s drops: %s" % ("", " ".join(drops)))
