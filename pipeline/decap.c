/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decap: terminates the pod overlay. VXLAN (RFC 7348, on the configured UDP ports: 4789 and
 * flannel's/Cilium's 8472), Geneve (RFC 8926, 6081; options skipped by their length, only
 * Ethernet payloads) and IP-in-IP (protocol 4, Calico), addressed to one of this node's own
 * addresses and sent from the InternalIP of a known Node (overlay.require_known_node), for a
 * configured VNI. The outer headers go and the inner frame is parsed by the same parser as
 * any frame, so the rest of the pipeline sees it as a plain frame (still from the port it came
 * by: route's source check, for pod-facing ports, does not apply to it).
 * An inner frame is not decapsulated again: tunnels do not nest here.
 *
 * Everything else passes untouched. Reads the published node table (known Nodes, own
 * addresses) once per burst.
 *
 * Edges: PR_EDGE_DROP, PR_EDGE_L3 (stage.h: transit and decapsulated packets alike; an inner
 * ARP frame is dropped). PR_EDGE_ARP and PR_EDGE_NEXT are not taken (the composer points them
 * at arp). Cost: docs/benchmarks.md.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "decap.h"
#include "decap_one.h"
#include "parse.h"
#include "stage.h"
#include "pipeline.h"
#include "tables.h"

struct decap_tables decap_tables;

struct decap_cfg decap_cfg;

int
decap_configure(const struct pr_cfg_overlay *o)
{
	unsigned int i;

	memset(&decap_tables, DECAP_NONE, sizeof(decap_tables));
	decap_tables.proto_kind[IPPROTO_UDP] = DECAP_BY_PORT;
	decap_tables.proto_kind[IPPROTO_IPIP] = o->ipip ? DECAP_IPIP : DECAP_NONE;
	/* Geneve first: a port that is in vxlan_ports too is VXLAN's. */
	if (o->geneve_port != 0)
		decap_tables.udp_kind[o->geneve_port] = DECAP_GENEVE;
	for (i = 0; i < o->vxlan_ports_count; i++)
		decap_tables.udp_kind[o->vxlan_ports[i]] = DECAP_VXLAN;
	memset(decap_cfg.vni_ok, o->any_vni ? 0xff : 0, sizeof(decap_cfg.vni_ok));
	for (i = 0; i < o->vnis_count; i++)
		decap_cfg.vni_ok[o->vnis[i] / 64] |= UINT64_C(1) << (o->vnis[i] % 64);
	decap_cfg.require_known_node = o->require_known_node;
	return 0;
}

/*
 * The NIC's verdict on the outer UDP checksum: 1 good, -1 bad, 0 none. A NIC that recognised
 * the tunnel (a tunnel packet type) gives it in the OUTER flags; its plain L4 flags are then
 * the inner packet's.
 */
static __rte_always_inline int
decap_outer_l4_verdict(const struct rte_mbuf *m)
{
	uint64_t f;

	if (m->packet_type & RTE_PTYPE_TUNNEL_MASK) {
		f = m->ol_flags & RTE_MBUF_F_RX_OUTER_L4_CKSUM_MASK;
		return f == RTE_MBUF_F_RX_OUTER_L4_CKSUM_GOOD ? 1 :
		       f == RTE_MBUF_F_RX_OUTER_L4_CKSUM_BAD ? -1 : 0;
	}
	f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	/* NONE: the NIC checked the data, the checksum field is not filled (virtio). */
	return f == RTE_MBUF_F_RX_L4_CKSUM_GOOD || f == RTE_MBUF_F_RX_L4_CKSUM_NONE ? 1 :
	       f == RTE_MBUF_F_RX_L4_CKSUM_BAD ? -1 : 0;
}

/*
 * A header that ends past `lim` (the end of the outer IP packet or of the first segment,
 * whichever comes first) is dropped: beyond the packet, a bad length; beyond the segment
 * only, as parse says of any header, not contiguous.
 */
__rte_noinline uint16_t
decap_short(struct pr_md *md, uint32_t end, uint32_t ip_end)
{
	return pr_drop(md, end > ip_end ? PR_DROP_DECAP_BAD_LENGTH : PR_DROP_PARSE_SEGMENTED);
}

/*
 * Whether a filled outer UDP checksum is wrong: the NIC's verdict, else summed over the
 * segments. Out of line: Linux and most senders leave it zero (RFC 7348).
 */
__rte_noinline bool
decap_udp_cksum_bad(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint16_t l4_off)
{
	int hw = decap_outer_l4_verdict(m);

	return hw < 0 || (hw == 0 && rte_ipv4_udptcp_cksum_mbuf_verify(m, ip, l4_off) != 0);
}

/* The edge of each packet of a burst (the node's work but the dispatch; benchmarks call it). */
static __rte_always_inline void
decap_burst(struct pr_stats *st, const struct node_table *nodes, void **objs, uint16_t n,
	    uint16_t *next)
{
	struct parse_fast_ctr fc = { 0 };
	uint16_t i;

	if (unlikely(nodes == NULL)) { /* no table yet: nothing is ours to decapsulate */
		for (i = 0; i < n; i++)
			next[i] = PR_EDGE_L3;
		return;
	}
	if (decap_cfg.require_known_node)
		for (i = 0; i < n; i++)
			next[i] = decap_one(st, nodes, objs[i], &fc, true);
	else
		for (i = 0; i < n; i++)
			next[i] = decap_one(st, nodes, objs[i], &fc, false);
	parse_fast_count(st, &fc);
}

static uint16_t
decap_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	const struct pr_tables *t = __atomic_load_n(&pr_tables_live, __ATOMIC_ACQUIRE);
	uint16_t next[RTE_GRAPH_BURST_SIZE];

	decap_burst(pr_node_ctx(node)->stats, t != NULL ? t->nodes : NULL, objs, n, next);
	pr_stage_dispatch(graph, node, objs, next, n);
	return n;
}

static struct rte_node_register decap_node = {
	.name = PR_NODE_DECAP,
	.process = decap_process,
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
RTE_NODE_REGISTER(decap_node);
