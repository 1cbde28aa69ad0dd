#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Neighbour resolution with ARP, against live peers.

The test makes a network namespace of its own with two veth pairs, enters it, and runs the
real podrouter there on net_af_packet ports (pods on one pair, uplink on the other); the
test is the pod and node-b at the far ends, with raw sockets. No address is configured on
any kernel interface, IPv6 is off: nothing but the test and podrouter talks. Timers are
short (reachable 1 s, retransmit 200 ms, 3 probes, hold 4):

1. node-b's VXLAN packets for a local pod whose MAC is unknown: an ARP request (broadcast,
   from the gateway 10.244.1.1) goes out once, the packets are held, and all leave, in
   order, with the pod's MAC once the pod answers; the entry is reachable.
2. the pod's packet to node-b's pod: node-b is unresolved until its gratuitous ARP, which
   is honoured (the entry exists since a route uses it): the held packet leaves
   VXLAN-encapsulated to that MAC; a second gratuitous ARP with a new MAC moves the next
   packets to it.
3. an address nobody answers for: at most `hold` packets held, the rest counted as
   neighbour_hold_full; exactly `probes` requests, `retransmit_ms` apart; then the held
   packets are counted as neighbour_unresolved and the entry is failed.
4. the reachable pod, unconfirmed for reachable_ms while a route uses it, is probed with a
   unicast ARP request to its MAC (RFC 1122 2.3.2.1), its gratuitous ARPs meanwhile
   notwithstanding (they tell the MAC, they confirm nothing).
5. node-b moves to another address and publishes a flannel VTEP MAC (SIGHUP on the cluster
   file): the next hop changes, the new address is resolved, the inner frame goes to the
   VTEP; a new VTEP MAC alone is taken by the tunnel in use.
"""
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml
from scapy.all import ARP, IP, UDP, VXLAN, Ether, Raw

from prtest import Router, check, finish

binary = sys.argv[1]
ns = "prt-nb-%d" % os.getpid()
PODS_MAC, UP_MAC = "02:00:00:00:00:02", "02:00:00:00:00:01"
POD_MAC, NODE_B_MAC, NODE_B_MAC2 = "02:00:00:00:01:0a", "02:00:00:00:02:03", "02:00:00:00:02:33"
POD, REMOTE_POD, NODE_A, NODE_B = "10.244.1.10", "10.244.2.20", "198.18.0.2", "198.18.0.3"
BCAST = "ff:ff:ff:ff:ff:ff"


def sh(*cmd):
    subprocess.run(cmd, check=True)


def netns_setup():
    sh("ip", "netns", "add", ns)
    import atexit
    atexit.register(lambda: subprocess.run(["ip", "netns", "del", ns]))
    fd = os.open("/var/run/netns/" + ns, os.O_RDONLY)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
        sys.exit("setns: %s" % os.strerror(ctypes.get_errno()))
    os.close(fd)
    with open("/proc/sys/net/ipv6/conf/all/disable_ipv6", "w") as f:
        f.write("1")
    with open("/proc/sys/net/ipv6/conf/default/disable_ipv6", "w") as f:
        f.write("1")
    for a, b in (("prpodA", "prpodB"), ("prupA", "prupB")):
        sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        sh("ip", "link", "set", a, "up")
        sh("ip", "link", "set", b, "up")


class Peer:
    """The far end of a veth: send frames, receive what podrouter sends."""

    def __init__(self, ifname):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.s.bind((ifname, 0))
        self.s.settimeout(0.05)
        self.backlog = []  # received, not yet asked for

    def send(self, frame):
        self.s.send(bytes(frame))

    def recv(self, want, timeout=3.0, keep=lambda p: True):
        """Frames podrouter sent, until `want` kept ones or the timeout; the others wait
        in the backlog for a later call."""
        got = [x for x in self.backlog if keep(x[1])][:want]
        self.backlog = [x for x in self.backlog if x not in got]
        deadline = time.monotonic() + timeout
        while len(got) < want and time.monotonic() < deadline:
            try:
                data, addr = self.s.recvfrom(65536)
            except socket.timeout:
                continue
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            p = Ether(data)
            (got if keep(p) else self.backlog).append((time.monotonic(), p))
        return got

    def drain(self):
        self.recv(1 << 30, timeout=0.2)
        self.backlog = []


def vxlan_to_pod(i):
    return (Ether(src=NODE_B_MAC, dst=UP_MAC) / IP(src=NODE_B, dst=NODE_A) /
            UDP(sport=50000, dport=4789) / VXLAN(vni=1) /
            Ether(src="02:00:00:00:0b:14", dst=UP_MAC) / IP(src=REMOTE_POD, dst=POD) /
            UDP(sport=2000, dport=8080) / Raw(b"held-%02d" % i))


def from_pod(dst, i):
    return (Ether(src=POD_MAC, dst=PODS_MAC) / IP(src=POD, dst=dst) /
            UDP(sport=3000, dport=80) / Raw(b"out-%02d" % i))


def is_arp(p, op=1):
    return ARP in p and p[ARP].op == op


def is_udp(p, dport):
    return UDP in p and p[UDP].dport == dport


netns_setup()
tmp = tempfile.mkdtemp(prefix="prtest-neigh-")
cluster = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-a"},
     "spec": {"podCIDR": "10.244.1.0/24"},
     "status": {"addresses": [{"type": "InternalIP", "address": NODE_A}]}},
    {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-b"},
     "spec": {"podCIDR": "10.244.2.0/24"},
     "status": {"addresses": [{"type": "InternalIP", "address": NODE_B}]}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
     "spec": {"nodeName": "node-a", "containers": [{"name": "c"}]},
     "status": {"phase": "Running", "podIP": POD}}]}
with open(os.path.join(tmp, "cluster.yaml"), "w") as f:
    yaml.safe_dump(cluster, f)
cfg = {"node_name": "node-a", "eal": {"hugepages": "off"},
       "ports": [{"name": "up", "role": "uplink", "mac": UP_MAC, "addresses": [NODE_A + "/24"],
                  "device": "net_af_packet_u,iface=prupA"},
                 {"name": "pods", "role": "pods", "mac": PODS_MAC,
                  "addresses": ["10.244.1.1/24"], "device": "net_af_packet_p,iface=prpodA"}],
       "workers": [{"lcore": 1, "poll": [{"port": "up"}, {"port": "pods"}]}],
       "cluster": {"file": os.path.join(tmp, "cluster.yaml")},
       "neighbours": {"reachable_ms": 1000, "retransmit_ms": 200, "probes": 3, "hold": 4}}
pod, node_b = Peer("prpodB"), Peer("prupB")
r = Router(binary, cfg, tmp=tmp).start()
pod.drain()
node_b.drain()

# 1. Resolution of a local pod: one request, packets held, all sent after the reply.
for i in range(3):
    node_b.send(vxlan_to_pod(i))
reqs = pod.recv(1, keep=is_arp)
check(len(reqs) == 1, "one ARP request for the pod, got %d" % len(reqs))
if reqs:
    a = reqs[0][1]
    check(a[Ether].dst == BCAST and a[Ether].src == PODS_MAC and a[ARP].psrc == "10.244.1.1" and
          a[ARP].hwsrc == PODS_MAC and a[ARP].pdst == POD, "request fields: %r" % a)
early = pod.recv(1, timeout=0.15, keep=lambda p: is_udp(p, 8080))
check(early == [], "nothing delivered before the answer")
pod.send(Ether(src=POD_MAC, dst=PODS_MAC) /
         ARP(op=2, hwsrc=POD_MAC, psrc=POD, hwdst=PODS_MAC, pdst="10.244.1.1"))
got = pod.recv(3, keep=lambda p: is_udp(p, 8080))
check([bytes(p[Raw].load) for _, p in got] == [b"held-%02d" % i for i in range(3)],
      "the held packets, in order: %s" % [p.summary() for _, p in got])
check(all(p[Ether].dst == POD_MAC and p[Ether].src == PODS_MAC and p[IP].ttl == 63
          for _, p in got), "delivered to the pod's MAC")
neigh = {n.split()[0]: n.split() for n in r.telemetry("/podrouter/neighbours")}
check(neigh.get(POD, [None] * 4)[1:4] == [POD_MAC, "pods", "reachable"],
      "the pod is reachable: %s" % neigh)

# 2. ARP on the uplink for the node IP is answered; node-b through its gratuitous ARP, then
# a new MAC.
node_b.send(Ether(src=NODE_B_MAC, dst=BCAST) /
            ARP(op=1, hwsrc=NODE_B_MAC, psrc="198.18.0.77", hwdst="00:00:00:00:00:00", pdst=NODE_A))
got = node_b.recv(1, keep=lambda p: is_arp(p, op=2))
check(len(got) == 1 and got[0][1][ARP].psrc == NODE_A and got[0][1][ARP].hwsrc == UP_MAC and
      got[0][1][ARP].pdst == "198.18.0.77" and got[0][1][Ether].dst == NODE_B_MAC,
      "the node IP answered for on the uplink: %s" % [p.summary() for _, p in got])
pod.send(from_pod(REMOTE_POD, 0))
reqs = node_b.recv(1, keep=is_arp)
check(len(reqs) == 1 and reqs[0][1][ARP].pdst == NODE_B and reqs[0][1][ARP].psrc == NODE_A,
      "a request for node-b from the node address: %s" % [p.summary() for _, p in reqs])
node_b.send(Ether(src=NODE_B_MAC, dst=BCAST) /
            ARP(op=1, hwsrc=NODE_B_MAC, psrc=NODE_B, hwdst="00:00:00:00:00:00", pdst=NODE_B))
got = node_b.recv(1, keep=lambda p: is_udp(p, 4789))
check(len(got) == 1 and got[0][1][Ether].dst == NODE_B_MAC and
      got[0][1][VXLAN][Raw].load == b"out-00", "the held packet leaves to the announced MAC: %s"
      % [p.summary() for _, p in got])
node_b.send(Ether(src=NODE_B_MAC2, dst=BCAST) /
            ARP(op=2, hwsrc=NODE_B_MAC2, psrc=NODE_B, hwdst=BCAST, pdst=NODE_B))
time.sleep(0.1)
pod.send(from_pod(REMOTE_POD, 1))
got = node_b.recv(1, keep=lambda p: is_udp(p, 4789))
check(len(got) == 1 and got[0][1][Ether].dst == NODE_B_MAC2,
      "after a new announcement, the new MAC: %s" % [p[Ether].dst for _, p in got])

# 3. Nobody answers for 10.244.1.77: hold bound, probes, failure.
for i in range(6):
    pod.send(from_pod("10.244.1.77", i))
reqs = pod.recv(4, timeout=1.5, keep=lambda p: is_arp(p) and p[ARP].pdst == "10.244.1.77")
check(len(reqs) == 3, "exactly 3 requests (probes), got %d" % len(reqs))
gaps = [b[0] - a[0] for a, b in zip(reqs, reqs[1:])]
check(all(g >= 0.15 for g in gaps), "requests at least retransmit_ms apart: %s" % gaps)
time.sleep(0.4)
st = r.telemetry("/podrouter/stats")
nb = st["stages"]["neighbour"]
check(nb["drops"]["neighbour_hold_full"] == 2 and nb["drops"]["neighbour_unresolved"] == 4,
      "2 beyond the hold, 4 unresolved: %s" % nb)
neigh = {n.split()[0]: n.split() for n in r.telemetry("/podrouter/neighbours")}
check(neigh.get("10.244.1.77", [None] * 4)[3] == "failed", "failed entry: %s" % neigh)

# 4. The pod, unconfirmed for reachable_ms and used by its route: a unicast probe. Its
# answer to the router makes it reachable; then it announces itself (the same MAC) every
# 300 ms: an announcement tells the MAC but confirms nothing (as in Linux), so the probe
# still comes.
pod.send(Ether(src=POD_MAC, dst=PODS_MAC) /
         ARP(op=2, hwsrc=POD_MAC, psrc=POD, hwdst=PODS_MAC, pdst="10.244.1.1"))
deadline = time.monotonic() + 2
while time.monotonic() < deadline:
    neigh = {n.split()[0]: n.split() for n in r.telemetry("/podrouter/neighbours")}
    if neigh.get(POD, [None] * 4)[3] == "reachable":
        break
    time.sleep(0.02)
check(neigh.get(POD, [None] * 4)[3] == "reachable", "the pod's answer confirms it: %s" % neigh)
pod.recv(100, timeout=0.05)  # what came before (probes of the stale entry) is not the answer
probes, deadline = [], time.monotonic() + 3.0
while not probes and time.monotonic() < deadline:
    pod.send(Ether(src=POD_MAC, dst=BCAST) /
             ARP(op=1, hwsrc=POD_MAC, psrc=POD, hwdst="00:00:00:00:00:00", pdst=POD))
    probes = pod.recv(1, timeout=0.3, keep=lambda p: is_arp(p) and p[ARP].pdst == POD)
check(len(probes) == 1 and probes[0][1][Ether].dst == POD_MAC,
      "a unicast probe to the pod's MAC despite its announcements: %s" %
      [p.summary() for _, p in probes])

# 5. node-b moves to 198.18.0.4 and publishes a flannel VTEP MAC (SIGHUP on the cluster
# file): its pods' traffic follows, to the new address's MAC, the inner frame to the VTEP;
# then only the VTEP MAC changes, and the tunnel in use takes it.
def reload(ip, vtep):
    nb = cluster["items"][1]
    nb["status"]["addresses"][0]["address"] = ip
    nb["metadata"]["annotations"] = {
        "flannel.alpha.coreos.com/backend-data": '{"VNI":1,"VtepMAC":"%s"}' % vtep}
    with open(os.path.join(tmp, "cluster.yaml"), "w") as f:
        yaml.safe_dump(cluster, f)
    lists = r.telemetry("/podrouter/sync")["lists"]
    r.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while r.telemetry("/podrouter/sync")["lists"] == lists and time.monotonic() < deadline:
        time.sleep(0.05)


NODE_B2, VTEP1, VTEP2, NODE_B2_MAC = "198.18.0.4", "0a:58:0a:f4:02:01", "0a:58:0a:f4:02:02", \
    "02:00:00:00:02:04"
node_b.drain()
reload(NODE_B2, VTEP1)
check("10.244.2.0/24 remote-node via %s node-b" % NODE_B2 in r.telemetry("/podrouter/routes"),
      "the route follows the node: %s" % r.telemetry("/podrouter/routes"))
pod.send(from_pod(REMOTE_POD, 10))
reqs = node_b.recv(1, keep=lambda p: is_arp(p) and p[ARP].pdst == NODE_B2)
check(len(reqs) == 1, "a request for the node's new address: %d" % len(reqs))
node_b.send(Ether(src=NODE_B2_MAC, dst=UP_MAC) /
            ARP(op=2, hwsrc=NODE_B2_MAC, psrc=NODE_B2, hwdst=UP_MAC, pdst=NODE_A))
got = node_b.recv(1, keep=lambda p: is_udp(p, 4789))
check(len(got) == 1 and got[0][1][Ether].dst == NODE_B2_MAC and got[0][1][IP].dst == NODE_B2 and
      got[0][1][VXLAN][Ether].dst == VTEP1,
      "to the new address, the inner frame to the VTEP: %s" % [p.summary() for _, p in got])
reload(NODE_B2, VTEP2)
pod.send(from_pod(REMOTE_POD, 11))
got = node_b.recv(1, keep=lambda p: is_udp(p, 4789))
check(len(got) == 1 and got[0][1][VXLAN][Ether].dst == VTEP2,
      "a new VTEP MAC is taken by the tunnel in use: %s" %
      [p[VXLAN][Ether].dst for _, p in got])

check(r.stop() == 0, "exit 0")
finish("neighbours")
