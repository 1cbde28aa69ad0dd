#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark: podrouter routing and VXLAN beside DPDK's l3fwd (LPM) and testpmd io.

One forwarding core (lcore 1), net_pcap (infinite_rx=1: a file of 256 frames of 64 bytes,
256 UDP flows, replayed as fast as the core takes them) into net_null (no-rx=1), hugepages
when the machine has them. Six forwarders, alternating within each repetition so that the
machine's drift hits all alike:

  testpmd io       dpdk-testpmd --forward-mode=io: the I/O floor, the reference for VXLAN
  testpmd io vxlan the same on the decapsulating case's own frames (110 bytes: VXLAN with a
                   64-byte inner frame), the I/O floor of that traffic
  l3fwd lpm        DPDK's l3fwd example, LPM lookup, the reference for routing: UDP to
                   198.18.1.10, which its built-in routes (198.18.N.0/24 -> port N) send
                   to port 1
  podrouter route  plain IPv4 routing: uplink -> pods, 198.18.0.50 -> pod 10.244.1.10
  podrouter vxlan decap  VXLAN from node-b (198.18.0.3 -> 198.18.0.2, VNI 1) on the
                   uplink, inner 10.244.2.10 -> 10.244.1.10 delivered on pods
  podrouter vxlan encap  pod 10.244.1.10 -> 10.244.2.10 (node-b's podCIDR) entering the
                   pods port, leaving VXLAN-encapsulated on the uplink

Every forwarder's rate is read the same way: the output port's sent packets, sampled once a
second over the DPDK telemetry socket (/ethdev/stats,1 for testpmd and l3fwd, podrouter's
/podrouter/stats ports.OUT.tx_packets); each run gives the median of its steady seconds, the
table the median over the runs. Cycles per packet = TSC Hz / packets per second (the
forwarding core busy-polls all the time). Before measuring, each podrouter case (and l3fwd)
is verified in a short run: pcap in, pcap out, every frame must come out with the expected
headers, and the counters must show transmitted packets, not drops. A case that fails (for
instance a configuration key podrouter does not know yet) is reported as such, never as a
number.

l3fwd is not built here. DPDK 22.11's l3fwd asks every port for Rx checksum offload, which
vdevs lack, so it needs a one-line change (docs/benchmarks.md says how to build it); give its
path with --l3fwd PATH or $L3FWD.

Usage: bench/routing.py [--reps N] [--seconds S] [--out FILE.json] [--l3fwd PATH]
                        [--podrouter PATH]
Not a test: numbers vary with the machine; quote the ratios, which is what this measures.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NFLOWS = 256
UPLINK_MAC, PODS_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
POD_MAC, NODE_B_MAC, GW_MAC = "02:00:00:00:01:0a", "02:00:00:00:02:03", "02:00:00:00:00:0a"
VXLAN_PORT, VNI = 4789, 1
PAYLOAD = b"x" * 18  # Ethernet 14 + IPv4 20 + UDP 8 + 18 = 60 bytes, 64 with the FCS


# --- frames (built by hand: no packet library needed) ---------------------------------------

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac(m):
    return bytes(int(x, 16) for x in m.split(":"))


def ipv4(src, dst, l4, proto=17, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, ttl, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4


def udp(src, dst, sport, dport, payload, checksum=True):
    n = 8 + len(payload)
    c = 0
    if checksum:
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, n)
        c = csum(pseudo + struct.pack("!HHHH", sport, dport, n, 0) + payload) or 0xffff
    return ipv4(src, dst, struct.pack("!HHHH", sport, dport, n, c) + payload)


def eth(dst, src, l3):
    return mac(dst) + mac(src) + b"\x08\x00" + l3


def vxlan(inner, sport):
    """Outer headers as node-b sends them (UDP checksum 0, as Linux does by default)."""
    return eth(UPLINK_MAC, NODE_B_MAC,
               udp("198.18.0.3", "198.18.0.2", sport, VXLAN_PORT,
                   struct.pack("!II", 0x08000000, VNI << 8) + inner, checksum=False))


def frames(case):
    f = []
    for i in range(NFLOWS):
        sport = 1024 + i
        if case in ("testpmd", "route"):
            f.append(eth(UPLINK_MAC, GW_MAC, udp("198.18.0.50", "10.244.1.10", sport, 80,
                                                 PAYLOAD)))
        elif case == "l3fwd":
            f.append(eth(UPLINK_MAC, GW_MAC, udp("198.18.0.50", "198.18.1.10", sport, 80,
                                                 PAYLOAD)))
        elif case == "decap":
            inner = eth(PODS_MAC, "02:00:00:00:02:0a",
                        udp("10.244.2.10", "10.244.1.10", sport, 80, PAYLOAD))
            f.append(vxlan(inner, 49152 + i))
        elif case == "encap":
            f.append(eth(PODS_MAC, POD_MAC, udp("10.244.1.10", "10.244.2.10", sport, 80,
                                                PAYLOAD)))
    return f


def write_pcap(path, fr):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for x in fr:
            f.write(struct.pack("<IIII", 0, 0, len(x), len(x)) + x)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    endian = "<" if struct.unpack("<I", data[:4])[0] in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    out, off = [], 24
    while off + 16 <= len(data):
        n = struct.unpack(endian + "IIII", data[off:off + 16])[2]
        out.append(data[off + 16:off + 16 + n])
        off += 16 + n
    return out


# --- what must come out -----------------------------------------------------------------------

def ip_of(b):
    return socket.inet_ntoa(b)


def check_inner(fr, what, dst_mac, src_ip, dst_ip, ttls=(63,)):
    """A routed Ethernet/IPv4/UDP frame: addresses, valid header checksum, TTL."""
    p = []
    if len(fr) < 42 or fr[12:14] != b"\x08\x00":
        return ["%s: not Ethernet/IPv4 (%d bytes)" % (what, len(fr))]
    if fr[0:6] != mac(dst_mac):
        p.append("%s: destination MAC %s, expected %s" % (what, fr[0:6].hex(":"), dst_mac))
    ip = fr[14:34]
    if csum(ip) != 0:
        p.append("%s: bad IPv4 header checksum" % what)
    if (ip_of(ip[12:16]), ip_of(ip[16:20])) != (src_ip, dst_ip):
        p.append("%s: %s -> %s, expected %s -> %s" % (what, ip_of(ip[12:16]),
                                                      ip_of(ip[16:20]), src_ip, dst_ip))
    if ip[8] not in ttls:
        p.append("%s: TTL %d, expected %s" % (what, ip[8], " or ".join(map(str, ttls))))
    return p


def check_output(case, out):
    """Problems with what podrouter sent in the verification run (empty list: all good)."""
    if len(out) != NFLOWS:
        return ["%d frames out for %d in" % (len(out), NFLOWS)]
    p = []
    for fr in out:
        if case in ("route", "decap"):
            src = "198.18.0.50" if case == "route" else "10.244.2.10"
            # routed, and decapsulated then routed: TTL 63
            p += check_inner(fr, "pods frame", POD_MAC, src, "10.244.1.10")
            if len(fr) != 60:
                p.append("pods frame: %d bytes, expected 60" % len(fr))
        else:
            if len(fr) != 110 or fr[12:14] != b"\x08\x00":
                p.append("uplink frame: %d bytes, expected 110 (VXLAN over IPv4)" % len(fr))
                continue
            if fr[0:6] != mac(NODE_B_MAC):
                p.append("outer destination MAC %s, expected node-b's %s" % (fr[0:6].hex(":"),
                                                                             NODE_B_MAC))
            ip = fr[14:34]
            if csum(ip) != 0:
                p.append("outer IPv4 header checksum bad")
            if (ip_of(ip[12:16]), ip_of(ip[16:20]), ip[9]) != ("198.18.0.2", "198.18.0.3", 17):
                p.append("outer %s -> %s proto %d, expected 198.18.0.2 -> 198.18.0.3 UDP" %
                         (ip_of(ip[12:16]), ip_of(ip[16:20]), ip[9]))
            tot, (dport, ulen, ucsum) = struct.unpack("!H", ip[2:4])[0], \
                struct.unpack("!HHH", fr[36:42])
            if (tot, ulen) != (96, 76):
                p.append("outer IPv4 length %d, UDP length %d, expected 96 and 76" % (tot, ulen))
            if ucsum and csum(ip[12:20] + struct.pack("!BBH", 0, 17, ulen) + fr[34:]) != 0:
                p.append("outer UDP checksum bad (neither 0 nor valid)")
            flags, vni = struct.unpack("!II", fr[42:50])
            if dport != VXLAN_PORT or flags != 0x08000000 or vni >> 8 != VNI:
                p.append("UDP port %d, VXLAN flags %#x VNI %d, expected %d, 0x08000000, %d" %
                         (dport, flags, vni >> 8, VXLAN_PORT, VNI))
            # node-b publishes no flannel VTEP MAC: the inner frame goes to the uplink's MAC
            p += check_inner(fr[50:], "inner frame", UPLINK_MAC, "10.244.1.10", "10.244.2.10")
        if p:
            break
    return sorted(set(p))


# --- running DPDK processes -------------------------------------------------------------------

def eal_memory():
    with open("/proc/meminfo") as f:
        free = int(re.search(r"HugePages_Free:\s+(\d+)", f.read()).group(1))
    return [] if free >= 512 else ["--no-huge"]


def telemetry(prefix, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    try:
        s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix)
        s.recv(65536)
        s.send(cmd.encode())
        return json.loads(s.recv(1 << 22))[cmd.split(",")[0]]
    finally:
        s.close()


def stop(p, sig):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def measure(cmd, prefix, counter, seconds, log, stop_sig=signal.SIGINT):
    """Start cmd, wait until counter() moves, then take one rate a second for `seconds`
    seconds after one second of warm-up. Returns (rates, the last counters), or (None, why)
    when no packet came out."""
    with open(log, "w") as lf:
        p = subprocess.Popen(cmd, stdout=lf, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
    try:
        t0 = time.monotonic()
        while True:
            if p.poll() is not None:
                return None, "exited with status %d; see %s" % (p.returncode, log)
            if time.monotonic() - t0 > 30:
                return None, "no packets out after 30 s; see %s" % log
            try:
                if counter(prefix)[0] > 0:
                    break
            except (OSError, KeyError, TypeError, ValueError):  # not up yet
                pass
            time.sleep(0.05)
        time.sleep(1)  # warm-up
        rates = []
        prev = (time.monotonic(), counter(prefix)[0])
        for _ in range(seconds):
            time.sleep(1)
            now = (time.monotonic(), counter(prefix)[0])
            rates.append(int((now[1] - prev[1]) / (now[0] - prev[0])))
            prev = now
        return rates, counter(prefix)[1]
    finally:
        stop(p, stop_sig)


def ethdev_out(prefix):
    """Port 1's sent packets; the ports' totals (without the per-queue lists)."""
    st = [telemetry(prefix, "/ethdev/stats,%d" % i) for i in (1, 0)]
    return st[0]["opackets"], [{k: v for k, v in s.items() if not k.startswith("q_")}
                               for s in reversed(st)]


def testpmd_cmd(pcap):
    return ["dpdk-testpmd", "-l", "0,1", "-m", "512", "--no-pci", "--file-prefix", "bench-rt-tpmd",
            "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap,
            "--vdev", "net_null0,no-rx=1"] + eal_memory() + [
            "--", "--forward-mode=io", "--nb-cores=1", "--stats-period", "1"]


def l3fwd_cmd(binary, rx_dev, tx_dev):
    # -l 1: the main lcore is the forwarding lcore (l3fwd opens a TX queue per lcore on
    # every port, and net_pcap has one); EAL's own threads then run on core 0.
    return [binary, "-l", "1", "-m", "512", "--no-pci", "--file-prefix", "bench-rt-l3fwd",
            "--vdev", rx_dev, "--vdev", tx_dev] + eal_memory() + [
            "--", "-p", "0x3", "-P", "--lookup=lpm", "--config=(0,0,1),(1,0,1)",
            "--parse-ptype"]


def run_simple(name, cmd, prefix, seconds, tmp):
    log = os.path.join(tmp, name.replace(" ", "_") + ".log")
    rates, last = measure(cmd, prefix, ethdev_out, seconds, log)
    if rates is None:
        sys.exit("%s: %s\n%s" % (name, last, tail(log)))
    return {"pps": statistics.median(rates), "samples": rates, "stats": last}


def tail(path, n=3000):
    with open(path, errors="replace") as f:
        return f.read()[-n:]


# --- podrouter --------------------------------------------------------------------------------

CLUSTER = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: node-a}
  spec: {podCIDR: 10.244.1.0/24, podCIDRs: [10.244.1.0/24]}
  status: {addresses: [{type: InternalIP, address: 198.18.0.2}]}
- apiVersion: v1
  kind: Node
  metadata: {name: node-b}
  spec: {podCIDR: 10.244.2.0/24, podCIDRs: [10.244.2.0/24]}
  status: {addresses: [{type: InternalIP, address: 198.18.0.3}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: web, namespace: default}
  spec: {nodeName: node-a, containers: [{name: web, image: nginx}]}
  status: {phase: Running, podIP: 10.244.1.10, podIPs: [{ip: 10.244.1.10}]}
"""

PR_PREFIX = "bench-route"
# case -> (port the frames enter, port they leave)
PR_CASES = {"route": ("uplink", "pods"), "decap": ("uplink", "pods"),
            "encap": ("pods", "uplink")}
PR_NAMES = {"route": "podrouter route", "decap": "podrouter vxlan decap",
            "encap": "podrouter vxlan encap"}


def pr_config(tmp, case, in_dev, out_dev):
    import yaml
    inp, outp = PR_CASES[case]
    dev = {inp: in_dev, outp: out_dev}
    cfg = {"node_name": "node-a",
           "eal": {"file_prefix": PR_PREFIX, "memory_mb": 1024, "main_lcore": 0,
                   "hugepages": "auto"},
           "ports": [{"name": "uplink", "device": dev["uplink"], "role": "uplink",
                      "mac": UPLINK_MAC, "addresses": ["198.18.0.2/24"],
                      "gateway": "198.18.0.1"},
                     {"name": "pods", "device": dev["pods"], "role": "pods", "mac": PODS_MAC,
                      "addresses": ["10.244.1.1/24"]}],
           # every port's queue must be polled; testpmd and l3fwd poll both ports too
           "workers": [{"lcore": 1, "poll": [{"port": inp}, {"port": outp}]}],
           "cluster": {"file": "cluster.yaml"},
           "neighbours": {"static": [
               {"ip": "10.244.1.10", "mac": POD_MAC, "port": "pods"},
               {"ip": "198.18.0.3", "mac": NODE_B_MAC, "port": "uplink"}]},
           "overlay": {"encap": "vxlan", "vni": VNI}}
    with open(os.path.join(tmp, "cluster.yaml"), "w") as f:
        f.write(CLUSTER)
    path = os.path.join(tmp, "podrouter-%s.yaml" % case)
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    return path


def pr_out(case):
    outp = PR_CASES[case][1]

    def counter(prefix):
        st = telemetry(prefix, "/podrouter/stats")
        return st["ports"][outp]["tx_packets"], st
    return counter


def nonzero_drops(st):
    d = {}
    for stage, s in st.get("stages", {}).items():
        for reason, n in s.get("drops", {}).items():
            if n:
                d[reason] = n
    return d


def verify_podrouter(binary, case, tmp):
    """Short run, pcap in (once) and pcap out: the frames must come out as expected.
    Returns (None, info) when it works, (reason, info) when not."""
    inp, outp = PR_CASES[case]
    pin = os.path.join(tmp, case + ".pcap")
    empty = os.path.join(tmp, "empty.pcap")
    write_pcap(empty, [])
    pout = os.path.join(tmp, "verify-%s-out.pcap" % case)
    if os.path.exists(pout):
        os.unlink(pout)
    cfg = pr_config(tmp, case, "net_pcap0,rx_pcap=%s" % pin,
                    "net_pcap1,rx_pcap=%s,tx_pcap=%s" % (empty, pout))
    chk = subprocess.run([binary, "--check", "-c", cfg], capture_output=True, text=True)
    if chk.returncode != 0:
        return ("podrouter rejects the configuration (%s): %s" %
                (cfg, (chk.stderr + chk.stdout).strip().replace("\n", "; "))), None
    log = os.path.join(tmp, "verify-%s.log" % case)
    with open(log, "w") as lf:
        p = subprocess.Popen([binary, "-c", cfg], stdout=lf, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
    st, info = None, None
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30 and p.poll() is None:
            try:
                st = telemetry(PR_PREFIX, "/podrouter/stats")
                info = info or telemetry(PR_PREFIX, "/podrouter/info")
                if st["ports"][inp]["rx_packets"] >= NFLOWS:
                    time.sleep(0.5)  # let the last burst leave
                    st = telemetry(PR_PREFIX, "/podrouter/stats")
                    break
            except (OSError, KeyError, TypeError, ValueError):  # not up yet
                pass
            time.sleep(0.1)
    finally:
        stop(p, signal.SIGTERM)
    if st is None:
        return "podrouter did not start: %s" % tail(log, 1500), info
    sent = st["ports"][outp]["tx_packets"]
    if sent == 0:
        return ("podrouter received %d packets on %s and sent none on %s: drops %s" %
                (st["ports"][inp]["rx_packets"], inp, outp, nonzero_drops(st) or "none")), info
    problems = check_output(case, read_pcap(pout))
    if st["dropped"] or problems:
        return ("output not as expected: %s; drops %s" %
                ("; ".join(problems) or "frames fine", nonzero_drops(st) or "none")), info
    return None, info


def run_podrouter(binary, case, seconds, tmp):
    pin = os.path.join(tmp, case + ".pcap")
    cfg = pr_config(tmp, case, "net_pcap0,rx_pcap=%s,infinite_rx=1" % pin,
                    "net_null0,no-rx=1")
    log = os.path.join(tmp, "podrouter-%s.log" % case)
    rates, st = measure([binary, "-c", cfg], PR_PREFIX, pr_out(case), seconds, log,
                        signal.SIGTERM)
    if rates is None:
        sys.exit("podrouter %s: %s\n%s" % (case, st, tail(log)))
    inp = PR_CASES[case][0]
    return {"pps": statistics.median(rates), "samples": rates,
            "rx_packets": st["ports"][inp]["rx_packets"],
            "tx_packets": st["ports"][PR_CASES[case][1]]["tx_packets"],
            "dropped": st["dropped"], "drops": nonzero_drops(st)}


def verify_l3fwd(binary, tmp):
    pin = os.path.join(tmp, "l3fwd.pcap")
    empty = os.path.join(tmp, "empty.pcap")
    write_pcap(empty, [])
    pout = os.path.join(tmp, "verify-l3fwd-out.pcap")
    if os.path.exists(pout):
        os.unlink(pout)
    cmd = l3fwd_cmd(binary, "net_pcap0,rx_pcap=%s" % pin,
                    "net_pcap1,rx_pcap=%s,tx_pcap=%s" % (empty, pout))
    log = os.path.join(tmp, "verify-l3fwd.log")
    rates, last = measure(cmd, "bench-rt-l3fwd", ethdev_out, 1, log)
    if rates is None:
        msg = tail(log)
        if "Rx offloads" in msg:
            return ("this l3fwd asks for Rx checksum offload, which vdevs lack: build it with "
                    "the change docs/benchmarks.md gives\n" + msg)
        return "l3fwd: %s\n%s" % (last, msg)
    out = read_pcap(pout)
    if len(out) != NFLOWS:
        return "l3fwd sent %d frames for %d" % (len(out), NFLOWS)
    ip = out[0][14:34]
    if ip_of(ip[16:20]) != "198.18.1.10" or ip[8] != 63:
        return "l3fwd output not routed: %s TTL %d" % (ip_of(ip[16:20]), ip[8])
    return None


def find_l3fwd(arg):
    for c in (arg, os.environ.get("L3FWD"), os.path.join(ROOT, "bench/out/l3fwd/build/l3fwd"),
              "/tmp/l3fwd-build/l3fwd/build/l3fwd"):
        if c and os.access(c, os.X_OK):
            return os.path.abspath(c)
    sys.exit("no l3fwd binary: give --l3fwd PATH or set L3FWD (docs/benchmarks.md says how "
             "to build DPDK's l3fwd example)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "routing.json"))
    ap.add_argument("--l3fwd", help="DPDK's l3fwd example binary (default: $L3FWD)")
    ap.add_argument("--podrouter", help="podrouter binary to measure as it is (default: "
                    "build/podrouter, built first with scripts/build.sh)")
    a = ap.parse_args()
    l3fwd = find_l3fwd(a.l3fwd)
    if a.podrouter:
        binary = os.path.abspath(a.podrouter)
    else:
        subprocess.run(["bash", os.path.join(ROOT, "scripts/build.sh"), "build"], check=True)
        binary = os.path.join(ROOT, "build/podrouter")
    tmp = tempfile.mkdtemp(prefix="bench-rt-")
    for case in ("testpmd", "l3fwd", "route", "decap", "encap"):
        write_pcap(os.path.join(tmp, case + ".pcap"), frames(case))

    print("verifying (pcap in, pcap out) ...", flush=True)
    err = verify_l3fwd(l3fwd, tmp)
    if err:
        sys.exit(err)
    print("  l3fwd lpm: ok")
    unavailable, tsc, hugepages = {}, None, None
    for case in PR_CASES:
        err, info = verify_podrouter(binary, case, tmp)
        if info:
            tsc, hugepages = info.get("tsc_hz"), info.get("hugepages")
        if err:
            unavailable[PR_NAMES[case]] = err
            print("  %s: NOT MEASURED: %s" % (PR_NAMES[case], err))
        else:
            print("  %s: ok" % PR_NAMES[case])
    print(flush=True)

    variants = {
        "testpmd io": lambda: run_simple("testpmd io",
                                         testpmd_cmd(os.path.join(tmp, "testpmd.pcap")),
                                         "bench-rt-tpmd", a.seconds, tmp),
        # The I/O floor of the decapsulating case's own traffic (110-byte frames: the pcap
        # vdev copies twice the bytes of a 64-byte frame): a second reference for it.
        "testpmd io vxlan": lambda: run_simple("testpmd io vxlan",
                                               testpmd_cmd(os.path.join(tmp, "decap.pcap")),
                                               "bench-rt-tpmd", a.seconds, tmp),
        "l3fwd lpm": lambda: run_simple(
            "l3fwd lpm", l3fwd_cmd(l3fwd, "net_pcap0,rx_pcap=%s,infinite_rx=1" %
                                   os.path.join(tmp, "l3fwd.pcap"), "net_null0,no-rx=1"),
            "bench-rt-l3fwd", a.seconds, tmp),
    }
    for case in PR_CASES:
        if PR_NAMES[case] not in unavailable:
            variants[PR_NAMES[case]] = (lambda c: lambda: run_podrouter(
                binary, c, a.seconds, tmp))(case)
    res = {k: [] for k in variants}
    load = []
    for rep in range(a.reps):
        for name, fn in variants.items():
            load.append(os.getloadavg()[0])
            r = fn()
            res[name].append(r)
            print("rep %d %-24s %6.2f Mpps%s" % (
                rep + 1, name, r["pps"] / 1e6,
                "  (dropped %d)" % r["dropped"] if r.get("dropped") else ""), flush=True)
    if tsc is None:
        with open("/proc/cpuinfo") as f:  # no podrouter started: the kernel's figure
            m = re.search(r"cpu MHz\s*:\s*([\d.]+)", f.read())
        tsc = float(m.group(1)) * 1e6
    med = {k: statistics.median(r["pps"] for r in v) for k, v in res.items()}
    summary = []
    print("\n| forwarder | Mpps (median of %d runs) | cycles/packet | ratio to testpmd io |"
          " ratio to l3fwd lpm |" % a.reps)
    print("|---|---|---|---|---|")
    for name in list(variants) + list(unavailable):
        if name in unavailable:
            print("| %s | not measured | | | |" % name)
            summary.append({"name": name, "not_measured": unavailable[name]})
            continue
        pps = med[name]
        summary.append({"name": name, "mpps": pps / 1e6, "cycles_per_packet": tsc / pps,
                        "ratio_testpmd": pps / med["testpmd io"],
                        "ratio_l3fwd": pps / med["l3fwd lpm"]})
        print("| %s | %.2f | %.1f | %.3f | %.3f |" % (name, pps / 1e6, tsc / pps,
                                                      pps / med["testpmd io"],
                                                      pps / med["l3fwd lpm"]))
    targets = [(PR_NAMES["route"], "l3fwd lpm", 0.9), (PR_NAMES["decap"], "testpmd io", 0.45),
               (PR_NAMES["decap"], "testpmd io vxlan", 0.45),
               (PR_NAMES["encap"], "testpmd io", 0.45)]
    print()
    for name, ref, target in targets:
        if name in med:
            r = med[name] / med[ref]
            print("%s / %s = %.3f (target >= %.2f: %s)" % (name, ref, r, target,
                                                          "met" if r >= target else "NOT met"))
        else:
            print("%s / %s: not measured: %s" % (name, ref, unavailable[name]))
    if max(load) > 1.5:
        print("\nnote: load average up to %.1f during the runs: other work shared the cores"
              % max(load))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "tsc_hz": tsc,
                   "hugepages": hugepages, "podrouter": binary,
                   "l3fwd": l3fwd_cmd(l3fwd, "net_pcap0,rx_pcap=PCAP,infinite_rx=1",
                                      "net_null0,no-rx=1"),
                   "load_average_1min": load, "summary": summary, "not_measured": unavailable,
                   "runs": res}, f, indent=1)
    print("\nraw results: %s" % a.out)


if __name__ == "__main__":
    main()
