/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-side API of the pipeline: what the control core calls, before any graph exists,
 * to create the per-port node clones and wire the edges. Never called by a worker.
 */
#ifndef PR_PIPELINE_H
#define PR_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

/* Node names of the fixed stages, in pipeline order after rx. */
#define PR_NODE_FAST "pr_fast" /* rx -> fast: the common case; the rest on to parse */
#define PR_NODE_PARSE "pr_parse"
#define PR_NODE_DECAP "pr_decap"
#define PR_NODE_ARP "pr_arp"
#define PR_NODE_ROUTE "pr_route"
#define PR_NODE_OUTPUT "pr_output"
#define PR_NODE_DROP "pr_drop"
#define PR_NODE_CONSUMED "pr_consumed" /* frees packets a stage has used up (no drop) */
#define PR_NODE_HOLD "pr_hold"
#define PR_NODE_ICMP "pr_icmp"
#define PR_NODE_FRAG "pr_frag"
#define PR_NODE_INJECT "pr_inject"
#define PR_NODE_RX_PATTERN "pr_rx-*"
#define PR_NODE_TX_PATTERN "pr_tx-*"

/*
 * Clone an rx node for (port, queue); its name goes to name[len]. Its packets go to
 * `next_edge` of the rx node: 0 for the pipeline (parse), or a tx edge from io_add_tx().
 */
int io_rx_clone(uint16_t port, uint16_t queue, const char *port_name, uint16_t next_edge,
		char *name, size_t len);

/* Clone the tx node of a port; its name goes to name[len]. 0 or -errno. */
int io_tx_clone(uint16_t port, const char *port_name, char *name, size_t len);

/*
 * Give `from` (a registered node, before it is cloned) an edge to `to`; returns the edge
 * index, or -errno.
 */
int pr_node_add_edge(const char *from, const char *to);

/* The same for a tx node, the edge's index kept in *edge. 0 or -errno. */
int pr_node_add_tx_edge(const char *from, const char *tx_node, uint16_t *edge);

#define PR_NODE_RX "pr_rx"

struct pr_cfg_overlay;
struct pr_config;
struct rte_ether_addr;
struct rte_mempool;
struct route_lpm;
struct route_nh;
struct neigh_table;

/*
 * The route table route reads (updated in place), and which ports face pods (their packets'
 * sources are checked); before the workers start.
 */
void route_configure(const struct pr_config *cfg, const struct route_lpm *lpm);

/*
 * output: the route table, the neighbour table, and the edge of the host port's tx node
 * (PR_EDGE_DROP: none). 0 or -errno.
 */
int output_configure(const struct pr_config *cfg, const struct route_lpm *lpm,
		     struct neigh_table *neigh, uint16_t host_edge);

/* output's edge to the tx node of port. 0 or -errno. */
int output_add_port(uint16_t port, const char *tx_node);

/* fast's edge to the tx node of port (pipeline/fast.c). 0 or -errno. */
int fast_add_port(uint16_t port, const char *tx_node);

/* output's edge, once added. */
int output_port_edge(uint16_t port);

struct node_vtep;

/*
 * Other nodes' VTEP MACs (the node table's, tables.h): the inner destination MAC of the UDP
 * tunnels to them, else the uplink's own. On the control core, before the routes are synced
 * from the same snapshot. 0 or -ENOMEM.
 */
int output_set_vteps(const struct node_vtep *v, unsigned int n);

/* The route table's resolver (struct route_nh_resolver): a next hop's adjacency. */
void output_nh_init(void *arg, uint32_t id, struct route_nh *nh);
void output_nh_fini(void *arg, uint32_t id, struct route_nh *nh);

/* ICMP errors: the source address per port and the rate limit. 0 or -errno. */
int icmp_configure(const struct pr_config *cfg);

/* Fragmentation: the pool the fragments' copies come from. */
void frag_configure(struct rte_mempool *pool);

/* inject's edge to the tx node of port. 0 or -errno. */
int inject_add_port(uint16_t port, const char *tx_node);

/*
 * The router's addresses on a port, answered for in ARP, and the tx node its replies leave
 * by. Before the workers start. 0 or -errno.
 */
int arp_configure(uint16_t port, const struct rte_ether_addr *mac, const uint32_t *addrs,
		  unsigned int nb_addrs, const char *tx_node);

/* The overlay settings decap uses (src/config.h); before the workers start. 0 or -EINVAL. */
int decap_configure(const struct pr_cfg_overlay *o);

#endif
