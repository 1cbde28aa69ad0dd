/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fast: the common case of parse, decap, route and output in one pass, between rx and parse.
 *
 * A packet that each of those stages would take on its common path (parse_fast(): untagged
 * IPv4 without options, UDP or TCP; a VXLAN, Geneve or IP-in-IP tunnel for us decapsulated
 * as decap does it, its inner frame through parse_fast() too; a route to a next hop that is
 * not the router itself, no martian, a good source, TTL above 1; a resolved neighbour and a
 * packet short enough to leave whole) is handled here by the stages' own inline code (parse.h, decap_one.h,
 * route.h, output.h), and goes straight to the tx node of its port. Any other packet leaves
 * for the stage where the common path ends, with what was done to it so far, exactly as that
 * stage would have received it from the stage before:
 *
 *   parse   untouched (parse_fast() declined it: parse_one() finds out what it is)
 *   decap   parsed: a tunnel candidate, before the first node table is published
 *   route   parsed, or decapsulated and its inner frame parsed (no route, martian, spoofed
 *           source, TTL expiring, for the router; an inner frame parse_fast() did not take)
 *   output  parsed and routed, TTL decremented (no neighbour yet, too long, no MAC entry)
 *   drop    what decap drops, with its reason; no headroom for the headers (output's)
 *
 * So the stages still decide everything that is not the common case, each counter moves as
 * it would have, and the common case costs one node instead of three or four: no metadata
 * written by one stage to be read back by the next, no per-stage edge arrays and dispatch, one
 * graph node call per burst. Measured in docs/benchmarks.md; why a node of our
 * own beside the stages: docs/architecture.md. Stages added between parse and output later
 * (DNAT, ACL) take their packets from here too: fast must then send on what they would
 * change (a Service address, a flow without a verdict) to them.
 *
 * Edges: enum fast_edge, then one per port's tx node (src/worker.c adds them).
 */
#include <rte_ip.h>

#include "decap_one.h"
#include "neigh.h"
#include "output.h"
#include "parse.h"
#include "pipeline.h"
#include "route.h"
#include "route_table.h"
#include "stage.h"
#include "tables.h"

enum fast_edge {
	FAST_EDGE_DROP = PR_EDGE_DROP, /* no headroom for the headers (output's reason) */
	FAST_EDGE_PARSE = PR_EDGE_NEXT,
	FAST_EDGE_DECAP,
	FAST_EDGE_ROUTE,
	FAST_EDGE_OUTPUT,
	FAST_EDGE_COUNT,
};

/* fast's edge to the tx node of each port; set before the workers start. */
static uint16_t fast_tx_edge[RTE_MAX_ETHPORTS];

/* The outer IPv4 id: the other half of the worker's range from output's. */
static int
fast_init(const struct rte_graph *graph, struct rte_node *node)
{
	return output_ctx_init(graph, node, 0x8000);
}

/*
 * One packet parse_fast() took as plain IP, or decap_one() decapsulated and parse_fast()
 * took (its IPv4 header at ip, right after its Ethernet header), whose destination's next
 * hop is id: routed and sent, or handed to the stage that takes over (see above).
 * `spoofed`: its source failed the pod-port check.
 */
static __rte_always_inline uint16_t
fast_one(struct output_ctx *ctx, const struct route_lpm *rt, struct rte_mbuf *m,
	 struct rte_ipv4_hdr *ip, uint32_t id, bool spoofed)
{
	struct pr_md *md = pr_md(m);
	const struct route_nh *nh;
	uint64_t w;
	uint16_t l3;

	/* route's other cases: it finds which. */
	if (unlikely(id == ROUTE_NH_NONE || spoofed ||
		     (pr_ipv4_martian(ip->dst_addr) | pr_ipv4_martian(ip->src_addr))))
		return FAST_EDGE_ROUTE;
	nh = route_nh(rt, id);
	/* The host's next hops and those output must look up per packet are route's too. */
	if (unlikely(!nh->fast || ip->time_to_live <= 1))
		return FAST_EDGE_ROUTE;
	/* Routed, as route does it. */
	route_ttl_dec(ip);
	ctx->stats->ctr[nh->route_ctr]++;
	/* output's other cases: it finds which. */
	w = neigh_word(out_cfg.neigh, nh->neigh);
	l3 = pr_bswap16(ip->total_length);
	if (unlikely(!(w & NEIGH_W_VALID) || l3 > nh->max_l3)) {
		md->nh = id;
		return FAST_EDGE_OUTPUT;
	}
	return output_send(ctx, m, md, id, nh, ip, l3, w, true) ? fast_tx_edge[nh->port] : FAST_EDGE_DROP;
}

/*
 * Up to four packets (k): parsed, their destinations (and, for packets from pod-facing
 * ports, sources) looked up in one vector lookup each, then each routed and sent.
 */
static __rte_always_inline void
fast_x4(struct output_ctx *ctx, const struct route_lpm *rt, const struct node_table *nodes,
	void **objs, uint16_t k, uint16_t *next, uint32_t dflt, struct parse_fast_ctr *pc,
	const bool known_only)
{
	struct rte_ipv4_hdr *ip[4] = { NULL, NULL, NULL, NULL };
	uint32_t dst[4] = { 0 }, src[4] = { 0 }, nh[4], snh[4];
	bool check[4] = { false }, any = false;
	uint16_t j;

	/*
	 * Unrolled (k is 4 but in the burst's tail), so that the addresses stay in registers on
	 * their way into the vector lookup: a vector load of four just-stored words would wait
	 * for the stores to retire.
	 */
#pragma GCC unroll 4
	for (j = 0; j < k; j++) {
		struct rte_mbuf *m = objs[j];
		uint16_t e = parse_fast(m, pc);
		uint8_t flags = 0;

		if (unlikely(e != PR_EDGE_L3)) {
			if (e != PR_EDGE_NEXT) {
				next[j] = FAST_EDGE_PARSE;
				continue;
			}
			/* A tunnel candidate: decap's work as its node does it, then on to route. */
			if (unlikely(nodes == NULL)) {
				next[j] = FAST_EDGE_DECAP;
				continue;
			}
			if (decap_one(ctx->stats, nodes, m, pc, known_only) != PR_EDGE_L3) {
				next[j] = FAST_EDGE_DROP;
				continue;
			}
			/*
			 * An inner frame parse_fast() did not take (a VLAN tag, IP options, a
			 * fragment, ICMP...) goes the stages' way: fast's code takes the
			 * metadata parse_fast() writes for granted (output_send()'s `plain`).
			 */
			if (unlikely(!parse_md_plain(pr_md(m)))) {
				next[j] = FAST_EDGE_ROUTE;
				continue;
			}
			flags = pr_md(m)->flags;
		}
		ip[j] = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
		check[j] = route_gather(ip[j], flags, m->port, &dst[j], &src[j]);
		any |= check[j];
	}
	route_lookup4(rt, dst[0], dst[1], dst[2], dst[3], nh, dflt);
	if (any)
		route_lookup4(rt, src[0], src[1], src[2], src[3], snh, ROUTE_NH_NONE);
	for (j = 0; j < k; j++) /* not unrolled: the larger loop runs slower (docs/benchmarks.md) */
		if (ip[j] != NULL)
			next[j] = fast_one(ctx, rt, objs[j], ip[j], nh[j],
					   check[j] && route_spoofed(rt, objs[j], snh[j]));
}

/* fast_burst() with overlay.require_known_node a constant: four packets a step. */
static __rte_always_inline void
fast_loop(struct output_ctx *ctx, const struct node_table *nodes, void **objs, uint16_t n,
	  uint16_t *next, const bool known_only)
{
	const struct route_lpm *rt = out_cfg.rt;
	const uint32_t dflt = route_default(rt);
	struct parse_fast_ctr pc = { 0 };
	uint16_t i;

	for (i = 0; i + 4 <= n; i += 4)
		fast_x4(ctx, rt, nodes, &objs[i], 4, &next[i], dflt, &pc, known_only);
	if (i < n)
		fast_x4(ctx, rt, nodes, &objs[i], n - i, &next[i], dflt, &pc, known_only);
	parse_fast_count(ctx->stats, &pc);
}

/*
 * The edge of each packet of a burst (the node's work but the dispatch; benchmarks call it).
 * nodes: the published node table, for decap (NULL: none yet; the decap node then says
 * what is ours). overlay.require_known_node is a constant in each of the two loops.
 */
static __rte_always_inline void
fast_burst(struct output_ctx *ctx, const struct node_table *nodes, void **objs, uint16_t n,
	   uint16_t *next)
{
	if (decap_cfg.require_known_node)
		fast_loop(ctx, nodes, objs, n, next, true);
	else
		fast_loop(ctx, nodes, objs, n, next, false);
}

static uint16_t
fast_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	const struct pr_tables *t = __atomic_load_n(&pr_tables_live, __ATOMIC_ACQUIRE);
	uint16_t next[RTE_GRAPH_BURST_SIZE];

	fast_burst((struct output_ctx *)node->ctx, t != NULL ? t->nodes : NULL, objs, n, next);
	pr_stage_dispatch(graph, node, objs, next, n);
	return n;
}

static struct rte_node_register fast_node = {
	.name = PR_NODE_FAST,
	.process = fast_process,
	.init = fast_init,
	.nb_edges = FAST_EDGE_COUNT,
	.next_nodes = {
		[FAST_EDGE_DROP] = PR_NODE_DROP,
		[FAST_EDGE_PARSE] = PR_NODE_PARSE,
		[FAST_EDGE_DECAP] = PR_NODE_DECAP,
		[FAST_EDGE_ROUTE] = PR_NODE_ROUTE,
		[FAST_EDGE_OUTPUT] = PR_NODE_OUTPUT,
	},
};
RTE_NODE_REGISTER(fast_node);

int
fast_add_port(uint16_t port, const char *tx_node)
{
	return pr_node_add_tx_edge(PR_NODE_FAST, tx_node, &fast_tx_edge[port]);
}
