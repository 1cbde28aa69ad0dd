/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route: longest-prefix match on the destination of each IPv4 packet, in bulk over the burst
 * (rte_lpm, pipeline/route_table.c, updated in place under RCU by the control core). The
 * next hop says where the packet goes: a pod of this node, this node's pod CIDR, another
 * node's pod CIDR (through the overlay), the router itself (the host path), the default
 * route. The TTL is decremented for forwarded packets, the header checksum updated
 * incrementally (RFC 1624); a packet whose TTL would reach 0 goes to pr_icmp, which answers
 * with time exceeded (RFC 1812 5.3.1). Packets the router made or routed once already
 * (PR_MD_F_ROUTED: held for a neighbour, fragments, ICMP errors) keep their TTL. Not IPv4:
 * dropped (IPv6 comes later). Its common case runs inline in pr_fast (pipeline/fast.c).
 *
 * Anti-spoofing (Calico's RPF check): a packet from a pod-facing port must come from a pod
 * of this node behind that port; its source is looked up in the same table, in bulk, and
 * anything else is dropped as route_spoofed_source.
 *
 * Writes md->nh for output. Edges: enum route_edge. Cost: docs/benchmarks.md.
 */
#include <string.h>

#include <rte_ip.h>

#include "config.h"
#include "stage.h"
#include "pipeline.h"
#include "ports.h"
#include "route.h"
#include "route_table.h"

enum route_edge {
	ROUTE_EDGE_DROP = PR_EDGE_DROP,
	ROUTE_EDGE_NEXT = PR_EDGE_NEXT,
	ROUTE_EDGE_ICMP, /* TTL expired: answered with time exceeded */
	ROUTE_EDGE_COUNT,
};

/*
 * Set once before the workers start (workers_init() refuses to build graphs without it); the
 * table behind it changes in place under RCU.
 */
static const struct route_lpm *route_live;
uint8_t route_rpf[RTE_MAX_ETHPORTS];

void
route_configure(const struct pr_config *cfg, const struct route_lpm *lpm)
{
	unsigned int i;

	route_live = lpm;
	for (i = 0; i < pr_nb_ports; i++)
		route_rpf[pr_ports[i].port_id] =
			cfg->y->ports[i].role == PR_ROLE_PODS ? PR_MD_F_ROUTED : 0;
}

/*
 * One packet (ip: its IPv4 header, NULL when it is not IPv4): martians, no route and
 * spoofed sources dropped, TTL. Its edge.
 */
static __rte_always_inline uint16_t
route_one(const struct route_lpm *rt, struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint32_t nh,
	  bool spoofed, uint32_t *count)
{
	struct pr_md *md = pr_md(m);
	uint8_t kind;

	if (unlikely(ip == NULL))
		return pr_drop(md, PR_DROP_ROUTE_NOT_IPV4);
	if (unlikely(pr_ipv4_martian(ip->dst_addr) | pr_ipv4_martian(ip->src_addr)))
		return pr_drop(md, PR_DROP_ROUTE_MARTIAN);
	if (unlikely(nh == ROUTE_NH_NONE))
		return pr_drop(md, PR_DROP_ROUTE_NO_ROUTE);
	if (unlikely(spoofed)) /* before anything is answered to that source */
		return pr_drop(md, PR_DROP_ROUTE_SPOOFED);
	kind = route_nh(rt, nh)->kind;
	md->nh = nh;
	/* Made or already routed by us: not forwarded again, the TTL stays, counted once. */
	if (unlikely(md->flags & PR_MD_F_ROUTED))
		return PR_EDGE_NEXT;
	/* For us: not forwarded, the TTL stays. */
	if (likely(kind != ROUTE_NH_HOST)) {
		if (unlikely(ip->time_to_live <= 1)) {
			md->drop = PR_DROP_ROUTE_TTL_EXPIRED;
			return ROUTE_EDGE_ICMP;
		}
		route_ttl_dec(ip);
	}
	count[kind]++;
	return PR_EDGE_NEXT;
}

/*
 * Four packets (k of them real; the rest of the group is looked up as 0.0.0.0 and left
 * alone): destinations in one vector lookup, and, when one of them came from a pod-facing
 * port, sources in another.
 */
static __rte_always_inline void
route_x4(const struct route_lpm *rt, void **objs, uint16_t k, uint16_t *next, uint32_t dflt,
	 uint32_t *count)
{
	struct rte_ipv4_hdr *ip[4] = { NULL, NULL, NULL, NULL };
	uint32_t dst[4] = { 0 }, src[4] = { 0 }, nh[4], snh[4];
	bool check[4] = { false }, any = false;
	uint16_t j;

	/* Unrolled, so that the addresses reach the vector lookup from registers (fast.c). */
#pragma GCC unroll 4
	for (j = 0; j < k; j++) {
		struct rte_mbuf *m = objs[j];
		const struct pr_md *md = pr_md(m);

		if (unlikely(md->l3 != PR_L3_IPV4)) /* route_one drops it */
			continue;
		ip[j] = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, md->l3_off);
		check[j] = route_gather(ip[j], md->flags, m->port, &dst[j], &src[j]);
		any |= check[j];
	}
	route_lookup4(rt, dst[0], dst[1], dst[2], dst[3], nh, dflt);
	if (likely(!any)) {
		for (j = 0; j < k; j++)
			next[j] = route_one(rt, objs[j], ip[j], nh[j], false, count);
		return;
	}
	route_lookup4(rt, src[0], src[1], src[2], src[3], snh, ROUTE_NH_NONE);
	for (j = 0; j < k; j++)
		next[j] = route_one(rt, objs[j], ip[j], nh[j],
				    check[j] && route_spoofed(rt, objs[j], snh[j]), count);
}

/* The edge of each packet of a burst (the node's work but the dispatch; benchmarks call it). */
static __rte_always_inline void
route_burst(struct pr_stats *st, void **objs, uint16_t n, uint16_t *next)
{
	const struct route_lpm *rt = route_live;
	const uint32_t dflt = route_default(rt);
	uint32_t count[ROUTE_NH_KIND_COUNT] = { 0 };
	uint16_t i;

	for (i = 0; i + 4 <= n; i += 4)
		route_x4(rt, &objs[i], 4, &next[i], dflt, count);
	if (i < n)
		route_x4(rt, &objs[i], n - i, &next[i], dflt, count);
	for (i = 0; i < ROUTE_NH_KIND_COUNT; i++)
		st->ctr[route_kind_ctr[i]] += count[i];
}

static uint16_t
route_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t next[RTE_GRAPH_BURST_SIZE];

	route_burst(pr_node_ctx(node)->stats, objs, n, next);
	pr_stage_dispatch(graph, node, objs, next, n);
	return n;
}

static struct rte_node_register route_node = {
	.name = PR_NODE_ROUTE,
	.process = route_process,
	.init = pr_stage_init,
	.nb_edges = ROUTE_EDGE_COUNT,
	.next_nodes = {
		[ROUTE_EDGE_DROP] = PR_NODE_DROP,
		[ROUTE_EDGE_NEXT] = PR_NODE_DROP, /* src/worker.c points it at the next stage */
		[ROUTE_EDGE_ICMP] = PR_NODE_ICMP,
	},
};
RTE_NODE_REGISTER(route_node);
