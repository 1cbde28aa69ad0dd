#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""ARP for the router's own addresses: a request for the pods' gateway gets a reply on the
port it came in, with the router's MAC, VLAN tag kept; requests for other addresses, for an
address of another port are not answered (counted and dropped); a reply addressed to us is
taken by the neighbour table, and the asker's MAC is learnt."""
import os
import sys
import tempfile

from scapy.all import ARP, Dot1Q, Ether, rdpcap, wrpcap

from prtest import Router, check, finish

binary = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="prtest-arp-")
gw_mac, pod_mac = "02:00:00:00:01:01", "02:00:00:00:02:07"
bcast = "ff:ff:ff:ff:ff:ff"


def req(tip, vlan=None, op=1):
    e = Ether(src=pod_mac, dst=bcast)
    a = ARP(op=op, hwsrc=pod_mac, psrc="10.244.1.7", hwdst="00:00:00:00:00:00", pdst=tip)
    return bytes(e / Dot1Q(vlan=vlan) / a) if vlan else bytes(e / a)


frames = [req("10.244.1.1"), req("10.244.1.1", vlan=7), req("10.244.1.9"),
          req("198.18.0.11"), req("10.244.1.1", op=2)]
f = {n: os.path.join(tmp, n + ".pcap") for n in ("pods_in", "pods_out", "up_in", "up_out")}
wrpcap(f["pods_in"], frames, linktype=1)
wrpcap(f["up_in"], [], linktype=1)
cfg = {"node_name": "node-a", "eal": {"hugepages": "off"},
       "ports": [{"name": "pods", "role": "pods", "mac": gw_mac, "addresses": ["10.244.1.1/24"],
                  "device": "net_pcap_p,rx_pcap=%s,tx_pcap=%s" % (f["pods_in"], f["pods_out"])},
                 {"name": "up", "role": "uplink", "addresses": ["198.18.0.11/24"],
                  "device": "net_pcap_u,rx_pcap=%s,tx_pcap=%s" % (f["up_in"], f["up_out"])}],
       "workers": [{"lcore": 1, "poll": [{"port": "pods"}, {"port": "up"}]}]}
r = Router(binary, cfg, tmp=tmp).start()
st = r.wait_stats(lambda s: s["rx_packets"] >= len(frames) and
                  s["stages"]["neighbour"]["confirmed"] >= 1)
neigh = r.telemetry("/podrouter/neighbours")
check(r.stop() == 0, "exit 0")
out = rdpcap(f["pods_out"])
check(len(out) == 2, "two replies, got %d" % len(out))
for p, vlan in zip(out, (None, 7)):
    a = p[ARP]
    check(a.op == 2 and a.hwsrc == gw_mac and a.psrc == "10.244.1.1" and
          a.hwdst == pod_mac and a.pdst == "10.244.1.7", "reply fields: %r" % a)
    check(p[Ether].src == gw_mac and p[Ether].dst == pod_mac, "reply Ethernet: %r" % p)
    check((p[Dot1Q].vlan if Dot1Q in p else None) == vlan, "VLAN kept: %r" % p)
check(len(rdpcap(f["up_out"])) == 0, "nothing on the uplink")
arp = st["stages"]["arp"]
check(arp["replied"] == 2 and arp["other"] == 2 and arp["drops"]["arp_not_handled"] == 2 and
      arp["replies_taken"] == 1, "arp counters: %s" % arp)
# The pod's MAC is learnt from its first request (stale: not confirmed); its second, with the
# same MAC, tells nothing new (ignored: by the worker once the entry is there, else by the
# control core); the reply addressed to us confirms it: reachable.
check(arp["to_neighbours"] in (2, 3), "two or three events for the neighbour table: %s" % arp)
nb = st["stages"]["neighbour"]
check(nb["learnt"] == 1 and nb["confirmed"] == 1 and nb["ignored"] == 1,
      "neighbour counters: %s" % nb)
check(neigh == ["10.244.1.7 %s pods reachable ref=0 held=0 age_ms=%s" % (
    pod_mac, neigh[0].split("age_ms=")[1] if neigh else "")], "neighbours: %s" % neigh)

# A flood of announcements for addresses without an entry (4,000: the control core's event
# ring holds 1,024), then a pod's request: the workers count the flood as ignored without
# passing it on, so nothing is lost and the pod is still learnt.
def announce(i):
    m, ip = "02:00:00:00:09:%02x" % (i % 256), "10.244.1.%d" % (100 + i % 100)
    return bytes(Ether(src=m, dst=bcast) /
                 ARP(op=1, hwsrc=m, psrc=ip, hwdst="00:00:00:00:00:00", pdst=ip))


flood = [announce(i) for i in range(4000)]
wrpcap(f["pods_in"], flood + [req("10.244.1.1")], linktype=1)
r = Router(binary, cfg, tmp=tempfile.mkdtemp(prefix="prtest-arp-flood-")).start()
st = r.wait_stats(lambda s: s["rx_packets"] >= len(flood) + 1 and
                  s["stages"]["neighbour"]["learnt"] >= 1)
check(r.stop() == 0, "flood: exit 0")
arp, nb = st["stages"]["arp"], st["stages"]["neighbour"]
check(arp["events_lost"] == 0 and arp["to_neighbours"] == 1 and nb["ignored"] == len(flood) and
      nb["learnt"] == 1, "flood: ignored by the workers, nothing lost: %s %s" % (arp, nb))
finish("arp")
