/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arp: answers ARP requests for the router's own addresses on the port they arrive on (the
 * pods' gateway on a pod-facing port, the node IP on the uplink), in place: the request
 * becomes the reply (RFC 826) and leaves by the port it came in, VLAN tag kept.
 *
 * What ARP tells the router goes to the neighbour table (pipeline/neigh.h) as an event for
 * the control core: the sender of a request for us (that is how pods' MACs are learnt),
 * the answers to our requests, and gratuitous ARP (sender = target) announcing a new MAC.
 * A request from a sender whose entry is already confirmed with that MAC is not passed on
 * (one hash lookup), so a chatty neighbour costs the control core nothing. Replies and
 * announcements are used up here; other ARP (requests for other hosts) is dropped as
 * arp_not_handled. Non-ARP packets pass.
 *
 * The addresses are the ports' `addresses` from the config, fixed at start (arp_configure).
 *
 * Edges: enum arp_edge, then one per port's tx node (the reply goes back out).
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>

#include "neigh.h"
#include "stage.h"
#include "pipeline.h"

#define ARP_MAX_ADDRS 16

enum arp_edge {
	ARP_EDGE_DROP = PR_EDGE_DROP,
	ARP_EDGE_NEXT = PR_EDGE_NEXT,
	ARP_EDGE_CONSUMED,
	ARP_EDGE_COUNT,
};

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

/*
 * Tell the neighbour table what the sender's MAC is, unless the control core would ignore it
 * (neigh_learn): unasked, an announcement for an address without an entry, or the MAC an
 * entry already uses (it confirms nothing). Counted as ignored here, so that a flood of them
 * does not fill the event ring that answers to our requests travel in.
 */
static __rte_always_inline void
arp_tell(struct pr_stats *st, const struct rte_arp_hdr *arp, uint16_t port, uint8_t kind)
{
	const struct neigh_table *t = neigh_live;
	struct neigh_event ev;
	uint32_t id;

	if (kind != NEIGH_EV_REPLY) {
		id = neigh_find(t, arp->arp_data.arp_sip);
		if (id == NEIGH_NONE ? kind == NEIGH_EV_GRATUITOUS :
		    (neigh_word(t, id) & (NEIGH_W_MAC_MASK | NEIGH_W_VALID)) ==
			    (neigh_mac_word(&arp->arp_data.arp_sha) | NEIGH_W_VALID)) {
			st->ctr[PR_CTR_NEIGH_IGNORED]++;
			return;
		}
	}
	ev = (struct neigh_event){ .ip = arp->arp_data.arp_sip, .port = port, .kind = kind,
				   .mac = arp->arp_data.arp_sha };
	if (rte_ring_mp_enqueue_elem(t->events, &ev, sizeof(ev)) == 0)
		st->ctr[PR_CTR_ARP_EVENTS]++;
	else
		st->ctr[PR_CTR_ARP_EVENTS_LOST]++;
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
	tip = arp->arp_data.arp_tip;
	if (arp->arp_data.arp_sip == tip && tip != 0) { /* gratuitous: request or reply */
		arp_tell(st, arp, m->port, NEIGH_EV_GRATUITOUS);
		return ARP_EDGE_CONSUMED;
	}
	if (!arp_is_ours(ap, tip)) {
		st->ctr[PR_CTR_ARP_OTHER]++;
		return pr_drop(md, PR_DROP_ARP_NOT_HANDLED);
	}
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY)) {
		arp_tell(st, arp, m->port, NEIGH_EV_REPLY);
		st->ctr[PR_CTR_ARP_CONSUMED]++;
		return ARP_EDGE_CONSUMED;
	}
	if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST)) {
		st->ctr[PR_CTR_ARP_OTHER]++;
		return pr_drop(md, PR_DROP_ARP_NOT_HANDLED);
	}
	if (arp->arp_data.arp_sip != 0) /* not an address probe (RFC 5227) */
		arp_tell(st, arp, m->port, NEIGH_EV_REQUEST);
	/* The request, turned around: "TIP is at our MAC", to the asker only. */
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
	.nb_edges = ARP_EDGE_COUNT,
	.next_nodes = {
		[ARP_EDGE_DROP] = PR_NODE_DROP,
		[ARP_EDGE_NEXT] = PR_NODE_DROP, /* src/worker.c points it at the stage after arp */
		[ARP_EDGE_CONSUMED] = PR_NODE_CONSUMED,
	},
};
RTE_NODE_REGISTER(arp_node);
