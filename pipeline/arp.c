/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arp: answers ARP requests for the router's own addresses on the port they arrive on (the
 * pods' gateway on a pod-facing port, the node IP on the uplink), in place: the request
 * becomes the reply (RFC 826) and leaves by the port it came in, VLAN tag kept. Anything
 * else that is ARP is counted and dropped for now: neighbour learning and resolution (with
 * gratuitous ARP) come with the neighbour table. Non-ARP packets pass.
 *
 * The addresses are the ports' `addresses` from the config, fixed at start (arp_configure).
 *
 * Edges: PR_EDGE_DROP, PR_EDGE_NEXT, then one per port's tx node (the reply goes back out).
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>

#include "stage.h"
#include "pipeline.h"

#define ARP_MAX_ADDRS 16

struct arp_port {
	struct rte_ether_addr mac;
	uint32_t addrs[ARP_MAX_ADDRS]; /* network order */
	unsigned int nb_addrs;
	uint16_t tx_edge;               /* 0: no tx node (never: every port has one) */
};

/* Set before the workers start; read-only afterwards. */
static struct arp_port arp_ports[RTE_MAX_ETHPORTS];

int
arp_configure(uint16_t port, const struct rte_ether_addr *mac, const uint32_t *addrs,
	      unsigned int nb_addrs, const char *tx_node)
{
	int edge;

	if (port >= RTE_MAX_ETHPORTS || nb_addrs > ARP_MAX_ADDRS)
		return -EINVAL;
	edge = pr_node_add_edge(PR_NODE_ARP, tx_node);
	if (edge < 0)
		return edge;
	arp_ports[port].mac = *mac;
	memcpy(arp_ports[port].addrs, addrs, nb_addrs * sizeof(*addrs));
	arp_ports[port].nb_addrs = nb_addrs;
	arp_ports[port].tx_edge = (uint16_t)edge;
	return 0;
}

static __rte_always_inline bool
arp_is_ours(const struct arp_port *ap, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < ap->nb_addrs; i++)
		if (ap->addrs[i] == ip)
			return true;
	return false;
}

static __rte_always_inline uint16_t
arp_one(struct pr_stats *st, struct rte_mbuf *m)
{
	struct pr_md *md = pr_md(m);
	const struct arp_port *ap;
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	uint32_t tip;

	if (md->l3 != PR_L3_ARP)
		return PR_EDGE_NEXT;
	ap = &arp_ports[m->port];
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, md->l3_off);
	if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) ||
	    !arp_is_ours(ap, arp->arp_data.arp_tip)) {
		st->ctr[PR_CTR_ARP_OTHER]++;
		return pr_drop(md, PR_DROP_ARP_NOT_HANDLED);
	}
	/* The request, turned around: "TIP is at our MAC", to the asker only. */
	tip = arp->arp_data.arp_tip;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = arp->arp_data.arp_sha;
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	arp->arp_data.arp_sha = ap->mac;
	arp->arp_data.arp_sip = tip;
	eth->dst_addr = arp->arp_data.arp_tha;
	eth->src_addr = ap->mac;
	st->ctr[PR_CTR_ARP_REPLIED]++;
	return ap->tx_edge;
}

static uint16_t
arp_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct pr_stats *st = pr_node_ctx(node)->stats;
	uint16_t next[RTE_GRAPH_BURST_SIZE];
	uint16_t i;

	for (i = 0; i < n; i++)
		next[i] = arp_one(st, objs[i]);
	pr_stage_dispatch(graph, node, objs, next, n);
	return n;
}

static struct rte_node_register arp_node = {
	.name = PR_NODE_ARP,
	.process = arp_process,
	.init = pr_stage_init,
	.nb_edges = PR_EDGE_COUNT,
	.next_nodes = {
		[PR_EDGE_DROP] = PR_NODE_DROP,
		[PR_EDGE_NEXT] = PR_NODE_OUTPUT,
	},
};
RTE_NODE_REGISTER(arp_node);
