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
#define PR_NODE_PARSE "pr_parse"
#define PR_NODE_DECAP "pr_decap"
#define PR_NODE_ARP "pr_arp"
#define PR_NODE_ROUTE "pr_route"
#define PR_NODE_OUTPUT "pr_output"
#define PR_NODE_DROP "pr_drop"
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

#define PR_NODE_RX "pr_rx"

struct pr_cfg_overlay;
struct rte_ether_addr;
struct route_lpm;

/* The route table route and output read (updated in place); before the workers start. */
void route_configure(const struct route_lpm *lpm);

/* output: the route table, and the edge of the host port's tx node (PR_EDGE_DROP: none). */
void output_configure(const struct route_lpm *lpm, uint16_t host_edge);

/*
 * The router's addresses on a port, answered for in ARP, and the tx node its replies leave
 * by. Before the workers start. 0 or -errno.
 */
int arp_configure(uint16_t port, const struct rte_ether_addr *mac, const uint32_t *addrs,
		  unsigned int nb_addrs, const char *tx_node);

/* The overlay settings decap uses (src/config.h); before the workers start. 0 or -EINVAL. */
int decap_configure(const struct pr_cfg_overlay *o);

#endif
