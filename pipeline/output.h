/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What output (the worker side, output.c) and its next hops' adjacency (the control side,
 * output_adj.c) share: each port's entry, the tunnels' header templates, the settings.
 */
#ifndef PR_OUTPUT_H
#define PR_OUTPUT_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
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

#endif
