# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the integration tests: run the real podrouter on vdevs, talk telemetry.

Every run gets its own temp folder and EAL file prefix, so tests never share a socket.
Packets only go through in-process vdevs (pcap files, null, ring).
"""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml  # python3-yaml

FAILURES = []
_LIVE = []  # processes to end if a test dies half-way


def _cleanup():
    for p in _LIVE:
        if p.poll() is None:
            p.kill()
            p.wait()


import atexit  # noqa: E402
atexit.register(_cleanup)
# meson's timeout sends SIGTERM: leave through atexit so no router or Redis outlives us.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


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
        _LIVE.append(self.proc)
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


def free_port():
    """A loopback TCP port nobody listens on (for a Redis primary that replicas follow)."""
    for _ in range(50):
        port = random.randint(20000, 60000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


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


class Redis:
    """A real redis-server on a unix socket in a temp folder, with an append-only file so a
    restart keeps the data (as a real deployment's would)."""

    def __init__(self, tmp, name="redis", port=0, replica_of=None, password=None):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(self.dir, "redis.sock")
        self.port = port  # 0: no TCP; replication needs it (loopback only)
        self.replica_of = replica_of
        self.password = password
        self.proc = None

    def start(self):
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--unixsocket", self.sock, "--unixsocketperm", "700", "--dir", self.dir,
                "--save", "", "--appendonly", "yes", "--daemonize", "no",
                "--logfile", os.path.join(self.dir, "redis.log")]
        if self.replica_of is not None:
            args += ["--replicaof", "127.0.0.1", str(self.replica_of.port),
                     "--replica-read-only", "yes"]
        if self.password is not None:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args)
        _LIVE.append(self.proc)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if os.path.exists(self.sock) and self.cli("PING").strip() == "PONG":
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def cli(self, *args, stdin=None):
        auth = ["--no-auth-warning", "-a", self.password] if self.password else []
        p = subprocess.run(["redis-cli", "-s", self.sock] + auth + list(args),
                           capture_output=True, text=True, input=stdin, timeout=20)
        return p.stdout

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def url(self, password=None):
        password = self.password if password is None else password
        return "unix://%s@%s" % (password, self.sock) if password else self.sock
