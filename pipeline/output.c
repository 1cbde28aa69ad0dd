/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output: the last stage before TX. The routing issue gives it the route's next hop, the L2
 * rewrite and the overlay encapsulation; until then nothing in the pipeline has a
 * destination, so what reaches it is dropped as output_no_destination (cross-connected ports
 * never come here: their rx nodes feed the tx node of the other port directly).
 *
 * Edges: PR_EDGE_DROP, then one edge per port's tx node (src/worker.c adds them).
 */
#include "stage.h"
#include "pipeline.h"

static uint16_t
output_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		pr_md(objs[i])->drop = PR_DROP_OUTPUT_NO_DESTINATION;
	rte_node_next_stream_move(graph, node, PR_EDGE_DROP);
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
