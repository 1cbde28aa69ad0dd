#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stopping under load: SIGINT and SIGTERM stop the workers, close the ports, exit 0.

The input is net_pcap with infinite_rx=1 (the same packets over and over, as fast as the
worker takes them) cross-connected to net_null, so the worker is busy when the signal lands.
While it stops, a telemetry client asks for the neighbour table and the routes as fast as it
can (the tables are freed at exit: no reader may see them go; the test build has ASan).
"""
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time

from scapy.all import IP, UDP, Ether, wrpcap

from prtest import Router, base_config, check, finish

binary = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="prtest-sig-")
src = os.path.join(tmp, "load.pcap")
wrpcap(src, [bytes(Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:01") /
                   IP(src="198.18.0.%d" % i, dst="10.244.1.5") / UDP(sport=i, dport=80))
             for i in range(1, 65)], linktype=1)


def hammer(prefix, stop, answers):
    """Ask for the neighbours and routes on one connection until it or `stop` ends."""
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix)
        s.recv(65536)
        while not stop.is_set():
            for cmd in ("/podrouter/neighbours", "/podrouter/routes"):
                s.send(cmd.encode())
                reply = s.recv(1 << 20)
                if not reply:
                    return
                json.loads(reply)
                answers.append(cmd)
    except (OSError, ValueError):  # the router went away under us: expected
        pass


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
    stop, answers = threading.Event(), []
    readers = [threading.Thread(target=hammer, args=(r.prefix, stop, answers))
               for _ in range(2)]
    for t in readers:
        t.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    rc = r.stop(sig, timeout=10)
    took = time.monotonic() - t0
    stop.set()
    for t in readers:
        t.join(10)
    check(len(answers) > 0, "%s: the telemetry readers got answers" % sig.name)
    check(rc == 0, "%s: exit code %r, want 0" % (sig.name, rc))
    check(took < 5, "%s: took %.1fs to stop" % (sig.name, took))
    out = r.output()
    check("stopped:" in out and " 0 dropped" in out, "%s: summary line: %s" % (sig.name,
                                                                              out[-300:]))
    check(not os.path.exists("/var/run/dpdk/%s/dpdk_telemetry.v2" % r.prefix),
          "%s: telemetry socket removed on exit" % sig.name)
finish("signals")
