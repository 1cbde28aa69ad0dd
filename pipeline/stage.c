/* SPDX-License-Identifier: BSD-3-Clause */
#include "stage.h"

int
pr_stage_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct pr_node_ctx *ctx = pr_node_ctx(node);

	ctx->stats = pr_stage_stats_for_graph(graph);
	return ctx->stats == NULL ? -ENOENT : 0;
}
