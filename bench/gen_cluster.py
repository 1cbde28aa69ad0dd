#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A large cluster as one kubectl-style JSON List, for bench/cluster_sync.py.

gen_cluster.py [--services N] [--endpoints E] [--pods P] [--policies Q] [--nodes M] OUT.json
Defaults: the issue's scale: 10,000 Services with 10 endpoints each, 5,000 Pods,
1,000 NetworkPolicies, 100 Nodes. Addresses: pods in 10.244.0.0/16 (a /24 per node),
Services in 10.96.0.0/12, nodes in 198.18.0.0/15.
"""
import argparse
import json


def ip(base, i):
    return "%d.%d.%d.%d" % (base[0], base[1] + (i >> 16 & 0xFF), i >> 8 & 0xFF, i & 0xFF)


def slice_for(ns, name, s, endpoints, nodes, gen=0):
    eps = []
    for e in range(endpoints):
        k = s * endpoints + e
        node = k % nodes
        eps.append({"addresses": ["10.244.%d.%d" % (node, k % 250 + 2)],
                    "conditions": {"ready": (k + gen) % 7 != 0},
                    "nodeName": "node-%d" % node})
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name + "-x", "namespace": ns,
                         "labels": {"kubernetes.io/service-name": name}},
            "addressType": "IPv4", "endpoints": eps,
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=10000)
    ap.add_argument("--endpoints", type=int, default=10)
    ap.add_argument("--pods", type=int, default=5000)
    ap.add_argument("--policies", type=int, default=1000)
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("out")
    a = ap.parse_args()
    items = []
    for n in range(a.nodes):
        items.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-%d" % n},
                      "spec": {"podCIDR": "10.244.%d.0/24" % n},
                      "status": {"addresses": [{"type": "InternalIP",
                                                "address": "198.18.%d.%d" % (n // 250,
                                                                             n % 250 + 1)}]}})
    for ns in range(10):
        items.append({"apiVersion": "v1", "kind": "Namespace",
                      "metadata": {"name": "ns-%d" % ns, "labels": {"tier": str(ns % 3)}}})
    for p in range(a.pods):
        node = p % a.nodes
        items.append({"apiVersion": "v1", "kind": "Pod",
                      "metadata": {"name": "pod-%d" % p, "namespace": "ns-%d" % (p % 10),
                                   "labels": {"app": "app-%d" % (p % 100)}},
                      "spec": {"nodeName": "node-%d" % node, "containers": [
                          {"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}]},
                      "status": {"phase": "Running",
                                 "podIP": "10.244.%d.%d" % (node, p // a.nodes % 250 + 2)}})
    for s in range(a.services):
        ns, name = "ns-%d" % (s % 10), "svc-%d" % s
        items.append({"apiVersion": "v1", "kind": "Service",
                      "metadata": {"name": name, "namespace": ns},
                      "spec": {"type": "ClusterIP", "clusterIP": ip((10, 96), s + 1),
                               "ports": [{"name": "http", "port": 80, "targetPort": 8080,
                                          "protocol": "TCP"}]}})
        items.append(slice_for(ns, name, s, a.endpoints, a.nodes))
    for q in range(a.policies):
        items.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                      "metadata": {"name": "pol-%d" % q, "namespace": "ns-%d" % (q % 10)},
                      "spec": {"podSelector": {"matchLabels": {"app": "app-%d" % (q % 100)}},
                               "ingress": [{"from": [{"namespaceSelector": {
                                   "matchLabels": {"tier": str(q % 3)}}}],
                                   "ports": [{"protocol": "TCP", "port": 8080}]}]}})
    with open(a.out, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
    print("%s: %d objects" % (a.out, len(items)))


if __name__ == "__main__":
    main()
