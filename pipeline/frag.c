/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frag: an IPv4 packet without DF that is too long for its way out (the out port's MTU less
 * the tunnel's headers, md->arg) is cut into fragments by DPDK's rte_ip_frag (RFC 791), each
 * of which goes back to output to be encapsulated on its own: the fragments of the inner
 * packet travel in whole tunnel packets, so the other node decapsulates without reassembling
 * and the destination pod reassembles, as with a kernel VXLAN device whose outer packets
 * may not be fragmented. Fragments are copies (rte_ipv4_fragment_copy_nonseg_packet): one
 * segment each, so no NIC needs multi-segment TX; the original is freed.
 *
 * The fragments keep the packet's next hop (md->nh), valid for this walk of the graph, and
 * are marked as fragments (all but the first as later ones, which have no transport header):
 * output's flow hash uses only a fragment's addresses, so every fragment of a packet takes
 * the same tunnel source port.
 *
 * Edges: PR_EDGE_DROP, PR_EDGE_NEXT (output).
 */
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "pipeline.h"
#include "stage.h"

#define FRAG_MAX 32 /* fragments of one packet: a 9600-byte packet over a 576-byte path */

static struct rte_mempool *frag_pool; /* set before the workers start */

void
frag_configure(struct rte_mempool *pool)
{
	frag_pool = pool;
}

static __rte_always_inline void
frag_one(struct rte_graph *graph, struct rte_node *node, struct pr_stats *st,
	 struct rte_mbuf *m)
{
	struct rte_mbuf *f[FRAG_MAX];
	struct pr_md *md = pr_md(m), save = *md;
	const struct rte_ipv4_hdr *ip;
	int32_t n, i;

	rte_pktmbuf_adj(m, md->l3_off);
	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	pr_trim_to_l3(m, 0, rte_be_to_cpu_16(ip->total_length)); /* Ethernet padding */
	n = rte_ipv4_fragment_copy_nonseg_packet(m, f, FRAG_MAX, (uint16_t)save.arg, frag_pool);
	if (n <= 0) {
		pr_drop(md, PR_DROP_FRAG_FAILED);
		rte_node_enqueue_x1(graph, node, PR_EDGE_DROP, m);
		return;
	}
	st->ctr[PR_CTR_FRAG_PACKETS]++;
	st->ctr[PR_CTR_FRAG_FRAGMENTS] += (uint64_t)n;
	for (i = 0; i < n; i++) {
		struct pr_md *fm = pr_md(f[i]);
		struct rte_ipv4_hdr *fip;

		*fm = save;
		fm->l3_off = 0; /* output puts the L2 header in front */
		fm->l4_off = (uint16_t)((save.l4_off - save.l3_off));
		fip = rte_pktmbuf_mtod(f[i], struct rte_ipv4_hdr *);
		fm->flags |= PR_MD_F_FRAG | PR_MD_F_ROUTED |
			     (fip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK) ?
			      PR_MD_F_LATER_FRAG : 0);
		/* rte_ip_frag leaves the fragments' header checksum to the caller. */
		fip->hdr_checksum = 0;
		fip->hdr_checksum = rte_ipv4_cksum(fip);
		f[i]->port = m->port;
		rte_node_enqueue_x1(graph, node, PR_EDGE_NEXT, f[i]);
	}
	rte_pktmbuf_free(m);
}

static uint16_t
frag_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct pr_stats *st = pr_node_ctx(node)->stats;
	uint16_t i;

	for (i = 0; i < n; i++)
		frag_one(graph, node, st, objs[i]);
	return n;
}

static struct rte_node_register frag_node = {
	.name = PR_NODE_FRAG,
	.process = frag_process,
	.init = pr_stage_init,
	.nb_edges = PR_EDGE_COUNT,
	.next_nodes = {
		[PR_EDGE_DROP] = PR_NODE_DROP,
		[PR_EDGE_NEXT] = PR_NODE_OUTPUT,
	},
};
RTE_NODE_REGISTER(frag_node);
