#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Overlay termination: VXLAN (4789 and 8472), Geneve and IP-in-IP, through the real binary.

The router is node-a (198.18.0.11); node-b (198.18.0.12) is the known peer. Each tunnelled
packet from node-b is decapsulated and its inner frame parsed (counted by type); from an
unknown node, for an unknown VNI, truncated, with a bad outer checksum, or with a tunnel
header we must not accept, it is dropped with its own reason; tunnel traffic not addressed to
us is left to route (which has no route for it here). The router has no pods port, so output
drops what it would deliver (output_no_neighbour): this test reads the counters, each one
checked exactly. A second run relaxes the sender and VNI checks (require_known_node: false,
any_vni: true).
"""
import os
import sys
import tempfile

from scapy.all import IP, UDP, Ether, Raw, wrpcap
from scapy.layers.vxlan import VXLAN

from prtest import Router, check, finish

binary = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tmp = tempfile.mkdtemp(prefix="prtest-decap-")
me, peer, stranger = "198.18.0.11", "198.18.0.12", "198.18.0.99"


def inner(sport=1234):
    return Ether(src="02:00:00:00:02:05", dst="02:00:00:00:01:01") / \
        IP(src="10.244.2.5", dst="10.244.1.7") / UDP(sport=sport, dport=80) / Raw(b"hi")


def outer(src=peer, dst=me):
    return Ether(src="02:00:00:00:00:0b", dst="02:00:00:00:00:0a") / IP(src=src, dst=dst)


def vxlan(port=4789, vni=1, src=peer, dst=me, flags=0x08, payload=None, chksum=0):
    p = outer(src, dst) / UDP(sport=50000, dport=port, chksum=chksum) / \
        VXLAN(flags=flags, vni=vni) / (payload if payload is not None else inner())
    return p


def geneve(opt_len_words=2, critical=False, proto=0x6558):
    hdr = bytes([opt_len_words & 0x3F, 0x40 if critical else 0]) + proto.to_bytes(2, "big") + \
        (1).to_bytes(3, "big") + b"\x00" + b"\x00" * (4 * opt_len_words)
    return outer() / UDP(sport=50001, dport=6081, chksum=0) / Raw(hdr + bytes(inner()))


def ipip(src=peer):
    return outer(src) / IP(bytes(inner())[14:])


def bad_udp_cksum():
    p = bytearray(bytes(vxlan(chksum=0x1234)))
    return bytes(p)


bad_inner = bytearray(bytes(inner()))
bad_inner[14 + 10] ^= 0xFF  # the inner IPv4 checksum
cases = [
    (vxlan(4789), "vxlan", None),
    (vxlan(8472), "vxlan", None),
    (geneve(), "geneve", None),
    (ipip(), "ipip", None),
    (vxlan(src=stranger), None, "decap_unknown_node"),
    (ipip(src=stranger), None, "decap_unknown_node"),
    (vxlan(vni=42), None, "decap_unknown_vni"),
    (outer() / UDP(sport=1, dport=4789, chksum=0) / Raw(b"\x08\x00\x00\x00"), None,
     "decap_bad_length"),
    (vxlan(payload=Raw(b"\x00" * 6)), None, "decap_bad_length"),
    (bad_udp_cksum(), None, "decap_bad_outer_checksum"),
    (vxlan(flags=0x00), None, "decap_bad_tunnel_header"),
    (geneve(critical=True), None, "decap_bad_tunnel_header"),
    (geneve(proto=0x0800), None, "decap_bad_tunnel_header"),
    (vxlan(payload=Raw(bytes(bad_inner))), "vxlan", "parse_ipv4_bad_checksum"),
    (vxlan(dst="198.18.0.50"), None, None),  # transit: not ours to decapsulate
]
frames = [bytes(p) for p, _, _ in cases]
path_in, path_out = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
wrpcap(path_in, frames, linktype=1)
cfg = {"node_name": "node-a", "eal": {"hugepages": "off"},
       "ports": [{"name": "up", "role": "uplink", "addresses": [me + "/24"],
                  "device": "net_pcap_up,rx_pcap=%s,tx_pcap=%s" % (path_in, path_out)}],
       "workers": [{"lcore": 1, "poll": [{"port": "up"}]}],
       "cluster": {"file": os.path.join(root, "tests", "manifests", "overlay.yaml")}}
r = Router(binary, cfg, tmp=tmp).start()
st = r.wait_stats(lambda s: s["rx_packets"] >= len(frames))
check(r.stop() == 0, "exit 0")
decap = st["stages"]["decap"]
for kind in ("vxlan", "geneve", "ipip"):
    want = sum(1 for _, k, _ in cases if k == kind)
    check(decap[kind] == want, "decap %s: %d, want %d" % (kind, decap[kind], want))
drops = {}
for stage in st["stages"].values():
    drops.update(stage["drops"])
for reason in set(r_ for _, _, r_ in cases if r_):
    want = sum(1 for _, _, r_ in cases if r_ == reason)
    check(drops[reason] == want, "%s: %d, want %d" % (reason, drops[reason], want))
# Decapsulated fine: routed to this node's pod CIDR (10.244.1.0/24), then output has no
# neighbour for them yet. Transit: no route (no default route here).
decapped = sum(1 for _, k, r_ in cases if k and r_ is None)
route = st["stages"]["route"]
check(route["to_local_cidr"] == decapped, "routed to the local pod CIDR: %d, want %d" % (
    route["to_local_cidr"], decapped))
check(drops["output_no_neighbour"] == decapped, "reached output: %d, want %d" % (
    drops["output_no_neighbour"], decapped))
check(drops["route_no_route"] == 1, "transit without a route: %d" % drops["route_no_route"])
check(st["dropped"] == len(frames), "everything accounted for: %d of %d" % (st["dropped"],
                                                                           len(frames)))
# The inner frames were parsed: 4 good inner UDP + the transit's outer UDP + the bad-checksum
# inner frame (dropped by parse before UDP) on top of the outer headers.
check(st["stages"]["parse"]["ipv4"] >= len(frames) + 4, "inner frames parsed: ipv4=%d" %
      st["stages"]["parse"]["ipv4"])

# Relaxed: any sender (require_known_node: false) and any VNI (any_vni: true, as Cilium's
# per-identity VNIs need): the stranger's and VNI 42's packets are decapsulated too.
relaxed = [vxlan(src=stranger), ipip(src=stranger), vxlan(vni=42), vxlan(vni=0xabcdef)]
path_in2, path_out2 = os.path.join(tmp, "in2.pcap"), os.path.join(tmp, "out2.pcap")
wrpcap(path_in2, [bytes(p) for p in relaxed], linktype=1)
cfg["ports"][0]["device"] = "net_pcap_up,rx_pcap=%s,tx_pcap=%s" % (path_in2, path_out2)
cfg["overlay"] = {"require_known_node": False, "any_vni": True}
cfg["eal"] = {"hugepages": "off"}
r = Router(binary, cfg, tmp=tempfile.mkdtemp(prefix="prtest-decap-relaxed-")).start()
st = r.wait_stats(lambda s: s["rx_packets"] >= len(relaxed))
check(r.stop() == 0, "relaxed: exit 0")
decap = st["stages"]["decap"]
check(decap["vxlan"] == 3 and decap["ipip"] == 1 and not any(decap["drops"].values()),
      "relaxed: every sender and VNI decapsulated: %s" % decap)
check(st["stages"]["route"]["to_local_cidr"] == len(relaxed),
      "relaxed: the inner packets routed: %s" % st["stages"]["route"])
finish("decap")
