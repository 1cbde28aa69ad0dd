/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output: the last stage before TX. For now it is the cross-connect of the foundation
 * (forward_to in the config): the edge is a table lookup by input port, so there is no
 * per-packet branch on the config. The routing issue replaces the lookup with the route's
 * next hop and adds the L2 rewrite and the overlay encapsulation.
 *
 * Edges: PR_EDGE_DROP, then one edge per port's tx node, added by output_add_port().
 */
#include <errno.h>

#include "stage.h"
#include "pipeline.h"

static rte_edge_t output_tx_edge[RTE_MAX_ETHPORTS]; /* 0: no tx node for that port */
static uint16_t output_xc_edge[RTE_MAX_ETHPORTS];   /* PR_EDGE_DROP: not cross-connected */

int
output_add_port(uint16_t port, const char *tx_node)
{
	const char *names[1] = { tx_node };
	rte_node_t out = rte_node_from_name(PR_NODE_OUTPUT);

	if (port >= RTE_MAX_ETHPORTS || out == RTE_NODE_ID_INVALID)
		return -EINVAL;
	if (rte_node_edge_update(out, RTE_EDGE_ID_INVALID, names, 1) != 1)
		return -EINVAL;
	output_tx_edge[port] = rte_node_edge_count(out) - 1;
	return 0;
}

int
output_xconnect(uint16_t in_port, uint16_t out_port)
{
	if (in_port >= RTE_MAX_ETHPORTS || out_port >= RTE_MAX_ETHPORTS || output_tx_edge[out_port] == 0)
		return -EINVAL;
	output_xc_edge[in_port] = output_tx_edge[out_port];
	return 0;
}

static uint16_t
output_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct pr_stats *st = pr_node_ctx(node)->stats;
	uint16_t next[RTE_GRAPH_BURST_SIZE];
	uint16_t i, forwarded = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];

		next[i] = output_xc_edge[m->port];
		/* Harmless when forwarded: the reason is read only on the drop edge. */
		pr_md(m)->drop = PR_DROP_OUTPUT_NO_DESTINATION;
		forwarded += next[i] != PR_EDGE_DROP;
	}
	st->ctr[PR_CTR_OUTPUT_XCONNECT] += forwarded;
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
