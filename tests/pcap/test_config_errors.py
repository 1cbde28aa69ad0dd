#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bad configs against the real binary: exit code and the message that names the problem.

Config errors (exit 2) are found before EAL starts; device errors (exit 1) after, when the
device is asked what it has.
"""
import os
import subprocess
import sys
import tempfile

from prtest import check, finish

binary = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="prtest-cfg-")
null_ports = """node_name: node-a
eal: {hugepages: "off", memory_mb: 128, file_prefix: cfgerr%d}
ports:
  - name: up
    device: net_null0
    role: uplink
  - name: pods
    device: net_null1
    role: pods
""" % os.getpid()
worker = """workers:
  - lcore: 1
    poll: [{port: up}, {port: pods}]
"""


empty_pcap = os.path.join(tmp, "empty.pcap")
with open(empty_pcap, "wb") as f:  # a pcap header (LINKTYPE_ETHERNET) and no packet
    f.write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))


def run(text, *args):
    path = os.path.join(tmp, "c.yaml")
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run([binary, "-c", path] + list(args), capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout + p.stderr, path


def expect(name, text, code, *needles):
    rc, out, path = run(text)
    check(rc == code, "%s: exit %d, want %d\n%s" % (name, rc, code, out))
    for n in needles:
        n = n.replace("FILE", path)
        check(n in out, "%s: %r not in:\n%s" % (name, n, out))


# Each class of config error: exit 2, FILE:LINE: KEY: message.
expect("unknown key", null_ports + "    speed: 100G\n" + worker, 2,
       "FILE:10: ports[1].speed: unknown key")
expect("wrong type", null_ports + "    rx_desc: many\n" + worker, 2, "FILE:10: ports[1].rx_desc:")
expect("missing key", null_ports.replace("    device: net_null1\n", "") + worker, 2,
       "FILE:7: ports[1].device: required key is missing")
expect("bad address", null_ports + "    addresses: [10.244.1.256/24]\n" + worker, 2,
       "FILE:10: ports[1].addresses[0]: '10.244.1.256/24' is not an IPv4 address")
expect("queue polled twice", null_ports + worker + "  - lcore: 2\n    poll: [{port: up}]\n", 2,
       "FILE:14: workers[1].poll[0].queue: queue 0 of port 'up' is also polled by workers[0]")
expect("port without worker", null_ports + "workers: [{lcore: 1, poll: [{port: up}]}]\n", 2,
       "FILE:7: ports[1].rx_queues: queue 0 of port 'pods' is polled by no worker")
expect("bool typo", null_ports + "    promiscuous: ture\n" + worker, 2,
       "FILE:10: ports[1].promiscuous:", "one of: true, false")
expect("empty file", "", 2, "FILE:1: the file holds no configuration")
expect("comments only", "# nothing\n", 2, "FILE:1: the file holds no configuration")
expect("not a mapping", "- a\n- b\n", 2, "FILE:1:")
rc = subprocess.run([binary, "-c", "/nonexistent.yaml"], capture_output=True, text=True)
check(rc.returncode == 2 and "/nonexistent.yaml: cannot read" in rc.stderr,
      "missing config file: %d %s" % (rc.returncode, rc.stderr))

# --check accepts a good file and prints the EAL line without starting anything.
rc, out, _ = run(null_ports + worker, "--check")
check(rc == 0 and "--vdev net_null0" in out and "--no-pci" in out, "--check: " + out)

# Device errors: the device is asked, and says no. Exit 1, the port is named.
expect("more queues than the device has",
       null_ports.replace("device: net_null1\n", "device: net_pcap_p,rx_pcap=%s\n" % empty_pcap +
                          "    rx_queues: 2\n") +
       "workers: [{lcore: 1, poll: [{port: up}, {port: pods}, {port: pods, queue: 1}]}]\n", 1,
       "port pods (net_pcap_p): 2 RX / 1 TX queues wanted, the device has 1 / 1")
expect("absent PCI device",
       null_ports.replace("device: net_null1", "device: 0000:00:1f.7") + worker, 1,
       "port pods: no device '0000:00:1f.7'")
finish("config-errors")
