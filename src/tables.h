/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data-path tables, built from the cluster model by one builder (whatever the source)
 * and published to the workers by pointer swap under RCU: a worker loads pr_tables_live once
 * per burst (acquire) and never sees a half-built table; the control core frees a replaced
 * snapshot only after every worker has passed a quiescent state.
 *
 * A snapshot is made of sub-tables (Services, routes, policies), each reference-counted so
 * that a new snapshot shares what did not change; within the Service table, each Service's
 * entry is shared too, so one changed EndpointSlice rebuilds one entry.
 */
#ifndef PR_TABLES_H
#define PR_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include "addr_set.h"
#include "cluster.h"
#include "config.h"

/* ---- Services */

enum svc_fe_kind {
	SVC_FE_CLUSTER_IP,
	SVC_FE_NODE_PORT,
	SVC_FE_EXTERNAL_IP,
	SVC_FE_LB_IP,
};

#define SVC_BE_READY 0x01
#define SVC_BE_SERVING 0x02
#define SVC_BE_TERMINATING 0x04
#define SVC_BE_LOCAL 0x08      /* on this node */
#define SVC_BE_USED 0x10       /* picked for Cluster traffic policy */
#define SVC_BE_LOCAL_USED 0x20 /* picked for Local traffic policy */

struct svc_backend {
	uint32_t addr; /* network order */
	uint16_t port;
	uint8_t flags;
	uint8_t rsvd;  /* 0: no padding, so that backends compare whole (memcmp) */
};

struct svc_port {
	char *name;
	uint8_t proto;
	uint16_t port;
	uint16_t node_port;
	unsigned int nb_backends;
	struct svc_backend *backends; /* sorted by (addr, port) */
	unsigned int nb_used, nb_local_used;
};

/*
 * One Service, immutable once built. A table built incrementally takes over the entries of
 * its predecessor that did not change (no copy, no per-entry count: touching 10,000 entries
 * per change would cost more than the change); see struct svc_table.
 */
struct svc_entry {
	char *name; /* NAMESPACE/NAME */
	uint8_t type; /* enum k8s_service_type */
	bool affinity;
	uint32_t affinity_timeout;
	bool external_local, internal_local;
	unsigned int nb_ports;
	struct svc_port *ports;
	unsigned int nb_fe;
	struct svc_frontend *fe; /* this Service's frontends, sorted */
};

/* An address clients send to: (addr, proto, port) -> a Service port. */
struct svc_frontend {
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
	uint8_t kind; /* enum svc_fe_kind */
	uint16_t port_idx;
	const struct svc_entry *svc;
};

struct svc_table {
	uint32_t refcnt;
	unsigned int nb;
	struct svc_entry **v; /* sorted by name */
	unsigned int nb_fe;
	struct svc_frontend *fe; /* sorted by (addr, proto, port) */
	unsigned int nb_backends;
	/*
	 * Who frees the entries: this table, until a successor is built from it; then the
	 * successor owns the unchanged ones, and this table frees only those it had that the
	 * successor replaced or dropped (`retired`), when it goes itself.
	 */
	bool owns_entries;
	struct svc_entry **retired;
	unsigned int nb_retired;
};

/* The entry of Service NAMESPACE/NAME in t, or NULL. */
const struct svc_entry *svc_table_find(const struct svc_table *t, const char *name);

/* ---- routes */

enum route_kind {
	ROUTE_LOCAL_CIDR,  /* this node's pod CIDR: the pods port */
	ROUTE_LOCAL_POD,   /* one pod of this node */
	ROUTE_REMOTE_NODE, /* another node's pod CIDR: the overlay towards its InternalIP */
	ROUTE_HOST,        /* one of this node's own addresses (/32): the host path */
	ROUTE_DEFAULT,     /* 0.0.0.0/0 via the gateway of a port (ports[].gateway) */
};

struct route {
	uint32_t prefix; /* network order */
	uint8_t plen;
	uint8_t kind;    /* enum route_kind */
	uint32_t via;    /* the node's InternalIP (REMOTE_NODE), the pod's IP (LOCAL_POD),
			  * the gateway (DEFAULT); 0 otherwise */
	char *owner;     /* node name, NAMESPACE/NAME of the pod, or (DEFAULT) the port's name */
};

struct route_table {
	uint32_t refcnt;
	unsigned int nb;
	struct route *v; /* sorted by (prefix, plen) */
};

/* ---- nodes: who may send us overlay traffic, and which addresses are ours */

/* A node's tunnel endpoint MAC (flannel's VTEP), for the inner frames sent to it. */
struct node_vtep {
	uint32_t ip;     /* network order: the Node's first InternalIP, the overlay's `via` */
	uint8_t mac[6];
};

struct node_table {
	uint32_t refcnt;
	unsigned int nb_nodes;
	uint32_t *node_ips;  /* every Node's InternalIPs, sorted (network order values) */
	unsigned int nb_local;
	uint32_t *local_ips; /* this node's: its Node's InternalIPs and the ports' addresses */
	struct addr_set node_set;  /* node_ips, for decap */
	struct addr_set local_set; /* local_ips, for decap */
	unsigned int nb_vteps;
	/*
	 * The Nodes that publish a VTEP MAC (k8s.h), sorted by ip (as stored), one per ip: two
	 * Nodes that claim one InternalIP (a misconfiguration) give it the lower MAC.
	 */
	struct node_vtep *vteps;
};

/* ---- policies */

struct pol_entry {
	char *name;           /* NAMESPACE/NAME */
	bool ingress, egress; /* the types it isolates for */
	unsigned int nb_ingress_rules, nb_egress_rules;
	unsigned int nb_selected;
	uint32_t *selected;   /* IPs of this node's... of every pod it selects, sorted */
};

struct pol_table {
	uint32_t refcnt;
	unsigned int nb;
	struct pol_entry *v; /* sorted by name */
};

/* ---- snapshots */

struct pr_tables {
	uint64_t generation;       /* of this snapshot: 1, 2, ... */
	uint64_t model_generation; /* the cluster model's generation it was built from */
	uint64_t build_ns;         /* how long the build took */
	unsigned int objects[K8S_KIND_COUNT]; /* the model's objects by kind */
	struct svc_table *svc;
	struct route_table *routes;
	struct pol_table *pol;
	struct node_table *nodes;
};

/* The snapshot the workers read: __atomic_load_n(&pr_tables_live, __ATOMIC_ACQUIRE). */
extern struct pr_tables *pr_tables_live;

struct tables_builder;

struct tables_builder *tables_builder_new(const struct pr_config *cfg);
void tables_builder_free(struct tables_builder *b);

/*
 * Build a snapshot from the model, re-using the sub-tables (and Service entries) whose inputs
 * did not change since the previous build; `full` forces a build from scratch (start, relist,
 * reload). NULL with errno on failure (the previous snapshot stays).
 */
struct pr_tables *tables_build(struct tables_builder *b, struct cluster *c, bool full);

/*
 * Publish t: swap it in, wait for the workers (rte_rcu_qsbr), free the previous snapshot.
 * Control core only.
 */
void tables_publish(struct pr_tables *t);

/* Free every snapshot at exit, after the workers stopped. */
void tables_fini(void);

/* Free a snapshot that was never published (and is not the builder's last one). */
void tables_discard(struct pr_tables *t);

/* Hold off frees while reading pr_tables_live from another thread (telemetry). */
void tables_read_lock(void);
void tables_read_unlock(void);

#endif
