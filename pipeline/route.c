/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route: longest-prefix match on the destination of each IPv4 packet, in bulk over the burst
 * (rte_lpm, pipeline/route_table.c, updated in place under RCU by the control core). The
 * next hop says where the packet goes: a pod of this node, this node's pod CIDR, another
 * node's pod CIDR (through the overlay), the router itself (the host path), the default
 * route. The TTL is decremented for forwarded packets, the header checksum updated
 * incrementally (RFC 1624); a packet whose TTL would reach 0 is dropped (RFC 1812 5.3.1; the
 * ICMP time exceeded comes with the ICMP generator). Not IPv4: dropped (IPv6 comes later).
 *
 * Writes md->nh for output. Edges: PR_EDGE_DROP, PR_EDGE_NEXT. Cost: docs/benchmarks.md.
 */
#include <rte_ip.h>

#include "stage.h"
#include "pipeline.h"
#include "route_table.h"

/*
 * Set once before the workers start (workers_init() refuses to build graphs without it); the
 * table behind it changes in place under RCU.
 */
static const struct route_lpm *route_live;

void
route_configure(const struct route_lpm *lpm)
{
	route_live = lpm;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for the 16-bit word holding TTL and protocol. */
static __rte_always_inline void
route_ttl_dec(struct rte_ipv4_hdr *ip)
{
	uint16_t old = (uint16_t)(ip->time_to_live << 8 | ip->next_proto_id);
	uint32_t sum;

	ip->time_to_live--;
	sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum) + (uint16_t)~old +
	      (uint16_t)(old - 0x0100);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

static const uint16_t route_kind_ctr[ROUTE_NH_KIND_COUNT] = {
	[ROUTE_NH_LOCAL_CIDR] = PR_CTR_ROUTE_LOCAL_CIDR,
	[ROUTE_NH_LOCAL_POD] = PR_CTR_ROUTE_LOCAL_POD,
	[ROUTE_NH_REMOTE_NODE] = PR_CTR_ROUTE_REMOTE,
	[ROUTE_NH_HOST] = PR_CTR_ROUTE_HOST,
	[ROUTE_NH_DEFAULT] = PR_CTR_ROUTE_DEFAULT,
};

static __rte_always_inline uint16_t
route_one(struct pr_stats *st, const struct route_lpm *rt, struct rte_mbuf *m, uint32_t nh)
{
	struct pr_md *md = pr_md(m);
	struct rte_ipv4_hdr *ip;
	uint8_t kind;

	if (nh == ROUTE_NH_NONE)
		return pr_drop(md, PR_DROP_ROUTE_NO_ROUTE);
	kind = route_nh(rt, nh)->kind;
	md->nh = nh;
	if (kind != ROUTE_NH_HOST) { /* for us: not forwarded, the TTL stays */
		ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, md->l3_off);
		if (ip->time_to_live <= 1)
			return pr_drop(md, PR_DROP_ROUTE_TTL_EXPIRED);
		route_ttl_dec(ip);
	}
	st->ctr[route_kind_ctr[kind]]++;
	return PR_EDGE_NEXT;
}

static uint16_t
route_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	const struct route_lpm *rt = route_live;
	struct pr_stats *st = pr_node_ctx(node)->stats;
	uint16_t next[RTE_GRAPH_BURST_SIZE], idx[RTE_GRAPH_BURST_SIZE];
	uint32_t dst[RTE_GRAPH_BURST_SIZE], nh[RTE_GRAPH_BURST_SIZE];
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct pr_md *md = pr_md(m);

		if (unlikely(md->l3 != PR_L3_IPV4)) {
			next[i] = pr_drop(md, PR_DROP_ROUTE_NOT_IPV4);
			continue;
		}
		dst[k] = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, md->l3_off)->dst_addr;
		idx[k++] = i;
	}
	if (k > 0)
		route_lookup_bulk(rt, dst, nh, k);
	for (i = 0; i < k; i++)
		next[idx[i]] = route_one(st, rt, objs[idx[i]], nh[i]);
	pr_stage_dispatch(graph, node, objs, next, n);
	return n;
}

static struct rte_node_register route_node = {
	.name = PR_NODE_ROUTE,
	.process = route_process,
	.init = pr_stage_init,
	.nb_edges = PR_EDGE_COUNT,
	.next_nodes = {
		[PR_EDGE_DROP] = PR_NODE_DROP,
		[PR_EDGE_NEXT] = PR_NODE_OUTPUT,
	},
};
RTE_NODE_REGISTER(route_node);
