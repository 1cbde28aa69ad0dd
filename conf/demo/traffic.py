#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The demo's traffic: pcap files that podrouter reads through net_pcap vdevs.

uplink_in.pcap  what arrives from the network: clients in 198.18.0.0/15 (the benchmarking
                range) talking to pods, and a few malformed frames a router must drop.
pods_in.pcap    what the pods send back.
Usage: traffic.py OUTDIR
"""
import os
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, Raw, wrpcap

out = sys.argv[1]
gw, client = "02:00:00:00:00:01", "02:00:00:00:00:0a"
uplink, pods, host = [], [], []
for i in range(200):
    c = "198.18.%d.%d" % (i // 100, i % 100 + 1)
    uplink.append(Ether(src=client, dst=gw) / IP(src=c, dst="10.244.1.%d" % (i % 8 + 2)) /
                  TCP(sport=40000 + i, dport=80, flags="S"))
    pods.append(Ether(src="02:00:00:00:01:%02x" % (i % 8 + 2), dst=gw) /
                IP(src="10.244.1.%d" % (i % 8 + 2), dst=c) /
                TCP(sport=80, dport=40000 + i, flags="SA"))
for i in range(50):
    uplink.append(Ether(src=client, dst=gw) / IP(src="198.18.1.1", dst="10.244.1.3") /
                  UDP(sport=5353, dport=53) / Raw(b"demo-query-%02d" % i))
# The host port (the node's kernel side) goes through the pipeline: parse looks at every
# frame and drops the malformed ones by reason; with no routing yet, output drops the rest.
host.append(Ether(src=client, dst="ff:ff:ff:ff:ff:ff") /
            ARP(op=1, hwsrc=client, psrc="198.18.0.1", pdst="198.18.0.2"))
host.append(Ether(src=client, dst=gw) / Dot1Q(vlan=42) / IP(src="198.18.0.1",
                                                            dst="198.18.0.2") / ICMP())
host.append(Ether(src=client, dst=gw) / IP(src="198.18.0.1", dst="198.18.0.2") /
            TCP(sport=50000, dport=22, flags="S"))
# Malformed: a router must count and drop these, never forward or crash on them.
bad_cksum = bytearray(bytes(Ether(src=client, dst=gw) / IP(src="198.18.0.9", dst="198.18.0.2") /
                            UDP(sport=1, dport=2)))
bad_cksum[24] ^= 0xFF
host.append(bytes(bad_cksum))
host.append(bytes(Ether(src=client, dst=gw) / IP(src="198.18.0.9", dst="198.18.0.2"))[:20])
host.append(bytes(Ether(src=client, dst=gw))[:9])
for name, frames in (("uplink", uplink), ("pods", pods), ("host", host)):
    wrpcap(os.path.join(out, name + "_in.pcap"), [bytes(p) for p in frames], linktype=1)
print("demo traffic: %d frames from the uplink, %d from the pods, %d (3 malformed) on the "
      "host port" % (len(uplink), len(pods), len(host)))
