#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Pod-to-pod through the overlay on the real binary, outputs checked field by field, with one
worker and with two.

node-a (us: uplink 198.18.0.2, pods 10.244.1.0/24) and node-b (198.18.0.3, 10.244.2.0/24);
the MACs of node-b and of the local pod are static neighbours here (test_neighbours.py
resolves them with ARP). For each encapsulation (VXLAN, Geneve, IP-in-IP, direct):

- a local pod's packets to node-b's pods leave the uplink encapsulated (the inner frame to
  node-b's VTEP MAC from flannel's Node annotation): outer MACs, outer
  IPv4 (addresses, TTL, no DF, valid checksum), UDP port, entropy source port (one per
  flow, in 49152-65535, spread across flows), zero UDP checksum, VNI; the inner frame with
  its TTL decremented and its checksum still valid, payload intact;
- node-b's tunnelled packets (VXLAN on 4789 and 8472, Geneve, IP-in-IP) reach the local
  pod with the pod's MAC, the gateway's MAC as source, TTL decremented, valid checksum;
- TTL 1 gets ICMP time exceeded, DF + too big for the tunnel gets ICMP fragmentation
  needed with the next-hop MTU, too big without DF is fragmented (each fragment in its own
  tunnel packet; the fragments reassemble into the original);
- a packet from the pods port whose source is not a pod of this node is dropped.
"""
import os
import sys
import tempfile

import yaml
from scapy.all import (ARP, ICMP, IP, UDP, VXLAN, Ether, Raw, defragment, rdpcap, wrpcap)
from scapy.contrib.geneve import GENEVE

import prtest
from prtest import Router, finish

TAG = ""  # what the current run is, in front of every failure


def check(cond, what):
    return prtest.check(cond, TAG + what)

binary = sys.argv[1]
UP_MAC, PODS_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
NODE_B_MAC, POD_MAC = "02:00:00:00:02:03", "02:00:00:00:01:0a"
NODE_B_VTEP = "0a:58:0a:f4:02:00"  # flannel.1's MAC on node-b, from its Node annotation
POD, REMOTE_POD, NODE_A, NODE_B = "10.244.1.10", "10.244.2.20", "198.18.0.2", "198.18.0.3"
MTU = 1500
cluster = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-a"},
     "spec": {"podCIDR": "10.244.1.0/24"},
     "status": {"addresses": [{"type": "InternalIP", "address": NODE_A}]}},
    {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-b", "annotations": {
        "flannel.alpha.coreos.com/backend-data": '{"VNI":1,"VtepMAC":"%s"}' % NODE_B_VTEP}},
     "spec": {"podCIDR": "10.244.2.0/24"},
     "status": {"addresses": [{"type": "InternalIP", "address": NODE_B}]}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
     "spec": {"nodeName": "node-a", "containers": [{"name": "c"}]},
     "status": {"phase": "Running", "podIP": POD}}]}


def from_pod(dst=REMOTE_POD, sport=1000, ttl=64, size=18, df=False, src=POD, mac=POD_MAC):
    return Ether(src=mac, dst=PODS_MAC) / IP(src=src, dst=dst, ttl=ttl, flags="DF" if df else 0,
                                             id=7) / UDP(sport=sport, dport=80) / Raw(b"p" * size)


def inner_frame(sport=2000, ttl=64):
    return Ether(src="02:00:00:00:0b:14", dst=UP_MAC) / IP(src=REMOTE_POD, dst=POD, ttl=ttl) / \
        UDP(sport=sport, dport=8080) / Raw(b"i" * 18)


def tunnelled(kind, sport=2000):
    outer = Ether(src=NODE_B_MAC, dst=UP_MAC) / IP(src=NODE_B, dst=NODE_A)
    if kind == "vxlan":
        return outer / UDP(sport=50000, dport=4789) / VXLAN(vni=1) / inner_frame(sport)
    if kind == "vxlan8472":
        return outer / UDP(sport=50000, dport=8472) / VXLAN(vni=1) / inner_frame(sport)
    if kind == "geneve":
        return outer / UDP(sport=50000, dport=6081) / GENEVE(vni=1, proto=0x6558) / \
            inner_frame(sport)
    return outer / inner_frame(sport)[IP]  # IP-in-IP: the outer IP's protocol becomes 4


def cksum_ok(layer):
    if layer is None:
        return False
    c = layer.chksum
    copy = layer.__class__(bytes(layer))
    copy.chksum = None
    return c == layer.__class__(bytes(copy)).chksum


def run(encap, workers=1):
    tmp = tempfile.mkdtemp(prefix="prtest-overlay-%s-%d-" % (encap, workers))
    with open(os.path.join(tmp, "cluster.yaml"), "w") as f:
        yaml.safe_dump(cluster, f)
    flows = [from_pod(sport=1000 + i) for i in range(16)] + [from_pod(sport=1000)]
    pods_in = flows + [
        from_pod(ttl=1, sport=3000),                       # time exceeded
        from_pod(size=MTU - 28, df=True, sport=3001),      # fits the pods port, not the tunnel
        from_pod(size=MTU - 28, sport=3002),               # fragmented
        from_pod(src="10.244.1.66", mac="02:00:00:00:01:42", sport=3003),  # spoofed
    ]
    if workers == 2:  # the pod's MAC is learnt from its ARP, not given: packets may wait for it
        pods_in.append(Ether(src=POD_MAC, dst="ff:ff:ff:ff:ff:ff") /
                       ARP(op=1, hwsrc=POD_MAC, psrc=POD, pdst="10.244.1.1"))
    up_in = [tunnelled(k, 2000 + i) for i, k in
             enumerate(("vxlan", "vxlan8472", "geneve", "ipip"))]
    # ARP inside a tunnel: never answered or learnt from (it would pass for the uplink's).
    up_in.append(Ether(src=NODE_B_MAC, dst=UP_MAC) / IP(src=NODE_B, dst=NODE_A) /
                 UDP(sport=50000, dport=4789) / VXLAN(vni=1) /
                 Ether(src="02:00:00:00:06:66", dst="ff:ff:ff:ff:ff:ff") /
                 ARP(op=1, hwsrc="02:00:00:00:06:66", psrc="198.18.0.99", pdst=NODE_A))
    f = {n: os.path.join(tmp, n + ".pcap") for n in ("pods_in", "up_in")}
    wrpcap(f["pods_in"], pods_in, linktype=1)
    wrpcap(f["up_in"], up_in, linktype=1)
    # One TX queue per worker and port, each into its own file.
    out = {p: [os.path.join(tmp, "%s_out%d.pcap" % (p, q)) for q in range(workers)]
           for p in ("up", "pods")}
    cfg = {"node_name": "node-a", "eal": {"hugepages": "off"},
           "ports": [{"name": "up", "role": "uplink", "mac": UP_MAC, "mtu": MTU,
                      "addresses": [NODE_A + "/24"],
                      "device": "net_pcap_u,rx_pcap=%s" % f["up_in"] +
                      "".join(",tx_pcap=" + o for o in out["up"])},
                     {"name": "pods", "role": "pods", "mac": PODS_MAC,
                      "addresses": ["10.244.1.1/24"],
                      "device": "net_pcap_p,rx_pcap=%s" % f["pods_in"] +
                      "".join(",tx_pcap=" + o for o in out["pods"])}],
           "workers": [{"lcore": 1, "poll": [{"port": "up"}, {"port": "pods"}]}] if workers == 1
           else [{"lcore": 1, "cpu": 1, "poll": [{"port": "up"}]},
                 {"lcore": 2, "cpu": 1, "poll": [{"port": "pods"}]}],
           "cluster": {"file": os.path.join(tmp, "cluster.yaml")},
           "neighbours": {"static": [{"ip": NODE_B, "mac": NODE_B_MAC, "port": "up"}] +
                          ([{"ip": POD, "mac": POD_MAC, "port": "pods"}] if workers == 1 else [])},
           "overlay": {"encap": encap}}
    r = Router(binary, cfg, tmp=tmp).start()
    # Everything in, and what goes to the pod (4 decapsulated, 2 ICMP errors) out.
    st = r.wait_stats(lambda s: s["rx_packets"] >= len(pods_in) + len(up_in) and
                      s["stages"]["output"]["to_pod"] >= (6 if encap != "direct" else 5))
    check(r.stop() == 0, "%s: exit 0" % encap)
    # The pods' packets leave the uplink from the worker polling pods (the last file).
    up_out = [p for o in reversed(out["up"]) for p in rdpcap(o)]
    return st, up_out, [p for o in out["pods"] for p in rdpcap(o)], flows, pods_in


def check_inner(encap, p, sent, what):
    """p: the inner IP packet as it left; sent: the frame the pod sent."""
    check(p[IP].src == sent[IP].src and p[IP].dst == sent[IP].dst and
          p[IP].ttl == sent[IP].ttl - 1 and cksum_ok(p[IP]) and
          bytes(p[UDP].payload) == bytes(sent[UDP].payload) and p[UDP].sport == sent[UDP].sport,
          "%s: %s: inner packet %r" % (encap, what, p[IP]))


def check_encap(encap, st, up_out, flows):
    tunnels = [p for p in up_out if IP in p]
    sports = {}
    check(len(tunnels) >= len(flows), "%s: %d packets on the uplink, want >= %d" % (
        encap, len(tunnels), len(flows)))
    for p, sent in zip(tunnels, flows):
        check(p[Ether].src == UP_MAC and p[Ether].dst == NODE_B_MAC, "%s: outer MACs %s" % (
            encap, p[Ether].summary()))
        if encap == "direct":
            check_inner(encap, p, sent, "direct")
            continue
        o = p[IP]
        check(o.src == NODE_A and o.dst == NODE_B and o.ttl == 64 and o.flags == 0 and
              o.frag == 0 and cksum_ok(o), "%s: outer IP %r" % (encap, o))
        if encap == "ipip":
            check(o.proto == 4 and o.len == 20 + len(sent[IP]), "%s: IPIP %r" % (encap, o))
            check_inner(encap, IP(bytes(o.payload)), sent, "ipip")
            continue
        u = o[UDP]
        check(u.dport == (4789 if encap == "vxlan" else 6081) and u.chksum == 0 and
              49152 <= u.sport <= 65535 and u.len == len(u), "%s: outer UDP %r" % (encap, u))
        sports.setdefault(sent[UDP].sport, set()).add(u.sport)
        if encap == "vxlan":
            v = u[VXLAN]
            check(v.flags == 0x08 and v.vni == 1, "vxlan header %r" % v)
            inner = v.payload
        else:
            g = GENEVE(bytes(u.payload))
            check(g.version == 0 and g.optionlen == 0 and g.proto == 0x6558 and g.vni == 1,
                  "geneve header %r" % g)
            inner = g.payload
        check(inner[Ether].dst == NODE_B_VTEP and inner[Ether].src == UP_MAC,
              "%s: inner Ethernet %s" % (encap, inner[Ether].summary()))
        check_inner(encap, inner, sent, "udp tunnel")
    if encap in ("vxlan", "geneve"):
        check(all(len(v) == 1 for v in sports.values()),
              "%s: one source port per flow: %s" % (encap, sports))
        check(len({min(v) for v in sports.values()}) >= 12,
              "%s: 16 flows spread over source ports: %s" % (encap, sports))
    ctr = {"vxlan": "encap_vxlan", "geneve": "encap_geneve", "ipip": "encap_ipip",
           "direct": "to_node_direct"}[encap]
    check(st["stages"]["output"][ctr] >= len(flows), "%s: %s counted: %s" % (
        encap, ctr, st["stages"]["output"]))


def check_decap(encap, st, pods_out):
    deliveries = [p for p in pods_out if UDP in p and p[UDP].dport == 8080]
    check(len(deliveries) == 4, "%s: the four tunnelled packets reach the pod: %d" % (
        encap, len(deliveries)))
    for p in deliveries:
        check(p[Ether].dst == POD_MAC and p[Ether].src == PODS_MAC and p[IP].src == REMOTE_POD and
              p[IP].dst == POD and p[IP].ttl == 63 and cksum_ok(p[IP]) and
              bytes(p[UDP].payload) == b"i" * 18, "%s: delivery %r" % (encap, p))
    d = st["stages"]["decap"]
    check(d["vxlan"] == 3 and d["geneve"] == 1 and d["ipip"] == 1 and
          d["drops"]["decap_inner_arp"] == 1, "%s: decap %s" % (encap, d))
    check(st["stages"]["arp"]["replied"] == (1 if TAG else 0),  # the pod's, with two workers
          "%s: no ARP answered from inside a tunnel: %s" % (encap, st["stages"]["arp"]))


def check_errors(encap, st, up_out, pods_out, pods_in):
    icmp = [p for p in pods_out if ICMP in p]
    te = [p for p in icmp if p[ICMP].type == 11]
    fn = [p for p in icmp if p[ICMP].type == 3 and p[ICMP].code == 4]
    want_fn = 0 if encap == "direct" else 1  # without a tunnel, 1500 bytes fit
    check(len(te) == 1 and len(fn) == want_fn, "%s: time exceeded, frag needed: %s" % (
        encap, [p.summary() for p in icmp]))
    check(st["stages"]["route"]["drops"]["route_spoofed_source"] == 1,
          "%s: spoofed source dropped: %s" % (encap, st["stages"]["route"]))
    overhead = {"vxlan": 50, "geneve": 50, "ipip": 20, "direct": 0}[encap]
    for p, sent in ((te[0] if te else None, pods_in[17]), (fn[0] if fn else None, pods_in[18])):
        if p is None:
            continue
        q = bytes(p[ICMP].payload)  # the quoted packet: its IP header, then its data
        check(p[Ether].dst == POD_MAC and p[IP].src == "10.244.1.1" and p[IP].dst == POD and
              cksum_ok(p[IP]) and cksum_ok(p[ICMP]) and IP(q).src == POD and
              IP(q).dst == REMOTE_POD and q[20:36] == bytes(sent[UDP])[:16] and
              len(q) == min(len(sent[IP]), 548), "%s: ICMP error %r" % (encap, p))
    if fn and encap != "direct":
        check(fn[0][ICMP].nexthopmtu == MTU - overhead, "%s: next-hop MTU %d, want %d" % (
            encap, fn[0][ICMP].nexthopmtu, MTU - overhead))
    # The big packet without DF: fragments, each in its own tunnel packet, reassembling.
    frags = []
    for p in up_out:
        if IP not in p:
            continue
        inner = p[IP]
        if encap in ("vxlan", "geneve"):
            inner = IP(bytes(p[UDP].payload)[8 + 14:])
        elif encap == "ipip":
            inner = IP(bytes(p[IP].payload))
        if inner.flags.MF or inner.frag:
            frags.append(inner)
            check(cksum_ok(inner), "%s: a fragment's IPv4 checksum: %r" % (encap, inner))
            check(len(p) - 14 <= MTU, "%s: a fragment's tunnel packet fits the MTU: %d" % (
                encap, len(p) - 14))
    if encap == "direct":
        return
    check(len(frags) == 2, "%s: two fragments: %d" % (encap, len(frags)))
    whole = defragment(frags)
    check(len(whole) == 1 and bytes(whole[0][UDP].payload) == b"p" * (MTU - 28),
          "%s: fragments reassemble into the original" % encap)
    check(st["stages"]["frag"]["packets"] == 1 and st["stages"]["frag"]["fragments"] == 2,
          "%s: frag counters %s" % (encap, st["stages"]["frag"]))


for encap in ("vxlan", "geneve", "ipip", "direct"):
    st, up_out, pods_out, flows, pods_in = run(encap)
    check_encap(encap, st, up_out, flows)
    check_decap(encap, st, pods_out)
    check_errors(encap, st, up_out, pods_out, pods_in)
# Two workers, one polling each port, each sending on its own TX queue; the pod's MAC
# learnt on the way, so that packets for it may be held and come back through either
# worker: every one still arrives once.
TAG = "2 workers: "
st, up_out, pods_out, flows, pods_in = run("vxlan", workers=2)
check_encap("vxlan", st, up_out, flows)
check_decap("vxlan", st, pods_out)
check_errors("vxlan", st, up_out, pods_out, pods_in)
nb = st["stages"]["neighbour"]
check(st["stages"]["output"]["held"] == nb["released"] and
      not any(nb["drops"].values()), "every packet handed to the neighbour table came back: "
      "%s %s" % (st["stages"]["output"], nb))
finish("overlay")
