/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kubernetes objects (src/k8s.c): the fixture cluster (tests/manifests/) read field by field,
 * as YAML, as JSON and as a multi-document stream; the JSON dump read back; object keys;
 * selectors; and one case per validation rule, each a bad object between two good ones that
 * must still be delivered. Runs with tests/ as its working directory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "k8s.h"

#define CLUSTER_YAML "manifests/cluster.yaml"
#define CLUSTER_JSON "manifests/cluster.json"
#define MULTIDOC_YAML "manifests/multidoc.yaml"
#define CLUSTER_OBJECTS 33

/* ---------------------------------------------------------------- helpers */

struct coll {
	struct k8s_object **v;
	unsigned int n;
	int fail_at; /* return -ECANCELED for the object of this index + 1; 0: never */
};

static int
collect(struct k8s_object *o, void *arg)
{
	struct coll *c = arg;
	struct k8s_object **v;

	if (c->fail_at != 0 && c->n + 1 == (unsigned int)c->fail_at) {
		k8s_object_free(o);
		return -ECANCELED;
	}
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	assert_non_null(v);
	c->v = v;
	c->v[c->n++] = o;
	return 0;
}

static void
coll_free(struct coll *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		k8s_object_free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* k8s_parse() of `text` into `c`; the messages go to *err (caller frees) when asked. */
static int
parse_len(const char *text, size_t len, struct coll *c, char **err)
{
	size_t elen = 0;
	char *buf = NULL;
	FILE *e = open_memstream(&buf, &elen);
	int rc;

	assert_non_null(e);
	rc = k8s_parse(text, len, "test", collect, c, e);
	fclose(e);
	if (err != NULL)
		*err = buf;
	else
		free(buf);
	return rc;
}

static int
parse(const char *text, struct coll *c, char **err)
{
	return parse_len(text, strlen(text), c, err);
}

static struct k8s_object *
find(const struct coll *c, enum k8s_kind kind, const char *ns, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (c->v[i]->kind == kind && strcmp(c->v[i]->name, name) == 0 &&
		    (ns == NULL ? c->v[i]->ns == NULL : strcmp(c->v[i]->ns, ns) == 0))
			return c->v[i];
	print_error("no %s %s/%s\n", k8s_kind_name(kind), ns ? ns : "", name);
	fail();
	return NULL;
}

static uint32_t
ip4(const char *s)
{
	uint32_t a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (hay == NULL || strstr(hay, needle) == NULL) {
		print_error("wanted \"%s\" in:\n%s\n", needle, hay ? hay : "(nothing)");
		fail();
	}
}

static unsigned int
count_lines(const char *s)
{
	unsigned int n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static struct coll cluster; /* cluster.yaml, read once */

static int
setup_cluster(void **state)
{
	char *err = NULL;
	size_t elen = 0;
	FILE *e = open_memstream(&err, &elen);
	int rc = k8s_parse_file(CLUSTER_YAML, collect, &cluster, e);

	fclose(e);
	if (rc != 0 || cluster.n != CLUSTER_OBJECTS)
		fprintf(stderr, "%s: rc %d, %u objects:\n%s", CLUSTER_YAML, rc, cluster.n, err);
	free(err);
	return rc == 0 && cluster.n == CLUSTER_OBJECTS ? 0 : -1;
}

static int
teardown_cluster(void **state)
{
	coll_free(&cluster);
	return 0;
}

/* ---------------------------------------------------------------- the fixture, field by field */

static void
test_cluster_counts(void **state)
{
	unsigned int per_kind[K8S_KIND_COUNT] = { 0 }, i;

	for (i = 0; i < cluster.n; i++)
		per_kind[cluster.v[i]->kind]++;
	assert_int_equal(per_kind[K8S_NODE], 2);
	assert_int_equal(per_kind[K8S_NAMESPACE], 3);
	assert_int_equal(per_kind[K8S_POD], 7);
	assert_int_equal(per_kind[K8S_SERVICE], 8);
	assert_int_equal(per_kind[K8S_ENDPOINTSLICE], 7);
	assert_int_equal(per_kind[K8S_NETWORKPOLICY], 6);
	/* Stream order is kept. */
	assert_string_equal(cluster.v[0]->name, "node-a");
	assert_string_equal(cluster.v[CLUSTER_OBJECTS - 1]->name, "default-deny-all");
}

static void
test_nodes(void **state)
{
	const struct k8s_object *a = find(&cluster, K8S_NODE, NULL, "node-a");
	const struct k8s_object *b = find(&cluster, K8S_NODE, NULL, "node-b");

	assert_null(a->ns);
	assert_int_equal(a->node.nb_pod_cidrs, 1);
	assert_int_equal(a->node.pod_cidrs[0].addr, ip4("10.244.1.0"));
	assert_int_equal(a->node.pod_cidrs[0].plen, 24);
	assert_int_equal(a->node.nb_internal_ips, 1); /* Hostname is not an InternalIP */
	assert_int_equal(a->node.internal_ips[0], ip4("198.18.0.11"));
	assert_int_equal(a->labels.n, 7);
	assert_string_equal(k8s_labels_get(&a->labels, "kubernetes.io/hostname"), "node-a");
	assert_string_equal(k8s_labels_get(&a->labels, "node-role.kubernetes.io/control-plane"),
			    "");
	/* Dual-stack: the IPv6 CIDR and InternalIP are checked, then skipped. */
	assert_int_equal(b->node.nb_pod_cidrs, 1);
	assert_int_equal(b->node.pod_cidrs[0].addr, ip4("10.244.2.0"));
	assert_int_equal(b->node.nb_internal_ips, 1);
	assert_int_equal(b->node.internal_ips[0], ip4("198.18.0.12"));
}

/* flannel's VTEP MAC from its Node annotation; anything else there means none, no error. */
static void
test_node_vtep_mac(void **state)
{
	static const char *const bad[] = {
		"{\"VNI\":1}", "{\"VtepMAC\":\"0a:58:0a\"}", "{\"VtepMAC\":\"01:00:5e:00:00:01\"}",
		"{\"VtepMAC\":\"00:00:00:00:00:00\"}", "not json at all",
		/* JSON, read as such: the key at the top, the MAC whole (the old scan took these) */
		"{\"x\":{\"VtepMAC\":\"0a:58:0a:f4:02:00\"}}", "{\"VtepMAC\":\"0a:58:0a:f4:02:00\"",
		"{\"VtepMAC\":\" 0a:58:0a:f4:02:00\"}", "{\"VtepMAC\":\"a:58:0a:f4:02:00\"}",
		"{\"VtepMAC\":\"0a:58:0a:f4:02:00\"} trailing",
		"{\"VtepMAC\":\"\\u0010a:58:0a:f4:02:00\"}", /* a control character, not a digit */
	};
	struct coll c = { 0 };
	char text[512], *json;
	const struct k8s_object *n;
	unsigned int i;

	(void)state;
	assert_int_equal(parse("apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  annotations:\n"
			       "    flannel.alpha.coreos.com/backend-data: "
			       "'{\"VNI\":1,\"VtepMAC\":\"0a:58:0A:f4:02:00\"}'\n", &c, NULL), 0);
	n = find(&c, K8S_NODE, NULL, "n1");
	assert_true(n->node.has_vtep_mac);
	assert_memory_equal(n->node.vtep_mac, "\x0a\x58\x0a\xf4\x02\x00", 6);
	/* It survives the JSON dump (what Redis holds). */
	json = k8s_object_to_json(n);
	assert_contains(json, "\"flannel.alpha.coreos.com/backend-data\"");
	coll_free(&c);
	assert_int_equal(parse(json, &c, NULL), 0);
	free(json);
	assert_true(find(&c, K8S_NODE, NULL, "n1")->node.has_vtep_mac);
	assert_memory_equal(find(&c, K8S_NODE, NULL, "n1")->node.vtep_mac,
			    "\x0a\x58\x0a\xf4\x02\x00", 6);
	coll_free(&c);
	/* Any JSON layout flannel may write. */
	assert_int_equal(parse("apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  annotations:\n"
			       "    flannel.alpha.coreos.com/backend-data: "
			       "'{ \"VNI\" : 1 ,\n \"VtepMAC\" : \"0A:58:0a:F4:02:01\" }'\n", &c,
			       NULL), 0);
	assert_memory_equal(find(&c, K8S_NODE, NULL, "n1")->node.vtep_mac,
			    "\x0a\x58\x0a\xf4\x02\x01", 6);
	coll_free(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n"
			 "  annotations: {flannel.alpha.coreos.com/backend-data: '%s'}\n", bad[i]);
		assert_int_equal(parse(text, &c, NULL), 0);
		assert_false(find(&c, K8S_NODE, NULL, "n1")->node.has_vtep_mac);
		coll_free(&c);
	}
}

static void
test_namespaces(void **state)
{
	const struct k8s_object *mon = find(&cluster, K8S_NAMESPACE, NULL, "monitoring");
	const struct k8s_object *shop = find(&cluster, K8S_NAMESPACE, NULL, "shop");

	assert_null(mon->ns);
	/* The API server's label is added when the manifest lacks it. */
	assert_int_equal(mon->labels.n, 2);
	assert_string_equal(k8s_labels_get(&mon->labels, "kubernetes.io/metadata.name"),
			    "monitoring");
	assert_string_equal(k8s_labels_get(&mon->labels, "team"), "platform");
	assert_int_equal(shop->labels.n, 3);
	/* Sorted by key. */
	assert_string_equal(shop->labels.v[0].key, "env");
	assert_string_equal(shop->labels.v[1].key, "kubernetes.io/metadata.name");
	assert_string_equal(shop->labels.v[2].key, "team");
	assert_null(k8s_labels_get(&shop->labels, "missing"));
}

static void
test_pods(void **state)
{
	const struct k8s_object *w = find(&cluster, K8S_POD, "shop", "web-7d9f8b6c5d-abcde");
	const struct k8s_object *w2 = find(&cluster, K8S_POD, "shop", "web-7d9f8b6c5d-fghij");
	const struct k8s_object *cart = find(&cluster, K8S_POD, "shop", "cart-0");
	const struct k8s_object *co = find(&cluster, K8S_POD, "shop", "checkout-5c6d7e8f9-klmno");
	const struct k8s_object *job = find(&cluster, K8S_POD, "default",
					    "nightly-report-28501020-x7k2p");

	assert_string_equal(w->pod.node_name, "node-a");
	assert_int_equal(w->pod.phase, K8S_POD_RUNNING);
	assert_int_equal(w->pod.nb_ips, 1);
	assert_int_equal(w->pod.ips[0], ip4("10.244.1.10"));
	/* Both containers' ports, in order. */
	assert_int_equal(w->pod.nb_ports, 2);
	assert_string_equal(w->pod.ports[0].name, "http");
	assert_int_equal(w->pod.ports[0].port, 8080);
	assert_int_equal(w->pod.ports[0].proto, IPPROTO_TCP);
	assert_string_equal(w->pod.ports[1].name, "metrics");
	assert_int_equal(w->pod.ports[1].port, 9090);
	assert_string_equal(k8s_labels_get(&w->labels, "tier"), "frontend");
	assert_true(k8s_pod_ip_usable(&w->pod));
	assert_int_equal(w2->pod.nb_ips, 1); /* the IPv6 podIP is skipped */
	assert_int_equal(w2->pod.ips[0], ip4("10.244.2.11"));
	assert_int_equal(cart->pod.nb_ports, 1);
	assert_null(cart->pod.ports[0].name);
	assert_int_equal(cart->pod.ports[0].port, 6379);
	assert_int_equal(co->pod.nb_ports, 3);
	assert_int_equal(co->pod.ports[1].proto, IPPROTO_UDP);
	assert_int_equal(co->pod.ports[2].proto, IPPROTO_SCTP);
	assert_string_equal(co->pod.ports[2].name, "sctp-sig");
	assert_int_equal(job->pod.phase, K8S_POD_SUCCEEDED);
	assert_int_equal(job->pod.nb_ports, 0);
	assert_false(k8s_pod_ip_usable(&job->pod));
}

static void
test_services_cluster_ip(void **state)
{
	const struct k8s_object *web = find(&cluster, K8S_SERVICE, "shop", "web");
	const struct k8s_object *kube = find(&cluster, K8S_SERVICE, "default", "kubernetes");
	const struct k8s_object *prom = find(&cluster, K8S_SERVICE, "monitoring", "prometheus");
	const struct k8s_service *s = &web->svc;

	assert_int_equal(s->type, K8S_SVC_CLUSTER_IP);
	assert_false(s->ignored);
	assert_false(s->headless);
	assert_int_equal(s->nb_cluster_ips, 1);
	assert_int_equal(s->cluster_ips[0], ip4("10.96.10.10"));
	assert_int_equal(s->nb_ports, 2);
	assert_string_equal(s->ports[0].name, "http");
	assert_int_equal(s->ports[0].port, 80);
	assert_int_equal(s->ports[0].proto, IPPROTO_TCP);
	assert_int_equal(s->ports[0].target_port, 0);
	assert_string_equal(s->ports[0].target_port_name, "http");
	assert_int_equal(s->ports[0].node_port, 0);
	assert_string_equal(s->ports[1].name, "metrics");
	assert_int_equal(s->ports[1].target_port, 9090);
	assert_null(s->ports[1].target_port_name);
	assert_int_equal(s->nb_external_ips, 0);
	assert_int_equal(s->nb_lb_ips, 0);
	assert_int_equal(s->affinity, K8S_AFFINITY_NONE);
	assert_int_equal(s->affinity_timeout, 0);
	assert_int_equal(s->external_policy, K8S_TRAFFIC_CLUSTER);
	assert_int_equal(s->internal_policy, K8S_TRAFFIC_CLUSTER);
	assert_int_equal(kube->svc.ports[0].target_port, 6443);
	/* Dual-stack: only the IPv4 cluster IP is kept; an unnamed single port. */
	assert_int_equal(prom->svc.nb_cluster_ips, 1);
	assert_int_equal(prom->svc.cluster_ips[0], ip4("10.96.20.20"));
	assert_null(prom->svc.ports[0].name);
	assert_string_equal(prom->svc.ports[0].target_port_name, "web");
	assert_int_equal(prom->svc.internal_policy, K8S_TRAFFIC_LOCAL);
}

static void
test_services_other_types(void **state)
{
	const struct k8s_service *cart = &find(&cluster, K8S_SERVICE, "shop", "cart")->svc;
	const struct k8s_service *pay = &find(&cluster, K8S_SERVICE, "shop", "payments")->svc;
	const struct k8s_service *np = &find(&cluster, K8S_SERVICE, "shop", "web-nodeport")->svc;
	const struct k8s_object *graf = find(&cluster, K8S_SERVICE, "monitoring", "grafana");

	assert_true(cart->headless);
	assert_int_equal(cart->nb_cluster_ips, 0);
	assert_int_equal(cart->nb_ports, 1);
	assert_int_equal(pay->type, K8S_SVC_EXTERNAL_NAME);
	assert_int_equal(pay->nb_cluster_ips, 0);
	assert_false(pay->headless);
	assert_int_equal(pay->nb_ports, 0);
	assert_int_equal(np->type, K8S_SVC_NODE_PORT);
	assert_int_equal(np->ports[0].node_port, 30080);
	assert_int_equal(np->ports[0].target_port, 8080);
	assert_null(np->ports[0].name);
	assert_int_equal(np->affinity, K8S_AFFINITY_CLIENT_IP);
	assert_int_equal(np->affinity_timeout, 3600);
	assert_int_equal(np->external_policy, K8S_TRAFFIC_LOCAL);
	assert_int_equal(np->internal_policy, K8S_TRAFFIC_CLUSTER);
	/* Another proxy's Service: valid, delivered, flagged. */
	assert_true(graf->svc.ignored);
	assert_int_equal(graf->svc.nb_cluster_ips, 1);
}

static void
test_service_load_balancer(void **state)
{
	const struct k8s_service *lb = &find(&cluster, K8S_SERVICE, "shop", "checkout")->svc;

	assert_int_equal(lb->type, K8S_SVC_LOAD_BALANCER);
	assert_int_equal(lb->cluster_ips[0], ip4("10.96.10.12"));
	assert_int_equal(lb->nb_ports, 2);
	assert_int_equal(lb->ports[0].node_port, 31443);
	assert_string_equal(lb->ports[0].target_port_name, "https");
	assert_int_equal(lb->ports[1].proto, IPPROTO_UDP);
	assert_int_equal(lb->ports[1].node_port, 31053);
	assert_int_equal(lb->nb_external_ips, 1);
	assert_int_equal(lb->external_ips[0], ip4("198.51.100.7"));
	/* The hostname-only ingress entry gives no address. */
	assert_int_equal(lb->nb_lb_ips, 1);
	assert_int_equal(lb->lb_ips[0], ip4("203.0.113.10"));
	assert_int_equal(lb->affinity, K8S_AFFINITY_CLIENT_IP);
	assert_int_equal(lb->affinity_timeout, 10800);
	assert_int_equal(lb->external_policy, K8S_TRAFFIC_CLUSTER);
}

static void
test_endpointslices(void **state)
{
	const struct k8s_object *web = find(&cluster, K8S_ENDPOINTSLICE, "shop", "web-8xq2m");
	const struct k8s_endpointslice *s = &web->slice;
	const struct k8s_endpointslice *v6 =
		&find(&cluster, K8S_ENDPOINTSLICE, "monitoring", "prometheus-n2w8c")->slice;
	const struct k8s_endpointslice *kube =
		&find(&cluster, K8S_ENDPOINTSLICE, "default", "kubernetes")->slice;

	assert_string_equal(s->service_name, "web");
	assert_int_equal(s->address_type, K8S_ADDR_IPV4);
	assert_true(s->used);
	assert_int_equal(s->nb_endpoints, 3);
	assert_int_equal(s->endpoints[0].nb_addrs, 1);
	assert_int_equal(s->endpoints[0].addrs[0], ip4("10.244.1.10"));
	assert_true(s->endpoints[0].ready);
	assert_true(s->endpoints[0].serving);
	assert_false(s->endpoints[0].terminating);
	assert_string_equal(s->endpoints[0].node_name, "node-a");
	assert_false(s->endpoints[2].ready);
	assert_true(s->endpoints[2].serving);
	assert_true(s->endpoints[2].terminating);
	assert_int_equal(s->nb_ports, 2);
	assert_string_equal(s->ports[1].name, "metrics");
	assert_int_equal(s->ports[1].port, 9090);
	assert_int_equal(s->ports[1].proto, IPPROTO_TCP);
	/* Checked, but not used: the data path is IPv4 only. */
	assert_int_equal(v6->address_type, K8S_ADDR_IPV6);
	assert_false(v6->used);
	assert_int_equal(v6->nb_endpoints, 0);
	assert_string_equal(v6->service_name, "prometheus");
	assert_null(kube->endpoints[0].node_name);
}

static void
test_endpoint_condition_defaults(void **state)
{
	const struct k8s_endpointslice *s =
		&find(&cluster, K8S_ENDPOINTSLICE, "shop", "web-nodeport-h5r9w")->slice;

	/* No conditions: ready, serving as ready, not terminating. */
	assert_true(s->endpoints[0].ready);
	assert_true(s->endpoints[0].serving);
	assert_false(s->endpoints[0].terminating);
	/* ready: true alone. */
	assert_true(s->endpoints[1].serving);
	assert_false(s->endpoints[1].terminating);
	/* ready: false, terminating: true, serving absent: serving follows ready. */
	assert_false(s->endpoints[2].ready);
	assert_false(s->endpoints[2].serving);
	assert_true(s->endpoints[2].terminating);
	/* name: "" is an unnamed port. */
	assert_null(s->ports[0].name);
	assert_int_equal(s->ports[0].port, 8080);
}

static void
test_policy_peers(void **state)
{
	const struct k8s_networkpolicy *p =
		&find(&cluster, K8S_NETWORKPOLICY, "shop", "web-allow")->policy;
	const struct k8s_policy_rule *r = &p->ingress[0];

	assert_string_equal(k8s_labels_get(&p->pod_selector.match_labels, "app"), "web");
	assert_true(p->has_ingress_type);
	assert_false(p->has_egress_type);
	assert_int_equal(p->nb_ingress, 1);
	assert_int_equal(p->nb_egress, 0);
	assert_int_equal(r->nb_peers, 2);
	assert_int_equal(r->peers[0].type, K8S_PEER_PODS);
	assert_int_equal(r->peers[0].pods.match_labels.n, 0);
	assert_int_equal(r->peers[1].type, K8S_PEER_NAMESPACED_PODS);
	assert_string_equal(k8s_labels_get(&r->peers[1].pods.match_labels, "app"), "prometheus");
	assert_string_equal(k8s_labels_get(&r->peers[1].namespaces.match_labels,
					   "kubernetes.io/metadata.name"),
			    "monitoring");
	assert_int_equal(r->nb_ports, 2);
	assert_string_equal(r->ports[0].name, "http");
	assert_int_equal(r->ports[0].port, 0);
	assert_int_equal(r->ports[0].proto, IPPROTO_TCP);
	assert_null(r->ports[1].name);
	assert_int_equal(r->ports[1].port, 9090);
	assert_int_equal(r->ports[1].end_port, 0);
}

static void
test_policy_ipblocks_and_ports(void **state)
{
	const struct k8s_networkpolicy *p =
		&find(&cluster, K8S_NETWORKPOLICY, "shop", "checkout-allow")->policy;
	const struct k8s_policy_rule *r0 = &p->ingress[0], *r1 = &p->ingress[1];
	const struct k8s_selector *ns = &r0->peers[0].namespaces;

	assert_int_equal(p->pod_selector.nb_exprs, 1);
	assert_int_equal(p->pod_selector.exprs[0].op, K8S_SEL_IN);
	assert_int_equal(p->pod_selector.exprs[0].nb_values, 1);
	assert_string_equal(p->pod_selector.exprs[0].values[0], "checkout");
	assert_int_equal(r0->peers[0].type, K8S_PEER_NAMESPACES);
	assert_int_equal(ns->nb_exprs, 2);
	assert_int_equal(ns->exprs[0].op, K8S_SEL_NOT_IN);
	assert_int_equal(ns->exprs[0].nb_values, 2);
	assert_string_equal(ns->exprs[0].values[1], "sandbox");
	assert_int_equal(ns->exprs[1].op, K8S_SEL_EXISTS);
	assert_int_equal(ns->exprs[1].nb_values, 0);
	assert_int_equal(r1->nb_peers, 2);
	assert_int_equal(r1->peers[0].type, K8S_PEER_IPBLOCK);
	assert_false(r1->peers[0].ipblock.ipv6);
	assert_int_equal(r1->peers[0].ipblock.cidr.addr, ip4("10.0.0.0"));
	assert_int_equal(r1->peers[0].ipblock.cidr.plen, 8);
	assert_int_equal(r1->peers[0].ipblock.nb_except, 2);
	assert_int_equal(r1->peers[0].ipblock.except[1].addr, ip4("10.2.3.0"));
	assert_int_equal(r1->peers[0].ipblock.except[1].plen, 24);
	/* An IPv6 block stays, flagged, so that the rule is not widened. */
	assert_true(r1->peers[1].ipblock.ipv6);
	assert_string_equal(r1->peers[1].ipblock.cidr6, "fd00:abcd::/32");
	assert_int_equal(r1->nb_ports, 4);
	assert_int_equal(r1->ports[1].port, 30000);
	assert_int_equal(r1->ports[1].end_port, 32767);
	assert_string_equal(r1->ports[2].name, "dns-sd");
	assert_int_equal(r1->ports[2].proto, IPPROTO_UDP);
	assert_int_equal(r1->ports[3].proto, IPPROTO_SCTP);
}

static void
test_policy_types(void **state)
{
	const struct k8s_networkpolicy *eg =
		&find(&cluster, K8S_NETWORKPOLICY, "shop", "cart-egress")->policy;
	const struct k8s_networkpolicy *def =
		&find(&cluster, K8S_NETWORKPOLICY, "shop", "web-egress")->policy;
	const struct k8s_networkpolicy *deny =
		&find(&cluster, K8S_NETWORKPOLICY, "monitoring", "default-deny-all")->policy;
	const struct k8s_networkpolicy *deny_in =
		&find(&cluster, K8S_NETWORKPOLICY, "shop", "default-deny-ingress")->policy;

	assert_false(eg->has_ingress_type);
	assert_true(eg->has_egress_type);
	assert_int_equal(eg->nb_egress, 2);
	assert_int_equal(eg->egress[0].peers[0].ipblock.cidr.plen, 0);
	assert_int_equal(eg->egress[0].peers[0].ipblock.except[0].addr, ip4("169.254.169.254"));
	assert_int_equal(eg->egress[0].peers[0].ipblock.except[0].plen, 32);
	assert_int_equal(eg->egress[0].ports[0].proto, IPPROTO_UDP);
	assert_int_equal(eg->egress[0].ports[0].port, 53);
	assert_int_equal(eg->egress[1].peers[0].pods.exprs[0].op, K8S_SEL_DOES_NOT_EXIST);
	assert_int_equal(eg->egress[1].nb_ports, 0);
	/* No policyTypes, egress rules: Ingress and Egress (API server defaulting). */
	assert_true(def->has_ingress_type);
	assert_true(def->has_egress_type);
	assert_int_equal(def->egress[0].peers[0].type, K8S_PEER_NAMESPACES);
	assert_int_equal(def->egress[1].nb_peers, 0);
	assert_int_equal(def->egress[1].ports[0].port, 0);
	assert_int_equal(def->egress[1].ports[0].proto, IPPROTO_UDP);
	assert_true(deny->has_ingress_type && deny->has_egress_type);
	assert_int_equal(deny->nb_ingress + deny->nb_egress, 0);
	assert_true(deny_in->has_ingress_type);
	assert_false(deny_in->has_egress_type);
}

/* ---------------------------------------------------------------- formats */

static void
test_yaml_json_equal(void **state)
{
	struct coll json = { 0 };
	unsigned int i;

	assert_int_equal(k8s_parse_file(CLUSTER_JSON, collect, &json, stderr), 0);
	assert_int_equal(json.n, cluster.n);
	for (i = 0; i < json.n; i++)
		assert_true(k8s_object_equal(json.v[i], cluster.v[i]));
	coll_free(&json);
}

static void
test_multidoc(void **state)
{
	struct coll docs = { 0 };
	unsigned int i;
	size_t len = 0;
	char *err = NULL;
	FILE *e = open_memstream(&err, &len);

	assert_int_equal(k8s_parse_file(MULTIDOC_YAML, collect, &docs, e), 0);
	fclose(e);
	assert_int_equal(docs.n, 7);
	/* The Deployment is skipped, named, and not counted as rejected. */
	assert_contains(err, MULTIDOC_YAML ":37: document 4: Deployment shop/checkout: skipped");
	assert_int_equal(count_lines(err), 1);
	for (i = 0; i < docs.n; i++) {
		const struct k8s_object *o = docs.v[i];

		assert_true(k8s_object_equal(o, find(&cluster, o->kind, o->ns, o->name)));
	}
	free(err);
	coll_free(&docs);
}

static void
test_to_json_round_trip(void **state)
{
	unsigned int i;

	for (i = 0; i < cluster.n; i++) {
		struct coll back = { 0 };
		char *json = k8s_object_to_json(cluster.v[i]), *again, *err;

		assert_non_null(json);
		if (parse(json, &back, &err) != 0 || back.n != 1) {
			print_error("%s\n%s", json, err);
			fail();
		}
		assert_true(k8s_object_equal(back.v[0], cluster.v[i]));
		again = k8s_object_to_json(back.v[0]);
		assert_string_equal(again, json);
		free(again);
		free(json);
		free(err);
		coll_free(&back);
	}
}

static void
test_to_json_shape(void **state)
{
	char *j = k8s_object_to_json(find(&cluster, K8S_SERVICE, "shop", "web-nodeport"));

	assert_non_null(j);
	assert_true(strncmp(j, "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":"
			       "\"web-nodeport\",\"namespace\":\"shop\",\"labels\":{",
			    92) == 0);
	assert_contains(j, "\"sessionAffinityConfig\":{\"clientIP\":{\"timeoutSeconds\":3600}}");
	assert_contains(j, "\"externalTrafficPolicy\":\"Local\"");
	assert_contains(j, "\"nodePort\":30080");
	free(j);
	j = k8s_object_to_json(find(&cluster, K8S_ENDPOINTSLICE, "shop", "web-nodeport-h5r9w"));
	/* Defaults are written out. */
	assert_contains(j, "{\"addresses\":[\"10.244.1.10\"],\"conditions\":{\"ready\":true,"
			   "\"serving\":true,\"terminating\":false},\"nodeName\":\"node-a\"}");
	free(j);
	errno = 0;
	assert_null(k8s_object_to_json(NULL));
	assert_int_equal(errno, EINVAL);
}

/* A pod whose containers reuse a port name still reads back the same from its dump. */
static void
test_to_json_repeated_port_names(void **state)
{
	static const char pod[] = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
				  "  - {name: a, ports: [{name: metrics, containerPort: 9000}]}\n"
				  "  - {name: b, ports: [{name: http, containerPort: 80},\n"
				  "      {name: metrics, containerPort: 9001}]}\n";
	struct coll c = { 0 }, back = { 0 };
	char *j;

	assert_int_equal(parse(pod, &c, NULL), 0);
	assert_int_equal(c.v[0]->pod.nb_ports, 3);
	j = k8s_object_to_json(c.v[0]);
	assert_int_equal(parse(j, &back, NULL), 0);
	assert_int_equal(back.n, 1);
	assert_true(k8s_object_equal(c.v[0], back.v[0]));
	free(j);
	coll_free(&c);
	coll_free(&back);
}

static void
test_equal(void **state)
{
	static const char a[] = "kind: Service\nmetadata: {name: s, namespace: x}\n"
				"spec: {clusterIP: 10.96.0.5, ports: [{port: 80}]}\n";
	static const char b[] = "kind: Service\nmetadata: {name: s, namespace: x}\n"
				"spec: {clusterIP: 10.96.0.5, ports: [{port: 81}]}\n";
	static const char c2[] = "{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": "
				 "{\"name\": \"s\", \"namespace\": \"x\"}, \"spec\": {\"type\": "
				 "\"ClusterIP\", \"clusterIPs\": [\"10.96.0.5\"], \"ports\": "
				 "[{\"port\": 80, \"targetPort\": 80, \"protocol\": \"TCP\"}]}}";
	struct coll c = { 0 };

	assert_int_equal(parse(a, &c, NULL), 0);
	assert_int_equal(parse(b, &c, NULL), 0);
	assert_int_equal(parse(c2, &c, NULL), 0);
	assert_int_equal(c.n, 3);
	assert_false(k8s_object_equal(c.v[0], c.v[1]));
	/* Defaults given or left out make no difference. */
	assert_true(k8s_object_equal(c.v[0], c.v[2]));
	assert_false(k8s_object_equal(c.v[0], NULL));
	assert_false(k8s_object_equal(c.v[0], cluster.v[0]));
	coll_free(&c);
}

/* ---------------------------------------------------------------- keys and names */

static void
test_key_format(void **state)
{
	char buf[K8S_KEY_MAX];

	assert_int_equal(k8s_key_format(buf, sizeof(buf), K8S_POD, "shop", "web-1"), 14);
	assert_string_equal(buf, "Pod:shop/web-1");
	assert_int_equal(k8s_key_format(buf, sizeof(buf), K8S_NODE, "ignored", "node-a"), 11);
	assert_string_equal(buf, "Node:node-a");
	assert_int_equal(k8s_key_format(buf, sizeof(buf), K8S_NAMESPACE, NULL, "shop"), 14);
	assert_string_equal(buf, "Namespace:shop");
	assert_int_equal(k8s_key_format(buf, sizeof(buf), K8S_KIND_COUNT, "a", "b"), -EINVAL);
	assert_int_equal(k8s_key_format(buf, sizeof(buf), K8S_POD, "shop", NULL), -EINVAL);
	assert_int_equal(k8s_key_format(buf, sizeof(buf), K8S_POD, "shop", ""), -EINVAL);
	assert_int_equal(k8s_key_format(buf, sizeof(buf), K8S_POD, NULL, "web"), -EINVAL);
	assert_int_equal(k8s_key_format(buf, sizeof(buf), K8S_POD, "", "web"), -EINVAL);
	assert_int_equal(k8s_key_format(buf, sizeof(buf), K8S_POD, "a/b", "web"), -EINVAL);
	/* Exactly fitting, and one byte short. */
	assert_int_equal(k8s_key_format(buf, 15, K8S_POD, "shop", "web-1"), 14);
	assert_int_equal(k8s_key_format(buf, 14, K8S_POD, "shop", "web-1"), -ENAMETOOLONG);
}

static void
test_key_parse(void **state)
{
	char ns[64], name[254];
	enum k8s_kind kind;

	assert_int_equal(k8s_key_parse("Pod:shop/web-1", &kind, ns, sizeof(ns), name,
				       sizeof(name)), 0);
	assert_int_equal(kind, K8S_POD);
	assert_string_equal(ns, "shop");
	assert_string_equal(name, "web-1");
	assert_int_equal(k8s_key_parse("Node:node-a", &kind, ns, sizeof(ns), name, sizeof(name)),
			 0);
	assert_int_equal(kind, K8S_NODE);
	assert_string_equal(ns, "");
	assert_string_equal(name, "node-a");
	assert_int_equal(k8s_key_parse("EndpointSlice:shop/web-8xq2m", &kind, ns, sizeof(ns), name,
				       sizeof(name)), 0);
	assert_int_equal(kind, K8S_ENDPOINTSLICE);
}

static void
test_key_parse_errors(void **state)
{
	static const char *const bad[] = {
		"",		"Pod",	       "Pod:",	       "Pod:web",  "Pod:/web",
		"Pod:shop/",	"Pod:shop/a/b", "pod:shop/web", "Deployment:shop/web",
		"Node:ns/node", "Node:",	"Namespace:a/b", ":shop/web",
	};
	char ns[64], name[254];
	enum k8s_kind kind;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (k8s_key_parse(bad[i], &kind, ns, sizeof(ns), name, sizeof(name)) != -EINVAL) {
			print_error("'%s' was taken as a key\n", bad[i]);
			fail();
		}
	assert_int_equal(k8s_key_parse(NULL, &kind, ns, sizeof(ns), name, sizeof(name)), -EINVAL);
	assert_int_equal(k8s_key_parse("Pod:shop/web", &kind, ns, 4, name, sizeof(name)),
			 -ENAMETOOLONG);
	assert_int_equal(k8s_key_parse("Pod:shop/web", &kind, ns, 5, name, 3), -ENAMETOOLONG);
	assert_int_equal(k8s_key_parse("Pod:shop/web", &kind, ns, 5, name, 4), 0);
}

/* Every fixture object's key parses back to its identity and fits in K8S_KEY_MAX. */
static void
test_object_keys(void **state)
{
	char key[K8S_KEY_MAX], ns[64], name[254];
	enum k8s_kind kind;
	unsigned int i;

	for (i = 0; i < cluster.n; i++) {
		const struct k8s_object *o = cluster.v[i];
		int n = k8s_object_key(o, key, sizeof(key));

		assert_true(n > 0 && n < K8S_KEY_MAX);
		assert_int_equal(k8s_key_parse(key, &kind, ns, sizeof(ns), name, sizeof(name)), 0);
		assert_int_equal(kind, o->kind);
		assert_string_equal(ns, o->ns != NULL ? o->ns : "");
		assert_string_equal(name, o->name);
	}
}

/* The longest possible key: a 63-character namespace and a 253-character name. */
static void
test_key_max(void **state)
{
	char ns[64], name[254], key[K8S_KEY_MAX];

	memset(ns, 'n', 63);
	ns[63] = '\0';
	memset(name, 'p', 253);
	name[253] = '\0';
	assert_int_equal(k8s_key_format(key, sizeof(key), K8S_NETWORKPOLICY, ns, name),
			 14 + 63 + 1 + 253);
	assert_int_equal(k8s_key_format(key, sizeof(key), K8S_ENDPOINTSLICE, ns, name),
			 14 + 63 + 1 + 253);
}

static void
test_kind_names(void **state)
{
	static const char *const names[] = { "Node", "Namespace", "Pod", "Service",
					     "EndpointSlice", "NetworkPolicy" };
	unsigned int k;

	for (k = 0; k < K8S_KIND_COUNT; k++) {
		assert_string_equal(k8s_kind_name((enum k8s_kind)k), names[k]);
		assert_int_equal(k8s_kind_from_name(names[k]), (int)k);
		assert_int_equal(k8s_kind_is_namespaced((enum k8s_kind)k), k >= K8S_POD);
	}
	assert_string_equal(k8s_kind_name(K8S_KIND_COUNT), "?");
	assert_string_equal(k8s_kind_name((enum k8s_kind)-1), "?");
	assert_int_equal(k8s_kind_from_name("pod"), -EINVAL);
	assert_int_equal(k8s_kind_from_name("Deployment"), -EINVAL);
	assert_int_equal(k8s_kind_from_name(""), -EINVAL);
	assert_int_equal(k8s_kind_from_name(NULL), -EINVAL);
	assert_false(k8s_kind_is_namespaced(K8S_KIND_COUNT));
	assert_string_equal(k8s_proto_name(IPPROTO_TCP), "TCP");
	assert_string_equal(k8s_proto_name(IPPROTO_UDP), "UDP");
	assert_string_equal(k8s_proto_name(IPPROTO_SCTP), "SCTP");
	assert_string_equal(k8s_proto_name(IPPROTO_ICMP), "?");
}

/* ---------------------------------------------------------------- selectors */

static struct k8s_label pod_label_v[] = {
	{ "app", "web" }, { "env", "prod" }, { "tier", "frontend" },
};
static const struct k8s_labels pod_labels = { pod_label_v, 3 };

static bool
expr_match(enum k8s_selector_op op, const char *key, char **values, unsigned int n)
{
	struct k8s_selector_expr e = { (char *)key, op, values, n };
	struct k8s_selector sel = { .exprs = &e, .nb_exprs = 1 };

	return k8s_selector_matches(&sel, &pod_labels);
}

static void
test_selector_operators(void **state)
{
	char *web[] = { "web" }, *other[] = { "api", "db" }, *both[] = { "db", "web" };

	assert_true(expr_match(K8S_SEL_IN, "app", web, 1));
	assert_true(expr_match(K8S_SEL_IN, "app", both, 2));
	assert_false(expr_match(K8S_SEL_IN, "app", other, 2));
	assert_false(expr_match(K8S_SEL_IN, "missing", web, 1));
	assert_false(expr_match(K8S_SEL_NOT_IN, "app", both, 2));
	assert_true(expr_match(K8S_SEL_NOT_IN, "app", other, 2));
	/* A pod without the label is not in the set. */
	assert_true(expr_match(K8S_SEL_NOT_IN, "missing", web, 1));
	assert_true(expr_match(K8S_SEL_EXISTS, "tier", NULL, 0));
	assert_false(expr_match(K8S_SEL_EXISTS, "missing", NULL, 0));
	assert_true(expr_match(K8S_SEL_DOES_NOT_EXIST, "missing", NULL, 0));
	assert_false(expr_match(K8S_SEL_DOES_NOT_EXIST, "app", NULL, 0));
}

static void
test_selector_match_labels(void **state)
{
	struct k8s_label want[] = { { "app", "web" }, { "tier", "frontend" } };
	struct k8s_label wrong[] = { { "app", "web" }, { "tier", "backend" } };
	struct k8s_label absent[] = { { "zone", "a" } };
	struct k8s_selector sel = { .match_labels = { want, 2 } };
	const struct k8s_labels none = { NULL, 0 };
	const struct k8s_selector empty = { 0 };
	char *web[] = { "web" };
	struct k8s_selector_expr e = { "env", K8S_SEL_IN, web, 1 };

	assert_true(k8s_selector_matches(&sel, &pod_labels));
	sel.match_labels = (struct k8s_labels){ wrong, 2 };
	assert_false(k8s_selector_matches(&sel, &pod_labels));
	sel.match_labels = (struct k8s_labels){ absent, 1 };
	assert_false(k8s_selector_matches(&sel, &pod_labels));
	/* The empty selector selects everything, even a pod without labels. */
	assert_true(k8s_selector_matches(&empty, &pod_labels));
	assert_true(k8s_selector_matches(&empty, &none));
	/* matchLabels and expressions are ANDed. */
	sel.match_labels = (struct k8s_labels){ want, 2 };
	sel.exprs = &e;
	sel.nb_exprs = 1;
	assert_false(k8s_selector_matches(&sel, &pod_labels));
}

/* Selectors read from the fixture pick the fixture's pods and namespaces. */
static void
test_selector_on_fixture(void **state)
{
	const struct k8s_networkpolicy *allow =
		&find(&cluster, K8S_NETWORKPOLICY, "shop", "web-allow")->policy;
	const struct k8s_networkpolicy *co =
		&find(&cluster, K8S_NETWORKPOLICY, "shop", "checkout-allow")->policy;
	const struct k8s_object *web = find(&cluster, K8S_POD, "shop", "web-7d9f8b6c5d-abcde");
	const struct k8s_object *cart = find(&cluster, K8S_POD, "shop", "cart-0");
	const struct k8s_object *chk = find(&cluster, K8S_POD, "shop", "checkout-5c6d7e8f9-klmno");
	const struct k8s_object *shop = find(&cluster, K8S_NAMESPACE, NULL, "shop");
	const struct k8s_object *mon = find(&cluster, K8S_NAMESPACE, NULL, "monitoring");

	assert_true(k8s_selector_matches(&allow->pod_selector, &web->labels));
	assert_false(k8s_selector_matches(&allow->pod_selector, &cart->labels));
	assert_true(k8s_selector_matches(&co->pod_selector, &chk->labels));
	assert_false(k8s_selector_matches(&co->pod_selector, &web->labels));
	assert_true(k8s_selector_matches(&allow->ingress[0].peers[1].namespaces, &mon->labels));
	assert_false(k8s_selector_matches(&allow->ingress[0].peers[1].namespaces, &shop->labels));
	/* team NotIn (untrusted, sandbox) and env Exists: shop has env, monitoring not. */
	assert_true(k8s_selector_matches(&co->ingress[0].peers[0].namespaces, &shop->labels));
	assert_false(k8s_selector_matches(&co->ingress[0].peers[0].namespaces, &mon->labels));
}

static void
test_pod_ip_usable(void **state)
{
	struct k8s_pod p = { 0 };

	p.phase = K8S_POD_PENDING;
	assert_true(k8s_pod_ip_usable(&p));
	p.phase = K8S_POD_RUNNING;
	assert_true(k8s_pod_ip_usable(&p));
	p.phase = K8S_POD_UNKNOWN;
	assert_true(k8s_pod_ip_usable(&p));
	p.phase = K8S_POD_SUCCEEDED;
	assert_false(k8s_pod_ip_usable(&p));
	p.phase = K8S_POD_FAILED;
	assert_false(k8s_pod_ip_usable(&p));
}

/* ---------------------------------------------------------------- streams and garbage */

#define GOOD1 "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: good-one\n"
#define GOOD2 "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: good-two\n"

static void
expect_garbage(const char *text, size_t len, int want_rc)
{
	struct coll c = { 0 };
	char *err;
	int rc = parse_len(text, len, &c, &err);

	if (rc != want_rc) {
		print_error("rc %d, wanted %d; messages:\n%s", rc, want_rc, err);
		fail();
	}
	assert_int_equal(c.n, 0);
	assert_true(count_lines(err) >= 1);
	free(err);
	coll_free(&c);
}

static void
test_garbage(void **state)
{
	static const char binary[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0,
				       0,    0,   (char)0xff, (char)0xfe };
	static const char bad_utf8[] = "kind: Pod\nmetadata: {name: \xc3\x28}\n";

	expect_garbage(binary, sizeof(binary), -EINVAL);
	expect_garbage(bad_utf8, sizeof(bad_utf8) - 1, -EINVAL);
	expect_garbage("kind: Pod\nmetadata: [unclosed\n", 29, -EINVAL);
	expect_garbage("{{{{ ::: }", 10, -EINVAL);
	expect_garbage("a: b\n  c: d\n", 12, -EINVAL);
	/* YAML, but not objects: a scalar, a sequence of scalars, a mapping without kind. */
	expect_garbage("hello world\n", 12, 1);
	expect_garbage("- a\n- b\n- c\n", 12, 1);
	expect_garbage("42", 2, 1);
	expect_garbage("name: x\n", 8, 1);
}

/* A syntax error anywhere in a stream delivers nothing, even the documents before it. */
static void
test_syntax_error_delivers_nothing(void **state)
{
	struct coll c = { 0 };
	char *err;

	assert_int_equal(parse(GOOD1 "---\n" GOOD2 "---\nkind: [\n", &c, &err), -EINVAL);
	assert_int_equal(c.n, 0);
	assert_contains(err, "test:12: not YAML: ");
	free(err);
}

static void
test_empty_inputs(void **state)
{
	struct coll c = { 0 };
	char *err;

	assert_int_equal(parse("", &c, &err), 0);
	assert_int_equal(count_lines(err), 0);
	free(err);
	assert_int_equal(parse("# nothing\n---\n---\n...\n", &c, &err), 0);
	assert_int_equal(count_lines(err), 0);
	free(err);
	assert_int_equal(k8s_parse(NULL, 0, NULL, collect, &c, NULL), 0);
	assert_int_equal(parse("kind: List\nitems: []\n", &c, NULL), 0);
	assert_int_equal(parse("{\"kind\": \"List\", \"items\": null}", &c, NULL), 0);
	assert_int_equal(c.n, 0);
}

static void
test_unknown_kinds_skipped(void **state)
{
	static const char text[] = GOOD1 "---\napiVersion: apps/v1\nkind: Deployment\n"
				   "metadata: {name: web, namespace: shop}\n---\n"
				   "apiVersion: serving.knative.dev/v1\nkind: Service\n"
				   "metadata: {name: hello, namespace: shop}\n"
				   "spec: {template: {}}\n---\n" GOOD2;
	struct coll c = { 0 };
	char *err;

	assert_int_equal(parse(text, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_contains(err, "test:6: document 2: Deployment shop/web: skipped: podrouter does not "
			     "read this kind\n");
	assert_contains(err, "test:10: document 3: Service shop/hello: skipped: apiVersion is not");
	assert_int_equal(count_lines(err), 2);
	free(err);
	coll_free(&c);
}

static void
test_typed_list(void **state)
{
	static const char text[] =
		"apiVersion: v1\nkind: PodList\nitems:\n"
		"- metadata: {name: a, namespace: shop}\n  spec: {containers: [{name: c}]}\n"
		"- kind: Service\n  metadata: {name: b}\n  spec: {ports: [{port: 80}]}\n"
		"- metadata: {name: C}\n  spec: {containers: [{name: c}]}\n"
		"- just a string\n"
		"- metadata: {name: d}\n  spec: {containers: [{name: c}]}\n";
	struct coll c = { 0 };
	char *err;

	assert_int_equal(parse(text, &c, &err), 2);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.v[0]->kind, K8S_POD);
	assert_string_equal(c.v[0]->ns, "shop");
	assert_int_equal(c.v[1]->kind, K8S_SERVICE);
	assert_string_equal(c.v[1]->ns, "default");
	assert_string_equal(c.v[2]->name, "d");
	assert_contains(err, "test:9: document 1, items[2]: Pod default/C: metadata.name: 'C': ");
	assert_contains(err, "test:11: document 1, items[3]: not a Kubernetes object");
	free(err);
	coll_free(&c);
}

/* In `kind: List` every item names its kind. */
static void
test_list_item_without_kind(void **state)
{
	static const char text[] = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
				   "{\"metadata\": {\"name\": \"x\"}},\n"
				   "{\"kind\": \"Namespace\", \"metadata\": {\"name\": \"y\"}}]}\n";
	struct coll c = { 0 };
	char *err;

	assert_int_equal(parse(text, &c, &err), 1);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0]->name, "y");
	assert_contains(err, "test:2: document 1, items[0]: kind: required\n");
	free(err);
	coll_free(&c);
}

static void
test_callback_error_stops(void **state)
{
	struct coll c = { .fail_at = 2 };

	assert_int_equal(parse(GOOD1 "---\n" GOOD2 "---\n" GOOD1, &c, NULL), -ECANCELED);
	assert_int_equal(c.n, 1);
	coll_free(&c);
}

static void
test_no_error_stream(void **state)
{
	struct coll c = { 0 };

	assert_int_equal(k8s_parse("kind: Pod\n", 10, "x", collect, &c, NULL), 1);
	assert_int_equal(k8s_parse("\x01", 1, "x", collect, &c, NULL), -EINVAL);
	assert_int_equal(c.n, 0);
}

static void
test_parse_file(void **state)
{
	const char *tmp = getenv("PR_TEST_TMP") ? getenv("PR_TEST_TMP") : "/tmp";
	char path[512], want[600], *err = NULL;
	struct coll c = { 0 };
	size_t len = 0;
	FILE *f, *e;
	int fd;

	assert_int_equal(k8s_parse_file("manifests/no-such-file.yaml", collect, &c, NULL),
			 -ENOENT);
	assert_int_equal(k8s_parse_file("manifests", collect, &c, NULL), -EISDIR);
	snprintf(path, sizeof(path), "%s/k8sXXXXXX", tmp);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(GOOD1 "---\nkind: Pod\nmetadata: {name: p}\n", f);
	fclose(f);
	e = open_memstream(&err, &len);
	assert_int_equal(k8s_parse_file(path, collect, &c, e), 1);
	fclose(e);
	unlink(path);
	snprintf(want, sizeof(want), "%s:6: document 2: Pod default/p: spec.containers: required",
		 path);
	assert_contains(err, want);
	assert_int_equal(c.n, 1);
	free(err);
	coll_free(&c);
}

/* Nesting far deeper than any object: an error or a rejection, never a crash. */
static void
test_deep_nesting(void **state)
{
	size_t depth = 20000, i;
	char *text = malloc(depth * 2 + 16);
	struct coll c = { 0 };
	int rc;

	assert_non_null(text);
	strcpy(text, "kind: ");
	for (i = 0; i < depth; i++)
		text[6 + i] = '[';
	for (i = 0; i < depth; i++)
		text[6 + depth + i] = ']';
	text[6 + 2 * depth] = '\0';
	rc = parse(text, &c, NULL);
	assert_true(rc == 1 || rc == -EINVAL);
	assert_int_equal(c.n, 0);
	free(text);
}

/* Aliases are followed: `*a` reads as the node it names. */
static void
test_aliases(void **state)
{
	static const char text[] = "kind: Pod\nmetadata:\n  name: p\n  labels: &l {app: web}\n"
				   "spec:\n  containers:\n"
				   "  - {name: c, ports: &p [{containerPort: 80}]}\n"
				   "  - {name: d, ports: *p}\n";
	struct coll c = { 0 };

	assert_int_equal(parse(text, &c, NULL), 0);
	assert_int_equal(c.v[0]->pod.nb_ports, 2);
	assert_string_equal(k8s_labels_get(&c.v[0]->labels, "app"), "web");
	coll_free(&c);
}

/* The exact message: source, line, document, item, kind, identity, field path, reason. */
static void
test_message_format(void **state)
{
	static const char text[] = GOOD1 "---\nkind: Service\nmetadata:\n  name: web\n"
				   "  namespace: shop\nspec:\n  ports:\n  - name: http\n"
				   "    port: 80\n  - port: 81\n";
	struct coll c = { 0 };
	char *err;

	assert_int_equal(parse(text, &c, &err), 1);
	assert_string_equal(err, "test:14: document 2: Service shop/web: spec.ports[1].name: "
				 "required when the Service has several ports\n");
	free(err);
	coll_free(&c);
}

/* ---------------------------------------------------------------- one case per rule */

struct rule_case {
	const char *name;
	const char *doc;  /* document 2, between two good ones */
	const char *want; /* in its message */
};

#define POD(spec) "kind: Pod\nmetadata: {name: p, namespace: shop}\nspec: " spec "\n"
#define PORTS(p) POD("{containers: [{name: c, ports: [" p "]}]}")
#define SVC(spec) "kind: Service\nmetadata: {name: s, namespace: shop}\nspec: " spec "\n"
#define SLICE(body)                                                                           \
	"kind: EndpointSlice\nmetadata: {name: e, namespace: shop, labels: "                  \
	"{kubernetes.io/service-name: s}}\n" body "\n"
#define EP(addrs) SLICE("addressType: IPv4\nendpoints: [{addresses: [" addrs "]}]")
#define NP(spec) "kind: NetworkPolicy\nmetadata: {name: n, namespace: shop}\nspec: " spec "\n"
#define SEL(x) NP("{podSelector: {matchExpressions: [" x "]}}")
#define PEER(p) NP("{ingress: [{from: [" p "]}]}")
#define NPORT(p) NP("{ingress: [{ports: [" p "]}]}")
#define NODE(body) "kind: Node\nmetadata: {name: n1}\n" body "\n"

static const struct rule_case rules[] = {
	/* every kind: metadata */
	{ "kind_required", "apiVersion: v1\nmetadata: {name: x}\n", "document 2: kind: required" },
	{ "metadata_mapping", "kind: Pod\nmetadata: [a]\n",
	  "Pod default/?: metadata: must be a mapping" },
	{ "name_required", "kind: Pod\nmetadata: {namespace: shop}\n",
	  "Pod shop/?: metadata.name: required" },
	{ "name_subdomain", "kind: Pod\nmetadata: {name: Web_1}\n",
	  "Pod default/Web_1: metadata.name: 'Web_1': must be at most 253 characters" },
	{ "name_too_long",
	  "kind: Node\nmetadata: {name: " /* 254 characters */
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
	  "metadata.name: 'aaaa" },
	{ "service_name_rfc1035",
	  "kind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}\n",
	  "Service default/1web: metadata.name: '1web': must be 1 to 63 characters of a-z, 0-9 "
	  "and '-', starting with a letter" },
	{ "namespace_name_label", "kind: Namespace\nmetadata: {name: a.b}\n",
	  "Namespace a.b: metadata.name: 'a.b': must be 1 to 63 characters" },
	{ "namespace_field", "kind: Pod\nmetadata: {name: p, namespace: Shop}\n",
	  "Pod Shop/p: metadata.namespace: 'Shop': must be 1 to 63 characters" },
	{ "label_key", "kind: Namespace\nmetadata: {name: x, labels: {-bad: v}}\n",
	  "Namespace x: metadata.labels: key '-bad': must be an optional DNS subdomain prefix" },
	{ "label_key_prefix", "kind: Namespace\nmetadata: {name: x, labels: {Example.com/a: v}}\n",
	  "metadata.labels: key 'Example.com/a'" },
	{ "label_value", "kind: Namespace\nmetadata: {name: x, labels: {app: a b}}\n",
	  "metadata.labels: value 'a b' of 'app': must be at most 63 characters" },
	{ "label_value_long",
	  "kind: Namespace\nmetadata: {name: x, labels: {app: "
	  "a123456789012345678901234567890123456789012345678901234567890123}}\n",
	  "metadata.labels: value 'a1234" },
	{ "label_duplicate", "kind: Namespace\nmetadata: {name: x, labels: {app: a, app: b}}\n",
	  "metadata.labels: key 'app' is given twice" },
	{ "string_with_nul", "kind: Namespace\nmetadata: {name: \"x\\0y\"}\n",
	  "metadata.name: must be a string" },
	/* Node */
	{ "node_cidr", NODE("spec: {podCIDR: 10.244.1.0/33}"),
	  "Node n1: spec.podCIDR: '10.244.1.0/33': must be an IPv4 or IPv6 CIDR" },
	{ "node_cidrs_first", NODE("spec: {podCIDR: 10.244.1.0/24, podCIDRs: [10.244.2.0/24]}"),
	  "spec.podCIDRs[0]: '10.244.2.0/24' must be the same as podCIDR '10.244.1.0/24'" },
	{ "node_cidrs_family", NODE("spec: {podCIDRs: [10.244.1.0/24, 10.9.0.0/24]}"),
	  "spec.podCIDRs[1]: a second CIDR of the same family" },
	{ "node_internal_ip", NODE("status: {addresses: [{type: InternalIP, address: 1.2.3.300}]}"),
	  "status.addresses[0].address: '1.2.3.300': must be an IPv4 or IPv6 address" },
	/* Pod */
	{ "pod_containers", POD("{nodeName: node-a}"), "Pod shop/p: spec.containers: required" },
	{ "pod_node_name", POD("{nodeName: Node_A, containers: [{name: c}]}"),
	  "spec.nodeName: 'Node_A': must be at most 253" },
	{ "pod_port_range", PORTS("{containerPort: 70000}"),
	  "spec.containers[0].ports[0].containerPort: 70000: must be between 1 and 65535" },
	{ "pod_port_zero", PORTS("{containerPort: 0}"), "containerPort: 0: must be between 1" },
	{ "pod_port_required", PORTS("{name: http}"), "ports[0].containerPort: required" },
	{ "pod_port_string", PORTS("{containerPort: \"80\"}"),
	  "containerPort: must be an integer" },
	{ "pod_protocol", PORTS("{containerPort: 80, protocol: ICMP}"),
	  "ports[0].protocol: 'ICMP': must be one of TCP, UDP, SCTP" },
	{ "port_name_upper", PORTS("{containerPort: 80, name: HTTP}"),
	  "ports[0].name: 'HTTP': must be 1 to 15 characters of a-z, 0-9 and '-', with at least "
	  "one letter" },
	{ "port_name_no_letter", PORTS("{containerPort: 80, name: \"8080\"}"),
	  "ports[0].name: '8080': must be 1 to 15" },
	{ "port_name_double_dash", PORTS("{containerPort: 80, name: a--b}"),
	  "ports[0].name: 'a--b': must be 1 to 15" },
	{ "port_name_edge_dash", PORTS("{containerPort: 80, name: http-}"),
	  "ports[0].name: 'http-': must be 1 to 15" },
	{ "port_name_long", PORTS("{containerPort: 80, name: abcdefghijklmnop}"),
	  "ports[0].name: 'abcdefghijklmnop': must be 1 to 15" },
	{ "pod_port_name_twice",
	  PORTS("{containerPort: 80, name: http}, {containerPort: 81, name: http}"),
	  "spec.containers[0].ports[1].name: 'http' is also the name of ports[0]" },
	{ "pod_phase", POD("{containers: [{name: c}]}\nstatus: {phase: Done}"),
	  "status.phase: 'Done': must be one of Pending, Running, Succeeded, Failed, Unknown" },
	{ "pod_ip", POD("{containers: [{name: c}]}\nstatus: {podIP: 10.0.0}"),
	  "status.podIP: '10.0.0': must be an IPv4 or IPv6 address" },
	{ "pod_ips_first",
	  POD("{containers: [{name: c}]}\nstatus: {podIP: 10.244.1.5, podIPs: [{ip: 10.244.1.6}]}"),
	  "status.podIPs[0]: '10.244.1.6' must be the same as podIP '10.244.1.5'" },
	{ "pod_ips_family",
	  POD("{containers: [{name: c}]}\nstatus: {podIPs: [{ip: 10.244.1.5}, {ip: 10.244.1.6}]}"),
	  "status.podIPs[1].ip: a second address of the same family" },
	/* Service */
	{ "svc_type", SVC("{type: Internal, ports: [{port: 80}]}"),
	  "Service shop/s: spec.type: 'Internal': must be one of ClusterIP, NodePort, "
	  "LoadBalancer, ExternalName" },
	{ "svc_cluster_ip", SVC("{clusterIP: 10.96.0.256, ports: [{port: 80}]}"),
	  "spec.clusterIP: '10.96.0.256': must be an IPv4 or IPv6 address" },
	{ "svc_cluster_ips_first",
	  SVC("{clusterIP: 10.96.0.1, clusterIPs: [10.96.0.2], ports: [{port: 80}]}"),
	  "spec.clusterIPs[0]: '10.96.0.2' must be the same as clusterIP '10.96.0.1'" },
	{ "svc_cluster_ips_family",
	  SVC("{clusterIPs: [10.96.0.1, 10.96.0.2], ports: [{port: 80}]}"),
	  "spec.clusterIPs[1]: a second address of the same family" },
	{ "svc_headless_node_port", SVC("{type: NodePort, clusterIP: None, ports: [{port: 80}]}"),
	  "spec.clusterIP: may not be 'None' for type NodePort" },
	{ "svc_headless_load_balancer", SVC("{type: LoadBalancer, clusterIP: None}"),
	  "spec.clusterIP: may not be 'None' for type LoadBalancer" },
	{ "svc_external_name_cluster_ip",
	  SVC("{type: ExternalName, externalName: a.example.com, clusterIP: 10.96.0.3}"),
	  "spec.clusterIP: must be empty for type ExternalName" },
	{ "svc_ports_required", SVC("{clusterIP: 10.96.0.3}"),
	  "spec.ports: required: at least one port" },
	{ "svc_port_range", SVC("{ports: [{port: 0}]}"),
	  "spec.ports[0].port: 0: must be between 1 and 65535" },
	{ "svc_port_required", SVC("{ports: [{name: a, targetPort: 80}]}"),
	  "spec.ports[0].port: required" },
	{ "svc_port_name", SVC("{ports: [{name: HTTP, port: 80}]}"),
	  "spec.ports[0].name: 'HTTP': must be 1 to 63 characters" },
	{ "svc_port_name_required", SVC("{ports: [{name: a, port: 80}, {port: 81}]}"),
	  "spec.ports[1].name: required when the Service has several ports" },
	{ "svc_port_name_unique", SVC("{ports: [{name: a, port: 80}, {name: a, port: 81}]}"),
	  "spec.ports[1].name: 'a' is also the name of spec.ports[0]" },
	{ "svc_port_unique", SVC("{ports: [{name: a, port: 80}, {name: b, port: 80}]}"),
	  "spec.ports[1]: port 80/TCP is also spec.ports[0]" },
	{ "svc_node_port_cluster_ip", SVC("{ports: [{port: 80, nodePort: 30080}]}"),
	  "spec.ports[0].nodePort: may not be used when type is ClusterIP" },
	{ "svc_node_port_range", SVC("{type: NodePort, ports: [{port: 80, nodePort: 65536}]}"),
	  "spec.ports[0].nodePort: 65536: must be between 0 and 65535" },
	{ "svc_node_port_unique",
	  SVC("{type: NodePort, ports: [{name: a, port: 80, nodePort: 30080}, "
	      "{name: b, port: 81, nodePort: 30080}]}"),
	  "spec.ports[1].nodePort: 30080/TCP is also the nodePort of spec.ports[0]" },
	{ "svc_target_port_name", SVC("{ports: [{port: 80, targetPort: web--x}]}"),
	  "spec.ports[0].targetPort: 'web--x': must be 1 to 15" },
	{ "svc_target_port_range", SVC("{ports: [{port: 80, targetPort: 70000}]}"),
	  "spec.ports[0].targetPort: 70000: must be between 0 and 65535" },
	{ "svc_affinity", SVC("{ports: [{port: 80}], sessionAffinity: Cookie}"),
	  "spec.sessionAffinity: 'Cookie': must be one of None, ClientIP" },
	{ "svc_affinity_timeout_zero",
	  SVC("{ports: [{port: 80}], sessionAffinity: ClientIP, "
	      "sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}}"),
	  "spec.sessionAffinityConfig.clientIP.timeoutSeconds: 0: must be between 1 and 86400" },
	{ "svc_affinity_timeout_day",
	  SVC("{ports: [{port: 80}], sessionAffinity: ClientIP, "
	      "sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}}"),
	  "timeoutSeconds: 86401: must be between 1 and 86400" },
	{ "svc_affinity_config_without_client_ip",
	  SVC("{ports: [{port: 80}], sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}}"),
	  "spec.sessionAffinityConfig: must not be set when sessionAffinity is None" },
	{ "svc_external_policy", SVC("{ports: [{port: 80}], externalTrafficPolicy: Global}"),
	  "spec.externalTrafficPolicy: 'Global': must be one of Cluster, Local" },
	{ "svc_internal_policy", SVC("{ports: [{port: 80}], internalTrafficPolicy: PreferLocal}"),
	  "spec.internalTrafficPolicy: 'PreferLocal': must be one of Cluster, Local" },
	{ "svc_external_ip", SVC("{ports: [{port: 80}], externalIPs: [1.2.3.4, example.com]}"),
	  "spec.externalIPs[1]: 'example.com': must be an IPv4 or IPv6 address" },
	{ "svc_lb_ip",
	  SVC("{type: LoadBalancer, ports: [{port: 80}]}\nstatus: {loadBalancer: {ingress: "
	      "[{ip: 203.0.113.x}]}}"),
	  "status.loadBalancer.ingress[0].ip: '203.0.113.x': must be an IPv4 or IPv6 address" },
	/* EndpointSlice */
	{ "slice_service_name",
	  "kind: EndpointSlice\nmetadata: {name: e, namespace: shop}\naddressType: IPv4\n",
	  "EndpointSlice shop/e: metadata.labels: kubernetes.io/service-name is required" },
	{ "slice_address_type_required", SLICE("endpoints: []"), "addressType: required" },
	{ "slice_address_type", SLICE("addressType: IPv5"),
	  "addressType: 'IPv5': must be one of IPv4, IPv6, FQDN" },
	{ "slice_addresses_empty", SLICE("addressType: IPv4\nendpoints: [{addresses: []}]"),
	  "endpoints[0].addresses: 0 addresses: an endpoint has 1 to 100" },
	{ "slice_addresses_absent", SLICE("addressType: IPv4\nendpoints: [{nodeName: a}]"),
	  "endpoints[0].addresses: 0 addresses" },
	{ "slice_address_family", EP("10.0.0.1, \"fd00::1\""),
	  "endpoints[0].addresses[1]: 'fd00::1': must be an IPv4 address (addressType)" },
	{ "slice_address_ipv6_family",
	  SLICE("addressType: IPv6\nendpoints: [{addresses: [10.0.0.1]}]"),
	  "endpoints[0].addresses[0]: '10.0.0.1': must be an IPv6 address" },
	{ "slice_address_fqdn", SLICE("addressType: FQDN\nendpoints: [{addresses: [Bad_Host]}]"),
	  "endpoints[0].addresses[0]: 'Bad_Host': must be at most 253" },
	{ "slice_ready", SLICE("addressType: IPv4\nendpoints: [{addresses: [10.0.0.1], "
			       "conditions: {ready: \"yes\"}}]"),
	  "endpoints[0].conditions.ready: must be true or false" },
	{ "slice_terminating", SLICE("addressType: IPv4\nendpoints: [{addresses: [10.0.0.1], "
				     "conditions: {terminating: 1}}]"),
	  "endpoints[0].conditions.terminating: must be true or false" },
	{ "slice_node_name", SLICE("addressType: IPv4\nendpoints: [{addresses: [10.0.0.1], "
				   "nodeName: -node}]"),
	  "endpoints[0].nodeName: '-node': must be at most 253" },
	{ "slice_port_range", SLICE("addressType: IPv4\nports: [{name: a, port: 70000}]"),
	  "ports[0].port: 70000: must be between 1 and 65535" },
	{ "slice_port_protocol", SLICE("addressType: IPv4\nports: [{port: 80, protocol: tcp}]"),
	  "ports[0].protocol: 'tcp': must be one of TCP, UDP, SCTP" },
	{ "slice_port_name_unique",
	  SLICE("addressType: IPv4\nports: [{name: http, port: 80}, {name: http, port: 81}]"),
	  "ports[1].name: 'http' is also the name of ports[0]" },
	/* NetworkPolicy */
	{ "np_policy_types", NP("{podSelector: {}, policyTypes: [Both]}"),
	  "NetworkPolicy shop/n: spec.policyTypes: 'Both': must be Ingress or Egress" },
	{ "np_policy_types_twice", NP("{podSelector: {}, policyTypes: [Ingress, Ingress]}"),
	  "spec.policyTypes: 'Ingress' is given twice" },
	{ "np_policy_types_many", NP("{podSelector: {}, policyTypes: [Ingress, Egress, Ingress]}"),
	  "spec.policyTypes: at most two entries" },
	{ "np_selector_operator", SEL("{key: app, operator: Equals, values: [a]}"),
	  "spec.podSelector.matchExpressions[0].operator: 'Equals': must be one of In, NotIn, "
	  "Exists, DoesNotExist" },
	{ "np_selector_operator_required", SEL("{key: app, values: [a]}"),
	  "spec.podSelector.matchExpressions[0].operator: required" },
	{ "np_selector_key", SEL("{key: a b, operator: Exists}"),
	  "spec.podSelector.matchExpressions[0].key: 'a b': must be an optional DNS subdomain" },
	{ "np_selector_in_values", SEL("{key: app, operator: In}"),
	  "spec.podSelector.matchExpressions[0].values: must have at least one value for In" },
	{ "np_selector_not_in_values", SEL("{key: app, operator: NotIn, values: []}"),
	  "matchExpressions[0].values: must have at least one value for NotIn" },
	{ "np_selector_exists_values", SEL("{key: app, operator: Exists, values: [a]}"),
	  "matchExpressions[0].values: must be empty for Exists" },
	{ "np_selector_does_not_exist_values",
	  SEL("{key: app, operator: DoesNotExist, values: [a]}"),
	  "matchExpressions[0].values: must be empty for DoesNotExist" },
	{ "np_selector_value", SEL("{key: app, operator: In, values: [\"a/b\"]}"),
	  "matchExpressions[0].values[0]: 'a/b': must be at most 63" },
	{ "np_match_labels", NP("{podSelector: {matchLabels: {a b: c}}}"),
	  "spec.podSelector.matchLabels: key 'a b'" },
	{ "np_peer_empty", PEER("{}"),
	  "spec.ingress[0].from[0]: must give a peer: podSelector, namespaceSelector or ipBlock" },
	{ "np_ipblock_with_pod_selector", PEER("{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}"),
	  "spec.ingress[0].from[0].ipBlock: may not be given with a podSelector or a "
	  "namespaceSelector" },
	{ "np_ipblock_with_namespace_selector",
	  NP("{egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}, namespaceSelector: {}}]}]}"),
	  "spec.egress[0].to[0].ipBlock: may not be given" },
	{ "np_ipblock_cidr", NP("{egress: [{to: [{ipBlock: {cidr: 10.0.0.0/40}}]}]}"),
	  "spec.egress[0].to[0].ipBlock.cidr: '10.0.0.0/40': must be an IPv4 or IPv6 CIDR" },
	{ "np_ipblock_cidr_address", PEER("{ipBlock: {cidr: 10.0.0.1}}"),
	  "ipBlock.cidr: '10.0.0.1': must be an IPv4 or IPv6 CIDR" },
	{ "np_ipblock_cidr_required", PEER("{ipBlock: {except: [10.1.0.0/16]}}"),
	  "spec.ingress[0].from[0].ipBlock.cidr: required" },
	{ "np_except_equal", PEER("{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}"),
	  "spec.ingress[0].from[0].ipBlock.except[0]: '10.0.0.0/8': must be strictly inside cidr" },
	{ "np_except_outside",
	  PEER("{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 192.168.0.0/16]}}"),
	  "ipBlock.except[1]: '192.168.0.0/16': must be strictly inside cidr" },
	{ "np_except_wider", PEER("{ipBlock: {cidr: 10.1.0.0/16, except: [10.0.0.0/8]}}"),
	  "ipBlock.except[0]: '10.0.0.0/8': must be strictly inside cidr" },
	{ "np_except_family", PEER("{ipBlock: {cidr: 10.0.0.0/8, except: [\"fd00::/64\"]}}"),
	  "ipBlock.except[0]: 'fd00::/64': must be strictly inside cidr" },
	{ "np_except_ipv6", PEER("{ipBlock: {cidr: \"fd00::/64\", except: [\"fd01::/80\"]}}"),
	  "ipBlock.except[0]: 'fd01::/80': must be strictly inside cidr" },
	{ "np_port_name", NPORT("{port: HTTP}"),
	  "spec.ingress[0].ports[0].port: 'HTTP': must be 1 to 15 characters" },
	{ "np_port_numeric_string", NPORT("{port: \"80\"}"),
	  "spec.ingress[0].ports[0].port: '80': must be 1 to 15 characters of a-z, 0-9 and '-', "
	  "with at least one letter" },
	{ "np_port_range", NPORT("{port: 0}"),
	  "spec.ingress[0].ports[0].port: 0: must be between 1" },
	{ "np_port_protocol", NPORT("{port: 80, protocol: ICMP}"),
	  "spec.ingress[0].ports[0].protocol: 'ICMP': must be one of TCP, UDP, SCTP" },
	{ "np_end_port_named", NPORT("{port: http, endPort: 90}"),
	  "spec.ingress[0].ports[0].endPort: may only be given with a numeric port" },
	{ "np_end_port_no_port", NPORT("{endPort: 90}"),
	  "spec.ingress[0].ports[0].endPort: may only be given with a numeric port" },
	{ "np_end_port_below", NPORT("{port: 80, endPort: 79}"),
	  "spec.ingress[0].ports[0].endPort: 79: must not be below port 80" },
	{ "np_end_port_range", NPORT("{port: 80, endPort: 65536}"),
	  "endPort: 65536: must be between 1 and 65535" },
	{ "np_rule_mapping", NP("{ingress: [a]}"), "spec.ingress[0]: must be a mapping" },
	{ "np_port_mapping", NPORT("{port: {number: 80}}"),
	  "spec.ingress[0].ports[0].port: must be a string" },
	{ "svc_target_port_list", SVC("{ports: [{port: 80, targetPort: [8080]}]}"),
	  "spec.ports[0].targetPort: must be a string" },
	{ "pod_port_mapping", PORTS("{containerPort: {n: 80}}"),
	  "ports[0].containerPort: must be an integer" },
	{ "np_ingress_list", NP("{ingress: {from: []}}"), "spec.ingress: must be a list" },
};

static void
test_rule(void **state)
{
	const struct rule_case *rc = *state;
	size_t len = strlen(GOOD1) + strlen(rc->doc) + strlen(GOOD2) + 16;
	char *text = malloc(len), *err;
	struct coll c = { 0 };
	int n;

	assert_non_null(text);
	snprintf(text, len, GOOD1 "---\n%s---\n" GOOD2, rc->doc);
	n = parse(text, &c, &err);
	/* Only the bad object is rejected; the good ones around it are delivered. */
	if (n != 1 || count_lines(err) != 1) {
		print_error("%s: rc %d, messages:\n%s", rc->name, n, err);
		fail();
	}
	assert_true(strncmp(err, "test:", 5) == 0);
	assert_contains(err, ": document 2: ");
	assert_contains(err, rc->want);
	assert_true(c.n >= 2);
	assert_string_equal(c.v[0]->name, "good-one");
	assert_string_equal(c.v[c.n - 1]->name, "good-two");
	free(err);
	free(text);
	coll_free(&c);
}

/* 101 addresses in one endpoint: one more than the API allows. */
static void
test_rule_slice_101_addresses(void **state)
{
	char *text = malloc(4096), *err;
	struct coll c = { 0 };
	size_t n;
	int i;

	assert_non_null(text);
	n = (size_t)snprintf(text, 4096, "%s---\n%s", GOOD1,
			     SLICE("addressType: IPv4\nendpoints:\n- addresses:"));
	for (i = 0; i < 101; i++)
		n += (size_t)snprintf(text + n, 4096 - n, "  - 10.0.0.%d\n", i);
	assert_int_equal(parse(text, &c, &err), 1);
	assert_contains(err, "endpoints[0].addresses: 101 addresses: an endpoint has 1 to 100");
	assert_int_equal(c.n, 1);
	free(err);
	coll_free(&c);
	/* 100 is fine. */
	n = (size_t)snprintf(text, 4096, "%s",
			     SLICE("addressType: IPv4\nendpoints:\n- addresses:"));
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, 4096 - n, "  - 10.0.0.%d\n", i);
	assert_int_equal(parse(text, &c, NULL), 0);
	assert_int_equal(c.v[0]->slice.endpoints[0].nb_addrs, 100);
	coll_free(&c);
	free(text);
}

/* At most 1000 endpoints and 100 ports in a slice (the API server's limits). */
static void
test_rule_slice_limits(void **state)
{
	size_t cap = 64 * 1024, n;
	char *text = malloc(cap), *err;
	struct coll c = { 0 };
	int i;

	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "%s", SLICE("addressType: IPv4\nendpoints:"));
	for (i = 0; i < 1001; i++)
		n += (size_t)snprintf(text + n, cap - n, "- addresses: [10.0.%d.%d]\n", i / 256,
				      i % 256);
	assert_int_equal(parse(text, &c, &err), 1);
	assert_contains(err, "endpoints: 1001 endpoints: a slice holds at most 1000");
	free(err);
	n = (size_t)snprintf(text, cap, "%s", SLICE("addressType: IPv4\nports:"));
	for (i = 0; i < 101; i++)
		n += (size_t)snprintf(text + n, cap - n, "- {name: p%d, port: %d}\n", i, i + 1);
	assert_int_equal(parse(text, &c, &err), 1);
	assert_contains(err, "ports: 101 ports: a slice holds at most 100");
	assert_int_equal(c.n, 0);
	free(err);
	free(text);
}

/* Not rejections: values the API server accepts or defaults. */
static void
test_accepted_edge_cases(void **state)
{
	static const char text[] =
		"kind: Namespace\n"
		"metadata: {name: x, labels: {kubernetes.io/metadata.name: y}}\n---\n"
		SVC("{ports: [{port: 80, targetPort: 0}]}") "---\n"
		NPORT("{port: 80, endPort: 80}") "---\n"
		"kind: Pod\nmetadata: {name: p, namespace: \"\"}\nspec: {containers: [{name: c}]}\n"
		"---\n" SVC("{clusterIP: \"\", type: ExternalName, externalName: x.example.com}");
	struct coll c = { 0 };
	char *err;

	assert_int_equal(parse(text, &c, &err), 0);
	assert_int_equal(count_lines(err), 0);
	assert_int_equal(c.n, 5);
	/* The API server owns this label: it always holds the name. */
	assert_string_equal(k8s_labels_get(&c.v[0]->labels, "kubernetes.io/metadata.name"), "x");
	assert_int_equal(c.v[1]->svc.ports[0].target_port, 80);
	assert_int_equal(c.v[2]->policy.ingress[0].ports[0].end_port, 80);
	assert_string_equal(c.v[3]->ns, "default");
	assert_int_equal(c.v[4]->svc.nb_cluster_ips, 0);
	free(err);
	coll_free(&c);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_cluster_counts),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_node_vtep_mac),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_pods),
		cmocka_unit_test(test_services_cluster_ip),
		cmocka_unit_test(test_services_other_types),
		cmocka_unit_test(test_service_load_balancer),
		cmocka_unit_test(test_endpointslices),
		cmocka_unit_test(test_endpoint_condition_defaults),
		cmocka_unit_test(test_policy_peers),
		cmocka_unit_test(test_policy_ipblocks_and_ports),
		cmocka_unit_test(test_policy_types),
		cmocka_unit_test(test_yaml_json_equal),
		cmocka_unit_test(test_multidoc),
		cmocka_unit_test(test_to_json_round_trip),
		cmocka_unit_test(test_to_json_shape),
		cmocka_unit_test(test_to_json_repeated_port_names),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_key_format),
		cmocka_unit_test(test_key_parse),
		cmocka_unit_test(test_key_parse_errors),
		cmocka_unit_test(test_object_keys),
		cmocka_unit_test(test_key_max),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_selector_operators),
		cmocka_unit_test(test_selector_match_labels),
		cmocka_unit_test(test_selector_on_fixture),
		cmocka_unit_test(test_pod_ip_usable),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_syntax_error_delivers_nothing),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_unknown_kinds_skipped),
		cmocka_unit_test(test_typed_list),
		cmocka_unit_test(test_list_item_without_kind),
		cmocka_unit_test(test_callback_error_stops),
		cmocka_unit_test(test_no_error_stream),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_message_format),
		cmocka_unit_test(test_rule_slice_101_addresses),
		cmocka_unit_test(test_rule_slice_limits),
		cmocka_unit_test(test_accepted_edge_cases),
	};
	size_t nf = sizeof(fixed) / sizeof(fixed[0]), nr = sizeof(rules) / sizeof(rules[0]), i;
	struct CMUnitTest *tests = calloc(nf + nr, sizeof(*tests));
	char (*names)[64] = calloc(nr, sizeof(*names));
	int failed;

	if (tests == NULL || names == NULL)
		return 1;
	/* meson runs us in tests/; from the top of the tree, go there. */
	if (access(CLUSTER_YAML, R_OK) != 0 && chdir("tests") != 0)
		return 1;
	memcpy(tests, fixed, sizeof(fixed));
	/* One named test per validation rule. */
	for (i = 0; i < nr; i++) {
		snprintf(names[i], sizeof(names[i]), "test_rule_%s", rules[i].name);
		tests[nf + i] = (struct CMUnitTest){ .name = names[i], .test_func = test_rule,
						     .initial_state = (void *)&rules[i] };
	}
	failed = _cmocka_run_group_tests("k8s", tests, nf + nr, setup_cluster, teardown_cluster);
	free(tests);
	free(names);
	return failed;
}
