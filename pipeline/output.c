/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output: the last stage before TX. The route's next hop (pipeline/route_table.h) says how
 * the packet leaves; its adjacency was worked out when the next hop was made
 * (output_nh_init in output_adj.c, on the control core), so a packet costs one
 * neighbour-word load and the header writes:
 *
 *  - a packet for the router itself goes to the port with the role `host`, as it is;
 *  - a pod of this node, the gateway, another node with `overlay.encap: direct`: the L2
 *    header is rewritten (the next hop's MAC, the port's MAC; a VLAN tag goes);
 *  - another node's pod CIDR: encapsulated towards the node's InternalIP, from this node's
 *    address, in VXLAN (RFC 7348), Geneve (RFC 8926) or IP-in-IP (RFC 2003). The UDP source
 *    port is a hash of the inner flow in 49152-65535 (RFC 7348 section 5), so that the
 *    fabric's ECMP and the receiver's RSS spread flows; the UDP checksum is zero (RFC 7348,
 *    as Linux sends it); the outer IPv4 checksum is left to the NIC when it offers it, else
 *    summed from a per-next-hop partial sum (three additions). The inner frame goes to the
 *    other node's VTEP MAC (flannel's Node annotation), else to the uplink's own MAC.
 *
 * Next hops whose MAC is not known go to pr_hold (the neighbour table's hold queue). A packet
 * longer than the next hop allows (the out port's MTU less the tunnel) goes to pr_icmp
 * (fragmentation needed, when DF is set) or to pr_frag. Cross-connected ports never come
 * here: their rx nodes feed the tx node of the other port directly.
 *
 * pr_hold: hands its packets to the control core (the neighbour table's hold ring).
 *
 * Edges: see enum output_edge, then one per port's tx node (src/worker.c adds them).
 */
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include "neigh.h"
#include "output.h"
#include "pipeline.h"
#include "ports.h"
#include "route_table.h"
#include "stage.h"

/* ---------------------------------------------------------------- worker side */

int
output_ctx_init(const struct rte_graph *graph, struct rte_node *node, uint16_t id_half)
{
	struct output_ctx *ctx = (struct output_ctx *)node->ctx;

	ctx->stats = pr_stage_stats_for_graph(graph);
	ctx->ip_id = (uint16_t)((pr_stage_txq_for_graph(graph) << 12) ^ id_half);
	return ctx->stats == NULL ? -ENOENT : 0;
}

static int
output_init(const struct rte_graph *graph, struct rte_node *node)
{
	return output_ctx_init(graph, node, 0);
}

static __rte_always_inline uint16_t
output_one(struct output_ctx *ctx, const struct route_lpm *rt, struct rte_mbuf *m)
{
	struct pr_md *md = pr_md(m);
	const struct route_nh *nh = route_nh(rt, md->nh);
	struct rte_ipv4_hdr *ip;
	uint32_t id;
	uint16_t l3;
	uint64_t w;

	if (nh->kind == ROUTE_NH_HOST) {
		md->drop = PR_DROP_OUTPUT_NO_HOST_PORT; /* read only if there is no host port */
		/* What goes to the host port; with none, the drop counts it instead. */
		ctx->stats->ctr[PR_CTR_OUTPUT_HOST] += out_cfg.host_edge != PR_EDGE_DROP;
		return out_cfg.host_edge;
	}
	if (unlikely(!nh->usable))
		return pr_drop(md, PR_DROP_OUTPUT_NO_NEIGHBOUR);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, md->l3_off);
	/*
	 * The L2 next hop's entry: the next hop's own, or (a local CIDR's destinations, or no
	 * entry was free when the next hop was made) found by address.
	 */
	id = nh->neigh;
	if (unlikely(id == NEIGH_NONE))
		id = neigh_find(out_cfg.neigh, output_l2_ip(nh, ip));
	w = likely(id != NEIGH_NONE) ? neigh_word(out_cfg.neigh, id) : 0;
	if (unlikely(!(w & NEIGH_W_VALID))) {
		md->arg = output_l2_ip(nh, ip);
		md->out_port = nh->port;
		return OUTPUT_EDGE_HOLD;
	}
	l3 = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(l3 > nh->max_l3)) {
		md->arg = nh->max_l3;
		if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) {
			md->drop = PR_DROP_OUTPUT_FRAG_NEEDED;
			return OUTPUT_EDGE_ICMP;
		}
		return OUTPUT_EDGE_FRAG;
	}
	return output_send(ctx, m, md, md->nh, nh, ip, l3, w, false) ? out_cfg.port[nh->port].edge :
							       PR_EDGE_DROP;
}

/* The edge of each packet of a burst (the node's work but the dispatch; benchmarks call it). */
static __rte_always_inline void
output_burst(struct output_ctx *ctx, void **objs, uint16_t n, uint16_t *next)
{
	const struct route_lpm *rt = out_cfg.rt;
	uint16_t i;

	for (i = 0; i < n; i++) /* the headers are in cache: parse read them */
		next[i] = output_one(ctx, rt, objs[i]);
}

static uint16_t
output_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t next[RTE_GRAPH_BURST_SIZE];

	output_burst((struct output_ctx *)node->ctx, objs, n, next);
	pr_stage_dispatch(graph, node, objs, next, n);
	return n;
}

static struct rte_node_register output_node = {
	.name = PR_NODE_OUTPUT,
	.process = output_process,
	.init = output_init,
	.nb_edges = OUTPUT_EDGE_COUNT,
	.next_nodes = {
		[OUTPUT_EDGE_DROP] = PR_NODE_DROP,
		[OUTPUT_EDGE_HOLD] = PR_NODE_HOLD,
		[OUTPUT_EDGE_ICMP] = PR_NODE_ICMP,
		[OUTPUT_EDGE_FRAG] = PR_NODE_FRAG,
	},
};
RTE_NODE_REGISTER(output_node);

/* ---------------------------------------------------------------- pr_hold */

static uint16_t
hold_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct pr_stats *st = pr_node_ctx(node)->stats;
	unsigned int k = rte_ring_mp_enqueue_burst(out_cfg.neigh->hold, objs, n, NULL);
	uint16_t i;

	st->ctr[PR_CTR_OUTPUT_HELD] += k;
	if (unlikely(k < n)) {
		for (i = (uint16_t)k; i < n; i++)
			pr_drop(pr_md(objs[i]), PR_DROP_OUTPUT_HOLD_RING_FULL);
		rte_node_enqueue(graph, node, PR_EDGE_DROP, &objs[k], n - k);
	}
	return n;
}

static struct rte_node_register hold_node = {
	.name = PR_NODE_HOLD,
	.process = hold_process,
	.init = pr_stage_init,
	.nb_edges = 1,
	.next_nodes = { [PR_EDGE_DROP] = PR_NODE_DROP },
};
RTE_NODE_REGISTER(hold_node);
