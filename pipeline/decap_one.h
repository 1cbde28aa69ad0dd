/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decap's work on one packet (pipeline/decap.c), inline for the decap node and for fast
 * (pipeline/fast.c), which decapsulates the common case without leaving its pass.
 */
#ifndef PR_DECAP_ONE_H
#define PR_DECAP_ONE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "decap.h"
#include "parse.h"
#include "stage.h"
#include "tables.h"

#define VXLAN_HDR_LEN 8
#define VXLAN_FLAG_I 0x08 /* RFC 7348: the VNI is valid */
#define GENEVE_HDR_LEN 8
#define GENEVE_PROTO_ETHER 0x6558
#define GENEVE_FLAG_C 0x40 /* critical options present: we process none (RFC 8926 3.5) */

/* Set once by decap_configure(), before any worker runs; read-only afterwards. */
struct decap_cfg {
	uint64_t vni_ok[(1u << 24) / 64]; /* a bit per VNI: accepted (all of them: any_vni) */
	bool require_known_node;
};
extern struct decap_cfg decap_cfg;

/* The counter of each UDP tunnel kind (decap_udp() takes VXLAN and Geneve only). */
static const uint16_t decap_kind_ctr[DECAP_IPIP] = {
	[DECAP_VXLAN] = PR_CTR_DECAP_VXLAN, [DECAP_GENEVE] = PR_CTR_DECAP_GENEVE,
};

/* One bit test: the VNI list (or "any") was turned into a bitmap by decap_configure(). */
static __rte_always_inline bool
decap_vni_ok(uint32_t vni)
{
	return (decap_cfg.vni_ok[vni / 64] >> (vni % 64)) & 1;
}

/*
 * A header that ends past `lim` (the end of the outer IP packet or of the first segment,
 * whichever comes first) is dropped: beyond the packet, a bad length; beyond the segment
 * only, as parse says of any header, not contiguous. Out of line (decap.c).
 */
uint16_t decap_short(struct pr_md *md, uint32_t end, uint32_t ip_end);

/*
 * Whether a filled outer UDP checksum is wrong: the NIC's verdict, else summed over the
 * segments. Out of line (decap.c): Linux and most senders leave it zero (RFC 7348).
 */
bool decap_udp_cksum_bad(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
			 uint16_t l4_off);

/*
 * The UDP tunnels: the offset of the inner Ethernet frame from the start of data, or a drop.
 * The outer IPv4 header (and its checksum) was checked by parse; a non-zero UDP checksum is
 * verified here (RFC 7348 lets senders leave it zero, as Linux does by default).
 */
static __rte_always_inline uint16_t
decap_udp(struct rte_mbuf *m, struct pr_md *md, const uint8_t *p, uint32_t ip_end,
	  enum decap_kind kind, uint32_t *inner)
{
	const struct rte_ipv4_hdr *ip = (const void *)(p + md->l3_off);
	const struct rte_udp_hdr *uh = (const void *)(p + md->l4_off);
	const uint8_t *t = p + md->l4_off + sizeof(*uh);
	uint32_t off = md->l4_off + sizeof(*uh), vni, hl;
	const uint32_t lim = RTE_MIN(ip_end, (uint32_t)m->data_len);

	if (unlikely(uh->dgram_cksum != 0) && decap_udp_cksum_bad(m, ip, md->l4_off))
		return pr_drop(md, PR_DROP_DECAP_BAD_CKSUM);
	/* Each kind's header and the inner Ethernet header, before anything of them is read. */
	if (kind == DECAP_VXLAN) {
		hl = VXLAN_HDR_LEN;
		if (unlikely(off + hl + RTE_ETHER_HDR_LEN > lim))
			return decap_short(md, off + hl + RTE_ETHER_HDR_LEN, ip_end);
		if (!(t[0] & VXLAN_FLAG_I))
			return pr_drop(md, PR_DROP_DECAP_BAD_HEADER);
	} else {
		if (unlikely(off + GENEVE_HDR_LEN > lim))
			return decap_short(md, off + GENEVE_HDR_LEN, ip_end);
		/* Version 0, Ethernet payload, no critical option we would have to understand. */
		if ((t[0] >> 6) != 0 || (t[1] & GENEVE_FLAG_C) ||
		    ((uint16_t)t[2] << 8 | t[3]) != GENEVE_PROTO_ETHER)
			return pr_drop(md, PR_DROP_DECAP_BAD_HEADER);
		hl = GENEVE_HDR_LEN + (uint32_t)(t[0] & 0x3f) * 4;
		if (unlikely(off + hl + RTE_ETHER_HDR_LEN > lim))
			return decap_short(md, off + hl + RTE_ETHER_HDR_LEN, ip_end);
	}
	memcpy(&vni, t + 4, sizeof(vni)); /* VNI, then a reserved byte */
	vni = rte_be_to_cpu_32(vni) >> 8;
	if (!decap_vni_ok(vni))
		return pr_drop(md, PR_DROP_DECAP_UNKNOWN_VNI);
	*inner = off + hl;
	return PR_EDGE_NEXT;
}

/*
 * Decapsulate one packet if it is ours to decapsulate; its edge. md->tunnel is parse's
 * classification (parse sends decap only IPv4 tunnel candidates). `known_only` is
 * overlay.require_known_node, a constant in each of decap_burst()'s two loops.
 */
static __rte_always_inline uint16_t
decap_one(struct pr_stats *st, const struct node_table *nodes, struct rte_mbuf *m,
	  struct parse_fast_ctr *fc, const bool known_only)
{
	struct pr_md *md = pr_md(m);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ipv4_hdr *ip;
	enum decap_kind kind = (enum decap_kind)md->tunnel;
	uint32_t ip_end, inner = 0;
	uint16_t edge;

	if (unlikely(md->l3 != PR_L3_IPV4 || kind == DECAP_NONE))
		return PR_EDGE_L3;
	ip = (const void *)(p + md->l3_off);
	/* Only what is addressed to us: anything else is transit, for the route stage. */
	if (!addr_set_has(&nodes->local_set, ip->dst_addr))
		return PR_EDGE_L3;
	if (known_only && !addr_set_has(&nodes->node_set, ip->src_addr))
		return pr_drop(md, PR_DROP_DECAP_UNKNOWN_NODE);
	/* The kernel would reassemble first; a router at line rate does not (docs/routing). */
	if (md->flags & PR_MD_F_FRAG)
		return pr_drop(md, PR_DROP_DECAP_FRAGMENT);
	ip_end = md->l3_off + pr_bswap16(ip->total_length);
	if (kind == DECAP_IPIP) {
		uint32_t hl = md->l4_off - md->l3_off;

		if (md->l4_off + sizeof(struct rte_ipv4_hdr) > ip_end)
			return pr_drop(md, PR_DROP_DECAP_BAD_LENGTH);
		/* Keep the outer Ethernet header (its type is IPv4 already): slide it inwards. */
		memmove(p + hl, p, md->l3_off);
		rte_pktmbuf_adj(m, (uint16_t)hl);
		ip_end -= hl;
		st->ctr[PR_CTR_DECAP_IPIP]++;
	} else {
		edge = decap_udp(m, md, p, ip_end, kind, &inner);
		if (edge != PR_EDGE_NEXT)
			return edge;
		rte_pktmbuf_adj(m, (uint16_t)inner);
		ip_end -= inner;
		st->ctr[decap_kind_ctr[kind]]++;
	}
	/* Whatever followed the outer IP packet (Ethernet padding) is not the inner frame's. */
	pr_trim_to_l3(m, 0, ip_end);
	/*
	 * What the NIC said about checksums is about the inner frame only if it saw the tunnel;
	 * then the inner frame is, for parse, a plain frame. Otherwise it said nothing about it.
	 */
	if (m->packet_type & RTE_PTYPE_TUNNEL_MASK)
		m->packet_type &= ~(uint32_t)RTE_PTYPE_TUNNEL_MASK;
	else
		m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
	if (likely(parse_fast(m, fc) != UINT16_MAX))
		return PR_EDGE_L3; /* tunnels do not nest */
	edge = pr_parse_frame(st, m);
	if (edge != PR_EDGE_NEXT)
		return edge;
	/*
	 * ARP inside a tunnel would be taken as ARP from the uplink's segment (to answer, to
	 * learn a MAC from): no CNI sends it, and a forged one could move the gateway. Dropped.
	 */
	if (unlikely(md->l3 == PR_L3_ARP))
		return pr_drop(md, PR_DROP_DECAP_INNER_ARP);
	return PR_EDGE_L3; /* tunnels do not nest */
}

#endif
