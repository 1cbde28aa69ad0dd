/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * inject: a source node in every worker's graph that takes what the control core hands the
 * worker (the neighbour table's inject ring, pipeline/neigh.h): ARP requests, straight to
 * the tx node of their port (PR_MD_F_TX_DIRECT), and packets that waited for a neighbour,
 * back to route (PR_MD_F_ROUTED: their TTL was already decremented). One ring per worker,
 * single producer (the control core), single consumer (the worker): no locks. An empty ring
 * costs one load per walk of the graph.
 *
 * Edges: PR_EDGE_DROP, PR_EDGE_NEXT (route), then one per port's tx node.
 */
#include <rte_ring.h>

#include "neigh.h"
#include "pipeline.h"
#include "stage.h"

struct inject_ctx {
	struct pr_stats *stats;
	struct rte_ring *ring;
};
_Static_assert(sizeof(struct inject_ctx) <= RTE_NODE_CTX_SZ, "node ctx too large");

static uint16_t inject_tx_edge[RTE_MAX_ETHPORTS]; /* set before the workers start */

int
inject_add_port(uint16_t port, const char *tx_node)
{
	return pr_node_add_tx_edge(PR_NODE_INJECT, tx_node, &inject_tx_edge[port]);
}

static int
inject_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct inject_ctx *ctx = (struct inject_ctx *)node->ctx;

	ctx->stats = pr_stage_stats_for_graph(graph);
	ctx->ring = neigh_inject_ring(pr_stage_txq_for_graph(graph));
	return ctx->stats == NULL || ctx->ring == NULL ? -ENOENT : 0;
}

static uint16_t
inject_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct inject_ctx *ctx = (struct inject_ctx *)node->ctx;
	uint16_t next[PR_BURST];
	uint16_t i;

	RTE_SET_USED(objs);
	RTE_SET_USED(n);
	n = (uint16_t)rte_ring_sc_dequeue_burst(ctx->ring, node->objs, PR_BURST, NULL);
	if (likely(n == 0))
		return 0;
	for (i = 0; i < n; i++) {
		const struct pr_md *md = pr_md(node->objs[i]);

		next[i] = md->flags & PR_MD_F_TX_DIRECT ? inject_tx_edge[md->out_port] :
							  PR_EDGE_NEXT;
	}
	ctx->stats->ctr[PR_CTR_INJECT_PACKETS] += n;
	node->idx = n;
	pr_stage_dispatch(graph, node, node->objs, next, n);
	return n;
}

static struct rte_node_register inject_node = {
	.name = PR_NODE_INJECT,
	.flags = RTE_NODE_SOURCE_F,
	.process = inject_process,
	.init = inject_init,
	.nb_edges = PR_EDGE_COUNT,
	.next_nodes = {
		[PR_EDGE_DROP] = PR_NODE_DROP,
		[PR_EDGE_NEXT] = PR_NODE_ROUTE,
	},
};
RTE_NODE_REGISTER(inject_node);
