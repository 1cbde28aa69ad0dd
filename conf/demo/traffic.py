#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The demo's traffic: pcap files that podrouter reads through net_pcap vdevs.

This node is demo-node-a (uplink 198.18.0.2, pod CIDR 10.244.1.0/24, gateway for its pods
10.244.1.1); demo-node-b is 198.18.0.3 with pod CIDR 10.244.2.0/24 (conf/demo/cluster.yaml).
A pcap vdev replays its whole file at start, so what must come first comes first in its file.

uplink_in.pcap  what arrives from the network:
                - node-b asks ARP for 198.18.0.2 (podrouter answers and learns node-b's MAC);
                - clients in 198.19.0.0/16 (the benchmarking range), behind the gateway
                  198.18.0.1, opening connections to web-1 and db-0;
                - VXLAN from node-b (UDP 8472, VNI 1): web-2's answers to web-1 and
                  prometheus-0's scrapes of web-1, to be decapsulated and delivered;
                - what must be refused or answered: TTL 1 (time exceeded), a pod address that
                  no Pod has (ARP asked, never answered), VXLAN with an unknown VNI.
pods_in.pcap    what the pods send: their ARP for the gateway first (podrouter learns their
                MACs), their answers to the clients, web-1 connecting to web-2 on node-b and
                answering prometheus-0 (both through the overlay), a packet too long for the
                tunnel with DF (fragmentation needed) and one without (fragmented), and a
                spoofed source (not a pod of this node).
host_in.pcap    the node's kernel side, and malformed frames a router must drop.
Usage: traffic.py OUTDIR
"""
import os
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, VXLAN, Dot1Q, Ether, Raw, wrpcap

out = sys.argv[1]
# MACs: the router's ports, the gateway, node-b, the pods of this node.
UPLINK_MAC, PODS_MAC = "02:00:00:00:00:01", "02:00:00:00:01:01"
GW_MAC, NODE_B_MAC = "02:00:00:00:00:0a", "02:00:00:00:00:03"
NODE_A, NODE_B, GW = "198.18.0.2", "198.18.0.3", "198.18.0.1"
POD_MAC = {"10.244.1.2": "02:00:00:00:01:02", "10.244.1.3": "02:00:00:00:01:03"}
WEB1, DB0, WEB2, PROM = "10.244.1.2", "10.244.1.3", "10.244.2.2", "10.244.2.9"
CLIENTS, POD_FLOWS = 40, 10
uplink, pods, host = [], [], []


def from_node_b(inner, vni=1, sport=49500):
    """A frame node-b's VXLAN device sends to this node: inner frame to our VTEP MAC."""
    return (Ether(src=NODE_B_MAC, dst=UPLINK_MAC) / IP(src=NODE_B, dst=NODE_A, ttl=64) /
            UDP(sport=sport, dport=8472, chksum=0) / VXLAN(vni=vni, flags=0x08) /
            Ether(src="02:00:00:00:02:02", dst=UPLINK_MAC) / inner)


def from_pod(ip, inner):
    return Ether(src=POD_MAC[ip], dst=PODS_MAC) / inner


# ---- uplink
uplink.append(Ether(src=NODE_B_MAC, dst="ff:ff:ff:ff:ff:ff") /
              ARP(op=1, hwsrc=NODE_B_MAC, psrc=NODE_B, pdst=NODE_A))
for i in range(CLIENTS):
    dst, dport = (WEB1, 8080) if i % 2 == 0 else (DB0, 5432)
    uplink.append(Ether(src=GW_MAC, dst=UPLINK_MAC) /
                  IP(src="198.19.0.%d" % (i + 1), dst=dst) /
                  TCP(sport=40000 + i, dport=dport, flags="S"))
for i in range(POD_FLOWS):
    # web-2 answers web-1's connections (pods_in.pcap opens them).
    uplink.append(from_node_b(IP(src=WEB2, dst=WEB1, ttl=63) /
                              TCP(sport=8080, dport=33000 + i, flags="SA"), sport=50000 + i))
    # prometheus-0 on node-b scrapes web-1.
    uplink.append(from_node_b(IP(src=PROM, dst=WEB1, ttl=63) /
                              TCP(sport=36000 + i, dport=8080, flags="S"), sport=51000 + i))
uplink.append(Ether(src=GW_MAC, dst=UPLINK_MAC) / IP(src="198.19.0.99", dst=WEB1, ttl=1) /
              TCP(sport=41000, dport=8080, flags="S"))
uplink.append(Ether(src=GW_MAC, dst=UPLINK_MAC) / IP(src="198.19.0.98", dst="10.244.1.7") /
              TCP(sport=41001, dport=8080, flags="S"))
uplink.append(from_node_b(IP(src=PROM, dst=WEB1, ttl=63) / TCP(sport=36999, dport=8080),
                          vni=2))

# ---- pods
for ip, mac in POD_MAC.items():
    pods.append(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") /
                ARP(op=1, hwsrc=mac, psrc=ip, pdst="10.244.1.1"))
for i in range(CLIENTS):
    src, sport = (WEB1, 8080) if i % 2 == 0 else (DB0, 5432)
    pods.append(from_pod(src, IP(src=src, dst="198.19.0.%d" % (i + 1)) /
                         TCP(sport=sport, dport=40000 + i, flags="SA")))
for i in range(POD_FLOWS):
    pods.append(from_pod(WEB1, IP(src=WEB1, dst=WEB2) / TCP(sport=33000 + i, dport=8080,
                                                            flags="S")))
    pods.append(from_pod(WEB1, IP(src=WEB1, dst=PROM) / TCP(sport=8080, dport=36000 + i,
                                                            flags="SA")))
# 1500 bytes of IP: fits the pods port, not VXLAN on a 1500-byte uplink (1450 at most).
big = Raw(b"x" * (1500 - 20 - 20))
pods.append(from_pod(WEB1, IP(src=WEB1, dst=WEB2, flags="DF") /
                     TCP(sport=33100, dport=8080, flags="PA") / big))
pods.append(from_pod(WEB1, IP(src=WEB1, dst=WEB2, flags=0) /
                     TCP(sport=33101, dport=8080, flags="PA") / big))
pods.append(Ether(src="02:00:00:00:01:66", dst=PODS_MAC) / IP(src="10.244.1.66", dst=WEB2) /
            TCP(sport=33200, dport=8080, flags="S"))

# ---- host: the node's kernel side; parse drops the malformed frames by reason.
client = GW_MAC
host.append(Ether(src=client, dst="ff:ff:ff:ff:ff:ff") /
            ARP(op=1, hwsrc=client, psrc="198.18.0.1", pdst="198.18.0.2"))
host.append(Ether(src=client, dst=UPLINK_MAC) / Dot1Q(vlan=42) /
            IP(src="198.18.0.1", dst="198.18.0.2") / ICMP())
host.append(Ether(src=client, dst=UPLINK_MAC) / IP(src="198.18.0.1", dst="198.18.0.2") /
            TCP(sport=50000, dport=22, flags="S"))
# Malformed: a router must count and drop these, never forward or crash on them.
bad_cksum = bytearray(bytes(Ether(src=client, dst=UPLINK_MAC) /
                            IP(src="198.18.0.9", dst="198.18.0.2") / UDP(sport=1, dport=2)))
bad_cksum[24] ^= 0xFF
host.append(bytes(bad_cksum))
host.append(bytes(Ether(src=client, dst=UPLINK_MAC) / IP(src="198.18.0.9", dst="198.18.0.2"))[:20])
host.append(bytes(Ether(src=client, dst=UPLINK_MAC))[:9])
for name, frames in (("uplink", uplink), ("pods", pods), ("host", host)):
    wrpcap(os.path.join(out, name + "_in.pcap"), [bytes(p) for p in frames], linktype=1)
print("demo traffic: %d frames from the uplink (%d VXLAN from node-b), %d from the pods, "
      "%d (3 malformed) on the host port" % (
          len(uplink), sum(1 for p in uplink if VXLAN in p), len(pods), len(host)))
