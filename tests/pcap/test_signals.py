#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stopping under load: SIGINT and SIGTERM stop the workers, close the ports, exit 0.

The input is net_pcap with infinite_rx=1 (the same packets over and over, as fast as the
worker takes them) cross-connected to net_null, so the worker is busy when the signal lands.
"""
import os
import signal
import sys
import tempfile
import time

from scapy.all import IP, UDP, Ether, wrpcap

from prtest import Router, base_config, check, finish

binary = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="prtest-sig-")
src = os.path.join(tmp, "load.pcap")
wrpcap(src, [bytes(Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:01") /
                   IP(src="198.18.0.%d" % i, dst="10.244.1.5") / UDP(sport=i, dport=80))
             for i in range(1, 65)], linktype=1)

for sig in (signal.SIGINT, signal.SIGTERM):
    cfg = base_config([{"name": "load", "role": "uplink",
                        "device": "net_pcap_l,rx_pcap=%s,infinite_rx=1" % src,
                        "forward_to": "sink"},
                       {"name": "sink", "role": "pods", "device": "net_null_s,no-rx=1"}],
                      ["load", "sink"])
    r = Router(binary, cfg, tmp=tmp)
    r.start()
    st1 = r.wait_stats(lambda s: s["tx_packets"] > 100000)
    time.sleep(0.2)
    st2 = r.telemetry("/podrouter/stats")
    check(st2["tx_packets"] > st1["tx_packets"], "%s: still forwarding under load" % sig.name)
    check(st2["dropped"] == 0, "%s: no drops, got %d" % (sig.name, st2["dropped"]))
    t0 = time.monotonic()
    rc = r.stop(sig, timeout=10)
    took = time.monotonic() - t0
    check(rc == 0, "%s: exit code %r, want 0" % (sig.name, rc))
    check(took < 5, "%s: took %.1fs to stop" % (sig.name, took))
    out = r.output()
    check("stopped:" in out and " 0 dropped" in out, "%s: summary line: %s" % (sig.name,
                                                                              out[-300:]))
    check(not os.path.exists("/var/run/dpdk/%s/dpdk_telemetry.v2" % r.prefix),
          "%s: telemetry socket removed on exit" % sig.name)
finish("signals")
