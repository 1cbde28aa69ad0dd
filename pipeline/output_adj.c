/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output's control side: each next hop's adjacency, worked out once when the route table
 * makes the next hop (output_nh_init, the route table's resolver): the port it leaves by, the
 * neighbour entry of its L2 next hop (the node, the gateway, the pod), the longest L3 packet
 * that leaves whole, and for tunnels the 64-byte header template and the outer checksum's
 * partial sum; and the other nodes' VTEP MACs in those templates. The worker side is output.c.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "config.h"
#include "neigh.h"
#include "output.h"
#include "pipeline.h"
#include "ports.h"

struct output_cfg out_cfg;
struct output_hdr *output_hdrs;

/* The control core's: the VTEP MACs of other nodes, and which next hops are UDP tunnels. */
static struct {
	struct node_vtep *v;
	unsigned int n;
	uint8_t *udp_tunnel; /* by next-hop id */
	uint32_t max_nh;
} output_vteps;

/* Bytes in front of the inner L3 packet for each encapsulation, outer Ethernet included. */
static const uint16_t output_overhead[ROUTE_ENCAP_COUNT] = {
	[ROUTE_ENCAP_NONE] = RTE_ETHER_HDR_LEN,
	[ROUTE_ENCAP_VXLAN] = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) +
			      sizeof(struct rte_udp_hdr) + OUTPUT_VXLAN_LEN + RTE_ETHER_HDR_LEN,
	[ROUTE_ENCAP_GENEVE] = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) +
			       sizeof(struct rte_udp_hdr) + OUTPUT_GENEVE_LEN + RTE_ETHER_HDR_LEN,
	[ROUTE_ENCAP_IPIP] = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr),
};

#define OUTPUT_INNER_DST 50 /* offset of the inner destination MAC in a UDP tunnel template */

void
output_port_set_mac(struct output_port *op, const struct rte_ether_addr *mac)
{
	const rte_be16_t type = RTE_BE16(RTE_ETHER_TYPE_IPV4);

	op->mac = *mac;
	memcpy(&op->l2_tail, mac, RTE_ETHER_ADDR_LEN);
	memcpy((uint8_t *)&op->l2_tail + RTE_ETHER_ADDR_LEN, &type, sizeof(type));
}

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

	out_cfg.cfg = cfg;
	out_cfg.rt = lpm;
	rte_free(output_hdrs);
	output_hdrs = rte_zmalloc("output_hdrs", (size_t)route_table_max_nh(lpm) *
				  sizeof(*output_hdrs), RTE_CACHE_LINE_SIZE);
	free(output_vteps.udp_tunnel);
	output_vteps.max_nh = route_table_max_nh(lpm);
	output_vteps.udp_tunnel = calloc(output_vteps.max_nh, 1);
	if (output_hdrs == NULL || output_vteps.udp_tunnel == NULL)
		return -ENOMEM;
	out_cfg.neigh = neigh;
	out_cfg.host_edge = host_edge;
	out_cfg.uplink = cfg->uplink >= 0 ? pr_ports[cfg->uplink].port_id : -1;
	out_cfg.node_ip = config_node_ip(cfg);
	out_cfg.encap = encap_of[o->encap];
	out_cfg.vni_be = rte_cpu_to_be_32(o->vni << 8);
	out_cfg.udp_port_be = rte_cpu_to_be_16(o->encap_port);
	for (i = 0; i < pr_nb_ports; i++) {
		struct output_port *op = &out_cfg.port[pr_ports[i].port_id];
		bool hw = (pr_ports[i].tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;

		output_port_set_mac(op, &pr_ports[i].mac);
		op->mtu = cfg->y->ports[i].mtu;
		op->cksum_mask = hw ? 0 : 0xffff;
		op->ol_flags = hw ? RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM : 0;
		if (cfg->ports[i].gateway != 0) {
			out_cfg.gateway = cfg->ports[i].gateway;
			out_cfg.gw_port = pr_ports[i].port_id;
		}
	}
	return 0;
}

int
output_add_port(uint16_t port, const char *tx_node)
{
	return pr_node_add_tx_edge(PR_NODE_OUTPUT, tx_node, &out_cfg.port[port].edge);
}

int
output_port_edge(uint16_t port)
{
	return out_cfg.port[port].edge;
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
		if (ip != 0 && config_on_link(&out_cfg.cfg->ports[i], ip))
			return pr_ports[i].port_id;
	}
	return first;
}

/* The inner destination MAC of a UDP tunnel to `via`: its VTEP's, else `dflt`. */
static void
output_vtep_mac(uint32_t via, const struct rte_ether_addr *dflt, struct rte_ether_addr *mac)
{
	unsigned int lo = 0, hi = output_vteps.n;

	*mac = *dflt;
	while (lo < hi) { /* the VTEPs are sorted by ip (struct node_table) */
		unsigned int mid = (lo + hi) / 2;
		uint32_t ip = output_vteps.v[mid].ip;

		if (ip == via) {
			memcpy(mac, output_vteps.v[mid].mac, RTE_ETHER_ADDR_LEN);
			return;
		}
		if (ip < via)
			lo = mid + 1;
		else
			hi = mid;
	}
}

/*
 * The header template of a tunnel next hop (see struct output_hdr), and the next hop's
 * outer checksum partial sum: the template's IPv4 header summed while its length and id
 * are still 0 (rte_raw_cksum sums the words as loaded: byte-swapped, output adds host-order
 * values to it).
 */
static void
output_template(struct route_nh *nh, const struct output_port *op, uint8_t *b)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *t = (uint8_t *)(udp + 1);
	struct rte_ether_hdr *inner = (struct rte_ether_hdr *)(t + OUTPUT_VXLAN_LEN);
	uint32_t vni = rte_be_to_cpu_32(out_cfg.vni_be) >> 8;

	memset(b, 0, sizeof(struct output_hdr));
	eth->src_addr = op->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = OUTPUT_TTL;
	ip->next_proto_id = nh->encap == ROUTE_ENCAP_IPIP ? IPPROTO_IPIP : IPPROTO_UDP;
	ip->src_addr = out_cfg.node_ip;
	ip->dst_addr = nh->via;
	nh->cksum = rte_be_to_cpu_16(rte_raw_cksum(ip, sizeof(*ip)));
	if (nh->encap == ROUTE_ENCAP_IPIP)
		return;
	udp->dst_port = out_cfg.udp_port_be;
	/* VXLAN: flags I, VNI. Geneve: version 0, no options, Ethernet payload, VNI. */
	if (nh->encap == ROUTE_ENCAP_VXLAN)
		t[0] = 0x08;
	else
		t[2] = 0x65, t[3] = 0x58;
	t[4] = (uint8_t)(vni >> 16);
	t[5] = (uint8_t)(vni >> 8);
	t[6] = (uint8_t)vni;
	/* The inner frame: to the other node's VTEP (flannel's MAC, or its router's: ours). */
	output_vtep_mac(nh->via, &op->mac, &inner->dst_addr);
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
		port = out_cfg.uplink;
		nh->encap = out_cfg.encap;
		nh->ctr = (uint8_t)(nh->encap == ROUTE_ENCAP_VXLAN ? PR_CTR_OUTPUT_VXLAN :
			nh->encap == ROUTE_ENCAP_GENEVE ? PR_CTR_OUTPUT_GENEVE :
			nh->encap == ROUTE_ENCAP_IPIP ? PR_CTR_OUTPUT_IPIP : PR_CTR_OUTPUT_DIRECT);
		/* Off our links, a node is reached through the gateway. */
		if (port >= 0 && out_cfg.gateway != 0 && out_cfg.gw_port == port &&
		    !config_on_link(&out_cfg.cfg->ports[ports_index((uint16_t)port)], nh->via))
			nh->l2_ip = out_cfg.gateway;
		break;
	case ROUTE_NH_DEFAULT:
		port = out_cfg.gateway != 0 ? out_cfg.gw_port : -1;
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
	nh->max_l3 = (uint16_t)(out_cfg.port[port].mtu + RTE_ETHER_HDR_LEN -
				output_overhead[nh->encap]);
	/* A local CIDR's next hop is each packet's destination: looked up per packet. */
	if (nh->kind != ROUTE_NH_LOCAL_CIDR && out_cfg.neigh != NULL)
		nh->neigh = neigh_ref(out_cfg.neigh, nh->l2_ip, (uint16_t)port);
	/* A full neighbour table leaves neigh NONE: output then looks l2_ip up per packet. */
	nh->fast = nh->neigh != NEIGH_NONE;
	if (nh->encap != ROUTE_ENCAP_NONE)
		output_template(nh, &out_cfg.port[port], output_hdrs[id].b);
	output_vteps.udp_tunnel[id] = nh->encap == ROUTE_ENCAP_VXLAN ||
				      nh->encap == ROUTE_ENCAP_GENEVE;
}

int
output_set_vteps(const struct node_vtep *v, unsigned int n)
{
	const struct rte_ether_addr *dflt;
	struct node_vtep *copy;
	uint32_t id;

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
	dflt = &out_cfg.port[out_cfg.uplink >= 0 ? out_cfg.uplink : 0].mac; /* tunnels' port */
	for (id = 0; out_cfg.rt != NULL && id < output_vteps.max_nh; id++) {
		uint8_t *dst = output_hdrs[id].b + OUTPUT_INNER_DST;
		struct rte_ether_addr mac;

		if (!output_vteps.udp_tunnel[id])
			continue;
		output_vtep_mac(route_nh(out_cfg.rt, id)->via, dflt, &mac);
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
	if (out_cfg.neigh != NULL)
		neigh_unref(out_cfg.neigh, nh->neigh);
}
