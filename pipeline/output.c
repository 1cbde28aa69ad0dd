/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output: the last stage before TX. The route's next hop (pipeline/route_table.h) says how
 * the packet leaves; its adjacency was worked out when the next hop was made
 * (output_nh_init, on the control core), so a packet costs one neighbour-word load and the
 * header writes:
 *
 *  - a packet for the router itself goes to the port with the role `host`, as it is;
 *  - a pod of this node, the gateway, another node with `overlay.encap: direct`: the L2
 *    header is rewritten (the next hop's MAC, the port's MAC; a VLAN tag goes);
 *  - another node's pod CIDR: encapsulated towards the node's InternalIP, from this node's
 *    address, in VXLAN (RFC 7348), Geneve (RFC 8926) or IP-in-IP (RFC 2003). The UDP source
 *    port is a hash of the inner flow in 49152-65535 (RFC 7348 section 5), so that the
 *    fabric's ECMP and the receiver's RSS spread flows; the UDP checksum is zero (RFC 7348,
 *    as Linux sends it); the outer IPv4 checksum is left to the NIC when it offers it, else
 *    summed from a per-next-hop partial sum (three additions). The inner frame's
 *    destination MAC is the router's own (docs/routing.md on flannel's VTEP MACs).
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
#include <rte_malloc.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include "config.h"
#include "neigh.h"
#include "pipeline.h"
#include "ports.h"
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
	uint16_t edge;       /* its tx node */
	uint16_t cksum_mask; /* 0 when the NIC sums outer IPv4 headers, else 0xffff */
	uint64_t ol_flags;   /* the TX offload flags asking for that */
	uint16_t mtu;
	uint8_t used;
	uint8_t role;
};

/* Bytes in front of the inner L3 packet for each encapsulation, outer Ethernet included. */
static const uint16_t output_overhead[ROUTE_ENCAP_COUNT] = {
	[ROUTE_ENCAP_NONE] = RTE_ETHER_HDR_LEN,
	[ROUTE_ENCAP_VXLAN] = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) +
			      sizeof(struct rte_udp_hdr) + OUTPUT_VXLAN_LEN + RTE_ETHER_HDR_LEN,
	[ROUTE_ENCAP_GENEVE] = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) +
			       sizeof(struct rte_udp_hdr) + OUTPUT_GENEVE_LEN + RTE_ETHER_HDR_LEN,
	[ROUTE_ENCAP_IPIP] = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr),
};

/* Set once before the workers start. */
static struct {
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
} out;

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

static struct output_hdr *output_hdrs; /* by next-hop id; written before the id is published */

/* The control core's: the VTEP MACs of other nodes, and which next hops are UDP tunnels. */
static struct {
	struct node_vtep *v;
	unsigned int n;
	uint8_t *udp_tunnel; /* by next-hop id */
	uint32_t max_nh;
} output_vteps;

#define OUTPUT_INNER_DST 50 /* offset of the inner destination MAC in a UDP tunnel template */

struct output_ctx {
	struct pr_stats *stats;
	uint16_t ip_id; /* the outer IPv4 identification, per worker */
};
_Static_assert(sizeof(struct output_ctx) <= RTE_NODE_CTX_SZ, "node ctx too large");

/* ---------------------------------------------------------------- control side */

int
output_configure(const struct pr_config *cfg, const struct route_lpm *lpm,
		 struct neigh_table *neigh, uint16_t host_edge)
{
	static const uint8_t encap_of[] = {
		[PR_ENCAP_VXLAN] = ROUTE_ENCAP_VXLAN,
		[PR_ENCAP_GENEVE] = ROUTE_ENCAP_GENEVE,
		[PR_ENCAP_IPIP] = ROUTE_ENCAP_IPIP,
		[PR_ENCAP_DIRECT] = ROUTE_ENCAP_NONE,
	};
	const struct pr_cfg_overlay *o = cfg->y->overlay;
	unsigned int i;

	out.cfg = cfg;
	out.rt = lpm;
	rte_free(output_hdrs);
	output_hdrs = rte_zmalloc("output_hdrs", (size_t)route_table_max_nh(lpm) *
				  sizeof(*output_hdrs), RTE_CACHE_LINE_SIZE);
	free(output_vteps.udp_tunnel);
	output_vteps.max_nh = route_table_max_nh(lpm);
	output_vteps.udp_tunnel = calloc(output_vteps.max_nh, 1);
	if (output_hdrs == NULL || output_vteps.udp_tunnel == NULL)
		return -ENOMEM;
	out.neigh = neigh;
	out.host_edge = host_edge;
	out.uplink = cfg->uplink >= 0 ? pr_ports[cfg->uplink].port_id : -1;
	out.node_ip = cfg->uplink >= 0 && cfg->ports[cfg->uplink].nb_addrs > 0 ?
			      cfg->ports[cfg->uplink].addrs[0].addr : 0;
	out.encap = encap_of[o->encap];
	out.vni_be = rte_cpu_to_be_32(o->vni << 8);
	out.udp_port_be = rte_cpu_to_be_16(o->encap_port);
	for (i = 0; i < pr_nb_ports; i++) {
		struct output_port *op = &out.port[pr_ports[i].port_id];
		bool hw = (pr_ports[i].tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;

		op->mac = pr_ports[i].mac;
		op->mtu = cfg->y->ports[i].mtu;
		op->cksum_mask = hw ? 0 : 0xffff;
		op->ol_flags = hw ? RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM : 0;
		op->used = 1;
		op->role = (uint8_t)pr_ports[i].role;
		if (cfg->ports[i].gateway != 0) {
			out.gateway = cfg->ports[i].gateway;
			out.gw_port = pr_ports[i].port_id;
		}
	}
	return 0;
}

int
output_add_port(uint16_t port, const char *tx_node)
{
	int edge = pr_node_add_edge(PR_NODE_OUTPUT, tx_node);

	if (edge < 0)
		return edge;
	out.port[port].edge = (uint16_t)edge;
	return 0;
}

int
output_port_edge(uint16_t port)
{
	return out.port[port].edge;
}

/* The first port of a role whose addresses hold ip; else the first of that role; or -1. */
static int
output_port_for(enum pr_port_role role, uint32_t ip)
{
	int first = -1;
	unsigned int i;

	for (i = 0; i < pr_nb_ports; i++) {
		if (pr_ports[i].role != role)
			continue;
		if (first < 0)
			first = pr_ports[i].port_id;
		if (ip != 0 && config_on_link(&out.cfg->ports[i], ip))
			return pr_ports[i].port_id;
	}
	return first;
}

/* The sum of the outer IPv4 header's 16-bit words, but for total length and id. */
static uint16_t
output_outer_sum(uint8_t proto, uint32_t src, uint32_t dst)
{
	struct rte_ipv4_hdr ip = {
		.version_ihl = RTE_IPV4_VHL_DEF,
		.time_to_live = OUTPUT_TTL,
		.next_proto_id = proto,
		.src_addr = src,
		.dst_addr = dst,
	};
	/* rte_raw_cksum sums the words as loaded: byte-swap to add host-order values to it. */
	return rte_be_to_cpu_16(rte_raw_cksum(&ip, sizeof(ip)));
}

/* The header template of a tunnel next hop (see struct output_hdr). */
static void
output_template(const struct route_nh *nh, const struct output_port *op, uint8_t *b)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *t = (uint8_t *)(udp + 1);
	struct rte_ether_hdr *inner = (struct rte_ether_hdr *)(t + OUTPUT_VXLAN_LEN);
	uint32_t vni = rte_be_to_cpu_32(out.vni_be) >> 8;
	unsigned int i;

	memset(b, 0, sizeof(struct output_hdr));
	eth->src_addr = op->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = OUTPUT_TTL;
	ip->next_proto_id = nh->encap == ROUTE_ENCAP_IPIP ? IPPROTO_IPIP : IPPROTO_UDP;
	ip->src_addr = out.node_ip;
	ip->dst_addr = nh->via;
	if (nh->encap == ROUTE_ENCAP_IPIP)
		return;
	udp->dst_port = out.udp_port_be;
	/* VXLAN: flags I, VNI. Geneve: version 0, no options, Ethernet payload, VNI. */
	if (nh->encap == ROUTE_ENCAP_VXLAN)
		t[0] = 0x08;
	else
		t[2] = 0x65, t[3] = 0x58;
	t[4] = (uint8_t)(vni >> 16);
	t[5] = (uint8_t)(vni >> 8);
	t[6] = (uint8_t)vni;
	/* The inner frame: to the other node's VTEP (flannel's MAC, or its router's: ours). */
	inner->dst_addr = op->mac;
	for (i = 0; i < output_vteps.n; i++)
		if (output_vteps.v[i].ip == nh->via)
			memcpy(&inner->dst_addr, output_vteps.v[i].mac, RTE_ETHER_ADDR_LEN);
	inner->src_addr = op->mac;
	inner->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
}

/* The resolver: a new next hop's port, L2 next hop, neighbour entry, limits, headers. */
void
output_nh_init(void *arg, uint32_t id, struct route_nh *nh)
{
	int port = -1;

	RTE_SET_USED(arg);
	nh->neigh = NEIGH_NONE;
	nh->encap = ROUTE_ENCAP_NONE;
	nh->l2_ip = nh->via;
	switch (nh->kind) {
	case ROUTE_NH_LOCAL_POD:
	case ROUTE_NH_LOCAL_CIDR:
		port = output_port_for(PR_ROLE_PODS, nh->via);
		nh->ctr = PR_CTR_OUTPUT_LOCAL;
		break;
	case ROUTE_NH_REMOTE_NODE:
		port = out.uplink;
		nh->encap = out.encap;
		nh->ctr = (uint8_t)(nh->encap == ROUTE_ENCAP_VXLAN ? PR_CTR_OUTPUT_VXLAN :
			nh->encap == ROUTE_ENCAP_GENEVE ? PR_CTR_OUTPUT_GENEVE :
			nh->encap == ROUTE_ENCAP_IPIP ? PR_CTR_OUTPUT_IPIP : PR_CTR_OUTPUT_DIRECT);
		/* Off our links, a node is reached through the gateway. */
		if (port >= 0 && out.gateway != 0 && out.gw_port == port &&
		    !config_on_link(&out.cfg->ports[ports_index((uint16_t)port)], nh->via))
			nh->l2_ip = out.gateway;
		if (nh->encap != ROUTE_ENCAP_NONE)
			nh->cksum = output_outer_sum(nh->encap == ROUTE_ENCAP_IPIP ? IPPROTO_IPIP :
						     IPPROTO_UDP, out.node_ip, nh->via);
		break;
	case ROUTE_NH_DEFAULT:
		port = out.gateway != 0 ? out.gw_port : -1;
		nh->ctr = PR_CTR_OUTPUT_GATEWAY;
		break;
	default: /* the host: its own edge */
		nh->ctr = PR_CTR_OUTPUT_HOST;
		return;
	}
	if (port < 0 || (nh->l2_ip == 0 && nh->kind != ROUTE_NH_LOCAL_CIDR)) {
		nh->usable = 0;
		return;
	}
	nh->port = (uint8_t)port;
	nh->max_l3 = (uint16_t)(out.port[port].mtu + RTE_ETHER_HDR_LEN -
				output_overhead[nh->encap]);
	/* A local CIDR's next hop is each packet's destination: looked up per packet. */
	if (nh->kind != ROUTE_NH_LOCAL_CIDR && out.neigh != NULL)
		nh->neigh = neigh_ref(out.neigh, nh->l2_ip, (uint16_t)port);
	if (nh->kind != ROUTE_NH_LOCAL_CIDR && nh->neigh == NEIGH_NONE)
		nh->usable = 0; /* the neighbour table is full */
	if (nh->encap != ROUTE_ENCAP_NONE)
		output_template(nh, &out.port[port], output_hdrs[id].b);
	output_vteps.udp_tunnel[id] = nh->encap == ROUTE_ENCAP_VXLAN ||
				      nh->encap == ROUTE_ENCAP_GENEVE;
}

int
output_set_vteps(const struct node_vtep *v, unsigned int n)
{
	const struct route_nh *nh;
	struct node_vtep *copy;
	uint32_t id;
	unsigned int i;

	if (n == output_vteps.n && (n == 0 || memcmp(v, output_vteps.v, n * sizeof(*v)) == 0))
		return 0; /* the usual case: no Node changed its VTEP */
	copy = malloc((n + 1) * sizeof(*copy));
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, v, n * sizeof(*v));
	free(output_vteps.v);
	output_vteps.v = copy;
	output_vteps.n = n;
	/*
	 * The tunnels in use get the new MAC in place: six bytes a worker may copy half old,
	 * half new for a packet or two, at the moment the old MAC stopped being right anyway.
	 */
	for (id = 0; out.rt != NULL && id < output_vteps.max_nh; id++) {
		uint8_t *dst = output_hdrs[id].b + OUTPUT_INNER_DST;
		struct rte_ether_addr mac = out.port[out.uplink >= 0 ? out.uplink : 0].mac;

		if (!output_vteps.udp_tunnel[id])
			continue;
		nh = route_nh(out.rt, id);
		for (i = 0; i < n; i++)
			if (v[i].ip == nh->via)
				memcpy(&mac, v[i].mac, RTE_ETHER_ADDR_LEN);
		if (memcmp(dst, &mac, RTE_ETHER_ADDR_LEN) != 0) {
			memcpy(dst, &mac, RTE_ETHER_ADDR_LEN);
			rte_wmb();
		}
	}
	return 0;
}

void
output_nh_fini(void *arg, uint32_t id, struct route_nh *nh)
{
	RTE_SET_USED(arg);
	output_vteps.udp_tunnel[id] = 0;
	if (out.neigh != NULL)
		neigh_unref(out.neigh, nh->neigh);
}

/* ---------------------------------------------------------------- worker side */

static int
output_init(const struct rte_graph *graph, struct rte_node *node)
{
	struct output_ctx *ctx = (struct output_ctx *)node->ctx;

	ctx->stats = pr_stage_stats_for_graph(graph);
	ctx->ip_id = (uint16_t)(pr_stage_txq_for_graph(graph) << 12);
	return ctx->stats == NULL ? -ENOENT : 0;
}

/* The flow hash of the inner packet: addresses, protocol, ports when there are. */
static __rte_always_inline uint32_t
output_flow_hash(const struct rte_mbuf *m, const struct pr_md *md,
		 const struct rte_ipv4_hdr *ip)
{
	uint32_t h = rte_hash_crc_4byte(ip->src_addr, ip->dst_addr), ports = 0;

	if ((md->l4 == IPPROTO_TCP || md->l4 == IPPROTO_UDP || md->l4 == IPPROTO_SCTP) &&
	    !(md->flags & PR_MD_F_LATER_FRAG))
		memcpy(&ports, rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off),
		       sizeof(ports));
	return rte_hash_crc_4byte(ports ^ ip->next_proto_id, h);
}

/* Make the packet start with an Ethernet header right before its L3 header. */
static __rte_always_inline struct rte_ether_hdr *
output_l2(struct rte_mbuf *m, struct pr_md *md)
{
	struct rte_ether_hdr *eth;

	if (likely(md->l3_off == RTE_ETHER_HDR_LEN))
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	else if (md->l3_off > RTE_ETHER_HDR_LEN)
		eth = (struct rte_ether_hdr *)rte_pktmbuf_adj(m, md->l3_off - RTE_ETHER_HDR_LEN);
	else
		eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN -
								 md->l3_off);
	md->l3_off = RTE_ETHER_HDR_LEN;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	return eth;
}

/* The outer IPv4 header of a tunnel (the rest is the template's): length, id, checksum. */
static __rte_always_inline void
output_outer_ip(struct output_ctx *ctx, struct rte_mbuf *m, const struct output_port *op,
		const struct route_nh *nh, struct rte_ipv4_hdr *ip, uint16_t len)
{
	uint16_t id = ctx->ip_id++;
	uint32_t sum = (uint32_t)nh->cksum + len + id;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->total_length = rte_cpu_to_be_16(len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum) & op->cksum_mask;
	m->ol_flags |= op->ol_flags;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip);
}

/* Make room for `hl` bytes in front of the L3 header (whatever L2 was there goes). */
static __rte_always_inline uint8_t *
output_room(struct rte_mbuf *m, const struct pr_md *md, uint16_t hl)
{
	if (md->l3_off >= hl)
		return (uint8_t *)rte_pktmbuf_adj(m, md->l3_off - hl);
	return (uint8_t *)rte_pktmbuf_prepend(m, hl - md->l3_off);
}

/*
 * VXLAN or Geneve: the template, then the outer destination MAC, the outer IPv4 length, id
 * and checksum, the UDP source port and length. `l3` is the inner L3 packet's length.
 */
static __rte_always_inline bool
output_udp_tunnel(struct output_ctx *ctx, struct rte_mbuf *m, const struct output_port *op,
		  const struct route_nh *nh, const struct output_hdr *hdr, uint16_t l3,
		  uint32_t hash, uint64_t w)
{
	uint8_t *p = output_room(m, pr_md(m), sizeof(hdr->b));
	struct rte_udp_hdr *udp;

	if (unlikely(p == NULL))
		return false;
	rte_mov64(p, hdr->b);
	memcpy(p, &w, RTE_ETHER_ADDR_LEN);
	output_outer_ip(ctx, m, op, nh, (struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN),
			(uint16_t)(l3 + sizeof(hdr->b) - RTE_ETHER_HDR_LEN));
	udp = (struct rte_udp_hdr *)(p + RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
	udp->src_port = rte_cpu_to_be_16((uint16_t)(OUTPUT_SPORT_BASE | (hash & OUTPUT_SPORT_MASK)));
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(l3 + sizeof(hdr->b) - RTE_ETHER_HDR_LEN -
						     sizeof(struct rte_ipv4_hdr)));
	return true;
}

/* IP-in-IP: the template's outer Ethernet and IPv4 headers right before the inner packet. */
static __rte_always_inline bool
output_ipip(struct output_ctx *ctx, struct rte_mbuf *m, const struct output_port *op,
	    const struct route_nh *nh, const struct output_hdr *hdr, uint16_t l3, uint64_t w)
{
	const uint16_t hl = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	uint8_t *p = output_room(m, pr_md(m), hl);

	if (unlikely(p == NULL))
		return false;
	rte_mov32(p, hdr->b);
	memcpy(p + 32, hdr->b + 32, hl - 32);
	memcpy(p, &w, RTE_ETHER_ADDR_LEN);
	output_outer_ip(ctx, m, op, nh, (struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN),
			(uint16_t)(l3 + sizeof(struct rte_ipv4_hdr)));
	return true;
}

static __rte_always_inline uint16_t
output_one(struct output_ctx *ctx, const struct route_lpm *rt, struct rte_mbuf *m)
{
	struct pr_md *md = pr_md(m);
	const struct route_nh *nh = route_nh(rt, md->nh);
	const struct output_port *op;
	struct rte_ipv4_hdr *ip;
	struct rte_ether_hdr *eth;
	uint32_t id, hash;
	uint16_t l3;
	uint64_t w;

	if (nh->kind == ROUTE_NH_HOST) {
		md->drop = PR_DROP_OUTPUT_NO_HOST_PORT; /* read only if there is no host port */
		ctx->stats->ctr[PR_CTR_OUTPUT_HOST]++;
		return out.host_edge;
	}
	if (unlikely(!nh->usable))
		return pr_drop(md, PR_DROP_OUTPUT_NO_NEIGHBOUR);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, md->l3_off);
	id = nh->neigh;
	if (nh->kind == ROUTE_NH_LOCAL_CIDR)
		id = neigh_find(out.neigh, ip->dst_addr);
	w = likely(id != NEIGH_NONE) ? neigh_word(out.neigh, id) : 0;
	if (unlikely(!(w & NEIGH_W_VALID))) {
		md->arg = nh->kind == ROUTE_NH_LOCAL_CIDR ? ip->dst_addr : nh->l2_ip;
		md->out_port = nh->port;
		return OUTPUT_EDGE_HOLD;
	}
	if (unlikely(rte_be_to_cpu_16(ip->total_length) > nh->max_l3)) {
		md->arg = nh->max_l3;
		if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) {
			md->drop = PR_DROP_OUTPUT_FRAG_NEEDED;
			return OUTPUT_EDGE_ICMP;
		}
		return OUTPUT_EDGE_FRAG;
	}
	op = &out.port[nh->port];
	l3 = rte_be_to_cpu_16(ip->total_length);
	/* Whatever was behind the IP packet (Ethernet padding) does not travel on. */
	if (unlikely(m->pkt_len > (uint32_t)md->l3_off + l3))
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - md->l3_off - l3));
	ctx->stats->ctr[nh->ctr]++;
	switch (nh->encap) {
	case ROUTE_ENCAP_NONE:
		eth = output_l2(m, md);
		eth->src_addr = op->mac;
		memcpy(&eth->dst_addr, &w, RTE_ETHER_ADDR_LEN);
		break;
	case ROUTE_ENCAP_IPIP:
		if (unlikely(!output_ipip(ctx, m, op, nh, &output_hdrs[md->nh], l3, w)))
			return pr_drop(md, PR_DROP_OUTPUT_NO_DESTINATION);
		break;
	default:
		hash = output_flow_hash(m, md, ip);
		if (unlikely(!output_udp_tunnel(ctx, m, op, nh, &output_hdrs[md->nh], l3, hash,
						w)))
			return pr_drop(md, PR_DROP_OUTPUT_NO_DESTINATION);
		break;
	}
	return op->edge;
}

/* The edge of each packet of a burst (the node's work but the dispatch; benchmarks call it). */
static __rte_always_inline void
output_burst(struct output_ctx *ctx, void **objs, uint16_t n, uint16_t *next)
{
	const struct route_lpm *rt = out.rt;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (likely(i + 1 < n))
			rte_prefetch0(rte_pktmbuf_mtod((struct rte_mbuf *)objs[i + 1], void *));
		next[i] = output_one(ctx, rt, objs[i]);
	}
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
	unsigned int k = rte_ring_mp_enqueue_burst(out.neigh->hold, objs, n, NULL);
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
