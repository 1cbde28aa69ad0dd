#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The demo: set up, build, run podrouter over the demo traffic through pcap vdevs, and print
# what happened: packets in and out per port, per-stage counters, drops by reason, the
# neighbour table, and what left each port (conf/demo/what_left.py checks it).
# The node is demo-node-a (198.18.0.2, pods 10.244.1.0/24); demo-node-b (198.18.0.3, pods
# 10.244.2.0/24) is reached through VXLAN; conf/demo/traffic.py says what is sent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build
dir=$(pwd)/build/demo
rm -rf "$dir"
mkdir -p "$dir"
/usr/bin/python3 conf/demo/traffic.py "$dir"
sed "s|@DIR@|$dir|g" conf/demo/podrouter.yaml > "$dir/podrouter.yaml"
prefix=podrouter-demo
tel() { echo "$1" | dpdk-telemetry.py -f "$prefix" 2>/dev/null | grep "^{" ; }

echo "== redis-server on $dir/redis.sock; the cluster written with podrouterctl"
redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 --dir "$dir" \
	--save "" --daemonize yes --logfile "$dir/redis.log"
for _ in $(seq 1 50); do
	redis-cli -s "$dir/redis.sock" ping 2>/dev/null | grep -q PONG && break
	sleep 0.1
done
trap 'redis-cli -s "$dir/redis.sock" shutdown nosave >/dev/null 2>&1 || true' EXIT
./build/podrouterctl --redis "$dir/redis.sock" apply -f conf/demo/cluster.yaml | sed 's/^/  /'
./build/podrouterctl --redis "$dir/redis.sock" get | sed 's/^/  /'
echo
echo "== podrouter -c $dir/podrouter.yaml"
./build/podrouter -c "$dir/podrouter.yaml" > "$dir/podrouter.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; redis-cli -s "$dir/redis.sock" shutdown nosave >/dev/null 2>&1 || true' EXIT
want=$(/usr/bin/python3 -c "
from scapy.all import rdpcap
print(sum(len(rdpcap('$dir/%s_in.pcap' % p)) for p in ('uplink', 'pods', 'host')))")
# Wait until every frame of the pcaps went through (pcap vdevs read their file once), then a
# moment more for what waited for a neighbour (the control core releases it within ms).
for _ in $(seq 1 300); do
	got=$(echo /podrouter/stats | dpdk-telemetry.py -f "$prefix" 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys
for l in sys.stdin:
    if "/podrouter/stats" in l: print(json.loads(l)["/podrouter/stats"]["rx_packets"])' || true)
	[ "${got:-0}" -ge "$want" ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
sleep 0.5
grep -E 'podrouter\.' "$dir/podrouter.log" | sed 's/^/  /'
echo
echo "== telemetry: /podrouter/stats (dpdk-telemetry.py -f $prefix)"
echo /podrouter/stats | dpdk-telemetry.py -f "$prefix" | /usr/bin/python3 scripts/telemetry-summary.py
echo
echo "== the neighbour table (/podrouter/neighbours): the gateway static; node-b and the pods"
echo "   learnt from their ARP requests, then probed (nobody in a pcap file answers); 10.244.1.7,"
echo "   in the pod CIDR but no Pod's, asked for with ARP, its packet held"
tel /podrouter/neighbours | /usr/bin/python3 scripts/telemetry-summary.py --neighbours
echo
echo "== the cluster as the data path sees it (/podrouter/sync, /podrouter/services, /podrouter/routes)"
tel /podrouter/sync | /usr/bin/python3 scripts/telemetry-summary.py --sync
tel /podrouter/endpoints | /usr/bin/python3 scripts/telemetry-summary.py --services
tel /podrouter/routes | /usr/bin/python3 scripts/telemetry-summary.py --routes
echo
echo "== a live change: web-2 stops being ready (podrouterctl apply of its EndpointSlice)"
gen=$(tel /podrouter/sync | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["/podrouter/sync"]["generation"])')
/usr/bin/python3 - <<'PY' | ./build/podrouterctl --redis "$dir/redis.sock" apply -f - | sed 's/^/  /'
import json, yaml
items = yaml.safe_load(open("conf/demo/cluster.yaml"))["items"]
s = next(o for o in items if o["kind"] == "EndpointSlice" and o["metadata"]["name"] == "web-abc12")
s["endpoints"][1]["conditions"] = {"ready": False, "serving": True, "terminating": True}
print(json.dumps(s))
PY
for _ in $(seq 1 50); do
	now=$(tel /podrouter/sync | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["/podrouter/sync"]["generation"])')
	[ "$now" -gt "$gen" ] && break
	sleep 0.1
done
tel /podrouter/endpoints,shop/web | /usr/bin/python3 scripts/telemetry-summary.py --services
tel /podrouter/sync | /usr/bin/python3 scripts/telemetry-summary.py --sync | grep generation
kill -TERM $pid
wait $pid && echo && echo "== podrouter exited 0 after SIGTERM"
trap 'redis-cli -s "$dir/redis.sock" shutdown nosave >/dev/null 2>&1 || true' EXIT
tail -1 "$dir/podrouter.log" | sed 's/^/  /'
echo
echo "== what left each port (pcap files in $dir)"
/usr/bin/python3 conf/demo/what_left.py "$dir"
