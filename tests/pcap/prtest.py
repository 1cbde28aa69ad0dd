# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the integration tests: run the real podrouter on vdevs, talk telemetry.

Every run gets its own temp folder and EAL file prefix, so tests never share a socket.
Packets only go through in-process vdevs (pcap files, null, ring).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml  # python3-yaml

FAILURES = []


def check(cond, what):
    """Record a failed assertion without stopping, so one run reports every mismatch."""
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)
    return cond


def finish(name):
    if FAILURES:
        print(f"{name}: {len(FAILURES)} check(s) failed", flush=True)
        sys.exit(1)
    print(f"{name}: all checks passed", flush=True)
    sys.exit(0)


class Router:
    """podrouter with a generated config; use as a context manager."""

    def __init__(self, binary, config, tmp=None, extra_args=()):
        self.binary = binary
        self.tmp = tmp or tempfile.mkdtemp(prefix="prtest-")
        self.prefix = "prt%d_%d" % (os.getpid(), int(time.monotonic_ns() % 1000000))
        config.setdefault("eal", {})
        config["eal"].setdefault("file_prefix", self.prefix)
        config["eal"].setdefault("memory_mb", 256)
        self.prefix = config["eal"]["file_prefix"]
        self.config_path = os.path.join(self.tmp, "podrouter.yaml")
        with open(self.config_path, "w") as f:
            yaml.safe_dump(config, f)
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = os.path.join(self.tmp, "podrouter.log")

    def start(self, wait=True):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([self.binary, "-c", self.config_path, "--"] +
                                     self.extra_args, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        if wait:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if "forwarding with" in self.output():
                    return self
                if self.proc.poll() is not None:
                    raise RuntimeError("podrouter exited %d:\n%s" %
                                       (self.proc.returncode, self.output()))
                time.sleep(0.05)
            raise RuntimeError("podrouter did not start:\n" + self.output())
        return self

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def telemetry(self, cmd):
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % self.prefix
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(path)
        s.recv(65536)  # the greeting: version, pid, max_output_len
        s.send(cmd.encode())
        reply = s.recv(1 << 20)
        s.close()
        return json.loads(reply)[cmd.split(",")[0]]

    def wait_stats(self, pred, timeout=20):
        """Poll /podrouter/stats until pred(stats) holds; return the last stats."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.telemetry("/podrouter/stats")
            if pred(st) or time.monotonic() > deadline:
                return st
            time.sleep(0.05)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        finally:
            self.log.close()
        return self.proc.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def pcap_port(name, role, rx, tx, **kw):
    port = {"name": name, "role": role,
            "device": "net_pcap_%s,rx_pcap=%s,tx_pcap=%s" % (name, rx, tx)}
    port.update(kw)
    return port


def base_config(ports, polls, **kw):
    cfg = {"node_name": "node-a",
           "eal": {"hugepages": "off"},
           "ports": ports,
           "workers": [{"lcore": 1, "poll": [{"port": p} for p in polls]}]}
    cfg.update(kw)
    return cfg
