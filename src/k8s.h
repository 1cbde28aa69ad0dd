/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kubernetes objects as podrouter reads them: Node, Namespace, Pod, Service, EndpointSlice and
 * NetworkPolicy, parsed from what `kubectl get -o yaml` or `-o json` prints (one object, a
 * multi-document stream, or a `kind: List`), checked with the API server's rules, defaulted as
 * the API server defaults them, and reduced to the fields the data path uses. Every other field
 * is ignored. docs/cluster-state.md ("The objects podrouter reads") lists the fields, the
 * defaults and every rule with its message.
 *
 * An object that breaks a rule is rejected whole; no half-read object ever leaves this module.
 *
 * Addresses are IPv4, in network byte order. IPv6 addresses and CIDRs are checked and then
 * skipped (IPv6 comes later), except in a NetworkPolicy ipBlock, where dropping a peer would
 * widen the rule: an IPv6 ipBlock is kept, flagged, and matches no IPv4 packet.
 *
 * Objects are plain heap data owned by whoever holds the pointer, freed with k8s_object_free().
 * Nothing here touches DPDK: it runs on the control core and in podrouterctl.
 */
#ifndef PR_K8S_H
#define PR_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest object key, "NetworkPolicy:" + namespace (63) + "/" + name (253), and its NUL: 332
 * bytes, rounded up. */
#define K8S_KEY_MAX 336

enum k8s_kind {
	K8S_NODE,
	K8S_NAMESPACE,
	K8S_POD,
	K8S_SERVICE,
	K8S_ENDPOINTSLICE,
	K8S_NETWORKPOLICY,
	K8S_KIND_COUNT,
};

struct k8s_label {
	char *key;
	char *value;
};

/* Sorted by key (strcmp), keys unique. */
struct k8s_labels {
	struct k8s_label *v;
	unsigned int n;
};

struct k8s_cidr {
	uint32_t addr; /* network order, host bits cleared (as Go's net.ParseCIDR does) */
	uint8_t plen;
};

/* ---------------------------------------------------------------- Node */

/* The Node annotation where flannel's VXLAN backend publishes its VTEP's MAC (JSON). */
#define K8S_FLANNEL_BACKEND_DATA "flannel.alpha.coreos.com/backend-data"

struct k8s_node {
	struct k8s_cidr *pod_cidrs; /* the IPv4 ones of spec.podCIDRs (or spec.podCIDR) */
	unsigned int nb_pod_cidrs;
	uint32_t *internal_ips;     /* IPv4 InternalIP entries of status.addresses, in order */
	unsigned int nb_internal_ips;
	bool has_vtep_mac;          /* "VtepMAC" of K8S_FLANNEL_BACKEND_DATA was a unicast MAC */
	uint8_t vtep_mac[6];
};

/* ---------------------------------------------------------------- Pod */

enum k8s_pod_phase {
	K8S_POD_PENDING, /* also when status.phase is absent */
	K8S_POD_RUNNING,
	K8S_POD_SUCCEEDED,
	K8S_POD_FAILED,
	K8S_POD_UNKNOWN,
};

struct k8s_container_port {
	char *name;    /* NULL when unnamed */
	uint16_t port; /* containerPort */
	uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP */
};

struct k8s_pod {
	char *node_name;       /* spec.nodeName; NULL until scheduled */
	enum k8s_pod_phase phase;
	uint32_t *ips;         /* IPv4 ones of status.podIPs (or status.podIP); see k8s_pod_ip_usable */
	unsigned int nb_ips;
	struct k8s_container_port *ports; /* spec.containers[].ports[], all containers, in order */
	unsigned int nb_ports;
};

/* ---------------------------------------------------------------- Service */

enum k8s_service_type {
	K8S_SVC_CLUSTER_IP,
	K8S_SVC_NODE_PORT,
	K8S_SVC_LOAD_BALANCER,
	K8S_SVC_EXTERNAL_NAME,
};

enum k8s_affinity {
	K8S_AFFINITY_NONE,
	K8S_AFFINITY_CLIENT_IP,
};

enum k8s_traffic_policy {
	K8S_TRAFFIC_CLUSTER,
	K8S_TRAFFIC_LOCAL,
};

struct k8s_service_port {
	char *name;             /* NULL when unnamed (allowed only in a single-port Service) */
	uint8_t proto;
	uint16_t port;
	uint16_t target_port;   /* a number (defaults to port), or 0 when target_port_name is set */
	char *target_port_name; /* a named container port, or NULL */
	uint16_t node_port;     /* 0: none */
};

struct k8s_service {
	enum k8s_service_type type;
	bool ignored;  /* labelled service.kubernetes.io/service-proxy-name: another proxy's */
	bool headless; /* clusterIP None */
	uint32_t *cluster_ips; /* IPv4 ones of spec.clusterIPs (or spec.clusterIP) */
	unsigned int nb_cluster_ips;
	struct k8s_service_port *ports;
	unsigned int nb_ports;
	uint32_t *external_ips; /* spec.externalIPs */
	unsigned int nb_external_ips;
	uint32_t *lb_ips;       /* status.loadBalancer.ingress[].ip */
	unsigned int nb_lb_ips;
	enum k8s_affinity affinity;
	uint32_t affinity_timeout; /* seconds, 1..86400, default 10800; 0 without ClientIP */
	enum k8s_traffic_policy external_policy;
	enum k8s_traffic_policy internal_policy;
};

/* ---------------------------------------------------------------- EndpointSlice */

enum k8s_address_type {
	K8S_ADDR_IPV4,
	K8S_ADDR_IPV6,
	K8S_ADDR_FQDN,
};

struct k8s_endpoint {
	uint32_t *addrs; /* 1 to 100; consumers use the first, as kube-proxy does */
	unsigned int nb_addrs;
	bool ready;       /* absent: true */
	bool serving;     /* absent: the value of ready */
	bool terminating; /* absent: false */
	char *node_name;  /* NULL when not given */
};

struct k8s_slice_port {
	char *name;    /* NULL when unnamed ("") */
	uint8_t proto;
	uint16_t port; /* 0 when not given */
};

struct k8s_endpointslice {
	char *service_name; /* label kubernetes.io/service-name */
	enum k8s_address_type address_type;
	bool used;          /* IPv4: the others are checked but hold no endpoints */
	struct k8s_endpoint *endpoints;
	unsigned int nb_endpoints;
	struct k8s_slice_port *ports;
	unsigned int nb_ports;
};

/* ---------------------------------------------------------------- NetworkPolicy */

enum k8s_selector_op {
	K8S_SEL_IN,
	K8S_SEL_NOT_IN,
	K8S_SEL_EXISTS,
	K8S_SEL_DOES_NOT_EXIST,
};

struct k8s_selector_expr {
	char *key;
	enum k8s_selector_op op;
	char **values; /* at least one for In and NotIn, none for the others */
	unsigned int nb_values;
};

/* A label selector; the empty one (no labels, no expressions) selects everything. */
struct k8s_selector {
	struct k8s_labels match_labels;
	struct k8s_selector_expr *exprs;
	unsigned int nb_exprs;
};

enum k8s_peer_type {
	K8S_PEER_PODS,            /* podSelector alone: those pods of the policy's namespace */
	K8S_PEER_NAMESPACES,      /* namespaceSelector alone: every pod of those namespaces */
	K8S_PEER_NAMESPACED_PODS, /* both: those pods of those namespaces */
	K8S_PEER_IPBLOCK,
};

struct k8s_ipblock {
	bool ipv6;              /* an IPv6 block: matches no IPv4 packet */
	char *cidr6;            /* with ipv6: the block, canonical text; its excepts are not kept */
	struct k8s_cidr cidr;
	struct k8s_cidr *except; /* each strictly inside cidr */
	unsigned int nb_except;
};

struct k8s_peer {
	enum k8s_peer_type type;
	struct k8s_selector pods;       /* K8S_PEER_PODS, K8S_PEER_NAMESPACED_PODS */
	struct k8s_selector namespaces; /* K8S_PEER_NAMESPACES, K8S_PEER_NAMESPACED_PODS */
	struct k8s_ipblock ipblock;     /* K8S_PEER_IPBLOCK */
};

struct k8s_policy_port {
	uint8_t proto;
	uint16_t port;     /* 0 and no name: every port of proto */
	char *name;        /* a named port, resolved against the destination pod's container ports */
	uint16_t end_port; /* 0, or the last port of the range port..end_port */
};

struct k8s_policy_rule {
	struct k8s_peer *peers; /* none: every peer */
	unsigned int nb_peers;
	struct k8s_policy_port *ports; /* none: every port */
	unsigned int nb_ports;
};

struct k8s_networkpolicy {
	struct k8s_selector pod_selector;
	bool has_ingress_type; /* policyTypes holds Ingress: selected pods are isolated for it */
	bool has_egress_type;
	struct k8s_policy_rule *ingress; /* kept even when the type is absent (then unused) */
	unsigned int nb_ingress;
	struct k8s_policy_rule *egress;
	unsigned int nb_egress;
};

/* ---------------------------------------------------------------- objects */

struct k8s_object {
	enum k8s_kind kind;
	char *ns;   /* metadata.namespace ("default" when absent); NULL for Node and Namespace */
	char *name; /* metadata.name */
	struct k8s_labels labels; /* a Namespace always has kubernetes.io/metadata.name */
	union {
		struct k8s_node node;
		struct k8s_pod pod;
		struct k8s_service svc;
		struct k8s_endpointslice slice;
		struct k8s_networkpolicy policy;
	};
};

/*
 * Called with each valid object, in stream order; the object is the callee's, even when it
 * returns an error. A negative return (-errno) stops k8s_parse(), which returns it.
 */
typedef int (*k8s_object_fn)(struct k8s_object *o, void *arg);

/*
 * Parse `len` bytes of YAML or JSON: one object, several YAML documents, `kind: List` (or a
 * typed list such as PodList, whose items may omit kind). `source` names the input in messages
 * (a file name, a Redis key). Each rejected object gets one line on `err` (may be NULL):
 *   SOURCE:LINE: document N[, items[I]]: KIND NS/NAME: FIELD: message
 * An object of another kind (Deployment...) gets a "skipped" line and is not counted. Empty
 * documents are skipped silently; a document or list item that is not a mapping is rejected.
 * Returns the number of rejected objects, or -EINVAL when the input is not valid YAML (a
 * syntax error anywhere: the whole stream is loaded first, so then no object is delivered),
 * -ENOMEM, or the callback's error.
 */
int k8s_parse(const char *buf, size_t len, const char *source, k8s_object_fn fn, void *arg,
	      FILE *err);

/* k8s_parse() on a file's contents; `path` is the source. -errno when it cannot be read. */
int k8s_parse_file(const char *path, k8s_object_fn fn, void *arg, FILE *err);

void k8s_object_free(struct k8s_object *o);

/* "Node", "Namespace", ... as Kubernetes spells them; "?" when out of range. */
const char *k8s_kind_name(enum k8s_kind kind);

/* The kind of a name as Kubernetes spells it (case-sensitive), or -EINVAL. */
int k8s_kind_from_name(const char *name);

/* Pod, Service, EndpointSlice and NetworkPolicy live in a namespace; Node and Namespace not. */
bool k8s_kind_is_namespaced(enum k8s_kind kind);

/*
 * The object key of the Redis contract: "KIND:NAMESPACE/NAME", or "KIND:NAME" for a
 * cluster-scoped kind (ns ignored). Returns its length, or -EINVAL (bad kind, no name, no
 * namespace for a namespaced kind, a '/' in either), -ENAMETOOLONG when it does not fit in
 * `len`.
 */
int k8s_key_format(char *buf, size_t len, enum k8s_kind kind, const char *ns, const char *name);
int k8s_object_key(const struct k8s_object *o, char *buf, size_t len);

/*
 * The reverse of k8s_key_format(): `ns` gets "" for a cluster-scoped kind. Returns 0, or
 * -EINVAL when `key` is not an object key (unknown kind, empty or missing parts, a namespace
 * given for a cluster-scoped kind), -ENAMETOOLONG when a part does not fit.
 */
int k8s_key_parse(const char *key, enum k8s_kind *kind, char *ns, size_t ns_len, char *name,
		  size_t name_len);

/*
 * The object as compact JSON with a fixed field order and every default written out. It is
 * itself a Kubernetes object that k8s_parse() reads back to the same dump, so two objects are
 * equal exactly when their dumps are. Returns a malloc'd string, or NULL with errno set.
 */
char *k8s_object_to_json(const struct k8s_object *o);

/* Same kind, identity and every kept field. False as well when memory runs out. */
bool k8s_object_equal(const struct k8s_object *a, const struct k8s_object *b);

/* The value of label `key`, or NULL. */
const char *k8s_labels_get(const struct k8s_labels *labels, const char *key);

/* Whether `labels` satisfy every matchLabels entry and every expression of `sel`. */
bool k8s_selector_matches(const struct k8s_selector *sel, const struct k8s_labels *labels);

/* A pod's IPs route to it unless it has finished (Succeeded or Failed): its IP may be reused. */
bool k8s_pod_ip_usable(const struct k8s_pod *pod);

/* "TCP", "UDP", "SCTP"; "?" for anything else. */
const char *k8s_proto_name(uint8_t proto);

#endif
