/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port I/O nodes and the drop node.
 *
 * pr_rx-<port>q<queue>: source node, one clone per polled (port, queue); a burst of up to
 *   PR_BURST packets goes on as one stream (no copy): to parse, or, for a port cross-connected
 *   with forward_to, straight to the tx node of the other port. That choice is made when the
 *   clone is made, so a cross-connect costs what testpmd's io forwarding costs.
 * pr_tx-<port>: one clone per port; sends on the worker's own TX queue of that port
 *   (each worker owns one TX queue per port, so no locks). A full queue is retried a bounded
 *   number of times, then what is left is dropped as tx_queue_full and counted.
 * pr_drop: counts each packet's drop reason on the worker and frees the burst.
 * pr_consumed: frees packets a stage has used up (an ARP reply learnt from): not drops.
 *
 * We use these rather than lib/node's ethdev nodes for the bounded TX retry, counters in
 * struct pr_stats and the one-TX-queue-per-worker mapping; see docs/architecture.md.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_ethdev.h>

#include "stage.h"
#include "pipeline.h"

#define IO_TX_RETRIES 4 /* attempts after the first when the TX queue is full */

struct io_clone {
	rte_node_t id;
	uint16_t port;
	uint16_t queue;
	uint16_t next;
};

/* Filled on the control core before any graph exists; read by node init callbacks. */
static struct io_clone io_clones[RTE_MAX_ETHPORTS * (RTE_MAX_QUEUES_PER_PORT + 1)];
static unsigned int io_nb_clones;

static const struct io_clone *
io_clone_find(rte_node_t id)
{
	unsigned int i;

	for (i = 0; i < io_nb_clones; i++)
		if (io_clones[i].id == id)
			return &io_clones[i];
	return NULL;
}

static int
io_node_init(const struct rte_graph *graph, struct rte_node *node, int is_tx)
{
	const struct io_clone *c = io_clone_find(node->id);
	struct pr_node_ctx *ctx = pr_node_ctx(node);

	if (c == NULL)
		return -ENOENT;
	ctx->stats = pr_stage_stats_for_graph(graph);
	ctx->port = c->port;
	ctx->queue = is_tx ? pr_stage_txq_for_graph(graph) : c->queue;
	ctx->next = c->next;
	return ctx->stats == NULL ? -ENOENT : 0;
}

static int
io_rx_init(const struct rte_graph *graph, struct rte_node *node)
{
	return io_node_init(graph, node, 0);
}

static int
io_tx_init(const struct rte_graph *graph, struct rte_node *node)
{
	return io_node_init(graph, node, 1);
}

static uint16_t
io_rx_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct pr_node_ctx *ctx = pr_node_ctx(node);

	RTE_SET_USED(objs);
	RTE_SET_USED(n);
	n = rte_eth_rx_burst(ctx->port, ctx->queue, (struct rte_mbuf **)node->objs, PR_BURST);
	if (n == 0)
		return 0;
	ctx->stats->port[ctx->port].rx += n;
	node->idx = n;
	rte_node_next_stream_move(graph, node, ctx->next);
	return n;
}

static uint16_t
io_tx_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct pr_node_ctx *ctx = pr_node_ctx(node);
	struct pr_port_stats *ps = &ctx->stats->port[ctx->port];
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	uint16_t sent, retry;

	sent = rte_eth_tx_burst(ctx->port, ctx->queue, pkts, n);
	for (retry = 0; sent < n && retry < IO_TX_RETRIES; retry++) {
		ps->tx_retries++;
		sent += rte_eth_tx_burst(ctx->port, ctx->queue, pkts + sent, n - sent);
	}
	ps->tx += sent;
	if (unlikely(sent < n)) {
		uint16_t i;

		ps->tx_dropped += n - sent;
		for (i = sent; i < n; i++)
			pr_drop(pr_md(pkts[i]), PR_DROP_TX_FULL);
		rte_node_enqueue(graph, node, 0, &objs[sent], n - sent);
	}
	return n;
}

static uint16_t
io_drop_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct pr_stats *st = pr_node_ctx(node)->stats;
	uint16_t i;

	RTE_SET_USED(graph);
	for (i = 0; i < n; i++)
		st->drop[pr_md(objs[i])->drop]++;
	rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, n);
	return n;
}

static uint16_t
io_consumed_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	RTE_SET_USED(graph);
	RTE_SET_USED(node);
	rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, n);
	return n;
}

static struct rte_node_register io_rx_node = {
	.name = PR_NODE_RX,
	.flags = RTE_NODE_SOURCE_F,
	.process = io_rx_process,
	.init = io_rx_init,
	.nb_edges = 1,
	.next_nodes = { PR_NODE_FAST },
};
RTE_NODE_REGISTER(io_rx_node);

static struct rte_node_register io_tx_node = {
	.name = "pr_tx",
	.process = io_tx_process,
	.init = io_tx_init,
	.nb_edges = 1,
	.next_nodes = { PR_NODE_DROP },
};
RTE_NODE_REGISTER(io_tx_node);

static struct rte_node_register io_drop_node = {
	.name = PR_NODE_DROP,
	.process = io_drop_process,
	.init = pr_stage_init,
};
RTE_NODE_REGISTER(io_drop_node);

static struct rte_node_register io_consumed_node = {
	.name = PR_NODE_CONSUMED,
	.process = io_consumed_process,
};
RTE_NODE_REGISTER(io_consumed_node);

static int
io_clone(rte_node_t base, uint16_t port, uint16_t queue, uint16_t next, const char *suffix)
{
	rte_node_t id;

	if (io_nb_clones == RTE_DIM(io_clones))
		return -ENOSPC;
	id = rte_node_clone(base, suffix);
	if (id == RTE_NODE_ID_INVALID)
		return -rte_errno ? -rte_errno : -EINVAL;
	io_clones[io_nb_clones++] =
		(struct io_clone){ .id = id, .port = port, .queue = queue, .next = next };
	return 0;
}

int
io_rx_clone(uint16_t port, uint16_t queue, const char *port_name, uint16_t next_edge, char *name,
	    size_t len)
{
	char suffix[RTE_NODE_NAMESIZE];

	if (next_edge >= rte_node_edge_count(io_rx_node.id))
		return -EINVAL;
	snprintf(suffix, sizeof(suffix), "%sq%u", port_name, queue);
	snprintf(name, len, "pr_rx-%s", suffix);
	return io_clone(io_rx_node.id, port, queue, next_edge, suffix);
}

int
io_tx_clone(uint16_t port, const char *port_name, char *name, size_t len)
{
	snprintf(name, len, "pr_tx-%s", port_name);
	return io_clone(io_tx_node.id, port, 0, 0, port_name);
}

int
pr_node_add_edge(const char *from, const char *to)
{
	rte_node_t id = rte_node_from_name(from);
	const char *names[1] = { to };

	if (id == RTE_NODE_ID_INVALID)
		return -ENOENT;
	if (rte_node_edge_update(id, RTE_EDGE_ID_INVALID, names, 1) != 1)
		return -EINVAL;
	return (int)rte_node_edge_count(id) - 1;
}

int
pr_node_add_tx_edge(const char *from, const char *tx_node, uint16_t *edge)
{
	int e = pr_node_add_edge(from, tx_node);

	if (e < 0)
		return e;
	*edge = (uint16_t)e;
	return 0;
}
