#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two workers: each polls its own port and sends on its own TX queue of the other port.

Port 'a' and port 'b' are cross-connected; worker 0 polls a, worker 1 polls b. Each port has
two TX queues, each written to its own pcap file by net_pcap, so the files show which worker
sent what: everything from a must leave b on queue 0 (worker 0's), everything from b must
leave a on queue 1 (worker 1's), unchanged and in order, and nothing on the other queues.
Both workers share CPU 1 (workers[].cpu), as the machine has two.
"""
import os
import sys
import tempfile

from scapy.all import IP, UDP, Ether, Raw, rdpcap, wrpcap

from prtest import Router, check, finish

binary = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="prtest-workers-")


def frames(src, n):
    return [bytes(Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:01") /
                  IP(src=src, dst="10.244.1.%d" % (i % 200 + 2)) /
                  UDP(sport=1000 + i, dport=53) / Raw(b"%s-%d" % (src.encode(), i)))
            for i in range(n)]


a_in, b_in = frames("198.18.0.1", 300), frames("198.18.0.2", 200)
f = {n: os.path.join(tmp, n + ".pcap") for n in ("a_in", "b_in", "a_q0", "a_q1", "b_q0",
                                                   "b_q1")}
wrpcap(f["a_in"], a_in, linktype=1)
wrpcap(f["b_in"], b_in, linktype=1)
cfg = {"node_name": "node-a", "eal": {"hugepages": "off"},
       "ports": [{"name": "a", "role": "uplink", "forward_to": "b",
                  "device": "net_pcap_a,rx_pcap=%s,tx_pcap=%s,tx_pcap=%s" % (
                      f["a_in"], f["a_q0"], f["a_q1"])},
                 {"name": "b", "role": "pods", "forward_to": "a",
                  "device": "net_pcap_b,rx_pcap=%s,tx_pcap=%s,tx_pcap=%s" % (
                      f["b_in"], f["b_q0"], f["b_q1"])}],
       "workers": [{"lcore": 1, "cpu": 1, "poll": [{"port": "a"}]},
                   {"lcore": 2, "cpu": 1, "poll": [{"port": "b"}]}]}
r = Router(binary, cfg, tmp=tmp).start()
st = r.wait_stats(lambda s: s["tx_packets"] >= len(a_in) + len(b_in), timeout=30)
info = r.telemetry("/podrouter/info")
check(r.stop() == 0, "exit 0")
check(info["workers"]["worker0"]["polls"] == "aq0" and info["workers"]["worker1"]["polls"] ==
      "bq0", "polls: %s" % info["workers"])
check((info["workers"]["worker0"]["tx_queue"], info["workers"]["worker1"]["tx_queue"]) ==
      (0, 1), "tx queues: %s" % info["workers"])
w = st["workers"]
check((w["worker0"]["rx_packets"], w["worker1"]["rx_packets"]) == (len(a_in), len(b_in)),
      "per-worker rx: %s" % w)
check(st["dropped"] == 0, "no drops")
out = {n: [bytes(p) for p in rdpcap(f[n])] for n in ("a_q0", "a_q1", "b_q0", "b_q1")}
check(out["b_q0"] == a_in, "a's frames leave b on worker 0's queue, unchanged, in order "
      "(%d frames)" % len(out["b_q0"]))
check(out["a_q1"] == b_in, "b's frames leave a on worker 1's queue (%d frames)" %
      len(out["a_q1"]))
check(out["a_q0"] == [] and out["b_q1"] == [], "nothing on the other queues")
finish("workers")
