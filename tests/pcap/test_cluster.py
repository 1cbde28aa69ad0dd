#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Cluster state through a real redis-server and podrouterctl, as docs/cluster-state.md says.

podrouter follows Redis while its data path forwards (net_null cross-connected, counted):
apply, change and delete each kind and see it in the telemetry dumps; kill and restart Redis
and see the router resync while forwarding goes on; trim the stream past the router and see
a full relist; idle, see Redis get two commands a second while a change still arrives within
milliseconds, SIGHUP relist at once and a Redis that stops answering be dropped; write
garbage, a wrong type and a rule-breaking object straight into Redis and see each rejected
with its reason while the rest applies; the same manifests from a file give the same dumps;
a read-only replica serves the router while podrouterctl writes the primary; and a
connection cut between a stream entry and its object's GET loses nothing.
"""
import copy
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import yaml

from prtest import Redis, Router, check, finish, free_port

binary = sys.argv[1]
ctl = os.path.join(os.path.dirname(binary), "podrouterctl")
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
manifest = os.path.join(root, "conf", "demo", "cluster.yaml")
tmp = tempfile.mkdtemp(prefix="prtest-cluster-")


def podrouterctl(redis, *args, stdin=None):
    p = subprocess.run([ctl, "--redis", redis.url()] + list(args), capture_output=True,
                       text=True, input=stdin, timeout=30)
    return p.returncode, p.stdout + p.stderr


def router_config(cluster):
    return {"node_name": "demo-node-a",
            "eal": {"hugepages": "off"},
            "ports": [{"name": "up", "role": "uplink", "device": "net_null_u,size=64",
                       "forward_to": "pods", "addresses": ["198.18.0.2/24"]},
                      {"name": "pods", "role": "pods", "device": "net_null_p,no-rx=1"}],
            "workers": [{"lcore": 1, "poll": [{"port": "up"}, {"port": "pods"}]}],
            "cluster": cluster}


def wait_for(r, cmd, pred, what, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        v = r.telemetry(cmd)
        if pred(v):
            return v
        if time.monotonic() > deadline:
            check(False, "%s: timed out; last %s = %s" % (what, cmd, json.dumps(v)[:800]))
            return v
        time.sleep(0.05)


def by_name(dump):
    """Services, their ports and policies come as dicts keyed "0", "1", ... of objects with a
    name (DPDK 22.11's telemetry dict keys cannot hold '-' or '.')."""
    return {x["name"]: x for x in dump.values()}


def svc(r, name=None, cmd="/podrouter/services"):
    return by_name(r.telemetry(cmd + ("," + name if name else "")))


def port(r, name, p, cmd="/podrouter/endpoints"):
    return by_name(svc(r, name, cmd)[name]["ports"])[p]


def dumps(r):
    return {c: r.telemetry(c) for c in ("/podrouter/services", "/podrouter/endpoints",
                                        "/podrouter/routes", "/podrouter/policies")}


def items():
    with open(manifest) as f:
        return yaml.safe_load(f)["items"]


def find(kind, name):
    return copy.deepcopy(next(o for o in items() if o["kind"] == kind and
                              o["metadata"]["name"] == name))


def apply_obj(redis, obj):
    return podrouterctl(redis, "apply", "-f", "-", stdin=json.dumps(obj))


def redis_calls(redis):
    """Commands Redis has run so far, by name (INFO commandstats)."""
    calls = {}
    for line in redis.cli("INFO", "commandstats").splitlines():
        if line.startswith("cmdstat_"):
            name, stats = line[len("cmdstat_"):].split(":", 1)
            calls[name] = int(stats.split("calls=")[1].split(",")[0])
    return calls


def idle_rate(redis, seconds=3.0):
    """Commands a second Redis runs for others than us (our INFO and redis-cli's COMMAND)."""
    before = redis_calls(redis)
    t0 = time.monotonic()
    time.sleep(seconds)
    after = redis_calls(redis)
    elapsed = time.monotonic() - t0
    return {k: (v - before.get(k, 0)) / elapsed for k, v in after.items()
            if k != "info" and not k.startswith("command") and v != before.get(k, 0)}


redis = Redis(tmp).start()
rc, out = podrouterctl(redis, "apply", "-f", manifest)
check(rc == 0 and "applied 13 object(s)" in out, "podrouterctl apply: %d %s" % (rc, out))
rc, out = podrouterctl(redis, "get")
check(out.count("\n") == 13 and "Service:shop/web" in out, "podrouterctl get: " + out)

r = Router(binary, router_config({"redis": redis.url()}), tmp=tmp).start()
want = {"Node": 2, "Namespace": 2, "Pod": 4, "Service": 2, "EndpointSlice": 2,
        "NetworkPolicy": 1}
wait_for(r, "/podrouter/sync", lambda s: s["objects"] == want, "initial list")
sync = r.telemetry("/podrouter/sync")
check(sync["source"] == "redis" and sync["connected"] == 1 and sync["lists"] == 1,
      "sync after list: %s" % sync)

# What the data path sees.
services = svc(r)
web = services.get("shop/web", {})
check(sorted(web.get("frontends", [])) == sorted(
    ["10.96.0.10:80/TCP ClusterIP", "198.18.0.2:30080/TCP NodePort",
     "198.18.100.10:80/TCP LoadBalancer"]), "web frontends: %s" % web.get("frontends"))
check(port(r, "shop/web", "http", "/podrouter/services")["usable"] == 2, "web usable backends")
check(services.get("shop/db", {}).get("session_affinity") == "ClientIP", "db affinity")
ep = port(r, "shop/web", "http")["endpoints"]
check(ep == ["10.244.1.2:8080 ready serving local used used_local",
             "10.244.2.2:8080 ready serving used"], "web endpoints: %s" % ep)
routes = r.telemetry("/podrouter/routes")
check(routes == ["10.244.1.0/24 local-cidr demo-node-a", "10.244.1.2/32 local-pod shop/web-1",
                 "10.244.1.3/32 local-pod shop/db-0",
                 "10.244.2.0/24 remote-node via 198.18.0.3 demo-node-b",
                 "198.18.0.2/32 host demo-node-a"],
      "routes: %s" % routes)
sync = r.telemetry("/podrouter/sync")
check(sync["lpm_routes"] == len(routes) and sync["lpm_adds"] == len(routes),
      "the data path's LPM holds the routes: %s" % sync)
pol = by_name(r.telemetry("/podrouter/policies"))
check(pol.get("shop/db-from-web", {}).get("selected_pods") == ["10.244.1.3"], "policy: %s" % pol)

# Change each kind.
sl = find("EndpointSlice", "web-abc12")
sl["endpoints"][0]["conditions"] = {"ready": False, "serving": True, "terminating": True}
apply_obj(redis, sl)
wait_for(r, "/podrouter/endpoints,shop/web",
         lambda d: d["0"]["ports"]["0"]["usable"] == 1, "slice change")
ep = port(r, "shop/web", "http")["endpoints"]
check(ep[0] == "10.244.1.2:8080 serving terminating local used_local",
      "terminating local endpoint: %s" % ep)
s2 = find("Service", "db")
s2["spec"]["ports"][0]["port"] = 6432
apply_obj(redis, s2)
wait_for(r, "/podrouter/services,shop/db",
         lambda d: d["0"]["frontends"] == ["10.96.0.20:6432/TCP ClusterIP"], "service change")
n2 = find("Node", "demo-node-b")
n2["spec"]["podCIDR"] = "10.244.7.0/24"
n2["spec"]["podCIDRs"] = ["10.244.7.0/24"]
apply_obj(redis, n2)
wait_for(r, "/podrouter/routes",
         lambda v: "10.244.7.0/24 remote-node via 198.18.0.3 demo-node-b" in v, "node change")
sync = wait_for(r, "/podrouter/sync", lambda s: s["lpm_deletes"] == 1, "LPM updated in place")
check(sync["lpm_adds"] == len(routes) + 1 and sync["lpm_routes"] == len(routes),
      "one delete and one add, not a rebuild: %s" % sync)
p2 = find("Pod", "db-0")
p2["metadata"]["labels"] = {"app": "db-old"}
apply_obj(redis, p2)
wait_for(r, "/podrouter/policies",
         lambda v: by_name(v)["shop/db-from-web"]["selected_pods"] == [], "pod label change")
np = find("NetworkPolicy", "db-from-web")
np["spec"]["podSelector"] = {"matchLabels": {"app": "db-old"}}
apply_obj(redis, np)
wait_for(r, "/podrouter/policies",
         lambda v: by_name(v)["shop/db-from-web"]["selected_pods"] == ["10.244.1.3"],
         "policy change")
ns = find("Namespace", "monitoring")
ns["metadata"]["labels"] = {"team": "ops"}
rc, out = apply_obj(redis, ns)
check(rc == 0, "namespace apply: " + out)
rc, out = podrouterctl(redis, "delete", "Pod", "shop/web-1")
check(rc == 0, "delete pod: " + out)
wait_for(r, "/podrouter/routes", lambda v: not any("web-1" in x for x in v), "pod delete")
rc, out = podrouterctl(redis, "delete", "-f", "-", stdin=json.dumps(find("Service", "web")))
check(rc == 0, "delete -f: " + out)
wait_for(r, "/podrouter/services", lambda v: "shop/web" not in by_name(v), "service delete")
rc, out = podrouterctl(redis, "delete", "Node", "demo-node-b")
wait_for(r, "/podrouter/sync", lambda s: s["objects"]["Node"] == 1, "node delete")

# A bad manifest writes nothing and names the object and field.
bad = find("Service", "web")
bad["spec"]["ports"][0]["port"] = 70000
extra = find("Namespace", "shop")
extra["metadata"]["name"] = "extra"
rc, out = apply_obj(redis, {"apiVersion": "v1", "kind": "List", "items": [extra, bad]})
check(rc != 0 and "spec.ports[0].port" in out and "nothing written" in out,
      "bad manifest refused: %s" % out)
got = podrouterctl(redis, "get")[1]
check("Service:shop/web" not in got and "Namespace:extra" not in got,
      "nothing written for the bad manifest: %s" % got)

# Garbage, a wrong type and a rule-breaking object straight into Redis; a good one beside.
gen = r.telemetry("/podrouter/sync")["generation"]
good = find("Service", "web")
good["metadata"]["name"] = "web2"
good["spec"]["clusterIP"] = "10.96.0.30"
good["spec"]["clusterIPs"] = ["10.96.0.30"]
bad = find("Service", "web")
bad["metadata"]["name"] = "broken"
bad["spec"]["sessionAffinity"] = "Sticky"
script = "".join("MULTI\n%s\nXADD podrouter:events * op apply kind %s key %s\nEXEC\n" % (
    cmd, kind, key) for cmd, kind, key in [
    ("SET podrouter:obj:Service:shop/junk '{{{ not yaml'", "Service",
     "podrouter:obj:Service:shop/junk"),
    ("HSET podrouter:obj:Pod:shop/hash f v", "Pod", "podrouter:obj:Pod:shop/hash"),
    ("SET podrouter:obj:Service:shop/broken '%s'" % json.dumps(bad), "Service",
     "podrouter:obj:Service:shop/broken"),
    ("SET podrouter:obj:Service:shop/web2 '%s'" % json.dumps(good), "Service",
     "podrouter:obj:Service:shop/web2")])
redis.cli(stdin=script)
sync = wait_for(r, "/podrouter/sync", lambda s: len(s["rejected"]) >= 3, "rejects")
rej = {x.split(": ", 1)[0]: x.split(": ", 1)[1] for x in sync["rejected"]}
check(set(rej) == {"Service:shop/junk", "Pod:shop/hash", "Service:shop/broken"},
      "rejected keys: %s" % rej)
check("WRONGTYPE" in rej.get("Pod:shop/hash", ""), "wrong type reason: %s" % rej)
check("sessionAffinity" in rej.get("Service:shop/broken", ""), "rule reason: %s" % rej)
wait_for(r, "/podrouter/services", lambda v: "shop/web2" in by_name(v),
         "good object beside rejects")

# Kill Redis: forwarding goes on with the last tables; restart: the router resyncs.
before = r.telemetry("/podrouter/stats")["tx_packets"]
redis.stop()
time.sleep(1.0)
mid = r.telemetry("/podrouter/stats")["tx_packets"]
sync = r.telemetry("/podrouter/sync")
check(mid > before, "forwarding while Redis is away: %d -> %d" % (before, mid))
check(sync["connected"] == 0, "sync says disconnected: %s" % sync)
check("shop/web2" in svc(r), "tables kept while Redis is away")
redis.start()
rc, out = apply_obj(redis, find("Service", "web"))
wait_for(r, "/podrouter/services", lambda v: "shop/web" in by_name(v), "change after restart")
sync = r.telemetry("/podrouter/sync")
check(sync["connected"] == 1 and sync["reconnects"] >= 1, "resynced: %s" % sync)
check(r.telemetry("/podrouter/stats")["dropped"] == 0, "no packet lost across it all")

# Trim the stream past the router: an entry it never saw is gone, so it must list again.
lists = r.telemetry("/podrouter/sync")["lists"]
ns2 = find("Namespace", "shop")
ns2["metadata"]["name"] = "trimmed"
redis.cli(stdin="MULTI\nSET podrouter:obj:Namespace:trimmed '%s'\n"
          "XADD podrouter:events * op apply kind Namespace key podrouter:obj:Namespace:trimmed\n"
          "XTRIM podrouter:events MAXLEN 0\nEXEC\n" % json.dumps(ns2))
sync = wait_for(r, "/podrouter/sync", lambda s: s["lists"] > lists and
                s["objects"]["Namespace"] == 3, "relist after trim")
time.sleep(0.5)
check(r.telemetry("/podrouter/sync")["lists"] == lists + 1, "one relist, not a loop")

# Idle, the router keeps one XREAD BLOCK waiting (an XINFO before it): two commands a second,
# where an XINFO and an XREAD BLOCK 2 every control step made 20 a second on this idle Redis
# (it ends a BLOCK only at its next 100 ms tick) and up to a thousand on a busy one.
rate = idle_rate(redis)
print("idle: %.1f commands/s to Redis: %s" % (sum(rate.values()), rate), flush=True)
check(sum(rate.values()) < 5, "idle command rate: %s" % rate)
# A change written while idle still arrives at once (the XREAD waiting is woken by the XADD).
pod = find("Pod", "web-1")
pod["metadata"]["name"] = "idle-1"
pod["status"]["podIP"] = "10.244.1.9"
pod["status"]["podIPs"] = [{"ip": "10.244.1.9"}]
t0 = time.monotonic()
rc, out = apply_obj(redis, pod)
t1 = time.monotonic()
while "10.244.1.9/32 local-pod shop/idle-1" not in r.telemetry("/podrouter/routes"):
    if time.monotonic() > t1 + 5:
        break
    time.sleep(0.002)
t2 = time.monotonic()
print("change while idle: %.1f ms from podrouterctl apply (%.1f ms after it returned)" % (
    (t2 - t0) * 1000, (t2 - t1) * 1000), flush=True)
check(rc == 0 and t2 - t1 < 0.2, "change while idle seen %.0f ms after the write: %s" % (
    (t2 - t1) * 1000, out))
# SIGHUP lists again at once, without waiting for the XREAD's BLOCK to end.
sync = r.telemetry("/podrouter/sync")
t0 = time.monotonic()
r.proc.send_signal(signal.SIGHUP)
wait_for(r, "/podrouter/sync", lambda s: s["lists"] == sync["lists"] + 1, "relist on SIGHUP")
t1 = time.monotonic()
print("SIGHUP to relist: %.1f ms" % ((t1 - t0) * 1000), flush=True)
after = r.telemetry("/podrouter/sync")
check(t1 - t0 < 0.3 and after["reconnects"] == sync["reconnects"] and after["connected"] == 1,
      "SIGHUP relisted in %.0f ms: %s" % ((t1 - t0) * 1000, after))
# A Redis that stops answering (the socket still open): the XREAD waiting gets no reply, and
# after its BLOCK and a grace the router drops the connection and dials again.
down = "forwarding goes on with the last tables"
downs = r.output().count(down)
os.kill(redis.proc.pid, signal.SIGSTOP)
deadline = time.monotonic() + 6
while r.output().count(down) == downs and time.monotonic() < deadline:
    time.sleep(0.1)
os.kill(redis.proc.pid, signal.SIGCONT)
check(r.output().count(down) > downs, "a silent Redis is noticed: %s" % r.output()[-400:])
print("silent Redis:", [x for x in r.output().splitlines() if down in x][downs:downs + 1],
      flush=True)
pod["status"]["podIP"] = "10.244.1.10"
pod["status"]["podIPs"] = [{"ip": "10.244.1.10"}]
apply_obj(redis, pod)
wait_for(r, "/podrouter/routes", lambda v: "10.244.1.10/32 local-pod shop/idle-1" in v,
         "change after a silent Redis")
t0 = time.monotonic()
check(r.stop() == 0, "router exit 0")
print("stop: %.1f ms" % ((time.monotonic() - t0) * 1000), flush=True)

# The same manifests from a file and from Redis give identical dumps.
redis2 = Redis(tmp, "redis2").start()
podrouterctl(redis2, "apply", "-f", manifest)
ra = Router(binary, router_config({"redis": redis2.url()}), tmp=tmp).start()
wait_for(ra, "/podrouter/sync", lambda s: s["objects"] == want, "redis2 list")
da = dumps(ra)
ra.stop()
rb = Router(binary, router_config({"file": manifest}), tmp=tmp).start()
wait_for(rb, "/podrouter/sync", lambda s: s["objects"] == want, "file load")
db = dumps(rb)
check(rb.telemetry("/podrouter/sync")["source"] == "file", "file source")
check(da == db, "file and Redis dumps differ:\n%s\n%s" % (json.dumps(da)[:600],
                                                           json.dumps(db)[:600]))
rb.stop()

# A read-only replica serves the router; podrouterctl writes the primary.
primary = Redis(tmp, "primary", port=free_port()).start()
replica = Redis(tmp, "replica", replica_of=primary).start()
podrouterctl(primary, "apply", "-f", manifest)
rr = Router(binary, router_config({"redis": replica.url()}), tmp=tmp).start()
wait_for(rr, "/podrouter/sync", lambda s: s["objects"] == want, "list from the replica")
sl = find("EndpointSlice", "db-xyz34")
sl["endpoints"].append({"addresses": ["10.244.2.5"], "conditions": {"ready": True},
                        "nodeName": "demo-node-b"})
apply_obj(primary, sl)
wait_for(rr, "/podrouter/endpoints,shop/db",
         lambda d: d["0"]["ports"]["0"]["usable"] == 2, "change through the replica")
check(podrouterctl(replica, "apply", "-f", manifest)[0] != 0, "the replica refuses writes")
check(rr.stop() == 0, "replica router exit 0")
for x in (replica, primary, redis2, redis):
    x.stop()

# A password (AUTH): podrouterctl and the router get in with it, and say so when it is wrong.
locked = Redis(tmp, "locked", password="s3cret").start()
rc, out = podrouterctl(locked, "apply", "-f", manifest)
check(rc == 0, "apply with a password: " + out)
p = subprocess.run([ctl, "--redis", locked.url("wrong"), "get"], capture_output=True, text=True)
check(p.returncode != 0 and "AUTH" in p.stderr, "wrong password refused: %s" % p.stderr)
ra = Router(binary, router_config({"redis": locked.url()}), tmp=tmp).start()
wait_for(ra, "/podrouter/sync", lambda s: s["objects"] == want, "list with AUTH")
check("s3cret" not in json.dumps(ra.telemetry("/podrouter/sync")), "no password in telemetry")
ra.stop()
rw = Router(binary, router_config({"redis": locked.url("wrong")}), tmp=tmp).start()
time.sleep(1)
check(rw.telemetry("/podrouter/sync")["connected"] == 0, "wrong password: not connected")
rw.stop()
check("AUTH" in rw.output() and "wrong" not in rw.output(),
      "wrong password logged without it: %s" % rw.output()[-400:])
locked.stop()

# A connection lost in the middle of a batch: a proxy between the router and Redis cuts the
# connection when the router asks for the new Pod's object (the stream entry read, its GET
# unanswered). The router must read that entry again once it is back, not go on after it.
class CutProxy:
    """Relays unix-socket connections to Redis; once `key` is set, the first connection to
    send a command naming it is closed, that command not passed on, and `key` is cleared."""

    def __init__(self, path, upstream):
        self.path, self.upstream, self.key, self.cuts = path, upstream, None, 0
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(8)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            u.connect(self.upstream)
            threading.Thread(target=self.pipe, args=(c, u, True), daemon=True).start()
            threading.Thread(target=self.pipe, args=(u, c, False), daemon=True).start()

    def pipe(self, a, b, to_redis):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                if to_redis and self.key is not None and self.key in data:
                    self.key = None
                    self.cuts += 1
                    break
                b.sendall(data)
        except OSError:
            pass
        for x in (a, b):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            x.close()


redis3 = Redis(tmp, "redis3").start()
podrouterctl(redis3, "apply", "-f", manifest)
proxy = CutProxy(os.path.join(tmp, "proxy.sock"), redis3.sock)
rp = Router(binary, router_config({"redis": proxy.path}), tmp=tmp).start()
sync = wait_for(rp, "/podrouter/sync", lambda s: s["lists"] == 1 and s["connected"] == 1,
                "listed through the proxy")
late = find("Pod", "web-1")
late["metadata"]["name"] = "late"
late["status"]["podIP"] = late["status"]["podIPs"][0]["ip"] = "10.244.1.77"
proxy.key = b"Pod:shop/late"
rc, out = apply_obj(redis3, late)
check(rc == 0, "apply the late Pod: %s" % out)
wait_for(rp, "/podrouter/routes", lambda v: any(x.startswith("10.244.1.77/32 ") for x in v),
         "the Pod whose GET was cut, read again after the reconnect", timeout=8)
sync = rp.telemetry("/podrouter/sync")
check(proxy.cuts == 1 and sync["reconnects"] >= 1 and sync["lists"] == 1,
      "one cut, a reconnect, no relist: %d %s" % (proxy.cuts, sync))
check(rp.stop() == 0, "proxied router exit 0")
proxy.srv.close()
redis3.stop()

# The file source reads its file again on SIGHUP; a bad object is refused, the rest applies.
local = os.path.join(tmp, "local.yaml")
with open(local, "w") as f:
    yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items()}, f)
rf = Router(binary, router_config({"file": local}), tmp=tmp).start()
wait_for(rf, "/podrouter/sync", lambda s: s["objects"] == want, "file load")
changed = [o for o in items() if not (o["kind"] == "Service" and o["metadata"]["name"] == "db")]
broken = find("Service", "web")
broken["metadata"]["name"] = "broken"
broken["spec"]["ports"][0]["protocol"] = "ICMP"
with open(local, "w") as f:
    yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": changed + [broken]}, f)
rf.proc.send_signal(signal.SIGHUP)
sync = wait_for(rf, "/podrouter/sync", lambda s: s["lists"] == 2, "reload on SIGHUP")
check(sync["objects"]["Service"] == 1 and "shop/db" not in svc(rf) and "shop/web" in svc(rf),
      "reloaded state: %s" % sync["objects"])
check(any("protocol" in r for r in sync["rejected"]), "bad object in the file: %s" %
      sync["rejected"])
check(rf.proc.poll() is None, "SIGHUP does not stop the router")
check(rf.stop() == 0, "file router exit 0")
finish("cluster")
