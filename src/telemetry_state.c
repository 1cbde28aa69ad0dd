/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of the cluster state: what the data path sees (the published snapshot) and how
 * the source is doing.
 *   /podrouter/services[,NS/NAME]   Services (the first 256), or one, with their frontends
 *   /podrouter/endpoints[,NS/NAME]  backends per Service port with their conditions
 *   /podrouter/routes               pod-CIDR and pod routes
 *   /podrouter/policies             NetworkPolicies and the pods they select
 *   /podrouter/sync                 source, connection, stream ID, objects, rejects, timings
 * Snapshots are read under tables_read_lock() so the control core cannot free them meanwhile.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "clock.h"
#include "neigh.h"
#include "ports.h"
#include "route_table.h"
#include "tables.h"
#include "telemetry.h"

#define TEL_MAX 256 /* entries per dict or array we print (RTE_TEL_MAX_DICT_ENTRIES) */

static pthread_mutex_t tel_sync_lock = PTHREAD_MUTEX_INITIALIZER;
static struct source_status tel_sync;
static uint64_t tel_latency_ns, tel_publish_ns;
static struct route_table_stats tel_lpm;
static uint64_t tel_route_sync_ns;

void
telemetry_route_update(const struct route_lpm *lpm, uint64_t sync_ns)
{
	struct route_table_stats st;

	route_table_get_stats(lpm, &st);
	pthread_mutex_lock(&tel_sync_lock);
	tel_lpm = st;
	tel_route_sync_ns = sync_ns;
	pthread_mutex_unlock(&tel_sync_lock);
}

void
telemetry_sync_update(const struct source_status *st, uint64_t latency_ns, uint64_t publish_ns)
{
	pthread_mutex_lock(&tel_sync_lock);
	tel_sync = *st;
	if (latency_ns != 0) {
		tel_latency_ns = latency_ns;
		tel_publish_ns = publish_ns;
	}
	pthread_mutex_unlock(&tel_sync_lock);
}

static void
tel_ip(char *buf, size_t len, uint32_t addr)
{
	inet_ntop(AF_INET, &addr, buf, (socklen_t)len);
}

/*
 * In DPDK 22.11 dict names may hold only [A-Za-z0-9_/] and arrays cannot hold dicts, so a
 * list of Kubernetes objects (whose names hold '-' and '.') is a dict keyed "0", "1", ...
 * whose entries carry a "name".
 */
static void
tel_put_nth(struct rte_tel_data *d, unsigned int i, struct rte_tel_data *x)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", i);
	telemetry_put(d, key, x);
}

static const char *const fe_kinds[] = { "ClusterIP", "NodePort", "externalIP", "LoadBalancer" };
static const char *const svc_types[] = { "ClusterIP", "NodePort", "LoadBalancer", "ExternalName" };

static struct rte_tel_data *
tel_svc_one(const struct svc_entry *e, bool with_backends)
{
	struct rte_tel_data *d = rte_tel_data_alloc(), *ports = rte_tel_data_alloc();
	struct rte_tel_data *fe = rte_tel_data_alloc();
	unsigned int i, j;

	if (d == NULL || ports == NULL || fe == NULL) {
		rte_tel_data_free(d);
		rte_tel_data_free(ports);
		rte_tel_data_free(fe);
		return NULL;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_start_dict(ports);
	rte_tel_data_start_array(fe, RTE_TEL_STRING_VAL);
	rte_tel_data_add_dict_string(d, "name", e->name);
	rte_tel_data_add_dict_string(d, "type", svc_types[e->type & 3]);
	rte_tel_data_add_dict_string(d, "session_affinity", e->affinity ? "ClientIP" : "None");
	if (e->affinity)
		rte_tel_data_add_dict_u64(d, "affinity_timeout", e->affinity_timeout);
	rte_tel_data_add_dict_string(d, "external_traffic_policy",
				     e->external_local ? "Local" : "Cluster");
	rte_tel_data_add_dict_string(d, "internal_traffic_policy",
				     e->internal_local ? "Local" : "Cluster");
	for (i = 0; i < e->nb_ports; i++) {
		const struct svc_port *p = &e->ports[i];
		struct rte_tel_data *x = rte_tel_data_alloc(), *bes = NULL;

		if (x == NULL)
			continue;
		rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_string(x, "name", p->name);
		rte_tel_data_add_dict_string(x, "protocol", k8s_proto_name(p->proto));
		rte_tel_data_add_dict_u64(x, "port", p->port);
		rte_tel_data_add_dict_u64(x, "node_port", p->node_port);
		rte_tel_data_add_dict_u64(x, "backends", p->nb_backends);
		rte_tel_data_add_dict_u64(x, "usable", p->nb_used);
		rte_tel_data_add_dict_u64(x, "usable_local", p->nb_local_used);
		if (with_backends && (bes = rte_tel_data_alloc()) != NULL) {
			rte_tel_data_start_array(bes, RTE_TEL_STRING_VAL);
			for (j = 0; j < p->nb_backends && j < TEL_MAX; j++) {
				const struct svc_backend *b = &p->backends[j];
				char ip[INET_ADDRSTRLEN], s[RTE_TEL_MAX_STRING_LEN];

				tel_ip(ip, sizeof(ip), b->addr);
				snprintf(s, sizeof(s), "%s:%u%s%s%s%s%s%s", ip, b->port,
					 b->flags & SVC_BE_READY ? " ready" : "",
					 b->flags & SVC_BE_SERVING ? " serving" : "",
					 b->flags & SVC_BE_TERMINATING ? " terminating" : "",
					 b->flags & SVC_BE_LOCAL ? " local" : "",
					 b->flags & SVC_BE_USED ? " used" : "",
					 b->flags & SVC_BE_LOCAL_USED ? " used_local" : "");
				rte_tel_data_add_array_string(bes, s);
			}
			telemetry_put(x, "endpoints", bes);
		}
		tel_put_nth(ports, i, x);
	}
	for (i = 0; i < e->nb_fe && i < TEL_MAX; i++) {
		char ip[INET_ADDRSTRLEN], s[RTE_TEL_MAX_STRING_LEN];

		tel_ip(ip, sizeof(ip), e->fe[i].addr);
		snprintf(s, sizeof(s), "%s:%u/%s %s", ip, e->fe[i].port,
			 k8s_proto_name(e->fe[i].proto), fe_kinds[e->fe[i].kind & 3]);
		rte_tel_data_add_array_string(fe, s);
	}
	telemetry_put(d, "ports", ports);
	telemetry_put(d, "frontends", fe);
	return d;
}

/* All Services (the first TEL_MAX), or the one named in params. */
static int
tel_services_common(const char *params, struct rte_tel_data *d, bool with_backends)
{
	const struct pr_tables *t;
	unsigned int i;
	int rc = 0;

	rte_tel_data_start_dict(d);
	tables_read_lock();
	t = pr_tables_live;
	if (t == NULL) {
		tables_read_unlock();
		return 0;
	}
	if (params != NULL && *params != '\0') {
		const struct svc_entry *e = svc_table_find(t->svc, params);
		struct rte_tel_data *x = e ? tel_svc_one(e, with_backends) : NULL;

		if (x != NULL)
			tel_put_nth(d, 0, x);
		else
			rc = e ? -ENOMEM : -EINVAL;
	} else {
		/* The first TEL_MAX; ask for the others by name. */
		for (i = 0; i < t->svc->nb && i < TEL_MAX; i++) {
			struct rte_tel_data *x = tel_svc_one(t->svc->v[i], with_backends);

			if (x != NULL)
				tel_put_nth(d, i, x);
		}
	}
	tables_read_unlock();
	return rc;
}

static int
tel_services(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_services_common(params, d, false);
}

static int
tel_endpoints(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_services_common(params, d, true);
}

/* The neighbour table: "IP MAC PORT STATE ref=N held=N age_ms=N", at most 512. */
static int
tel_neighbours(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const unsigned int max = 512;
	struct neigh_info *v;
	unsigned int i, n;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	v = malloc(max * sizeof(*v)); /* one per call: telemetry clients run side by side */
	if (v == NULL)
		return -ENOMEM;
	n = neigh_dump_live(v, max, pr_monotonic_ns());
	for (i = 0; i < n; i++) {
		char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE], s[RTE_TEL_MAX_STRING_LEN];
		int p = ports_index(v[i].port);

		tel_ip(ip, sizeof(ip), v[i].ip);
		telemetry_mac(mac, sizeof(mac), &v[i].mac);
		snprintf(s, sizeof(s), "%s %s %s %s ref=%u held=%u age_ms=%" PRIu64, ip, mac,
			 p >= 0 ? pr_ports[p].name : "?", neigh_state_name(v[i].state), v[i].ref,
			 v[i].held, v[i].age_ms);
		rte_tel_data_add_array_string(d, s);
	}
	free(v);
	return 0;
}

static int
tel_routes(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const char *const kinds[] = { "local-cidr", "local-pod", "remote-node", "host",
					     "default" };
	const struct pr_tables *t;
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	tables_read_lock();
	t = pr_tables_live;
	for (i = 0; t != NULL && i < t->routes->nb && i < 512; i++) {
		const struct route *r = &t->routes->v[i];
		char pfx[INET_ADDRSTRLEN], via[INET_ADDRSTRLEN], s[RTE_TEL_MAX_STRING_LEN];

		tel_ip(pfx, sizeof(pfx), r->prefix);
		tel_ip(via, sizeof(via), r->via);
		bool show_via = r->kind == ROUTE_REMOTE_NODE || r->kind == ROUTE_DEFAULT;

		snprintf(s, sizeof(s), "%s/%u %s%s%s %s", pfx, r->plen,
			 kinds[r->kind % RTE_DIM(kinds)], show_via ? " via " : "",
			 show_via ? via : "", r->owner);
		rte_tel_data_add_array_string(d, s);
	}
	tables_read_unlock();
	return 0;
}

static int
tel_policies(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct pr_tables *t;
	unsigned int i, j;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	tables_read_lock();
	t = pr_tables_live;
	for (i = 0; t != NULL && i < t->pol->nb && i < TEL_MAX; i++) {
		const struct pol_entry *e = &t->pol->v[i];
		struct rte_tel_data *x = rte_tel_data_alloc(), *sel = rte_tel_data_alloc();

		if (x == NULL || sel == NULL) {
			rte_tel_data_free(x);
			rte_tel_data_free(sel);
			continue;
		}
		rte_tel_data_start_dict(x);
		rte_tel_data_start_array(sel, RTE_TEL_STRING_VAL);
		rte_tel_data_add_dict_string(x, "name", e->name);
		rte_tel_data_add_dict_int(x, "ingress", e->ingress);
		rte_tel_data_add_dict_int(x, "egress", e->egress);
		rte_tel_data_add_dict_u64(x, "ingress_rules", e->nb_ingress_rules);
		rte_tel_data_add_dict_u64(x, "egress_rules", e->nb_egress_rules);
		for (j = 0; j < e->nb_selected && j < 64; j++) {
			char ip[INET_ADDRSTRLEN];

			tel_ip(ip, sizeof(ip), e->selected[j]);
			rte_tel_data_add_array_string(sel, ip);
		}
		telemetry_put(x, "selected_pods", sel);
		tel_put_nth(d, i, x);
	}
	tables_read_unlock();
	return 0;
}

static int
tel_sync_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *objs = rte_tel_data_alloc(), *rej = rte_tel_data_alloc();
	const struct pr_tables *t;
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (objs == NULL || rej == NULL) {
		rte_tel_data_free(objs);
		rte_tel_data_free(rej);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_start_dict(objs);
	rte_tel_data_start_array(rej, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&tel_sync_lock);
	rte_tel_data_add_dict_string(d, "source", tel_sync.type ? tel_sync.type : "none");
	rte_tel_data_add_dict_string(d, "where", tel_sync.where);
	rte_tel_data_add_dict_int(d, "connected", tel_sync.connected);
	rte_tel_data_add_dict_string(d, "last_stream_id", tel_sync.last_id);
	rte_tel_data_add_dict_u64(d, "lists", tel_sync.lists);
	rte_tel_data_add_dict_u64(d, "events", tel_sync.events);
	rte_tel_data_add_dict_u64(d, "reconnects", tel_sync.reconnects);
	rte_tel_data_add_dict_u64(d, "rejected_total", tel_sync.rejected);
	rte_tel_data_add_dict_u64(d, "list_us", tel_sync.list_ns / 1000);
	rte_tel_data_add_dict_u64(d, "publish_us", tel_publish_ns / 1000);
	rte_tel_data_add_dict_u64(d, "change_to_publish_us", tel_latency_ns / 1000);
	rte_tel_data_add_dict_u64(d, "lpm_routes", tel_lpm.nb_routes);
	rte_tel_data_add_dict_u64(d, "lpm_next_hops", tel_lpm.nb_nh);
	rte_tel_data_add_dict_u64(d, "lpm_adds", tel_lpm.adds);
	rte_tel_data_add_dict_u64(d, "lpm_deletes", tel_lpm.deletes);
	rte_tel_data_add_dict_u64(d, "lpm_failures", tel_lpm.failures);
	rte_tel_data_add_dict_u64(d, "route_sync_us", tel_route_sync_ns / 1000);
	for (i = 0; i < tel_sync.nb_rejects; i++) {
		char line[RTE_TEL_MAX_STRING_LEN];

		snprintf(line, sizeof(line), "%s: %s", tel_sync.rejects[i].key,
			 tel_sync.rejects[i].reason);
		rte_tel_data_add_array_string(rej, line);
	}
	pthread_mutex_unlock(&tel_sync_lock);
	tables_read_lock();
	t = pr_tables_live;
	for (i = 0; i < K8S_KIND_COUNT; i++)
		rte_tel_data_add_dict_u64(objs, k8s_kind_name(i), t ? t->objects[i] : 0);
	rte_tel_data_add_dict_u64(d, "generation", t ? t->generation : 0);
	rte_tel_data_add_dict_u64(d, "model_generation", t ? t->model_generation : 0);
	rte_tel_data_add_dict_u64(d, "build_us", t ? t->build_ns / 1000 : 0);
	rte_tel_data_add_dict_u64(d, "services", t ? t->svc->nb : 0);
	rte_tel_data_add_dict_u64(d, "frontends", t ? t->svc->nb_fe : 0);
	rte_tel_data_add_dict_u64(d, "backends", t ? t->svc->nb_backends : 0);
	rte_tel_data_add_dict_u64(d, "routes", t ? t->routes->nb : 0);
	tables_read_unlock();
	telemetry_put(d, "objects", objs);
	telemetry_put(d, "rejected", rej);
	return 0;
}

int
telemetry_state_init(void)
{
	if (rte_telemetry_register_cmd("/podrouter/services", tel_services,
				       "Services as the data path sees them. Param: NAMESPACE/NAME") ||
	    rte_telemetry_register_cmd("/podrouter/endpoints", tel_endpoints,
				       "Backends per Service port. Param: NAMESPACE/NAME") ||
	    rte_telemetry_register_cmd("/podrouter/neighbours", tel_neighbours,
				       "The neighbour table: IP, MAC, port, state, routes using it, "
				       "packets held, age. No parameters.") != 0 ||
	    rte_telemetry_register_cmd("/podrouter/routes", tel_routes,
				       "Pod-CIDR and pod routes. No parameters.") ||
	    rte_telemetry_register_cmd("/podrouter/policies", tel_policies,
				       "NetworkPolicies and the pods they select. No parameters.") ||
	    rte_telemetry_register_cmd("/podrouter/sync", tel_sync_cmd,
				       "Cluster-state source, objects, rejects, generation."))
		return -EINVAL;
	return 0;
}
