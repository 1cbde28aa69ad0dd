/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration file (conf/podrouter.yaml; every key in docs/configuration.md).
 * config_load() reads it with libcyaml, applies defaults, and checks everything that can be
 * checked without the devices: addresses, references between ports and workers, queues
 * polled twice or never. Every error names the file, the line and the key.
 */
#ifndef PR_CONFIG_H
#define PR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#define PR_MAX_PORTS 32        /* RTE_MAX_ETHPORTS of Debian's DPDK 22.11 */
#define PR_MAX_WORKERS 64
#define PR_MAX_ADDRS 16        /* router addresses per port */
#define PR_MAX_POLL 8          /* (port, queue) pairs per worker: 8 x burst 32 = graph burst */

enum pr_port_role {
	PR_ROLE_UPLINK,
	PR_ROLE_PODS,
	PR_ROLE_HOST,
};

enum pr_hugepages {
	PR_HUGE_AUTO, /* use hugepages when enough are free, else --no-huge */
	PR_HUGE_ON,
	PR_HUGE_OFF,
};

/* ---- as written in the file (libcyaml schema in config.c) ---- */

struct pr_cfg_poll {
	char *port;
	uint16_t queue;
};

struct pr_cfg_worker {
	uint32_t lcore;
	uint32_t cpu;     /* the CPU the lcore runs on; the lcore's number when absent */
	bool has_cpu;     /* resolved: cpu was given */
	struct pr_cfg_poll *poll;
	unsigned int poll_count;
};

struct pr_cfg_port {
	char *name;
	char *device;
	enum pr_port_role role;
	uint16_t rx_queues;
	uint16_t tx_queues;
	uint16_t rx_desc;
	uint16_t tx_desc;
	uint16_t mtu;
	char *mac;
	char **addresses;
	unsigned int addresses_count;
	char *forward_to;
	bool promiscuous;
	char *gateway;     /* the default route's next hop, on this port */
};

struct pr_cfg_eal {
	uint32_t main_lcore;
	uint32_t memory_mb;
	enum pr_hugepages hugepages;
	char *file_prefix;
	bool in_memory;
	char *log_level;
	char **args;
	unsigned int args_count;
};

struct pr_cfg_mempool {
	uint32_t mbufs;
	uint32_t cache;
	uint16_t data_room;
};

struct pr_cfg_tables {
	uint32_t routes;
	uint32_t neighbours;
	uint32_t conntrack;
};

struct pr_cfg_cluster {
	char *file;
	char *redis;
	char *prefix;
};

struct pr_cfg_telemetry {
	bool enabled;
	bool pdump;
};

enum pr_encap {
	PR_ENCAP_VXLAN,
	PR_ENCAP_GENEVE,
	PR_ENCAP_IPIP,
	PR_ENCAP_DIRECT, /* no tunnel: the nodes share an L2 segment (flannel's host-gw) */
};

struct pr_cfg_overlay {
	enum pr_encap encap;         /* how packets for other nodes' pods leave */
	uint32_t vni;                /* the VNI they carry (VXLAN, Geneve) */
	uint16_t encap_port;         /* their UDP destination port (VXLAN, Geneve) */
	uint16_t *vxlan_ports;       /* UDP destination ports taken as VXLAN */
	unsigned int vxlan_ports_count;
	uint16_t geneve_port;        /* 0: no Geneve */
	uint32_t *vnis;              /* VXLAN/Geneve VNIs accepted */
	unsigned int vnis_count;
	bool any_vni;                /* accept every VNI (Cilium's per-identity VNIs) */
	bool ipip;                   /* IP-in-IP (protocol 4), as Calico uses */
	bool require_known_node;     /* only from the InternalIP of a known Node */
};

struct pr_cfg_neigh_static {
	char *ip;
	char *mac;
	char *port;
};

struct pr_cfg_neighbours {
	uint32_t reachable_ms;  /* an entry is trusted this long after a confirmation */
	uint32_t retransmit_ms; /* between two ARP requests for one next hop */
	uint32_t probes;        /* requests before a next hop is declared unreachable */
	uint32_t hold;          /* packets held per unresolved next hop */
	uint32_t gc_ms;         /* unused entries go after being stale this long */
	struct pr_cfg_neigh_static *statics;
	unsigned int statics_count;
};

struct pr_cfg_icmp {
	uint32_t rate;  /* ICMP errors per second per worker */
	uint32_t burst; /* and at most this many at once */
};

struct pr_cfg_file {
	char *node_name;
	struct pr_cfg_eal *eal;
	struct pr_cfg_port *ports;
	unsigned int ports_count;
	struct pr_cfg_worker *workers;
	unsigned int workers_count;
	struct pr_cfg_mempool *mempool;
	struct pr_cfg_tables *tables;
	struct pr_cfg_cluster *cluster;
	struct pr_cfg_telemetry *telemetry;
	struct pr_cfg_overlay *overlay;
	struct pr_cfg_neighbours *neighbours;
	struct pr_cfg_icmp *icmp;
};

/* ---- checked and resolved ---- */

struct pr_addr4 {
	uint32_t addr; /* network order */
	uint8_t plen;
};

struct pr_port_conf {
	const struct pr_cfg_port *y;
	bool is_pci;               /* device is a PCI address (PF or VF), not a vdev */
	char dev_name[64];         /* device name without devargs, as EAL names it */
	bool has_mac;
	struct rte_ether_addr mac;
	struct pr_addr4 addrs[PR_MAX_ADDRS];
	unsigned int nb_addrs;
	int forward_to;            /* index in ports, or -1 */
	uint32_t gateway;          /* network order; 0: none */
};

struct pr_neigh_static {
	uint32_t ip; /* network order */
	struct rte_ether_addr mac;
	unsigned int port; /* index in ports */
};

struct pr_config {
	char *path;
	struct pr_cfg_file *y;      /* owned; freed with cyaml_free */
	struct pr_port_conf ports[PR_MAX_PORTS];
	unsigned int nb_ports;
	unsigned int nb_workers;
	uint32_t mbufs;             /* resolved pool size */
	bool no_huge;               /* decided by config_eal_args() */
	int uplink;                 /* the first port with the role uplink, or -1 */
	struct pr_neigh_static *statics; /* owned */
	unsigned int nb_statics;
	char *eal_strings[160];     /* owned strings of the EAL command line */
	unsigned int nb_eal_strings;
};

/*
 * Load and check `path`. Returns NULL on any error, after writing every message to `err`
 * (one line each: "FILE:LINE: KEY: what is wrong").
 */
struct pr_config *config_load(const char *path, FILE *err);
void config_free(struct pr_config *cfg);

int config_port_index(const struct pr_config *cfg, const char *name);

/* Whether ip (network order) is in one of the port's address prefixes. */
bool config_on_link(const struct pr_port_conf *pc, uint32_t ip);

/* The port's address whose prefix holds ip (network order), or 0. */
uint32_t config_on_link_addr(const struct pr_port_conf *pc, uint32_t ip);

/* The node's address: the first of the first uplink port's (network order), or 0. */
uint32_t config_node_ip(const struct pr_config *cfg);

const char *config_role_name(enum pr_port_role role);

/*
 * The EAL command line for this config: argv[0], lcores, memory, devices, telemetry.
 * Returns argc, or -errno. Strings are owned by the config (freed with it).
 */
int config_eal_args(struct pr_config *cfg, const char *argv0, char **argv, int max, FILE *err);

#endif
