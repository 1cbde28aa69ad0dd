#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Cross-connect and the pipeline end to end: the real binary, pcap vdevs, pcaps made here.

'up' and 'pods' are cross-connected (forward_to, an L1 patch like testpmd io): every frame,
well-formed or not, must leave on the other port byte for byte unchanged and in order, both
directions at once. 'probe' has no forward_to, so its frames go through the pipeline: parse
must count each kind and drop each malformed frame with its reason, and output (until routing
lands) drops the rest as output_no_destination. Telemetry must agree with the pcap files.
"""
import os
import sys
import tempfile

from scapy.all import (ARP, ICMP, IP, IPv6, SCTP, TCP, UDP, Dot1Q, Ether, Raw, rdpcap,
                       wrpcap)

from prtest import Router, base_config, check, finish, pcap_port

binary = sys.argv[1]
router_mac, peer_mac = "02:00:00:00:00:01", "02:00:00:00:00:0a"


def eth():
    return Ether(src=peer_mac, dst=router_mac)


def good_a():
    """Uplink to pods: one of each kind, with sizes from minimal to MTU."""
    pkts = []
    for i in range(40):
        pkts.append(eth() / IP(src="198.18.0.%d" % (i + 1), dst="10.244.1.5") /
                    UDP(sport=10000 + i, dport=53) / Raw(b"q" * (i * 30)))
    pkts.append(eth() / IP(src="198.18.0.1", dst="10.244.1.5") / TCP(sport=4000, dport=80,
                                                                    flags="S"))
    pkts.append(eth() / IP(src="198.18.0.1", dst="10.244.1.5") /
                TCP(sport=4000, dport=80, options=[("MSS", 1460), ("NOP", None),
                                                   ("WScale", 7)]))
    pkts.append(eth() / IP(src="198.18.0.1", dst="10.244.1.5") / ICMP() / Raw(b"ping"))
    pkts.append(eth() / IP(src="198.18.0.1", dst="10.244.1.5") / SCTP(sport=5, dport=6))
    pkts.append(Ether(src=peer_mac, dst="ff:ff:ff:ff:ff:ff") /
                ARP(op=1, hwsrc=peer_mac, psrc="198.18.0.1", pdst="198.18.0.2"))
    pkts.append(eth() / Dot1Q(vlan=100) / IP(src="198.18.0.1", dst="10.244.1.5") /
                UDP(sport=1, dport=2))
    pkts.append(eth() / IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=1, dport=2))
    pkts.append(eth() / IP(src="198.18.0.1", dst="10.244.1.5", options=b"\x01\x01\x01\x00") /
                UDP(sport=7, dport=8))
    pkts.append(eth() / IP(src="198.18.0.1", dst="10.244.1.5", flags="MF", frag=0) /
                UDP(sport=7, dport=8) / Raw(b"f" * 64))
    pkts.append(eth() / IP(src="198.18.0.1", dst="10.244.1.5", frag=9, proto=17) /
                Raw(b"g" * 40))
    pkts.append(eth() / IP(src="198.18.0.1", dst="10.244.1.5", len=1500) /
                UDP(sport=7, dport=8) / Raw(b"m" * 1472))
    return [p.__class__(bytes(p)) for p in pkts]


def bad_a():
    """Malformed: each is dropped with the reason named beside it."""
    ip = bytes(IP(src="198.18.0.1", dst="10.244.1.5") / UDP(sport=1, dport=2) / Raw(b"x" * 8))
    e = bytes(eth())[:12] + b"\x08\x00"
    flipped = bytearray(ip)
    flipped[10] ^= 0x01  # checksum
    lying = bytearray(ip)
    lying[2:4] = (200).to_bytes(2, "big")  # total length beyond the frame
    return [
        (Raw(e + bytes(flipped)), "parse_ipv4_bad_checksum"),
        (Raw(e[:10]), "parse_l2_truncated"),
        (Raw(e + fix_cksum(lying)), "parse_ipv4_bad_total_length"),
        (Raw(e + ip[:12]), "parse_ipv4_truncated"),
        (Raw(bytes(eth() / Dot1Q(vlan=1) / Dot1Q(vlan=2) / IP() / UDP())),
         "parse_vlan_nested"),
    ]


def fix_cksum(hdr):
    hdr[10:12] = b"\x00\x00"
    ihl = (hdr[0] & 0xF) * 4
    s = sum(int.from_bytes(hdr[i:i + 2], "big") for i in range(0, ihl, 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    hdr[10:12] = (~s & 0xFFFF).to_bytes(2, "big")
    return bytes(hdr)


def good_b():
    return [Ether(src="02:00:00:00:01:05", dst=router_mac) /
            IP(src="10.244.1.5", dst="198.18.0.%d" % (i + 1)) / UDP(sport=53, dport=10000 + i)
            for i in range(25)]


def main():
    a_good, a_bad, b_good = good_a(), bad_a(), good_b()
    # Malformed packets in mid-burst: a drop must not disturb the packets around it.
    probe_in = a_good[:]
    for pos, (p, _) in zip([3, 9, 17, 30, 44], a_bad):
        probe_in.insert(pos, p)
    a_in = probe_in  # the cross-connect forwards malformed frames too: it does not look

    tmp = tempfile.mkdtemp(prefix="prtest-xc-")
    path = {n: os.path.join(tmp, n + ".pcap") for n in
            ("a_in", "b_in", "a_out", "b_out", "p_in", "p_out")}
    wrpcap(path["a_in"], [bytes(p) for p in a_in], linktype=1)
    wrpcap(path["b_in"], [bytes(p) for p in b_good], linktype=1)
    wrpcap(path["p_in"], [bytes(p) for p in probe_in], linktype=1)

    cfg = base_config([pcap_port("up", "uplink", path["a_in"], path["a_out"],
                                 forward_to="pods", mac=router_mac),
                       pcap_port("pods", "pods", path["b_in"], path["b_out"], forward_to="up"),
                       pcap_port("probe", "pods", path["p_in"], path["p_out"])],
                      ["up", "pods", "probe"])
    r = Router(binary, cfg, tmp=tmp)
    r.start()
    total_in = len(a_in) + len(b_good) + len(probe_in)
    st = r.wait_stats(lambda s: s["rx_packets"] >= total_in)
    info = r.telemetry("/podrouter/info")
    rc = r.stop()
    check(rc == 0, "exit code %r after SIGTERM, want 0" % rc)
    check("stopped: %d packets in" % total_in in r.output(), "summary line on exit")

    out_b = rdpcap(path["b_out"])  # what came in on 'up' leaves on 'pods'
    out_a = rdpcap(path["a_out"])
    check(len(out_b) == len(a_in), "pods out: %d packets, want %d" % (len(out_b), len(a_in)))
    for i, (want, got) in enumerate(zip(a_in, out_b)):
        check(bytes(want) == bytes(got), "pods out #%d differs: %r vs %r" % (i, want, got))
    check(len(out_a) == len(b_good), "up out: %d packets, want %d" % (len(out_a), len(b_good)))
    for i, (want, got) in enumerate(zip(b_good, out_a)):
        check(bytes(want) == bytes(got), "up out #%d differs" % i)
    check(len(rdpcap(path["p_out"])) == 0, "nothing leaves on probe")

    # Telemetry agrees with the files.
    forwarded = len(a_in) + len(b_good)
    check(st["rx_packets"] == total_in, "rx_packets %d, want %d" % (st["rx_packets"], total_in))
    check(st["tx_packets"] == forwarded, "tx_packets %d, want %d" % (st["tx_packets"], forwarded))
    check(st["dropped"] == len(probe_in), "dropped %d, want %d" % (st["dropped"], len(probe_in)))
    ports = st["ports"]
    for name, rx, tx in (("up", len(a_in), len(b_good)), ("pods", len(b_good), len(a_in)),
                         ("probe", len(probe_in), 0)):
        p = ports[name]
        check((p["rx_packets"], p["hw_ipackets"], p["tx_packets"], p["hw_opackets"]) ==
              (rx, rx, tx, tx), "port %s rx/hw_rx/tx/hw_tx %r, want %r" %
              (name, (p["rx_packets"], p["hw_ipackets"], p["tx_packets"], p["hw_opackets"]),
               (rx, rx, tx, tx)))
    parse = st["stages"]["parse"]
    for reason in [r_ for _, r_ in a_bad]:
        check(parse["drops"][reason] == 1, "drop %s = %d, want 1" % (reason,
                                                                     parse["drops"][reason]))
    n_udp = sum(1 for p in a_good if IPv6 not in p and UDP in p and p[IP].frag == 0)
    check(parse["udp"] == n_udp, "parse udp %d, want %d" % (parse["udp"], n_udp))
    check((parse["tcp"], parse["icmp"], parse["sctp"]) == (2, 1, 1), "parse l4 counts")
    check((parse["arp"], parse["vlan_tagged"], parse["ipv6"]) == (1, 1, 1),
          "parse arp/vlan/ipv6 counts %r" % ((parse["arp"], parse["vlan_tagged"],
                                              parse["ipv6"]),))
    check(parse["ipv4_fragment"] == 2, "fragments %d" % parse["ipv4_fragment"])
    n_eth = len(probe_in) - 1  # all but the 10-byte frame have an Ethernet header
    check(parse["ethernet"] == n_eth, "parse ethernet %d, want %d" % (parse["ethernet"], n_eth))
    # The ARP request is for nobody here (probe has no address): the ARP stage drops it.
    # With no cluster state there is no route: the route stage drops every IPv4 packet,
    # and the IPv6 one as not IPv4.
    route = st["stages"]["route"]["drops"]
    n_ipv4 = sum(1 for p in a_good if IP in p)
    check(route["route_no_route"] == n_ipv4, "route_no_route %d, want %d" % (
        route["route_no_route"], n_ipv4))
    check(route["route_not_ipv4"] == 1, "route_not_ipv4 %d" % route["route_not_ipv4"])
    check(st["stages"]["arp"]["drops"]["arp_not_handled"] == 1, "arp_not_handled")
    check(info["ports"]["up"]["forward_to"] == "pods", "info forward_to")
    check(info["ports"]["up"]["mac"] == router_mac, "info mac %s" % info["ports"]["up"]["mac"])
    check(info["workers"]["worker0"]["polls"] == "upq0 podsq0 probeq0", "info polls")
    finish("xconnect")


main()
