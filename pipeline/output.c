/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output: the last stage before TX. A packet for the router itself (the route's next hop is
 * the host) goes to the port with the role `host`, as it is. The others need the neighbour
 * table (the next hop's MAC), the L2 rewrite and the overlay encapsulation, which come next:
 * until then they are dropped as output_no_neighbour. Cross-connected ports never come here:
 * their rx nodes feed the tx node of the other port directly.
 *
 * Edges: PR_EDGE_DROP, then one edge per port's tx node (src/worker.c adds them).
 */
#include "stage.h"
#include "pipeline.h"
#include "route_table.h"

/* Set once before the workers start. */
static const struct route_lpm *output_routes;
static uint16_t output_host_edge; /* PR_EDGE_DROP: no host port */

void
output_configure(const struct route_lpm *lpm, uint16_t host_edge)
{
	output_routes = lpm;
	output_host_edge = host_edge;
}

static __rte_always_inline uint16_t
output_one(struct rte_mbuf *m)
{
	struct pr_md *md = pr_md(m);

	if (route_nh(output_routes, md->nh)->kind == ROUTE_NH_HOST) {
		md->drop = PR_DROP_OUTPUT_NO_HOST_PORT; /* read only if there is no host port */
		return output_host_edge;
	}
	return pr_drop(md, PR_DROP_OUTPUT_NO_NEIGHBOUR);
}

static uint16_t
output_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t next[RTE_GRAPH_BURST_SIZE];
	uint16_t i;

	for (i = 0; i < n; i++)
		next[i] = output_one(objs[i]);
	pr_stage_dispatch(graph, node, objs, next, n);
	return n;
}

static struct rte_node_register output_node = {
	.name = PR_NODE_OUTPUT,
	.process = output_process,
	.init = pr_stage_init,
	.nb_edges = 1,
	.next_nodes = { [PR_EDGE_DROP] = PR_NODE_DROP },
};
RTE_NODE_REGISTER(output_node);
