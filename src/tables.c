/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table builder (control core). Services are built one entry per Service and shared
 * between snapshots; a change rebuilds only the entries of the Services the model marks dirty
 * and merges their frontends into a copy of the previous frontend array, so a single
 * EndpointSlice change costs a copy of two pointer arrays, not a rebuild of every Service.
 * Routes and policies are rebuilt when their inputs' kinds changed and shared otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_rcu_qsbr.h>

#include "clock.h"
#include "log.h"
#include "tables.h"
#include "sorted.h"
#include "worker.h"

#define LOG_MODULE "tables"
#define LOG_TYPE tables_logtype
PR_LOG_REGISTER(tables);

struct pr_tables *pr_tables_live;
static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;

struct tables_builder {
	const struct pr_config *cfg;
	uint64_t generation;
	struct pr_tables *last; /* the last snapshot built (published or not) */
	bool force_full;        /* a build failed: what changed before it is not known */
};

/* ---------------------------------------------------------------- helpers */

static int
fe_cmp(const void *a, const void *b)
{
	const struct svc_frontend *x = a, *y = b;
	uint32_t xa = ntohl(x->addr), ya = ntohl(y->addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return strcmp(x->svc->name, y->svc->name);
}

static int
be_cmp(const void *a, const void *b)
{
	const struct svc_backend *x = a, *y = b;
	uint32_t xa = ntohl(x->addr), ya = ntohl(y->addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	return (int)x->port - (int)y->port;
}

/* ---------------------------------------------------------------- Service entries */

static void
svc_entry_free(struct svc_entry *e)
{
	unsigned int i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nb_ports; i++) {
		free(e->ports[i].name);
		free(e->ports[i].backends);
	}
	free(e->ports);
	free(e->fe);
	free(e->name);
	free(e);
}

static bool
slice_port_matches(const struct k8s_slice_port *sp, const struct k8s_service_port *p)
{
	const char *a = sp->name ? sp->name : "", *b = p->name ? p->name : "";

	return sp->proto == p->proto && strcmp(a, b) == 0 && sp->port != 0;
}

/*
 * The backends of one Service port, with the contract's choice of usable endpoints: the ready
 * ones; if none, the serving and terminating ones. For a Local policy the same choice among
 * this node's endpoints alone.
 */
static int
svc_port_backends(struct svc_port *sp, const struct k8s_service_port *p,
		  const struct k8s_object *const *slices, unsigned int nb_slices, const char *node)
{
	unsigned int s, e, j, n = 0, cap = 0, ready = 0, local_ready = 0;
	struct svc_backend *v = NULL;

	for (s = 0; s < nb_slices; s++) {
		const struct k8s_endpointslice *sl = &slices[s]->slice;

		if (!sl->used)
			continue;
		for (j = 0; j < sl->nb_ports; j++) {
			if (!slice_port_matches(&sl->ports[j], p))
				continue;
			for (e = 0; e < sl->nb_endpoints; e++) {
				const struct k8s_endpoint *ep = &sl->endpoints[e];
				struct svc_backend *b;

				if (ep->nb_addrs == 0)
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 8;
					b = realloc(v, cap * sizeof(*v));
					if (b == NULL) {
						free(v);
						return -ENOMEM;
					}
					v = b;
				}
				b = &v[n++];
				*b = (struct svc_backend){
					.addr = ep->addrs[0],
					.port = sl->ports[j].port,
					.flags = (ep->ready ? SVC_BE_READY : 0) |
						 (ep->serving ? SVC_BE_SERVING : 0) |
						 (ep->terminating ? SVC_BE_TERMINATING : 0) |
						 (ep->node_name && strcmp(ep->node_name, node) == 0 ?
							  SVC_BE_LOCAL : 0),
				};
				ready += ep->ready;
				local_ready += ep->ready && (b->flags & SVC_BE_LOCAL);
			}
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), be_cmp);
	for (j = 0; j < n; j++) {
		uint8_t f = v[j].flags;
		bool fallback = (f & SVC_BE_SERVING) && (f & SVC_BE_TERMINATING);

		if (ready ? (f & SVC_BE_READY) : fallback)
			v[j].flags |= SVC_BE_USED, sp->nb_used++;
		if ((f & SVC_BE_LOCAL) && (local_ready ? (f & SVC_BE_READY) : fallback))
			v[j].flags |= SVC_BE_LOCAL_USED, sp->nb_local_used++;
	}
	sp->backends = v;
	sp->nb_backends = n;
	return 0;
}

static int
svc_add_fe(struct svc_entry *e, uint32_t addr, const struct k8s_service_port *p, uint16_t port,
	   uint8_t kind, uint16_t idx)
{
	struct svc_frontend *v = realloc(e->fe, (e->nb_fe + 1) * sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	e->fe = v;
	v[e->nb_fe++] = (struct svc_frontend){ .addr = addr, .port = port, .proto = p->proto,
					       .kind = kind, .port_idx = idx, .svc = e };
	return 0;
}

/* Frontends: ClusterIPs, NodePorts on this node's addresses, externalIPs, LB ingress IPs. */
static int
svc_frontends(struct svc_entry *e, const struct k8s_service *s, const uint32_t *node_ips,
	      unsigned int nb_node_ips)
{
	unsigned int i, j;
	int rc = 0;

	for (i = 0; i < s->nb_ports && rc == 0; i++) {
		const struct k8s_service_port *p = &s->ports[i];

		for (j = 0; j < s->nb_cluster_ips && rc == 0; j++)
			rc = svc_add_fe(e, s->cluster_ips[j], p, p->port, SVC_FE_CLUSTER_IP, i);
		for (j = 0; p->node_port && j < nb_node_ips && rc == 0; j++)
			rc = svc_add_fe(e, node_ips[j], p, p->node_port, SVC_FE_NODE_PORT, i);
		for (j = 0; j < s->nb_external_ips && rc == 0; j++)
			rc = svc_add_fe(e, s->external_ips[j], p, p->port, SVC_FE_EXTERNAL_IP, i);
		for (j = 0; j < s->nb_lb_ips && rc == 0; j++)
			rc = svc_add_fe(e, s->lb_ips[j], p, p->port, SVC_FE_LB_IP, i);
	}
	if (e->nb_fe > 1)
		qsort(e->fe, e->nb_fe, sizeof(*e->fe), fe_cmp);
	return rc;
}

/*
 * Build the entry of Service `name` (NAMESPACE/NAME), or NULL with *rc = 0 when it gets no
 * DNAT (absent, ignored by the proxy-name label, headless, ExternalName).
 */
static struct svc_entry *
svc_entry_build(const struct cluster *c, const char *name, const char *node,
		const uint32_t *node_ips, unsigned int nb_node_ips, int *rc)
{
	const struct k8s_object *const *slices;
	const struct k8s_object *o;
	const struct k8s_service *s;
	char key[K8S_KEY_MAX];
	struct svc_entry *e;
	unsigned int i, nb_slices;

	*rc = 0;
	snprintf(key, sizeof(key), "Service:%s", name);
	o = cluster_get(c, key);
	if (o == NULL || o->svc.ignored || o->svc.headless ||
	    o->svc.type == K8S_SVC_EXTERNAL_NAME || o->svc.nb_cluster_ips == 0)
		return NULL;
	s = &o->svc;
	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->name = strdup(name)) == NULL ||
	    (e->ports = calloc(s->nb_ports, sizeof(*e->ports))) == NULL)
		goto err;
	e->type = s->type;
	e->affinity = s->affinity == K8S_AFFINITY_CLIENT_IP;
	e->affinity_timeout = s->affinity_timeout;
	e->external_local = s->external_policy == K8S_TRAFFIC_LOCAL;
	e->internal_local = s->internal_policy == K8S_TRAFFIC_LOCAL;
	e->nb_ports = s->nb_ports;
	slices = cluster_slices_of(c, name, &nb_slices);
	for (i = 0; i < s->nb_ports; i++) {
		struct svc_port *sp = &e->ports[i];

		sp->name = strdup(s->ports[i].name ? s->ports[i].name : "");
		sp->proto = s->ports[i].proto;
		sp->port = s->ports[i].port;
		sp->node_port = s->ports[i].node_port;
		if (sp->name == NULL ||
		    svc_port_backends(sp, &s->ports[i], slices, nb_slices, node) != 0)
			goto err;
	}
	if (svc_frontends(e, s, node_ips, nb_node_ips) != 0)
		goto err;
	return e;
err:
	svc_entry_free(e);
	*rc = -ENOMEM;
	return NULL;
}

/* ---------------------------------------------------------------- Service table */

static void
svc_table_put(struct svc_table *t)
{
	unsigned int i;

	if (t == NULL || --t->refcnt > 0)
		return;
	if (t->owns_entries)
		for (i = 0; i < t->nb; i++)
			svc_entry_free(t->v[i]);
	for (i = 0; i < t->nb_retired; i++)
		svc_entry_free(t->retired[i]);
	free(t->retired);
	free(t->v);
	free(t->fe);
	free(t);
}

/* This node's addresses, where NodePorts listen: its Node's InternalIPs, the uplink's. */
static unsigned int
tables_node_ips(const struct tables_builder *b, const struct cluster *c, uint32_t *ips,
		unsigned int max)
{
	char key[K8S_KEY_MAX];
	const struct k8s_object *o;
	unsigned int n = 0, i, j;

	snprintf(key, sizeof(key), "Node:%s", b->cfg->y->node_name);
	o = cluster_get(c, key);
	for (i = 0; o != NULL && i < o->node.nb_internal_ips && n < max; i++)
		ips[n++] = o->node.internal_ips[i];
	for (i = 0; i < b->cfg->nb_ports; i++) {
		const struct pr_port_conf *pc = &b->cfg->ports[i];

		if (pc->y->role != PR_ROLE_UPLINK)
			continue;
		for (j = 0; j < pc->nb_addrs && n < max; j++) {
			unsigned int k;

			for (k = 0; k < n && ips[k] != pc->addrs[j].addr; k++)
				;
			if (k == n)
				ips[n++] = pc->addrs[j].addr;
		}
	}
	return n;
}

static int
svc_table_finish(struct svc_table *t)
{
	unsigned int i, n = 0;

	t->nb_backends = 0;
	for (i = 0; i < t->nb; i++) {
		unsigned int p;

		n += t->v[i]->nb_fe;
		for (p = 0; p < t->v[i]->nb_ports; p++)
			t->nb_backends += t->v[i]->ports[p].nb_backends;
	}
	t->fe = malloc((n ? n : 1) * sizeof(*t->fe));
	if (t->fe == NULL)
		return -ENOMEM;
	t->nb_fe = 0;
	for (i = 0; i < t->nb; i++) {
		memcpy(&t->fe[t->nb_fe], t->v[i]->fe, t->v[i]->nb_fe * sizeof(*t->fe));
		t->nb_fe += t->v[i]->nb_fe;
	}
	qsort(t->fe, t->nb_fe, sizeof(*t->fe), fe_cmp);
	return 0;
}

static struct svc_table *
svc_table_full(const struct tables_builder *b, struct cluster *c)
{
	const struct k8s_object *const *svcs;
	struct svc_table *t = calloc(1, sizeof(*t));
	uint32_t ips[32];
	unsigned int nb_ips = tables_node_ips(b, c, ips, RTE_DIM(ips));
	unsigned int i, n;
	int rc = 0;

	svcs = cluster_sorted(c, K8S_SERVICE, &n);
	if (t == NULL || (t->v = calloc(n ? n : 1, sizeof(*t->v))) == NULL)
		goto err;
	t->refcnt = 1;
	t->owns_entries = true;
	for (i = 0; i < n; i++) {
		char name[K8S_KEY_MAX];
		struct svc_entry *e;

		snprintf(name, sizeof(name), "%s/%s", svcs[i]->ns, svcs[i]->name);
		e = svc_entry_build(c, name, b->cfg->y->node_name, ips, nb_ips, &rc);
		if (rc != 0)
			goto err;
		if (e != NULL)
			t->v[t->nb++] = e;
	}
	if (svc_table_finish(t) != 0)
		goto err;
	return t;
err:
	if (t != NULL) {
		t->refcnt = 1;
		svc_table_put(t);
	}
	return NULL;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
svc_name_at(const void *v, unsigned int i)
{
	return ((struct svc_entry *const *)v)[i]->name;
}

/* Position of `name` in the sorted entries, or where it would go. */
static unsigned int
svc_find(struct svc_entry *const *v, unsigned int n, const char *name, bool *found)
{
	return sorted_find(v, n, svc_name_at, name, found);
}

const struct svc_entry *
svc_table_find(const struct svc_table *t, const char *name)
{
	bool found;
	unsigned int pos = svc_find(t->v, t->nb, name, &found);

	return found ? t->v[pos] : NULL;
}

static unsigned int
svc_backends_of(const struct svc_entry *e)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->nb_ports; i++)
		n += e->ports[i].nb_backends;
	return n;
}

static bool
ptr_in(const struct svc_entry *const *v, unsigned int n, const struct svc_entry *e)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i] == e)
			return true;
	return false;
}

/*
 * The previous table with the dirty Services rebuilt. The unchanged entries are taken over by
 * pointer, in runs copied between the dirty positions (found by binary search), so the cost is
 * two array copies plus the dirty Services' own work: no unchanged entry is even read. The
 * frontends are the previous ones whose entry was not replaced, merged with the new ones.
 */
static struct svc_table *
svc_table_update(const struct tables_builder *b, struct cluster *c, struct svc_table *old,
		 char **dirty, unsigned int nd)
{
	struct svc_table *t = calloc(1, sizeof(*t));
	struct svc_entry **gone = calloc(nd ? nd : 1, sizeof(*gone));
	struct svc_entry **fresh = calloc(nd ? nd : 1, sizeof(*fresh));
	struct svc_frontend *nfe = NULL;
	uint32_t ips[32];
	unsigned int nb_ips = tables_node_ips(b, c, ips, RTE_DIM(ips));
	unsigned int i, j, k, ng = 0, nf = 0, nn = 0, from = 0;
	int rc = 0;

	if (t == NULL || gone == NULL || fresh == NULL ||
	    (t->v = malloc((old->nb + nd + 1) * sizeof(*t->v))) == NULL)
		goto err;
	t->refcnt = 1;
	t->owns_entries = true;
	t->nb_backends = old->nb_backends;
	for (i = 0; i < nd; i++) {
		unsigned int pos;
		bool found;

		if (i > 0 && strcmp(dirty[i], dirty[i - 1]) == 0)
			continue;
		pos = svc_find(old->v, old->nb, dirty[i], &found);
		/* Copy the unchanged run before this position, then the new entry, if any. */
		memcpy(&t->v[t->nb], &old->v[from], (pos - from) * sizeof(*t->v));
		t->nb += pos - from;
		from = pos;
		if (found) {
			gone[ng++] = old->v[pos];
			t->nb_backends -= svc_backends_of(old->v[pos]);
			from = pos + 1;
		}
		fresh[nf] = svc_entry_build(c, dirty[i], b->cfg->y->node_name, ips, nb_ips, &rc);
		if (rc != 0)
			goto err;
		if (fresh[nf] != NULL) {
			t->nb_backends += svc_backends_of(fresh[nf]);
			nn += fresh[nf]->nb_fe;
			t->v[t->nb++] = fresh[nf++];
		}
	}
	memcpy(&t->v[t->nb], &old->v[from], (old->nb - from) * sizeof(*t->v));
	t->nb += old->nb - from;

	/* Frontends: the new entries' sorted, merged with the old ones not replaced. */
	nfe = malloc((nn ? nn : 1) * sizeof(*nfe));
	t->fe = malloc((old->nb_fe + nn + 1) * sizeof(*t->fe));
	if (nfe == NULL || t->fe == NULL)
		goto err;
	for (k = 0, nn = 0; k < nf; k++) {
		memcpy(&nfe[nn], fresh[k]->fe, fresh[k]->nb_fe * sizeof(*nfe));
		nn += fresh[k]->nb_fe;
	}
	if (nn > 1)
		qsort(nfe, nn, sizeof(*nfe), fe_cmp);
	for (i = 0, j = 0; i < old->nb_fe || j < nn;) {
		if (i < old->nb_fe && ng > 0 && ptr_in((const struct svc_entry *const *)gone, ng,
							old->fe[i].svc)) {
			i++;
			continue;
		}
		if (j == nn || (i < old->nb_fe && fe_cmp(&old->fe[i], &nfe[j]) < 0))
			t->fe[t->nb_fe++] = old->fe[i++];
		else
			t->fe[t->nb_fe++] = nfe[j++];
	}
	free(nfe);
	free(fresh);
	/* Success: the old table now frees only what it had that we replaced. */
	old->owns_entries = false;
	old->retired = gone;
	old->nb_retired = ng;
	return t;
err:
	for (i = 0; i < nf; i++)
		svc_entry_free(fresh[i]);
	free(fresh);
	free(gone);
	free(nfe);
	if (t != NULL) {
		t->owns_entries = false; /* the old table still owns what we copied */
		t->refcnt = 1;
		svc_table_put(t);
	}
	return NULL;
}

/* ---------------------------------------------------------------- routes */

static unsigned int u32_sort_unique(uint32_t *v, unsigned int n);

#define TABLES_LOCAL_MAX (32 + PR_MAX_PORTS * PR_MAX_ADDRS)

/*
 * Every address of this node (tables_node_ips(), and every port's), sorted, without repeats:
 * the host path's /32s and decap's own addresses. ips holds TABLES_LOCAL_MAX.
 */
static unsigned int
tables_local_ips(const struct tables_builder *b, const struct cluster *c, uint32_t *ips)
{
	unsigned int n = tables_node_ips(b, c, ips, 32), i, j;

	for (i = 0; i < b->cfg->nb_ports; i++)
		for (j = 0; j < b->cfg->ports[i].nb_addrs && n < TABLES_LOCAL_MAX; j++)
			ips[n++] = b->cfg->ports[i].addrs[j].addr;
	return u32_sort_unique(ips, n);
}

static void
route_table_put(struct route_table *t)
{
	unsigned int i;

	if (t == NULL || --t->refcnt > 0)
		return;
	for (i = 0; i < t->nb; i++)
		free(t->v[i].owner);
	free(t->v);
	free(t);
}

static int
route_cmp(const void *a, const void *b)
{
	const struct route *x = a, *y = b;
	uint32_t xa = ntohl(x->prefix), ya = ntohl(y->prefix);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (x->plen != y->plen)
		return (int)x->plen - (int)y->plen;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->owner, y->owner);
}

static int
route_add(struct route_table *t, unsigned int *cap, uint32_t prefix, uint8_t plen, uint8_t kind,
	  uint32_t via, const char *owner)
{
	if (t->nb == *cap) {
		struct route *v = realloc(t->v, (*cap = *cap ? *cap * 2 : 64) * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		t->v = v;
	}
	t->v[t->nb] = (struct route){ .prefix = prefix, .plen = plen, .kind = kind, .via = via,
				      .owner = strdup(owner) };
	return t->v[t->nb++].owner ? 0 : -ENOMEM;
}

/* Pod CIDRs of every Node (this one's local, the others' through the overlay), this node's pods. */
static struct route_table *
route_table_build(const struct tables_builder *b, struct cluster *c)
{
	const struct k8s_object *const *v;
	struct route_table *t = calloc(1, sizeof(*t));
	const char *me = b->cfg->y->node_name;
	unsigned int i, j, n, cap = 0, node_ips_n;
	uint32_t node_ips[TABLES_LOCAL_MAX];
	int rc = 0;

	if (t == NULL)
		return NULL;
	t->refcnt = 1;
	v = cluster_sorted(c, K8S_NODE, &n);
	for (i = 0; i < n && rc == 0; i++) {
		const struct k8s_node *nd = &v[i]->node;
		bool local = strcmp(v[i]->name, me) == 0;

		if (!local && nd->nb_internal_ips == 0)
			continue; /* no way to reach it yet: its pods get no route */
		for (j = 0; j < nd->nb_pod_cidrs && rc == 0; j++)
			rc = route_add(t, &cap, nd->pod_cidrs[j].addr, nd->pod_cidrs[j].plen,
				       local ? ROUTE_LOCAL_CIDR : ROUTE_REMOTE_NODE,
				       local ? 0 : nd->internal_ips[0], v[i]->name);
	}
	node_ips_n = tables_node_ips(b, c, node_ips, 32);
	v = cluster_sorted(c, K8S_POD, &n);
	for (i = 0; i < n && rc == 0; i++) {
		const struct k8s_pod *p = &v[i]->pod;
		char owner[K8S_KEY_MAX];

		if (p->node_name == NULL || strcmp(p->node_name, me) != 0 || !k8s_pod_ip_usable(p))
			continue;
		snprintf(owner, sizeof(owner), "%s/%s", v[i]->ns, v[i]->name);
		for (j = 0; j < p->nb_ips && rc == 0; j++) {
			unsigned int k;

			/* A hostNetwork pod has the node's address: that is the host's, not a pod's. */
			for (k = 0; k < node_ips_n && node_ips[k] != p->ips[j]; k++)
				;
			if (k == node_ips_n)
				rc = route_add(t, &cap, p->ips[j], 32, ROUTE_LOCAL_POD, p->ips[j],
					       owner);
		}
	}
	/* This node's own addresses (its Node's InternalIPs, the ports'): the host path. */
	node_ips_n = tables_local_ips(b, c, node_ips);
	for (i = 0; i < node_ips_n && rc == 0; i++)
		rc = route_add(t, &cap, node_ips[i], 32, ROUTE_HOST, 0, me);
	/* Everything else: the gateway (config.c allows one). */
	for (i = 0; i < b->cfg->nb_ports && rc == 0; i++)
		if (b->cfg->ports[i].gateway != 0)
			rc = route_add(t, &cap, 0, 0, ROUTE_DEFAULT, b->cfg->ports[i].gateway,
				       b->cfg->y->ports[i].name);
	if (rc != 0) {
		route_table_put(t);
		return NULL;
	}
	if (t->nb > 1)
		qsort(t->v, t->nb, sizeof(*t->v), route_cmp);
	return t;
}

/* ---------------------------------------------------------------- nodes */

static void
node_table_put(struct node_table *t)
{
	if (t == NULL || --t->refcnt > 0)
		return;
	free(t->node_ips);
	free(t->local_ips);
	addr_set_free(&t->node_set);
	addr_set_free(&t->local_set);
	free(t->vteps);
	free(t);
}

static int
u32_plain_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and drop duplicates; returns the new count. */
static unsigned int
u32_sort_unique(uint32_t *v, unsigned int n)
{
	unsigned int i, k = 0;

	qsort(v, n, sizeof(*v), u32_plain_cmp);
	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* VTEPs by address (network order as stored: any fixed order does), then MAC. */
static int
vtep_cmp(const void *a, const void *b)
{
	const struct node_vtep *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return memcmp(x->mac, y->mac, sizeof(x->mac));
}

static struct node_table *
node_table_build(const struct tables_builder *b, struct cluster *c)
{
	const struct k8s_object *const *v;
	struct node_table *t = calloc(1, sizeof(*t));
	unsigned int i, j, n, total = 0;

	if (t == NULL)
		return NULL;
	t->refcnt = 1;
	v = cluster_sorted(c, K8S_NODE, &n);
	for (i = 0; i < n; i++)
		total += v[i]->node.nb_internal_ips;
	t->node_ips = malloc((total + 1) * sizeof(uint32_t));
	t->local_ips = malloc(TABLES_LOCAL_MAX * sizeof(uint32_t));
	t->vteps = calloc(n + 1, sizeof(*t->vteps)); /* padding zeroed: compared whole */
	if (t->node_ips == NULL || t->local_ips == NULL || t->vteps == NULL) {
		node_table_put(t);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const struct k8s_node *nd = &v[i]->node;

		for (j = 0; j < nd->nb_internal_ips; j++)
			t->node_ips[t->nb_nodes++] = nd->internal_ips[j];
		if (nd->has_vtep_mac && nd->nb_internal_ips > 0) {
			t->vteps[t->nb_vteps].ip = nd->internal_ips[0];
			memcpy(t->vteps[t->nb_vteps++].mac, nd->vtep_mac, sizeof(nd->vtep_mac));
		}
	}
	t->nb_nodes = u32_sort_unique(t->node_ips, t->nb_nodes);
	/* One VTEP per address, found by binary search (output_vtep_mac). */
	qsort(t->vteps, t->nb_vteps, sizeof(*t->vteps), vtep_cmp);
	for (i = 0, j = 0; i < t->nb_vteps; i++)
		if (j == 0 || t->vteps[j - 1].ip != t->vteps[i].ip)
			t->vteps[j++] = t->vteps[i];
	t->nb_vteps = j;
	t->nb_local = tables_local_ips(b, c, t->local_ips);
	if (addr_set_build(&t->node_set, t->node_ips, t->nb_nodes) != 0 ||
	    addr_set_build(&t->local_set, t->local_ips, t->nb_local) != 0) {
		node_table_put(t);
		return NULL;
	}
	return t;
}

/* ---------------------------------------------------------------- policies */

static void
pol_table_put(struct pol_table *t)
{
	unsigned int i;

	if (t == NULL || --t->refcnt > 0)
		return;
	for (i = 0; i < t->nb; i++) {
		free(t->v[i].name);
		free(t->v[i].selected);
	}
	free(t->v);
	free(t);
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = ntohl(*(const uint32_t *)a), y = ntohl(*(const uint32_t *)b);

	return x < y ? -1 : x > y;
}

/*
 * The first pod of namespace `ns` in pods sorted by key, or npods. Keys order by "NS/", not
 * by NS ("a-b/" sorts before "a/"), so that is what we compare.
 */
static unsigned int
pods_ns_start(const struct k8s_object *const *pods, unsigned int npods, const char *ns)
{
	unsigned int lo = 0, hi = npods;
	char want[K8S_KEY_MAX], have[K8S_KEY_MAX];

	snprintf(want, sizeof(want), "%s/", ns);
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		snprintf(have, sizeof(have), "%s/", pods[mid]->ns);
		if (strcmp(have, want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Which pods each policy selects (the pods it isolates); the rules come with rte_acl. */
static struct pol_table *
pol_table_build(struct cluster *c)
{
	const struct k8s_object *const *pol, *const *pods;
	struct pol_table *t = calloc(1, sizeof(*t));
	unsigned int i, j, k, np, npods;

	if (t == NULL)
		return NULL;
	t->refcnt = 1;
	pol = cluster_sorted(c, K8S_NETWORKPOLICY, &np);
	pods = cluster_sorted(c, K8S_POD, &npods);
	if ((t->v = calloc(np ? np : 1, sizeof(*t->v))) == NULL)
		goto err;
	for (i = 0; i < np; i++) {
		const struct k8s_networkpolicy *p = &pol[i]->policy;
		struct pol_entry *e = &t->v[t->nb++];

		if (asprintf(&e->name, "%s/%s", pol[i]->ns, pol[i]->name) < 0) {
			e->name = NULL;
			goto err;
		}
		e->ingress = p->has_ingress_type;
		e->egress = p->has_egress_type;
		e->nb_ingress_rules = p->nb_ingress;
		e->nb_egress_rules = p->nb_egress;
		/* Pods come sorted by "Pod:NAMESPACE/NAME": the namespace's are one run. */
		for (j = pods_ns_start(pods, npods, pol[i]->ns);
		     j < npods && strcmp(pods[j]->ns, pol[i]->ns) == 0; j++) {
			const struct k8s_pod *pd = &pods[j]->pod;
			uint32_t *x;

			/* A pod without an IPv4 address yet (Pending) has nothing to select. */
			if (pd->nb_ips == 0 || !k8s_pod_ip_usable(pd) ||
			    !k8s_selector_matches(&p->pod_selector, &pods[j]->labels))
				continue;
			x = realloc(e->selected, (e->nb_selected + pd->nb_ips) * sizeof(*x));
			if (x == NULL)
				goto err;
			e->selected = x;
			for (k = 0; k < pd->nb_ips; k++)
				e->selected[e->nb_selected++] = pd->ips[k];
		}
		if (e->nb_selected > 1)
			qsort(e->selected, e->nb_selected, sizeof(uint32_t), u32_cmp);
	}
	return t;
err:
	pol_table_put(t);
	return NULL;
}

/* ---------------------------------------------------------------- snapshots */

static void
tables_put(struct pr_tables *t)
{
	if (t == NULL)
		return;
	svc_table_put(t->svc);
	route_table_put(t->routes);
	pol_table_put(t->pol);
	node_table_put(t->nodes);
	free(t);
}

struct tables_builder *
tables_builder_new(const struct pr_config *cfg)
{
	struct tables_builder *b = calloc(1, sizeof(*b));

	if (b != NULL)
		b->cfg = cfg;
	return b;
}

void
tables_builder_free(struct tables_builder *b)
{
	free(b);
}

static void
free_dirty(char **d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free(d[i]);
	free(d);
}

struct pr_tables *
tables_build(struct tables_builder *b, struct cluster *c, bool full)
{
	const struct pr_tables *prev = b->last;
	uint32_t changed = cluster_take_changes(c);
	uint64_t t0 = pr_monotonic_ns();
	struct pr_tables *t = calloc(1, sizeof(*t));
	unsigned int nd;
	bool all;
	char **dirty = cluster_take_dirty_services(c, &nd, &all);

	if (t == NULL)
		goto err;
	full = full || prev == NULL || b->force_full;
	if (full || (changed & ((1u << K8S_NODE) | (1u << K8S_POD)))) {
		t->routes = route_table_build(b, c);
	} else {
		t->routes = prev->routes;
		t->routes->refcnt++;
	}
	if (full || (changed & ((1u << K8S_NETWORKPOLICY) | (1u << K8S_POD) |
				(1u << K8S_NAMESPACE)))) {
		t->pol = pol_table_build(c);
	} else {
		t->pol = prev->pol;
		t->pol->refcnt++;
	}
	if (full || (changed & (1u << K8S_NODE))) {
		t->nodes = node_table_build(b, c);
	} else {
		t->nodes = prev->nodes;
		t->nodes->refcnt++;
	}
	if (t->routes == NULL || t->pol == NULL || t->nodes == NULL)
		goto err;
	/*
	 * Services last: an incremental update hands entries over from the previous table,
	 * so nothing may fail after it. Entries depend on Services, EndpointSlices and this
	 * Node's addresses.
	 */
	if (full || all || (changed & (1u << K8S_NODE))) {
		t->svc = svc_table_full(b, c);
	} else if (nd > 0) {
		qsort(dirty, nd, sizeof(*dirty), str_cmp);
		t->svc = svc_table_update(b, c, prev->svc, dirty, nd);
	} else {
		t->svc = prev->svc;
		t->svc->refcnt++;
	}
	if (t->svc == NULL)
		goto err;
	free_dirty(dirty, nd);
	dirty = NULL;
	for (nd = 0; nd < K8S_KIND_COUNT; nd++)
		t->objects[nd] = cluster_count(c, nd);
	t->generation = ++b->generation;
	t->model_generation = cluster_generation(c);
	t->build_ns = pr_monotonic_ns() - t0;
	b->last = t;
	b->force_full = false;
	return t;
err:
	if (dirty != NULL)
		free_dirty(dirty, nd);
	tables_put(t);
	b->force_full = true;
	errno = ENOMEM;
	return NULL;
}

void
tables_publish(struct pr_tables *t)
{
	struct pr_tables *old = pr_tables_live;

	__atomic_store_n(&pr_tables_live, t, __ATOMIC_RELEASE);
	if (old == NULL)
		return;
	/* Every worker that could hold `old` passes a quiescent state before it goes. */
	if (pr_rcu != NULL)
		rte_rcu_qsbr_synchronize(pr_rcu, RTE_QSBR_THRID_INVALID);
	pthread_mutex_lock(&tables_lock);
	tables_put(old);
	pthread_mutex_unlock(&tables_lock);
}

void
tables_discard(struct pr_tables *t)
{
	tables_put(t);
}

void
tables_fini(void)
{
	pthread_mutex_lock(&tables_lock);
	tables_put(pr_tables_live);
	pr_tables_live = NULL;
	pthread_mutex_unlock(&tables_lock);
}

void
tables_read_lock(void)
{
	pthread_mutex_lock(&tables_lock);
}

void
tables_read_unlock(void)
{
	pthread_mutex_unlock(&tables_lock);
}
