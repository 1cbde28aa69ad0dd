#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The route stage on the real binary: each destination gets its next hop from the cluster
state (a pod of this node, this node's pod CIDR, another node's pod CIDR, the router itself),
packets for the router go out the host port untouched (TTL kept), TTL 1 is dropped, and a
destination without a route, and martians, are dropped. No neighbour answers here: forwarded
packets are held at output while the router asks (one ARP request per next hop, seen in
/podrouter/neighbours as incomplete); the counters are checked exactly."""
import os
import sys
import tempfile

import yaml
from scapy.all import ARP, ICMP, IP, UDP, Ether, rdpcap, wrpcap

from prtest import Router, check, finish

binary = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="prtest-route-")
cluster = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-a"},
     "spec": {"podCIDR": "10.244.1.0/24"},
     "status": {"addresses": [{"type": "InternalIP", "address": "198.18.0.11"}]}},
    {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-b"},
     "spec": {"podCIDR": "10.244.2.0/24"},
     "status": {"addresses": [{"type": "InternalIP", "address": "198.18.0.12"}]}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
     "spec": {"nodeName": "node-a", "containers": [{"name": "c"}]},
     "status": {"phase": "Running", "podIP": "10.244.1.7"}}]}
with open(os.path.join(tmp, "cluster.yaml"), "w") as f:
    yaml.safe_dump(cluster, f)


def pkt(dst, ttl=64):
    return bytes(Ether(src="02:00:00:00:02:07", dst="02:00:00:00:01:01") /
                 IP(src="10.244.1.7", dst=dst, ttl=ttl) / UDP(sport=5000, dport=53))


cases = [(pkt("10.244.1.7"), "to_local_pod"), (pkt("10.244.1.9"), "to_local_cidr"),
         (pkt("10.244.2.5"), "to_remote_node"), (pkt("10.244.1.1"), "to_host"),
         (pkt("198.18.0.11"), "to_host"), (pkt("192.0.2.1"), "route_no_route"),
         (pkt("10.244.2.5", ttl=1), "route_ttl_expired"),
         (pkt("224.0.0.251"), "route_martian"), (pkt("255.255.255.255"), "route_martian"),
         (pkt("127.0.0.1"), "route_martian"),
         (bytes(Ether(src="02:00:00:00:02:07", dst="02:00:00:00:01:01") /
                IP(src="0.0.0.0", dst="10.244.2.5") / UDP(sport=68, dport=67)), "route_martian"),
         (bytes(Ether() / IP(src="10.244.1.7", dst="10.244.1.1", ttl=1) / ICMP()), "to_host")]
f = {n: os.path.join(tmp, n + ".pcap") for n in ("pods_in", "pods_out", "host_in", "host_out")}
wrpcap(f["pods_in"], [p for p, _ in cases], linktype=1)
wrpcap(f["host_in"], [], linktype=1)
cfg = {"node_name": "node-a", "eal": {"hugepages": "off"},
       "ports": [{"name": "pods", "role": "pods", "addresses": ["10.244.1.1/24"],
                  "device": "net_pcap_p,rx_pcap=%s,tx_pcap=%s" % (f["pods_in"], f["pods_out"])},
                 {"name": "up", "role": "uplink", "addresses": ["198.18.0.11/24"],
                  "device": "net_null_u,no-rx=1"},
                 {"name": "host", "role": "host",
                  "device": "net_pcap_h,rx_pcap=%s,tx_pcap=%s" % (f["host_in"], f["host_out"])}],
       "workers": [{"lcore": 1, "poll": [{"port": "pods"}, {"port": "up"}, {"port": "host"}]}],
       "cluster": {"file": os.path.join(tmp, "cluster.yaml")}}
r = Router(binary, cfg, tmp=tmp).start()
st = r.wait_stats(lambda s: s["rx_packets"] >= len(cases) and
                  s["stages"]["neighbour"]["arp_requests"] >= 3)
routes = r.telemetry("/podrouter/routes")
neigh = r.telemetry("/podrouter/neighbours")
check(r.stop() == 0, "exit 0")
check(routes == ["10.244.1.0/24 local-cidr node-a", "10.244.1.1/32 host node-a",
                 "10.244.1.7/32 local-pod default/web",
                 "10.244.2.0/24 remote-node via 198.18.0.12 node-b",
                 "198.18.0.11/32 host node-a"], "routes: %s" % routes)
route = st["stages"]["route"]
for name in ("to_local_pod", "to_local_cidr", "to_remote_node", "to_host"):
    # (The ICMP error the router makes is routed too, but not counted as forwarded.)
    want = sum(1 for _, w in cases if w == name)
    check(route[name] == want, "%s: %d, want %d" % (name, route[name], want))
for name in ("route_no_route", "route_ttl_expired", "route_martian"):
    want = sum(1 for _, w in cases if w == name)
    check(route["drops"][name] == want, "%s: %d, want %d" % (name, route["drops"][name], want))
check(st["stages"]["icmp"]["time_exceeded_sent"] == 1, "icmp: %s" % st["stages"]["icmp"])
forwarded = sum(1 for _, w in cases if w in ("to_local_pod", "to_local_cidr", "to_remote_node"))
out, nb = st["stages"]["output"], st["stages"]["neighbour"]
check(out["held"] == forwarded + 1 and nb["held"] == forwarded + 1,
      "held for a neighbour: %s %s, want %d" % (out, nb, forwarded + 1))
check(nb["arp_requests"] == 3, "one request per next hop (pod, CIDR address, node): %s" % nb)
states = sorted(" ".join(n.split()[:4]) for n in neigh)
check(states == ["10.244.1.7 00:00:00:00:00:00 pods incomplete",
                 "10.244.1.9 00:00:00:00:00:00 pods incomplete",
                 "198.18.0.12 00:00:00:00:00:00 up incomplete"], "neighbours: %s" % neigh)
host = [bytes(p) for p in rdpcap(f["host_out"])]
want_host = [p for p, w in cases if w == "to_host"]
check(host == want_host, "host path gets the router's packets unchanged, TTL kept "
      "(%d of %d)" % (len(host), len(want_host)))
# The ARP requests for the two pod addresses left the pods port, from the gateway.
reqs = [p for p in rdpcap(f["pods_out"]) if ARP in p]
check(sorted(p[ARP].pdst for p in reqs) == ["10.244.1.7", "10.244.1.9"] and
      all(p[ARP].op == 1 and p[ARP].psrc == "10.244.1.1" and p[Ether].dst == "ff:ff:ff:ff:ff:ff"
          for p in reqs), "ARP requests: %s" % [p.summary() for p in reqs])

# The ICMP errors' rate limit: 1 per second, bursts of 2; five TTL-1 packets at once get two
# answers, and the rest are counted as rate limited (all five as route_ttl_expired).
burst = [pkt("10.244.2.5", ttl=1) for _ in range(5)]
wrpcap(f["pods_in"], burst, linktype=1)
cfg["icmp"] = {"rate": 1, "burst": 2}
cfg["eal"] = {"hugepages": "off"}
r = Router(binary, cfg, tmp=tempfile.mkdtemp(prefix="prtest-route-icmp-")).start()
st = r.wait_stats(lambda s: s["rx_packets"] >= len(burst))
check(r.stop() == 0, "icmp rate: exit 0")
icmp = st["stages"]["icmp"]
check(icmp["time_exceeded_sent"] == 2 and icmp["rate_limited"] == 3 and
      st["stages"]["route"]["drops"]["route_ttl_expired"] == 5,
      "two errors, three rate limited: %s" % icmp)

# No host port: the router's own packets are dropped as output_no_host_port, and output
# counts none of them as gone to the host.
mine = [p for p, w in cases if w == "to_host"]
wrpcap(f["pods_in"], mine, linktype=1)
cfg.pop("icmp")
cfg["ports"] = cfg["ports"][:2]
cfg["workers"] = [{"lcore": 1, "poll": [{"port": "pods"}, {"port": "up"}]}]
r = Router(binary, cfg, tmp=tempfile.mkdtemp(prefix="prtest-route-nohost-")).start()
st = r.wait_stats(lambda s: s["rx_packets"] >= len(mine))
check(r.stop() == 0, "no host port: exit 0")
out = st["stages"]["output"]
check(out["to_host"] == 0 and out["drops"]["output_no_host_port"] == len(mine) and
      st["stages"]["route"]["to_host"] == len(mine),
      "no host port: %d dropped, none counted as sent: %s" % (len(mine), out))
finish("route")
