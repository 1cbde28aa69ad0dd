/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse's fast path (pipeline/parse.c), inline for the stages that parse a frame themselves
 * (decap, for the inner frame): the common case in one pass, the rest to parse_one()
 * through pr_parse_frame().
 */
#ifndef PR_PARSE_H
#define PR_PARSE_H

#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "counters.h"
#include "decap.h"
#include "stage.h"

/*
 * Whether a 20-byte IPv4 header's checksum is right: the ones' complement sum of its 16-bit
 * words is 0xffff, that is their plain sum is a multiple of 65535 (2^16 = 1 mod 65535; an
 * all-zero header, the other multiple, has no version 4). Summed in 64-bit words, in either
 * byte order; 2^64 = 1 mod 65535 too, so a carry out of 64 bits comes back in as 1.
 */
static __rte_always_inline bool
parse_cksum20_ok(const void *hdr)
{
	uint64_t a, b, sum;
	uint32_t e;

	memcpy(&a, hdr, sizeof(a));
	memcpy(&b, (const uint8_t *)hdr + 8, sizeof(b));
	memcpy(&e, (const uint8_t *)hdr + 16, sizeof(e));
	sum = a + b;
	sum += sum < a;
	sum += e;
	sum += sum < e;
	return sum % 0xffff == 0;
}

/*
 * What the fast path counted over a burst, added to the worker's counters once: four
 * counts in one word, so that a packet costs one addition. Each field has 16 bits, far more
 * than the packets of a burst (a burst's outer and inner frames: at most 2 x 256).
 */
struct parse_fast_ctr {
	/* packets taken (Ethernet, IPv4) | UDP << 16 | software sum << 32 | IP-in-IP << 48 */
	uint64_t v;
};

#define PARSE_FAST_UDP_SHIFT 16
#define PARSE_FAST_SW_SHIFT 32
#define PARSE_FAST_IPIP_SHIFT 48
#define PARSE_FAST_FIELD(v, shift) (((v) >> (shift)) & UINT16_MAX)

/*
 * The UDP ones of them, the IP-in-IP ones (parse's "other"), the rest TCP; those checksummed
 * in software (the others by the NIC).
 */
static __rte_always_inline void
parse_fast_count(struct pr_stats *st, const struct parse_fast_ctr *c)
{
	const uint64_t n = PARSE_FAST_FIELD(c->v, 0);
	const uint64_t udp = PARSE_FAST_FIELD(c->v, PARSE_FAST_UDP_SHIFT);
	const uint64_t sw = PARSE_FAST_FIELD(c->v, PARSE_FAST_SW_SHIFT);
	const uint64_t ipip = PARSE_FAST_FIELD(c->v, PARSE_FAST_IPIP_SHIFT);

	st->ctr[PR_CTR_PARSE_ETHERNET] += n;
	st->ctr[PR_CTR_PARSE_IPV4] += n;
	st->ctr[PR_CTR_PARSE_UDP] += udp;
	st->ctr[PR_CTR_PARSE_TCP] += n - udp - ipip;
	st->ctr[PR_CTR_PARSE_OTHER_L4] += ipip;
	st->ctr[PR_CTR_PARSE_CKSUM_SW] += sw;
	st->ctr[PR_CTR_PARSE_CKSUM_HW] += n - sw;
}

/*
 * The common case in one pass: untagged IPv4 without options, not a fragment, carrying UDP
 * or TCP, or IP-in-IP when decap takes it (overlay.ipip), its headers in the first segment.
 * The tests are those of parse_one() for that case, folded together; a packet that fails any of them (or is anything else) goes to
 * parse_one(), which finds the reason. Fills md as parse_one() and parse_edge() do and gives
 * the edge as parse_edge() does, or returns UINT16_MAX.
 */
static __rte_always_inline uint16_t
parse_fast(struct rte_mbuf *m, struct parse_fast_ctr *c)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const void *)(p + RTE_ETHER_HDR_LEN);
	const uint32_t l4 = RTE_ETHER_HDR_LEN + sizeof(*ip);
	struct pr_md *md = pr_md(m);
	uint64_t sw = 0, count; /* what c gets: one packet, of which kind */
	uint32_t tl;
	uint64_t ck;
	uint8_t tunnel;

	if (unlikely(m->data_len < l4 + sizeof(struct rte_udp_hdr) ||
		     ((const struct rte_ether_hdr *)p)->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
		     ip->version_ihl != RTE_IPV4_VHL_DEF ||
		     (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))))
		return UINT16_MAX;
	tl = pr_bswap16(ip->total_length);
	if (unlikely(tl < sizeof(*ip) + sizeof(struct rte_udp_hdr) ||
		     RTE_ETHER_HDR_LEN + tl > m->pkt_len))
		return UINT16_MAX;
	/* The NIC's verdict, unless it is about an inner header (parse_ipv4() says why). */
	ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (likely(ck == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN) ||
	    (m->packet_type & RTE_PTYPE_TUNNEL_MASK)) {
		if (unlikely(!parse_cksum20_ok(ip)))
			return UINT16_MAX;
		sw = 1;
	} else if (unlikely(ck == RTE_MBUF_F_RX_IP_CKSUM_BAD)) {
		return UINT16_MAX;
	}
	if (ip->next_proto_id == IPPROTO_UDP) {
		const struct rte_udp_hdr *uh = (const void *)(p + l4);
		uint32_t ul = pr_bswap16(uh->dgram_len);

		if (unlikely(ul < sizeof(*uh) || ul > tl - sizeof(*ip)))
			return UINT16_MAX;
		tunnel = decap_tables.udp_kind[pr_bswap16(uh->dst_port)];
		count = 1 + (UINT64_C(1) << PARSE_FAST_UDP_SHIFT);
	} else if (ip->next_proto_id == IPPROTO_TCP) {
		const struct rte_tcp_hdr *th = (const void *)(p + l4);
		uint32_t hl;

		if (unlikely(m->data_len < l4 + sizeof(*th)))
			return UINT16_MAX;
		hl = (uint32_t)(th->data_off >> 4) * 4;
		if (unlikely(hl < sizeof(*th) || hl > tl - sizeof(*ip) || l4 + hl > m->data_len))
			return UINT16_MAX;
		tunnel = DECAP_NONE;
		count = 1;
	} else if (ip->next_proto_id == IPPROTO_IPIP &&
		   decap_tables.proto_kind[IPPROTO_IPIP] == DECAP_IPIP) {
		/* For decap, which checks the inner header; otherwise parse_one()'s. */
		tunnel = DECAP_IPIP;
		count = 1 + (UINT64_C(1) << PARSE_FAST_IPIP_SHIFT);
	} else {
		return UINT16_MAX;
	}
	/* Counted only now: a packet declined above is counted by parse_one(). */
	c->v += count + (sw << PARSE_FAST_SW_SHIFT);
	md->l3_off = RTE_ETHER_HDR_LEN;
	md->l4_off = l4;
	md->l3 = PR_L3_IPV4;
	md->l4 = ip->next_proto_id;
	md->flags = 0;
	md->tunnel = tunnel;
	return md->tunnel != DECAP_NONE ? PR_EDGE_NEXT : PR_EDGE_L3;
}

/*
 * Whether md is what parse_fast() makes of a packet it takes: IPv4 right after an untagged
 * Ethernet header, no options, not a fragment, UDP or TCP (whoever parsed it).
 */
static __rte_always_inline bool
parse_md_plain(const struct pr_md *md)
{
	return md->l3 == PR_L3_IPV4 && md->l3_off == RTE_ETHER_HDR_LEN &&
	       md->l4_off == RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) && md->flags == 0 &&
	       (md->l4 == IPPROTO_UDP || md->l4 == IPPROTO_TCP);
}

#endif
