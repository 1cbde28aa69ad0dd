/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse: the first stage. Reads Ethernet (and one 802.1Q tag), ARP, IPv4 and the TCP, UDP,
 * ICMP or SCTP header behind it, checks every length against the buffer before reading, and
 * writes struct pr_md for the stages after it. Malformed packets are dropped with a reason;
 * ethertypes we do not look into (IPv6 for now) pass with l3 = PR_L3_NONE/IPV6 so that the
 * stage that knows what to do with them decides.
 *
 * RFC 1812 5.2.2: a router verifies the IPv4 header checksum; the NIC's verdict is used when
 * it gives one (GOOD or NONE: checked; BAD), software otherwise, and for packets the NIC saw
 * as tunnels (their flags are the inner header's).
 *
 * Headers must sit in the first segment (they always do with 2 KB mbufs and any real NIC);
 * a packet whose headers straddle segments is dropped as parse_headers_not_contiguous.
 *
 * The common case (untagged IPv4 without options, not a fragment, UDP or TCP) goes through
 * parse_fast() (parse.h) first; parse_one() takes the rest and finds any drop's reason.
 *
 * Edges: PR_EDGE_DROP; PR_EDGE_ARP (ARP), PR_EDGE_NEXT (a tunnel candidate, to decap, its kind
 * in md->tunnel), PR_EDGE_L3 (anything else, to route). Cost: see docs/benchmarks.md.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_icmp.h>
#include <rte_sctp.h>

#include "decap.h"
#include "parse.h"
#include "pipeline.h"
#include "stage.h"

/* RFC 1812 5.2.2: the header checksum, of a header of hl bytes (20 nearly always). */
static __rte_always_inline bool
parse_ipv4_cksum_ok(const void *hdr, uint32_t hl)
{
	if (likely(hl == sizeof(struct rte_ipv4_hdr)))
		return parse_cksum20_ok(hdr);
	return rte_raw_cksum(hdr, hl) == 0xffff;
}

/* A header ending at `end` is not in the first segment: truncated, or just not contiguous. */
static __rte_always_inline uint16_t
parse_short(const struct rte_mbuf *m, struct pr_md *md, uint32_t end, enum pr_drop reason)
{
	return pr_drop(md, end <= m->pkt_len ? PR_DROP_PARSE_SEGMENTED : reason);
}

/* L4 header of an unfragmented packet or a first fragment; `end` is where the IP payload ends. */
static __rte_always_inline uint16_t
parse_l4(struct pr_stats *st, const struct rte_mbuf *m, struct pr_md *md, const uint8_t *p,
	 uint32_t end)
{
	uint32_t off = md->l4_off;

	switch (md->l4) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *th = (const void *)(p + off);
		uint32_t hl;

		if (off + sizeof(*th) > end)
			return pr_drop(md, PR_DROP_PARSE_TCP_TRUNCATED);
		if (off + sizeof(*th) > m->data_len)
			return parse_short(m, md, off + sizeof(*th), PR_DROP_PARSE_TCP_TRUNCATED);
		hl = (uint32_t)(th->data_off >> 4) * 4;
		if (hl < sizeof(*th))
			return pr_drop(md, PR_DROP_PARSE_TCP_BAD_OFFSET);
		if (off + hl > end)
			return pr_drop(md, PR_DROP_PARSE_TCP_TRUNCATED);
		if (off + hl > m->data_len)
			return parse_short(m, md, off + hl, PR_DROP_PARSE_TCP_TRUNCATED);
		st->ctr[PR_CTR_PARSE_TCP]++;
		return PR_EDGE_NEXT;
	}
	case IPPROTO_UDP: {
		const struct rte_udp_hdr *uh = (const void *)(p + off);
		uint32_t ul;

		if (off + sizeof(*uh) > end)
			return pr_drop(md, PR_DROP_PARSE_UDP_TRUNCATED);
		if (off + sizeof(*uh) > m->data_len)
			return parse_short(m, md, off + sizeof(*uh), PR_DROP_PARSE_UDP_TRUNCATED);
		ul = rte_be_to_cpu_16(uh->dgram_len);
		/* A fragmented datagram's length covers all fragments: check it only when whole. */
		if (ul < sizeof(*uh) || (!(md->flags & PR_MD_F_FRAG) && off + ul > end))
			return pr_drop(md, PR_DROP_PARSE_UDP_BAD_LENGTH);
		st->ctr[PR_CTR_PARSE_UDP]++;
		return PR_EDGE_NEXT;
	}
	case IPPROTO_ICMP:
		if (off + sizeof(struct rte_icmp_hdr) > end)
			return pr_drop(md, PR_DROP_PARSE_ICMP_TRUNCATED);
		if (off + sizeof(struct rte_icmp_hdr) > m->data_len)
			return parse_short(m, md, off + sizeof(struct rte_icmp_hdr),
					   PR_DROP_PARSE_ICMP_TRUNCATED);
		st->ctr[PR_CTR_PARSE_ICMP]++;
		return PR_EDGE_NEXT;
	case IPPROTO_SCTP:
		if (off + sizeof(struct rte_sctp_hdr) > end)
			return pr_drop(md, PR_DROP_PARSE_SCTP_TRUNCATED);
		if (off + sizeof(struct rte_sctp_hdr) > m->data_len)
			return parse_short(m, md, off + sizeof(struct rte_sctp_hdr),
					   PR_DROP_PARSE_SCTP_TRUNCATED);
		st->ctr[PR_CTR_PARSE_SCTP]++;
		return PR_EDGE_NEXT;
	default:
		st->ctr[PR_CTR_PARSE_OTHER_L4]++;
		return PR_EDGE_NEXT;
	}
}

static __rte_always_inline uint16_t
parse_ipv4(struct pr_stats *st, const struct rte_mbuf *m, struct pr_md *md, const uint8_t *p)
{
	const uint32_t off = md->l3_off;
	const struct rte_ipv4_hdr *ip = (const void *)(p + off);
	uint32_t hl, tl;
	uint16_t frag;

	if (off + sizeof(*ip) > m->data_len)
		return parse_short(m, md, off + sizeof(*ip), PR_DROP_PARSE_IPV4_TRUNCATED);
	if ((ip->version_ihl >> 4) != 4)
		return pr_drop(md, PR_DROP_PARSE_IPV4_BAD_VERSION);
	hl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	if (hl < sizeof(*ip))
		return pr_drop(md, PR_DROP_PARSE_IPV4_BAD_IHL);
	if (off + hl > m->data_len)
		return parse_short(m, md, off + hl, PR_DROP_PARSE_IPV4_TRUNCATED);
	/* Shorter than its header, or longer than what arrived: the header lies (RFC 1812 5.2.2). */
	tl = rte_be_to_cpu_16(ip->total_length);
	if (tl < hl || off + tl > m->pkt_len)
		return pr_drop(md, PR_DROP_PARSE_IPV4_BAD_LENGTH);

	/*
	 * The NIC's verdict, when it gave one about this header: for a packet it saw as a tunnel,
	 * its IP flags are the inner header's (decap hands them on), so the outer one is summed.
	 */
	switch (m->packet_type & RTE_PTYPE_TUNNEL_MASK ? RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN :
		m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
	case RTE_MBUF_F_RX_IP_CKSUM_NONE: /* the NIC checked the header; the sum is not filled */
		st->ctr[PR_CTR_PARSE_CKSUM_HW]++;
		break;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		return pr_drop(md, PR_DROP_PARSE_IPV4_BAD_CKSUM);
	default:
		if (!parse_ipv4_cksum_ok(ip, hl))
			return pr_drop(md, PR_DROP_PARSE_IPV4_BAD_CKSUM);
		st->ctr[PR_CTR_PARSE_CKSUM_SW]++;
		break;
	}

	st->ctr[PR_CTR_PARSE_IPV4]++;
	md->l3 = PR_L3_IPV4;
	md->l4 = ip->next_proto_id;
	md->l4_off = (uint16_t)(off + hl);
	frag = rte_be_to_cpu_16(ip->fragment_offset);
	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		st->ctr[PR_CTR_PARSE_IPV4_FRAG]++;
		md->flags |= PR_MD_F_FRAG;
		if (frag & RTE_IPV4_HDR_OFFSET_MASK) {
			/* Only the first fragment carries the transport header. */
			md->flags |= PR_MD_F_LATER_FRAG;
			return PR_EDGE_NEXT;
		}
	}
	return parse_l4(st, m, md, p, off + tl);
}

static __rte_always_inline uint16_t
parse_arp(struct pr_stats *st, const struct rte_mbuf *m, struct pr_md *md, const uint8_t *p)
{
	const struct rte_arp_hdr *arp = (const void *)(p + md->l3_off);

	if (md->l3_off + sizeof(*arp) > m->data_len)
		return parse_short(m, md, md->l3_off + sizeof(*arp), PR_DROP_PARSE_ARP_TRUNCATED);
	/* Only Ethernet/IPv4 ARP (RFC 826 with hln 6, pln 4) is meaningful to us. */
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(rte_be32_t))
		return pr_drop(md, PR_DROP_PARSE_ARP_UNSUPPORTED);
	st->ctr[PR_CTR_PARSE_ARP]++;
	md->l3 = PR_L3_ARP;
	return PR_EDGE_NEXT;
}

/* Parse one packet; fills md and returns its edge. */
static __rte_always_inline uint16_t
parse_one(struct pr_stats *st, struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct pr_md *md = pr_md(m);
	const struct rte_ether_hdr *eth = (const void *)p;
	uint16_t type;

	md->l3 = PR_L3_NONE;
	md->l4 = 0;
	md->flags = 0;
	if (unlikely(m->data_len < sizeof(*eth)))
		return parse_short(m, md, sizeof(*eth), PR_DROP_PARSE_L2_TRUNCATED);
	st->ctr[PR_CTR_PARSE_ETHERNET]++;
	type = eth->ether_type;
	md->l3_off = sizeof(*eth);
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const void *)(eth + 1);

		if (m->data_len < sizeof(*eth) + sizeof(*vh))
			return parse_short(m, md, sizeof(*eth) + sizeof(*vh),
					   PR_DROP_PARSE_L2_TRUNCATED);
		type = vh->eth_proto;
		if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ))
			return pr_drop(md, PR_DROP_PARSE_VLAN_NESTED);
		md->vlan_tci = rte_be_to_cpu_16(vh->vlan_tci);
		md->flags = PR_MD_F_VLAN;
		md->l3_off += sizeof(*vh);
		st->ctr[PR_CTR_PARSE_VLAN]++;
	}

	switch (type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return parse_ipv4(st, m, md, p);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return parse_arp(st, m, md, p);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		st->ctr[PR_CTR_PARSE_IPV6]++;
		md->l3 = PR_L3_IPV6;
		return PR_EDGE_NEXT;
	default:
		st->ctr[PR_CTR_PARSE_OTHER_L3]++;
		return PR_EDGE_NEXT;
	}
}

/*
 * Where a parsed packet goes: ARP to arp, a tunnel candidate to decap (PR_EDGE_NEXT), any
 * other packet straight to the L3 stages; the stages in between have nothing to do with it.
 */
static __rte_always_inline uint16_t
parse_edge(struct rte_mbuf *m)
{
	struct pr_md *md = pr_md(m);

	if (md->l3 == PR_L3_ARP)
		return PR_EDGE_ARP;
	if (md->l3 != PR_L3_IPV4)
		return PR_EDGE_L3;
	md->tunnel = decap_classify(md, rte_pktmbuf_mtod(m, const uint8_t *));
	return md->tunnel != DECAP_NONE ? PR_EDGE_NEXT : PR_EDGE_L3;
}

/* The edge of each packet of a burst (the node's work but the dispatch; benchmarks call it). */
static __rte_always_inline void
parse_burst(struct pr_stats *st, void **objs, uint16_t n, uint16_t *next)
{
	struct parse_fast_ctr c = { 0 };
	uint16_t i;

	for (i = 0; i < n; i++) {
		next[i] = parse_fast(objs[i], &c);
		if (likely(next[i] != UINT16_MAX))
			continue;
		next[i] = parse_one(st, objs[i]);
		if (likely(next[i] == PR_EDGE_NEXT))
			next[i] = parse_edge(objs[i]);
	}
	parse_fast_count(st, &c);
}

static uint16_t
parse_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t next[RTE_GRAPH_BURST_SIZE];

	parse_burst(pr_node_ctx(node)->stats, objs, n, next);
	pr_stage_dispatch(graph, node, objs, next, n);
	return n;
}

static struct rte_node_register parse_node = {
	.name = PR_NODE_PARSE,
	.process = parse_process,
	.init = pr_stage_init,
	.nb_edges = PR_EARLY_EDGE_COUNT,
	.next_nodes = {
		/* The next stages: src/worker.c points these at them; drop until it does. */
		[PR_EDGE_DROP] = PR_NODE_DROP,
		[PR_EDGE_NEXT] = PR_NODE_DROP,
		[PR_EDGE_ARP] = PR_NODE_DROP,
		[PR_EDGE_L3] = PR_NODE_DROP,
	},
};
RTE_NODE_REGISTER(parse_node);

/*
 * The same for an inner frame, from decap (one parser for outer and inner headers), once
 * decap's inline parse_fast() has declined it.
 */
uint16_t
pr_parse_frame(struct pr_stats *st, struct rte_mbuf *m)
{
	return parse_one(st, m);
}
