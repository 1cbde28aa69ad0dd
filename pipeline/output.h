/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What output (the worker side, output.c) and its next hops' adjacency (the control side,
 * output_adj.c) share: each port's entry, the tunnels' header templates, the settings.
 */
#ifndef PR_OUTPUT_H
#define PR_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include "route_table.h"
#include "stage.h"

#define OUTPUT_VXLAN_LEN 8
#define OUTPUT_GENEVE_LEN 8
#define OUTPUT_TTL 64
#define OUTPUT_SPORT_BASE 49152 /* RFC 7348 5: the dynamic/private range */
#define OUTPUT_SPORT_MASK 0x3fff

enum output_edge {
	OUTPUT_EDGE_DROP = PR_EDGE_DROP,
	OUTPUT_EDGE_HOLD,
	OUTPUT_EDGE_ICMP,
	OUTPUT_EDGE_FRAG,
	OUTPUT_EDGE_COUNT,
};

/* What output knows of a port; set before the workers start. */
struct output_port {
	struct rte_ether_addr mac;
	uint64_t l2_tail;    /* bytes 6-13 of its Ethernet headers: its MAC, type IPv4 */
	uint16_t edge;       /* its tx node */
	uint16_t cksum_mask; /* 0 when the NIC sums outer IPv4 headers, else 0xffff */
	uint64_t ol_flags;   /* the TX offload flags asking for that */
	uint16_t mtu;
};


/* Set once before the workers start (output_configure). */
struct output_cfg {
	const struct pr_config *cfg;
	const struct route_lpm *rt;
	struct neigh_table *neigh;
	uint16_t host_edge; /* PR_EDGE_DROP: no host port */
	int uplink;         /* ethdev port id of the uplink, or -1 */
	uint32_t node_ip;   /* network order: the uplink's first address */
	uint32_t gateway;   /* network order, on gw_port; 0: none */
	uint16_t gw_port;
	uint8_t encap;      /* enum route_nh_encap for other nodes' pod CIDRs */
	uint32_t vni_be;    /* VNI << 8, network order */
	uint16_t udp_port_be;
	struct output_port port[RTE_MAX_ETHPORTS];
};

extern struct output_cfg out_cfg;

/* A port's MAC, and the Ethernet header bytes made from it (output_port.l2_tail). */
void output_port_set_mac(struct output_port *op, const struct rte_ether_addr *mac);

/*
 * What a tunnel puts in front of the inner L3 packet, built once per next hop (output_template):
 * outer Ethernet (its destination comes from the neighbour per packet), outer IPv4 (length, id
 * and checksum per packet), UDP (source port and length per packet), the VXLAN or Geneve
 * header, the inner Ethernet header: 64 bytes, copied with four vector stores. IP-in-IP uses
 * the first 34.
 */
struct output_hdr {
	uint8_t b[64];
} __rte_cache_aligned;

/*
 * By next-hop id; written before the id is published, and rewritten in place when a Node's
 * VTEP MAC changes (output_set_vteps: one 6-byte field, at worst one packet's inner MAC torn).
 */
extern struct output_hdr *output_hdrs;

/* ---- worker side: output's header writes, inline for fast (pipeline/fast.c) too */

/* A node context of output's and fast's. */
struct output_ctx {
	struct pr_stats *stats;
	uint16_t ip_id; /* the outer IPv4 identification, per worker */
};
_Static_assert(sizeof(struct output_ctx) <= RTE_NODE_CTX_SZ, "node ctx too large");

/*
 * Node init of output and fast: the worker's counters, and the outer IPv4 id starting in the
 * worker's range (txq << 12), XORed with id_half (fast takes the other half from output's).
 */
int output_ctx_init(const struct rte_graph *graph, struct rte_node *node, uint16_t id_half);


/* CRC32-C step: the instruction itself where the build has SSE4.2 (no run-time choice). */
static __rte_always_inline uint32_t
output_crc(uint32_t data, uint32_t init)
{
#if defined(RTE_ARCH_X86) && defined(__SSE4_2__)
	return _mm_crc32_u32(init, data);
#else
	return rte_hash_crc_4byte(data, init);
#endif
}

/* The transport protocols whose first four bytes are the ports. */
static const uint8_t output_has_ports[256] = {
	[IPPROTO_TCP] = 1, [IPPROTO_UDP] = 1, [IPPROTO_SCTP] = 1,
};

/*
 * The flow hash of the inner packet: addresses, protocol, ports when there are. `plain`: a
 * packet as parse_fast() takes it (UDP or TCP right after a 20-byte header, not a fragment),
 * a constant where the caller knows it.
 */
static __rte_always_inline uint32_t
output_flow_hash(const struct rte_mbuf *m, const struct pr_md *md,
		 const struct rte_ipv4_hdr *ip, const bool plain)
{
	uint32_t h = output_crc(ip->src_addr, ip->dst_addr), ports = 0;

	/* Every fragment of a packet alike (the first has ports, the others not): none. */
	if (plain)
		memcpy(&ports, ip + 1, sizeof(ports));
	else if (output_has_ports[md->l4] && !(md->flags & PR_MD_F_FRAG))
		memcpy(&ports, rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off),
		       sizeof(ports));
	return output_crc(ports ^ ip->next_proto_id, h);
}

/*
 * Make room for `hl` bytes in front of the L3 header at l3_off (whatever L2 was there goes);
 * l3_off a constant where the caller knows it.
 */
static __rte_always_inline uint8_t *
output_room(struct rte_mbuf *m, uint16_t l3_off, uint16_t hl)
{
	if (likely(l3_off == hl))
		return rte_pktmbuf_mtod(m, uint8_t *);
	if (l3_off > hl)
		return (uint8_t *)rte_pktmbuf_adj(m, l3_off - hl);
	return (uint8_t *)rte_pktmbuf_prepend(m, hl - l3_off);
}

/*
 * An Ethernet header right before the L3 header, to the MAC in the low 48 bits of the
 * neighbour word w (false: no headroom for it). Two stores: w's eight bytes, then the port's
 * MAC and type over w's upper two.
 */
static __rte_always_inline bool
output_l2(struct rte_mbuf *m, struct pr_md *md, const struct output_port *op, uint64_t w,
	  uint16_t l3_off)
{
	uint8_t *p;

	if (likely(l3_off == RTE_ETHER_HDR_LEN)) {
		p = rte_pktmbuf_mtod(m, uint8_t *);
	} else {
		p = output_room(m, l3_off, RTE_ETHER_HDR_LEN);
		if (unlikely(p == NULL))
			return false;
		md->l3_off = RTE_ETHER_HDR_LEN;
	}
	memcpy(p, &w, sizeof(w));
	memcpy(p + RTE_ETHER_ADDR_LEN, &op->l2_tail, sizeof(op->l2_tail));
	return true;
}

/* The address whose MAC the packet needs: a local CIDR's destination, else the next hop's. */
static __rte_always_inline uint32_t
output_l2_ip(const struct route_nh *nh, const struct rte_ipv4_hdr *ip)
{
	return nh->kind == ROUTE_NH_LOCAL_CIDR ? ip->dst_addr : nh->l2_ip;
}

/* The outer IPv4 header of a tunnel (the rest is the template's): length, id, checksum. */
static __rte_always_inline void
output_outer_ip(struct output_ctx *ctx, struct rte_mbuf *m, const struct output_port *op,
		const struct route_nh *nh, struct rte_ipv4_hdr *ip, uint16_t len)
{
	uint16_t id = ctx->ip_id++;

	ip->total_length = pr_bswap16(len);
	ip->packet_id = pr_bswap16(id);
	ip->hdr_checksum = pr_bswap16((uint16_t)~pr_cksum_fold((uint32_t)nh->cksum + len +
								      id)) & op->cksum_mask;
	m->ol_flags |= op->ol_flags;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip);
}

/*
 * VXLAN or Geneve: the template, then the outer destination MAC, the outer IPv4 length, id
 * and checksum, the UDP source port and length. `l3` is the inner L3 packet's length.
 */
static __rte_always_inline bool
output_udp_tunnel(struct output_ctx *ctx, struct rte_mbuf *m, const struct output_port *op,
		  const struct route_nh *nh, const struct output_hdr *hdr, uint16_t l3,
		  uint32_t hash, uint64_t w, uint16_t l3_off)
{
	uint8_t *p = output_room(m, l3_off, sizeof(hdr->b));
	struct rte_udp_hdr *udp;

	if (unlikely(p == NULL))
		return false;
	rte_mov64(p, hdr->b);
	memcpy(p, &w, RTE_ETHER_ADDR_LEN);
	output_outer_ip(ctx, m, op, nh, (struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN),
			(uint16_t)(l3 + sizeof(hdr->b) - RTE_ETHER_HDR_LEN));
	udp = (struct rte_udp_hdr *)(p + RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
	udp->src_port = pr_bswap16((uint16_t)(OUTPUT_SPORT_BASE | (hash & OUTPUT_SPORT_MASK)));
	udp->dgram_len = pr_bswap16((uint16_t)(l3 + sizeof(hdr->b) - RTE_ETHER_HDR_LEN -
						     sizeof(struct rte_ipv4_hdr)));
	return true;
}

/* IP-in-IP: the template's outer Ethernet and IPv4 headers right before the inner packet. */
static __rte_always_inline bool
output_ipip(struct output_ctx *ctx, struct rte_mbuf *m, const struct output_port *op,
	    const struct route_nh *nh, const struct output_hdr *hdr, uint16_t l3, uint64_t w,
	    uint16_t l3_off)
{
	const uint16_t hl = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	uint8_t *p = output_room(m, l3_off, hl);

	if (unlikely(p == NULL))
		return false;
	rte_mov32(p, hdr->b);
	memcpy(p + 32, hdr->b + 32, hl - 32);
	memcpy(p, &w, RTE_ETHER_ADDR_LEN);
	output_outer_ip(ctx, m, op, nh, (struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN),
			(uint16_t)(l3 + sizeof(struct rte_ipv4_hdr)));
	return true;
}

/*
 * Send a packet whose way out is settled: its next hop (id, nh) is usable and not the host,
 * w is the valid neighbour word of its L2 next hop, and its L3 packet (ip, l3 bytes) fits
 * nh->max_l3. Trims Ethernet padding, writes the L2 or tunnel headers and counts what left.
 * False (md->drop set): no headroom for the headers. Output's own common case, and fast's;
 * `plain` (fast's, a constant): the packet is as parse_fast() takes it, its L3 header right
 * after an Ethernet header, so that its offsets need not be read from md.
 */
static __rte_always_inline bool
output_send(struct output_ctx *ctx, struct rte_mbuf *m, struct pr_md *md, uint32_t id,
	    const struct route_nh *nh, const struct rte_ipv4_hdr *ip, uint16_t l3, uint64_t w,
	    const bool plain)
{
	const struct output_port *op = &out_cfg.port[nh->port];
	const uint16_t l3_off = plain ? RTE_ETHER_HDR_LEN : md->l3_off;
	bool ok;

	pr_trim_to_l3(m, l3_off, l3); /* Ethernet padding does not travel on */
	switch (nh->encap) {
	case ROUTE_ENCAP_NONE:
		ok = output_l2(m, md, op, w, l3_off);
		break;
	case ROUTE_ENCAP_IPIP:
		ok = output_ipip(ctx, m, op, nh, &output_hdrs[id], l3, w, l3_off);
		break;
	default:
		ok = output_udp_tunnel(ctx, m, op, nh, &output_hdrs[id], l3,
				       output_flow_hash(m, md, ip, plain), w, l3_off);
		break;
	}
	if (unlikely(!ok)) {
		pr_drop(md, PR_DROP_OUTPUT_NO_DESTINATION);
		return false;
	}
	ctx->stats->ctr[nh->ctr]++; /* what left, not what was dropped above */
	return true;
}

#endif
