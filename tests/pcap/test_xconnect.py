#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Cross-connect end to end: the real binary, pcap vdevs in and out, a pcap made here.

Every well-formed packet must leave on the cross-connected port byte for byte unchanged and
in order; malformed ones must be dropped and counted by reason; telemetry's counters must
agree with what the pcap files hold. Both directions run at once.
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
    a_in = a_good[:]
    for pos, (p, _) in zip([3, 9, 17, 30, 44], a_bad):
        a_in.insert(pos, p)

    tmp = tempfile.mkdtemp(prefix="prtest-xc-")
    a_rx, b_rx = os.path.join(tmp, "a_in.pcap"), os.path.join(tmp, "b_in.pcap")
    a_tx, b_tx = os.path.join(tmp, "a_out.pcap"), os.path.join(tmp, "b_out.pcap")
    wrpcap(a_rx, [bytes(p) for p in a_in], linktype=1)
    wrpcap(b_rx, [bytes(p) for p in b_good], linktype=1)

    cfg = base_config([pcap_port("up", "uplink", a_rx, a_tx, forward_to="pods",
                                 mac=router_mac),
                       pcap_port("pods", "pods", b_rx, b_tx, forward_to="up")],
                      ["up", "pods"])
    r = Router(binary, cfg, tmp=tmp)
    r.start()
    total_in = len(a_in) + len(b_good)
    st = r.wait_stats(lambda s: s["rx_packets"] >= total_in)
    info = r.telemetry("/podrouter/info")
    rc = r.stop()
    check(rc == 0, "exit code %r after SIGTERM, want 0" % rc)
    check("stopped: %d packets in" % total_in in r.output(), "summary line on exit")

    out_b = rdpcap(b_tx)  # what came in on 'up' leaves on 'pods'
    out_a = rdpcap(a_tx)
    check(len(out_b) == len(a_good), "pods out: %d packets, want %d" % (len(out_b), len(a_good)))
    for i, (want, got) in enumerate(zip(a_good, out_b)):
        check(bytes(want) == bytes(got), "pods out #%d differs: %r vs %r" % (i, want, got))
    check(len(out_a) == len(b_good), "up out: %d packets, want %d" % (len(out_a), len(b_good)))
    for i, (want, got) in enumerate(zip(b_good, out_a)):
        check(bytes(want) == bytes(got), "up out #%d differs" % i)

    # Telemetry agrees with the files.
    check(st["rx_packets"] == total_in, "rx_packets %d, want %d" % (st["rx_packets"], total_in))
    check(st["tx_packets"] == len(a_good) + len(b_good), "tx_packets %d" % st["tx_packets"])
    check(st["dropped"] == len(a_bad), "dropped %d, want %d" % (st["dropped"], len(a_bad)))
    ports = st["ports"]
    check(ports["up"]["rx_packets"] == len(a_in), "up rx %d" % ports["up"]["rx_packets"])
    check(ports["up"]["hw_ipackets"] == len(a_in), "up hw_ipackets")
    check(ports["pods"]["tx_packets"] == len(a_good), "pods tx %d" % ports["pods"]["tx_packets"])
    check(ports["pods"]["hw_opackets"] == len(a_good), "pods hw_opackets")
    check(ports["up"]["tx_packets"] == len(b_good), "up tx")
    parse = st["stages"]["parse"]
    for reason in [r_ for _, r_ in a_bad]:
        check(parse["drops"][reason] == 1, "drop %s = %d, want 1" % (reason,
                                                                     parse["drops"][reason]))
    n_udp = sum(1 for p in a_good + b_good if IPv6 not in p and UDP in p and p[IP].frag == 0)
    check(parse["udp"] == n_udp, "parse udp %d, want %d" % (parse["udp"], n_udp))
    check(parse["tcp"] == 2 and parse["icmp"] == 1 and parse["sctp"] == 1, "parse l4 counts")
    check((parse["arp"], parse["vlan_tagged"], parse["ipv6"]) == (1, 1, 1),
          "parse arp/vlan/ipv6 counts %r" % ((parse["arp"], parse["vlan_tagged"],
                                              parse["ipv6"]),))
    check(parse["ipv4_fragment"] == 2, "fragments %d" % parse["ipv4_fragment"])
    check(parse["node_objs"] == total_in, "graph node_objs %d" % parse["node_objs"])
    check(st["stages"]["output"]["cross_connected"] == len(a_good) + len(b_good),
          "output cross_connected")
    check(info["ports"]["up"]["forward_to"] == "pods", "info forward_to")
    check(info["ports"]["up"]["mac"] == router_mac, "info mac %s" % info["ports"]["up"]["mac"])
    check(info["workers"]["worker0"]["polls"] == "upq0 podsq0", "info polls")
    finish("xconnect")


main()
