#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark: cluster-state sync at scale, through a real redis-server.

1. Cold start: the cluster of bench/gen_cluster.py (10,000 Services x 10 endpoints, 5,000
   Pods, 1,000 NetworkPolicies, 100 Nodes) is in Redis; podrouter starts and lists it. We
   report list (SCAN + pipelined GET + parse), build and publish times as podrouter measures
   them (/podrouter/sync), and the memory it took (VmRSS against a run with an empty Redis).
2. Single changes: 1,000 times, one EndpointSlice changes (MULTI/SET/XADD/EXEC, as
   podrouterctl writes it); after each, we wait for the new generation and read the time from
   the change's arrival to the end of its publication (change_to_publish_us). p50 and p99.
3. Churn: the worker forwards at full speed (net_pcap infinite_rx -> net_null); its rate
   quiet, then while 1,000 changes per second land, in the same run. Drops must be zero.

Usage: bench/cluster_sync.py [--scale 1.0] [--changes 1000] [--out FILE.json]
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "pcap"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from prtest import Redis, Router  # noqa: E402
import gen_cluster  # noqa: E402


class Resp:
    """Just enough of the Redis protocol to pipeline commands from a benchmark."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.f = self.s.makefile("rb")

    def send(self, *cmds):
        out = []
        for c in cmds:
            out.append(b"*%d\r\n" % len(c))
            for a in c:
                a = a if isinstance(a, bytes) else str(a).encode()
                out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(out))
        return [self.read() for _ in cmds]

    def read(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t in (b"+", b"-", b":"):
            return rest
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)


def write_slice(resp, obj, gen):
    key = "EndpointSlice:%s/%s" % (obj["metadata"]["namespace"], obj["metadata"]["name"])
    return [["MULTI"], ["SET", "podrouter:obj:" + key, json.dumps(obj)],
            ["XADD", "podrouter:events", "MAXLEN", "~", "100000", "*", "op", "apply", "kind",
             "EndpointSlice", "key", "podrouter:obj:" + key], ["EXEC"]]


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "cluster_sync.json"))
    a = ap.parse_args()
    subprocess.run(["bash", os.path.join(ROOT, "scripts/build.sh"), "build"], check=True)
    binary = os.path.join(ROOT, "build", "podrouter")
    ctl = os.path.join(ROOT, "build", "podrouterctl")
    tmp = tempfile.mkdtemp(prefix="bench-cluster-")
    big = os.path.join(tmp, "cluster.json")
    n_svc = int(10000 * a.scale)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_cluster.py"),
                    "--services", str(n_svc), "--pods", str(int(5000 * a.scale)),
                    "--policies", str(int(1000 * a.scale)), "--nodes",
                    str(max(2, int(100 * a.scale))), big], check=True)
    pcap = os.path.join(tmp, "64B.pcap")
    from scapy.all import IP, UDP, Ether, wrpcap
    wrpcap(pcap, [bytes(Ether() / IP(src="198.18.0.%d" % (i + 1), dst="10.244.1.5") /
                        UDP(sport=i + 1000, dport=80)) for i in range(128)], linktype=1)

    redis = Redis(tmp).start()
    t0 = time.monotonic()
    p = subprocess.run([ctl, "--redis", redis.sock, "apply", "-f", big], capture_output=True,
                       text=True)
    apply_s = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit("podrouterctl apply failed: " + p.stderr[-2000:])
    empty = Redis(tmp, "empty").start()

    def config(sock):
        return {"node_name": "node-0", "eal": {"memory_mb": 1024, "hugepages": "auto"},
                "ports": [{"name": "in", "role": "uplink", "forward_to": "out",
                           "device": "net_pcap_i,rx_pcap=%s,infinite_rx=1" % pcap},
                          {"name": "out", "role": "pods", "device": "net_null_o,no-rx=1"}],
                "workers": [{"lcore": 1, "poll": [{"port": "in"}, {"port": "out"}]}],
                "cluster": {"redis": sock}}

    base = Router(binary, config(empty.sock), tmp=tmp).start()
    base.wait_stats(lambda s: True)
    time.sleep(1)
    rss_empty = rss_kb(base.proc.pid)
    base.stop()

    r = Router(binary, config(redis.sock), tmp=tmp).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        sync = r.telemetry("/podrouter/sync")
        if sync["generation"] >= 1:
            break
        time.sleep(0.1)
    time.sleep(1)
    rss_loaded = rss_kb(r.proc.pid)
    cold = {"objects": sync["objects"], "list_ms": sync["list_us"] / 1000,
            "build_ms": sync["build_us"] / 1000, "publish_ms": sync["publish_us"] / 1000,
            "total_ms": (sync["list_us"] + sync["change_to_publish_us"]) / 1000,
            "services": sync["services"], "backends": sync["backends"],
            "apply_with_podrouterctl_s": apply_s,
            "rss_delta_mb": (rss_loaded - rss_empty) / 1024}
    print("cold start: %s" % json.dumps(cold), flush=True)

    resp = Resp(redis.sock)
    with open(big) as f:
        slices = [o for o in json.load(f)["items"] if o["kind"] == "EndpointSlice"]
    lat, e2e = [], []
    for i in range(a.changes):
        sl = slices[(i * 7919) % len(slices)]
        sl["endpoints"][i % len(sl["endpoints"])]["conditions"]["ready"] ^= True
        gen = r.telemetry("/podrouter/sync")["generation"]
        t0 = time.monotonic()
        resp.send(*write_slice(resp, sl, i))
        while True:
            s = r.telemetry("/podrouter/sync")
            if s["generation"] > gen:
                break
        e2e.append((time.monotonic() - t0) * 1e6)
        lat.append(s["change_to_publish_us"])
    lat.sort()
    e2e.sort()
    single = {"p50_us": lat[len(lat) // 2], "p99_us": lat[int(len(lat) * 0.99) - 1],
              "max_us": lat[-1], "client_p50_us": e2e[len(e2e) // 2],
              "client_p99_us": e2e[int(len(e2e) * 0.99) - 1]}
    print("single change: %s" % json.dumps(single), flush=True)

    def rate(seconds, churn):
        s0 = r.telemetry("/podrouter/stats")
        t0 = time.monotonic()
        sent = 0
        while time.monotonic() - t0 < seconds:
            if churn:
                # Keep up with 1,000 changes per second of wall time, in small batches.
                due = int((time.monotonic() - t0) * 1000) - sent
                cmds = []
                for k in range(due):
                    sl = slices[(sent * 31 + k) % len(slices)]
                    sl["endpoints"][0]["conditions"]["ready"] ^= True
                    cmds += write_slice(resp, sl, sent)
                if cmds:
                    resp.send(*cmds)
                sent += due
            time.sleep(0.005)
        s1 = r.telemetry("/podrouter/stats")
        dt = time.monotonic() - t0
        return {"mpps": (s1["rx_packets"] - s0["rx_packets"]) / dt / 1e6,
                "dropped": s1["dropped"] - s0["dropped"],
                "rx_minus_tx": (s1["rx_packets"] - s0["rx_packets"]) -
                               (s1["tx_packets"] - s0["tx_packets"]),
                "changes_per_s": sent / dt}
    quiet1 = rate(4, False)
    busy = rate(4, True)
    quiet2 = rate(4, False)
    gen_end = r.telemetry("/podrouter/sync")
    quiet = (quiet1["mpps"] + quiet2["mpps"]) / 2
    churn = {"quiet_mpps": quiet, "churn_mpps": busy["mpps"], "ratio": busy["mpps"] / quiet,
             "changes_per_s": busy["changes_per_s"], "dropped": busy["dropped"],
             "rx_minus_tx": busy["rx_minus_tx"], "generations": gen_end["generation"]}
    print("churn: %s" % json.dumps(churn), flush=True)
    r.stop()
    redis.stop()
    empty.stop()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "scale": a.scale, "cold": cold,
                   "single": single, "churn": churn}, f, indent=1)


main()
