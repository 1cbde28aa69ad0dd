#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark: podrouter in cross-connect mode beside dpdk-testpmd io forwarding.

Both forward from net_pcap (infinite_rx=1: the same file of 64-byte frames, replayed as fast
as the core takes it) to net_null (no-rx=1), one forwarding core, hugepages when the machine
has them. Runs alternate (testpmd, podrouter, podrouter without graph stats, ...) so the
machine's drift hits all alike; each run reports its per-second packet rates, and the
median of the steady seconds is taken. Cycles per packet = TSC Hz / packets per second
(the forwarding core is busy-polling all the time).

Usage: bench/xconnect.py [--reps N] [--seconds S] [--out FILE.json]
Not a test: numbers vary with the machine; quote the ratio, which is what this measures.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_pcap(path, n=256):
    from scapy.all import IP, UDP, Ether, Raw, wrpcap
    wrpcap(path, [bytes(Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:01") /
                        IP(src="198.18.%d.%d" % (i // 250, i % 250 + 1), dst="10.244.1.5") /
                        UDP(sport=1024 + i, dport=80) / Raw(b"x" * 18)) for i in range(n)],
           linktype=1)


def eal_memory():
    with open("/proc/meminfo") as f:
        free = int(re.search(r"HugePages_Free:\s+(\d+)", f.read()).group(1))
    return [] if free >= 512 else ["--no-huge"]


def run_testpmd(pcap, seconds):
    cmd = ["dpdk-testpmd", "-l", "0,1", "-m", "512", "--no-pci", "--file-prefix", "bench-tpmd",
           "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "--vdev",
           "net_null0,no-rx=1"] + eal_memory() + [
           "--", "--forward-mode=io", "--nb-cores=1",
           "--stats-period", "1"]
    p = subprocess.run(["timeout", "-s", "INT", str(seconds + 3)] + cmd, capture_output=True,
                       text=True)
    out = p.stdout + p.stderr
    rates = [int(x) for x in re.findall(r"Port statistics =+\s+.*?Rx-pps:\s+(\d+)", out,
                                        re.S)]
    rates = [r for r in rates if r > 0][1:-1]  # drop the partial first and last seconds
    mhz = re.search(r"at (\d+) MHz Clock", out)
    cyc = None  # --record-core-cycles would add rdtsc to the reference; we derive cycles from the rate
    if not rates:
        sys.exit("testpmd gave no rates:\n" + out[-3000:])
    return {"pps": statistics.median(rates), "samples": rates,
            "tsc_hz": int(mhz.group(1)) * 1e6 if mhz else None,
            "testpmd_cycles_per_packet": float(cyc.group(1)) if cyc else None}


def telemetry(prefix, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix)
    s.recv(65536)
    s.send(cmd.encode())
    r = json.loads(s.recv(1 << 20))[cmd]
    s.close()
    return r


def run_podrouter(binary, pcap, seconds, tmp):
    import yaml
    prefix = "bench-pr"
    cfg = {"node_name": "bench", "eal": {"file_prefix": prefix, "memory_mb": 512,
                                         "hugepages": "auto"},
           "ports": [{"name": "in", "role": "uplink", "forward_to": "out",
                      "device": "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap},
                     {"name": "out", "role": "pods", "device": "net_null0,no-rx=1"}],
           "workers": [{"lcore": 1, "poll": [{"port": "in"}, {"port": "out"}]}]}
    path = os.path.join(tmp, "bench.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)
    log = open(os.path.join(tmp, "podrouter.log"), "w")
    p = subprocess.Popen([binary, "-c", path], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                info = telemetry(prefix, "/podrouter/info")
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("podrouter did not start: see %s" % log.name)
        samples = []
        prev = (time.monotonic(), telemetry(prefix, "/podrouter/stats")["rx_packets"])
        for _ in range(seconds):
            time.sleep(1)
            now = (time.monotonic(), telemetry(prefix, "/podrouter/stats")["rx_packets"])
            samples.append(int((now[1] - prev[1]) / (now[0] - prev[0])))
            prev = now
        st = telemetry(prefix, "/podrouter/stats")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(20)
    rates = samples[1:]
    return {"pps": statistics.median(rates), "samples": rates, "tsc_hz": info["tsc_hz"],
            "dropped": st["dropped"], "hugepages": info["hugepages"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "xconnect.json"))
    a = ap.parse_args()
    subprocess.run(["bash", os.path.join(ROOT, "scripts/build.sh"), "build"], check=True)
    subprocess.run(["bash", os.path.join(ROOT, "scripts/build.sh"), "build-stats",
                    "-Dgraph_stats=true", "-Dtests=false"], check=True)
    tmp = tempfile.mkdtemp(prefix="bench-xc-")
    pcap = os.path.join(tmp, "64B.pcap")
    make_pcap(pcap)
    variants = {
        "testpmd io": lambda: run_testpmd(pcap, a.seconds),
        "podrouter": lambda: run_podrouter(os.path.join(ROOT, "build/podrouter"), pcap,
                                           a.seconds, tmp),
        "podrouter, graph_stats=true": lambda: run_podrouter(
            os.path.join(ROOT, "build-stats/podrouter"), pcap, a.seconds, tmp),
    }
    res = {k: [] for k in variants}
    for rep in range(a.reps):
        for name, fn in variants.items():
            r = fn()
            res[name].append(r)
            print("rep %d %-30s %6.2f Mpps" % (rep + 1, name, r["pps"] / 1e6), flush=True)
    tsc = next(r["tsc_hz"] for r in res["podrouter"] if r["tsc_hz"])
    ref = statistics.median(r["pps"] for r in res["testpmd io"])
    summary = []
    print("\n| forwarder | Mpps (median of %d runs) | cycles/packet | ratio to testpmd io |" %
          a.reps)
    print("|---|---|---|---|")
    for name in variants:
        pps = statistics.median(r["pps"] for r in res[name])
        summary.append({"name": name, "mpps": pps / 1e6, "cycles_per_packet": tsc / pps,
                        "ratio": pps / ref})
        print("| %s | %.2f | %.1f | %.3f |" % (name, pps / 1e6, tsc / pps, pps / ref))
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "tsc_hz": tsc, "summary": summary,
                   "runs": res}, f, indent=1)
    print("\nraw results: %s" % a.out)


main()
