/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the Kubernetes object reader (k8s.c, json_doc.c) and of what consumes
 * its objects (cluster.c, tables.c). The input is a YAML or JSON stream as k8s_parse() takes
 * it. Every breach of a documented contract is an abort(), so libFuzzer keeps the input:
 *
 *   - a syntax error (-EINVAL) delivers no object (k8s.h);
 *   - every delivered object dumps (k8s_object_to_json) to strict JSON, which is what Redis
 *     holds and json_doc.c reads, and reading that dump back gives one object, no rejection,
 *     k8s_object_equal() to the original, and the same fields compared one by one here (the
 *     equality is defined on the dumps, so a field the dump forgot would pass it unseen, and
 *     cluster_apply() would then take a change of that field for no change);
 *   - input that json_doc.c accepts reads the same through libyaml (json_doc.h promises the
 *     same document): a "#" comment line in front makes it YAML but not JSON;
 *   - the objects applied to a model in two halves, with a full build after the first and an
 *     incremental build after the second (which also deletes some of the first half), give
 *     the tables a full build from scratch gives (tables.h), lookup arrays sorted.
 *
 * Everything is freed at the end of each input: LeakSanitizer reports what is not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "json_doc.h"
#include "k8s.h"
#include "tables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tables_publish() waits on the workers' RCU; no worker, no publish here: never set. */
struct rte_rcu_qsbr *pr_rcu;

#define NODE_DEFAULT "node-a"  /* the node of tests/manifests when the input has no Node */
#define UPLINK_ADDR 0xc612000b /* 198.18.0.11, node-a's InternalIP: NodePorts deduplicated */

struct objs {
	struct k8s_object **v;
	unsigned int n;
};

static int
collect(struct k8s_object *o, void *arg)
{
	struct objs *l = arg;
	struct k8s_object **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (v == NULL) {
		k8s_object_free(o);
		return -ENOMEM;
	}
	l->v = v;
	l->v[l->n++] = o;
	return 0;
}

static void
objs_free(struct objs *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		k8s_object_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The messages of one parse, in memory: printed only when a check fails. */
struct msgs {
	FILE *f;
	char *buf;
	size_t len;
};

static void
msgs_open(struct msgs *m)
{
	m->buf = NULL;
	m->f = open_memstream(&m->buf, &m->len);
	if (m->f == NULL)
		abort();
}

static void
msgs_close(struct msgs *m)
{
	fclose(m->f);
	free(m->buf);
}

static int
parse(const char *buf, size_t len, const char *source, struct objs *out, struct msgs *m)
{
	int rc;

	msgs_open(m);
	rc = k8s_parse(buf, len, source, collect, out, m->f);
	fflush(m->f);
	return rc;
}

static void __attribute__((noreturn))
fail(const char *what, const char *detail, const struct msgs *m)
{
	fprintf(stderr, "fuzz_k8s: %s\n", what);
	if (detail != NULL)
		fprintf(stderr, "  %s\n", detail);
	if (m != NULL && m->buf != NULL && m->buf[0] != '\0')
		fprintf(stderr, "  messages:\n%s", m->buf);
	abort();
}

/* ---------------------------------------------------------------- field by field */

static bool
str_same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* memcmp() of nothing, where either side may be NULL. */
static bool
bytes_same(const void *a, const void *b, size_t len)
{
	return len == 0 || memcmp(a, b, len) == 0;
}

#define SAME_ARRAY(a, b, n) bytes_same((a), (b), (n) * sizeof(*(a)))

static bool
labels_same(const struct k8s_labels *a, const struct k8s_labels *b)
{
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!str_same(a->v[i].key, b->v[i].key) || !str_same(a->v[i].value, b->v[i].value))
			return false;
	return true;
}

static bool
cidrs_same(const struct k8s_cidr *a, const struct k8s_cidr *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (a[i].addr != b[i].addr || a[i].plen != b[i].plen)
			return false;
	return true;
}

static bool
node_same(const struct k8s_node *a, const struct k8s_node *b)
{
	return a->nb_pod_cidrs == b->nb_pod_cidrs &&
	       cidrs_same(a->pod_cidrs, b->pod_cidrs, a->nb_pod_cidrs) &&
	       a->nb_internal_ips == b->nb_internal_ips &&
	       SAME_ARRAY(a->internal_ips, b->internal_ips, a->nb_internal_ips) &&
	       a->has_vtep_mac == b->has_vtep_mac &&
	       (!a->has_vtep_mac || memcmp(a->vtep_mac, b->vtep_mac, sizeof(a->vtep_mac)) == 0);
}

static bool
pod_same(const struct k8s_pod *a, const struct k8s_pod *b)
{
	unsigned int i;

	if (!str_same(a->node_name, b->node_name) || a->phase != b->phase ||
	    a->nb_ips != b->nb_ips || !SAME_ARRAY(a->ips, b->ips, a->nb_ips) ||
	    a->nb_ports != b->nb_ports)
		return false;
	for (i = 0; i < a->nb_ports; i++)
		if (!str_same(a->ports[i].name, b->ports[i].name) ||
		    a->ports[i].port != b->ports[i].port || a->ports[i].proto != b->ports[i].proto)
			return false;
	return true;
}

static bool
svc_same(const struct k8s_service *a, const struct k8s_service *b)
{
	unsigned int i;

	if (a->type != b->type || a->ignored != b->ignored || a->headless != b->headless ||
	    a->nb_cluster_ips != b->nb_cluster_ips ||
	    !SAME_ARRAY(a->cluster_ips, b->cluster_ips, a->nb_cluster_ips) ||
	    a->nb_external_ips != b->nb_external_ips ||
	    !SAME_ARRAY(a->external_ips, b->external_ips, a->nb_external_ips) ||
	    a->nb_lb_ips != b->nb_lb_ips || !SAME_ARRAY(a->lb_ips, b->lb_ips, a->nb_lb_ips) ||
	    a->affinity != b->affinity || a->affinity_timeout != b->affinity_timeout ||
	    a->external_policy != b->external_policy || a->internal_policy != b->internal_policy ||
	    a->nb_ports != b->nb_ports)
		return false;
	for (i = 0; i < a->nb_ports; i++) {
		const struct k8s_service_port *x = &a->ports[i], *y = &b->ports[i];

		if (!str_same(x->name, y->name) || x->proto != y->proto || x->port != y->port ||
		    x->target_port != y->target_port ||
		    !str_same(x->target_port_name, y->target_port_name) ||
		    x->node_port != y->node_port)
			return false;
	}
	return true;
}

static bool
slice_same(const struct k8s_endpointslice *a, const struct k8s_endpointslice *b)
{
	unsigned int i;

	if (!str_same(a->service_name, b->service_name) || a->address_type != b->address_type ||
	    a->used != b->used || a->nb_endpoints != b->nb_endpoints || a->nb_ports != b->nb_ports)
		return false;
	for (i = 0; i < a->nb_endpoints; i++) {
		const struct k8s_endpoint *x = &a->endpoints[i], *y = &b->endpoints[i];

		if (x->nb_addrs != y->nb_addrs || !SAME_ARRAY(x->addrs, y->addrs, x->nb_addrs) ||
		    x->ready != y->ready || x->serving != y->serving ||
		    x->terminating != y->terminating || !str_same(x->node_name, y->node_name))
			return false;
	}
	for (i = 0; i < a->nb_ports; i++)
		if (!str_same(a->ports[i].name, b->ports[i].name) ||
		    a->ports[i].proto != b->ports[i].proto || a->ports[i].port != b->ports[i].port)
			return false;
	return true;
}

static bool
selector_same(const struct k8s_selector *a, const struct k8s_selector *b)
{
	unsigned int i, j;

	if (!labels_same(&a->match_labels, &b->match_labels) || a->nb_exprs != b->nb_exprs)
		return false;
	for (i = 0; i < a->nb_exprs; i++) {
		const struct k8s_selector_expr *x = &a->exprs[i], *y = &b->exprs[i];

		if (!str_same(x->key, y->key) || x->op != y->op || x->nb_values != y->nb_values)
			return false;
		for (j = 0; j < x->nb_values; j++)
			if (!str_same(x->values[j], y->values[j]))
				return false;
	}
	return true;
}

/* Only the members a peer's type uses: the others are not part of the object. */
static bool
peer_same(const struct k8s_peer *a, const struct k8s_peer *b)
{
	const struct k8s_ipblock *x = &a->ipblock, *y = &b->ipblock;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case K8S_PEER_PODS:
		return selector_same(&a->pods, &b->pods);
	case K8S_PEER_NAMESPACES:
		return selector_same(&a->namespaces, &b->namespaces);
	case K8S_PEER_NAMESPACED_PODS:
		return selector_same(&a->pods, &b->pods) &&
		       selector_same(&a->namespaces, &b->namespaces);
	case K8S_PEER_IPBLOCK:
		if (x->ipv6 != y->ipv6)
			return false;
		if (x->ipv6) /* its excepts are not kept (k8s.h) */
			return str_same(x->cidr6, y->cidr6);
		return cidrs_same(&x->cidr, &y->cidr, 1) && x->nb_except == y->nb_except &&
		       cidrs_same(x->except, y->except, x->nb_except);
	}
	return false;
}

static bool
rules_same(const struct k8s_policy_rule *a, const struct k8s_policy_rule *b, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (a[i].nb_peers != b[i].nb_peers || a[i].nb_ports != b[i].nb_ports)
			return false;
		for (j = 0; j < a[i].nb_peers; j++)
			if (!peer_same(&a[i].peers[j], &b[i].peers[j]))
				return false;
		for (j = 0; j < a[i].nb_ports; j++) {
			const struct k8s_policy_port *x = &a[i].ports[j], *y = &b[i].ports[j];

			if (x->proto != y->proto || x->port != y->port ||
			    !str_same(x->name, y->name) || x->end_port != y->end_port)
				return false;
		}
	}
	return true;
}

static bool
policy_same(const struct k8s_networkpolicy *a, const struct k8s_networkpolicy *b)
{
	return selector_same(&a->pod_selector, &b->pod_selector) &&
	       a->has_ingress_type == b->has_ingress_type &&
	       a->has_egress_type == b->has_egress_type && a->nb_ingress == b->nb_ingress &&
	       rules_same(a->ingress, b->ingress, a->nb_ingress) && a->nb_egress == b->nb_egress &&
	       rules_same(a->egress, b->egress, a->nb_egress);
}

/* Every field of struct k8s_object, without going through the dump. */
static bool
object_same(const struct k8s_object *a, const struct k8s_object *b)
{
	if (a->kind != b->kind || !str_same(a->ns, b->ns) || !str_same(a->name, b->name) ||
	    !labels_same(&a->labels, &b->labels))
		return false;
	switch (a->kind) {
	case K8S_NODE:
		return node_same(&a->node, &b->node);
	case K8S_NAMESPACE:
		return true;
	case K8S_POD:
		return pod_same(&a->pod, &b->pod);
	case K8S_SERVICE:
		return svc_same(&a->svc, &b->svc);
	case K8S_ENDPOINTSLICE:
		return slice_same(&a->slice, &b->slice);
	case K8S_NETWORKPOLICY:
		return policy_same(&a->policy, &b->policy);
	default:
		return false;
	}
}

/* ---------------------------------------------------------------- the reader */

static bool
is_strict_json(const char *buf, size_t len)
{
	yaml_document_t doc;
	int rc = json_doc_load(buf, len, &doc);

	if (rc == 0)
		yaml_document_delete(&doc);
	else if (rc != -EINVAL)
		fail("json_doc_load failed other than -EINVAL", NULL, NULL);
	return rc == 0;
}

/* The dump of o is strict JSON that reads back as o. */
static void
check_round_trip(const struct k8s_object *o)
{
	struct objs back = {0};
	struct msgs m;
	char *dump = k8s_object_to_json(o), *again;
	int rc;

	if (dump == NULL)
		fail("k8s_object_to_json failed", NULL, NULL);
	if (!is_strict_json(dump, strlen(dump)))
		fail("the dump is not strict JSON", dump, NULL);
	rc = parse(dump, strlen(dump), "dump", &back, &m);
	if (rc != 0 || back.n != 1) {
		fprintf(stderr, "fuzz_k8s: k8s_parse of the dump: %d, %u object(s)\n", rc, back.n);
		fail("the dump does not read back as one object", dump, &m);
	}
	if (!k8s_object_equal(o, back.v[0]))
		fail("the dump reads back as another object (k8s_object_equal)", dump, &m);
	if (!object_same(o, back.v[0])) {
		again = k8s_object_to_json(back.v[0]);
		fprintf(stderr, "  read back, dumped: %s\n", again ? again : "(none)");
		free(again);
		fail("the dump reads back with other fields (the dump lost one)", dump, &m);
	}
	objs_free(&back);
	msgs_close(&m);
	free(dump);
}

/* Strict JSON, read by json_doc.c, and the same text read by libyaml give the same objects. */
static void
check_json_as_yaml(const uint8_t *data, size_t size, int rc_json, const struct objs *json)
{
	struct objs yaml = {0};
	struct msgs m;
	char *text = malloc(size + 2);
	unsigned int i;
	int rc;

	if (text == NULL)
		abort();
	memcpy(text, "#\n", 2);
	memcpy(text + 2, data, size);
	rc = parse(text, size + 2, "yaml", &yaml, &m);
	free(text);
	/* libyaml refuses what JSON allows in strings (bytes that are not UTF-8, C1 controls). */
	if (rc == -EINVAL && yaml.n == 0)
		goto out;
	if (rc != rc_json || yaml.n != json->n)
		fail("JSON and the same text as YAML give other objects or rejections", NULL, &m);
	for (i = 0; i < yaml.n; i++)
		if (!object_same(json->v[i], yaml.v[i]))
			fail("JSON and the same text as YAML give other objects", NULL, &m);
out:
	objs_free(&yaml);
	msgs_close(&m);
}

/* ---------------------------------------------------------------- model and tables */

static int
fe_order(const struct svc_frontend *x, const struct svc_frontend *y)
{
	uint32_t xa = ntohl(x->addr), ya = ntohl(y->addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return strcmp(x->svc->name, y->svc->name);
}

/* The order above, then the rest: ties in it may come in any order. */
static int
fe_total(const void *a, const void *b)
{
	const struct svc_frontend *x = a, *y = b;
	int r = fe_order(x, y);

	if (r != 0)
		return r;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (int)x->port_idx - (int)y->port_idx;
}

static bool
entry_same(const struct svc_entry *x, const struct svc_entry *y)
{
	unsigned int p;

	if (strcmp(x->name, y->name) != 0 || x->type != y->type || x->affinity != y->affinity ||
	    x->affinity_timeout != y->affinity_timeout || x->external_local != y->external_local ||
	    x->internal_local != y->internal_local || x->nb_ports != y->nb_ports ||
	    x->nb_fe != y->nb_fe)
		return false;
	for (p = 0; p < x->nb_ports; p++) {
		const struct svc_port *a = &x->ports[p], *b = &y->ports[p];

		if (strcmp(a->name, b->name) != 0 || a->proto != b->proto || a->port != b->port ||
		    a->node_port != b->node_port || a->nb_backends != b->nb_backends ||
		    a->nb_used != b->nb_used || a->nb_local_used != b->nb_local_used ||
		    !SAME_ARRAY(a->backends, b->backends, a->nb_backends))
			return false;
	}
	return true;
}

static const char *
svc_diff(const struct svc_table *a, const struct svc_table *b)
{
	struct svc_frontend *fa, *fb;
	const char *why = NULL;
	unsigned int i;

	if (a->nb != b->nb || a->nb_fe != b->nb_fe || a->nb_backends != b->nb_backends)
		return "Service, frontend or backend counts";
	for (i = 0; i < a->nb; i++)
		if (!entry_same(a->v[i], b->v[i]))
			return "a Service entry";
	for (i = 1; i < a->nb_fe; i++)
		if (fe_order(&a->fe[i - 1], &a->fe[i]) > 0)
			return "frontends not sorted for lookup";
	fa = malloc((a->nb_fe + 1) * sizeof(*fa));
	fb = malloc((a->nb_fe + 1) * sizeof(*fb));
	if (fa == NULL || fb == NULL)
		abort();
	memcpy(fa, a->fe, a->nb_fe * sizeof(*fa));
	memcpy(fb, b->fe, a->nb_fe * sizeof(*fb));
	qsort(fa, a->nb_fe, sizeof(*fa), fe_total);
	qsort(fb, a->nb_fe, sizeof(*fb), fe_total);
	for (i = 0; i < a->nb_fe && why == NULL; i++)
		if (fe_total(&fa[i], &fb[i]) != 0)
			why = "a frontend";
	free(fa);
	free(fb);
	return why;
}

/* The dumps list these: sorted by value, without repeats. */
static bool
ips_sorted(const uint32_t *v, unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (v[i - 1] >= v[i])
			return false;
	return true;
}

/* decap looks them up in the sets: every address is there, and a set holds no other. */
static bool
ips_in_set(const uint32_t *v, unsigned int n, const struct addr_set *s)
{
	unsigned int i, members = 0;

	for (i = 0; i < n; i++)
		if (v[i] != 0 && !addr_set_has(s, v[i]))
			return false;
	for (i = 0; i <= s->mask; i++)
		members += s->slot[i] != 0;
	for (i = 0; i < n; i++)
		members -= v[i] != 0;
	return members == 0;
}

static const char *
nodes_diff(const struct node_table *a, const struct node_table *b)
{
	unsigned int i;

	if (!ips_sorted(a->node_ips, a->nb_nodes) || !ips_sorted(a->local_ips, a->nb_local))
		return "node addresses not sorted";
	if (!ips_in_set(a->node_ips, a->nb_nodes, &a->node_set) ||
	    !ips_in_set(a->local_ips, a->nb_local, &a->local_set))
		return "node address sets";
	if (a->nb_nodes != b->nb_nodes || !SAME_ARRAY(a->node_ips, b->node_ips, a->nb_nodes) ||
	    a->nb_local != b->nb_local || !SAME_ARRAY(a->local_ips, b->local_ips, a->nb_local))
		return "node addresses";
	if (a->nb_vteps != b->nb_vteps)
		return "node VTEPs";
	for (i = 0; i < a->nb_vteps; i++)
		if (a->vteps[i].ip != b->vteps[i].ip ||
		    memcmp(a->vteps[i].mac, b->vteps[i].mac, sizeof(a->vteps[i].mac)) != 0)
			return "node VTEPs";
	return NULL;
}

static const char *
tables_diff(const struct pr_tables *a, const struct pr_tables *b)
{
	const char *why = svc_diff(a->svc, b->svc);
	unsigned int i;

	if (why != NULL)
		return why;
	if (a->routes->nb != b->routes->nb)
		return "route count";
	for (i = 0; i < a->routes->nb; i++) {
		const struct route *x = &a->routes->v[i], *y = &b->routes->v[i];

		if (x->prefix != y->prefix || x->plen != y->plen || x->kind != y->kind ||
		    x->via != y->via || strcmp(x->owner, y->owner) != 0)
			return "a route";
	}
	if (a->pol->nb != b->pol->nb)
		return "policy count";
	for (i = 0; i < a->pol->nb; i++) {
		const struct pol_entry *x = &a->pol->v[i], *y = &b->pol->v[i];

		if (strcmp(x->name, y->name) != 0 || x->ingress != y->ingress ||
		    x->egress != y->egress || x->nb_ingress_rules != y->nb_ingress_rules ||
		    x->nb_egress_rules != y->nb_egress_rules || x->nb_selected != y->nb_selected ||
		    !SAME_ARRAY(x->selected, y->selected, x->nb_selected))
			return "a policy";
	}
	why = nodes_diff(a->nodes, b->nodes);
	if (why != NULL)
		return why;
	for (i = 0; i < K8S_KIND_COUNT; i++)
		if (a->objects[i] != b->objects[i])
			return "object counts";
	return NULL;
}

static void
apply(struct cluster *c, struct k8s_object *o)
{
	/* A delivered object has a key, and memory does not run out here. */
	if (cluster_apply(c, o) < 0)
		fail("cluster_apply refused an object k8s_parse delivered", NULL, NULL);
}

static struct pr_tables *
build(struct tables_builder *b, struct cluster *c, bool full)
{
	struct pr_tables *t = tables_build(b, c, full);

	if (t == NULL)
		fail(full ? "full build failed" : "incremental build failed", NULL, NULL);
	return t;
}

/*
 * The first half of the objects, a full build; the second half and the deletion of every
 * third object of the first half, an incremental build; compared with a build from scratch.
 * The model owns the objects from here on (even an object equal to one it has: freed then).
 */
static void
check_tables(struct objs *l)
{
	struct pr_cfg_file y = {0};
	struct pr_cfg_port uplink = {.name = "uplink", .role = PR_ROLE_UPLINK};
	struct pr_config cfg = {.y = &y, .nb_ports = 1};
	char node[K8S_KEY_MAX] = NODE_DEFAULT, (*keys)[K8S_KEY_MAX];
	struct tables_builder *b, *scratch;
	struct pr_tables *t1, *t2, *full;
	unsigned int i, half = l->n / 2;
	struct cluster *c;
	const char *why;

	for (i = 0; i < l->n; i++)
		if (l->v[i]->kind == K8S_NODE) {
			snprintf(node, sizeof(node), "%s", l->v[i]->name);
			break;
		}
	y.node_name = node;
	cfg.ports[0] = (struct pr_port_conf){.y = &uplink, .nb_addrs = 1, .forward_to = -1};
	cfg.ports[0].addrs[0] = (struct pr_addr4){.addr = htonl(UPLINK_ADDR), .plen = 24};

	keys = calloc(half + 1, sizeof(*keys));
	c = cluster_new();
	b = tables_builder_new(&cfg);
	scratch = tables_builder_new(&cfg);
	if (keys == NULL || c == NULL || b == NULL || scratch == NULL)
		abort();
	for (i = 0; i < half; i++) {
		if (k8s_object_key(l->v[i], keys[i], sizeof(keys[i])) < 0)
			fail("a delivered object has no key", NULL, NULL);
		apply(c, l->v[i]);
	}
	t1 = build(b, c, true);
	for (i = half; i < l->n; i++)
		apply(c, l->v[i]);
	for (i = 0; i < half; i += 3)
		cluster_delete(c, keys[i]);
	t2 = build(b, c, false);
	full = build(scratch, c, true);
	why = tables_diff(t2, full);
	if (why != NULL)
		fail("an incremental build differs from a full build in", why, NULL);

	tables_discard(full);
	tables_discard(t1);
	tables_discard(t2);
	tables_builder_free(scratch);
	tables_builder_free(b);
	cluster_free(c);
	free(keys);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct objs got = {0};
	struct msgs m;
	unsigned int i;
	int rc;

	rc = parse((const char *)data, size, "fuzz", &got, &m);
	if (rc < 0 && rc != -EINVAL) {
		fprintf(stderr, "fuzz_k8s: k8s_parse returned %d\n", rc);
		fail("k8s_parse failed other than -EINVAL", NULL, &m);
	}
	if (rc == -EINVAL && got.n > 0)
		fail("a syntax error, yet objects were delivered", NULL, &m);
	for (i = 0; i < got.n; i++)
		check_round_trip(got.v[i]);
	if (is_strict_json((const char *)data, size))
		check_json_as_yaml(data, size, rc, &got);
	msgs_close(&m);
	check_tables(&got);
	return 0;
}
