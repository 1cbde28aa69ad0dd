/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp: the ICMP errors the router sends (RFC 792, RFC 1812 4.3): time exceeded for a packet
 * whose TTL ran out (from route), fragmentation needed with the next-hop MTU (RFC 1191) for
 * a packet too big for its way out with DF set (from output). The packet itself becomes the
 * error, in place: its IP header and as much of its data as fits in 576 bytes are quoted,
 * behind a new IPv4 + ICMP header from the router's address on the port the packet came in
 * by; then it is routed like any packet (back to a local pod, or through the overlay to
 * another node's).
 *
 * Not answered (RFC 1812 4.3.2.7): ICMP errors, non-first fragments, packets the router made,
 * packets from or to multicast, broadcast or 0. At most icmp.rate errors per second per
 * worker, in bursts of icmp.burst (a token bucket, refilled once per burst from the TSC);
 * the rest are counted as rate_limited. The packet that caused an error is counted in its
 * drop reason either way.
 *
 * Edges: PR_EDGE_DROP, PR_EDGE_NEXT (route).
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>

#include "config.h"
#include "output.h"
#include "pipeline.h"
#include "ports.h"
#include "stage.h"

#define ICMP_QUOTE_MAX (576 - sizeof(struct rte_ipv4_hdr) - sizeof(struct rte_icmp_hdr))
#define ICMP_TOS 0xc0 /* internetwork control, as Linux sends its errors */
#define ICMP_TTL 64
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP_TIME_EXCEEDED 11

/* Set once before the workers start (after output's: the ports' MACs are out_cfg's). */
static struct {
	uint32_t src[RTE_MAX_ETHPORTS]; /* network order: our address on each port */
	uint64_t tokens_per_s;
	uint64_t hz;  /* TSC ticks per second: one token's worth */
	uint64_t cap; /* the bucket's size: burst tokens */
} icmp_cfg;

/* A token bucket per worker lcore, in 1/hz units: written by its worker only. */
static struct icmp_bucket {
	uint64_t tokens; /* scaled by the TSC frequency */
	uint64_t last;
} __rte_cache_aligned icmp_buckets[RTE_MAX_LCORE];

int
icmp_configure(const struct pr_config *cfg)
{
	uint32_t fallback = config_node_ip(cfg);
	unsigned int i;

	for (i = 0; i < pr_nb_ports; i++)
		icmp_cfg.src[pr_ports[i].port_id] = cfg->ports[i].nb_addrs > 0 ?
			cfg->ports[i].addrs[0].addr : fallback;
	icmp_cfg.tokens_per_s = cfg->y->icmp->rate;
	icmp_cfg.hz = rte_get_tsc_hz();
	icmp_cfg.cap = cfg->y->icmp->burst * icmp_cfg.hz;
	for (i = 0; i < RTE_MAX_LCORE; i++)
		icmp_buckets[i] = (struct icmp_bucket){ .tokens = icmp_cfg.cap };
	return 0;
}

/* Whether RFC 1812 lets us answer this packet with an error. */
static __rte_always_inline bool
icmp_may_answer(const struct rte_mbuf *m, const struct pr_md *md, const struct rte_ipv4_hdr *ip)
{
	if (md->flags & (PR_MD_F_LOCAL | PR_MD_F_LATER_FRAG) || md->l3 != PR_L3_IPV4 ||
	    m->nb_segs != 1 ||
	    pr_ipv4_martian(ip->src_addr) || pr_ipv4_martian(ip->dst_addr) ||
	    icmp_cfg.src[m->port] == 0 ||
	    ip->src_addr == icmp_cfg.src[m->port]) /* from ourselves to ourselves: no */
		return false;
	if (md->l4 == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ic =
			rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, md->l4_off);

		/* Only queries (echo, timestamp, ...) may be answered with an error. */
		return ic->icmp_type == RTE_IP_ICMP_ECHO_REQUEST || ic->icmp_type == 0 ||
		       ic->icmp_type == 13 || ic->icmp_type == 14;
	}
	return true;
}

/* Turn m into the error; false when the packet cannot take it (no headroom). */
static __rte_always_inline bool
icmp_build(struct rte_mbuf *m, struct pr_md *md, uint8_t type, uint8_t code, uint16_t mtu)
{
	const struct rte_ipv4_hdr *orig;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	uint32_t quote, dst, src = icmp_cfg.src[m->port];

	rte_pktmbuf_adj(m, md->l3_off);
	orig = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	dst = orig->src_addr;
	quote = RTE_MIN((uint32_t)rte_be_to_cpu_16(orig->total_length), m->pkt_len);
	quote = RTE_MIN(quote, (uint32_t)ICMP_QUOTE_MAX);
	pr_trim_to_l3(m, 0, quote);
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(*ip) + sizeof(*ic));
	if (ip == NULL || (eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m,
						RTE_ETHER_HDR_LEN)) == NULL)
		return false;
	/*
	 * A whole frame: output rewrites it for a pod, a node or the gateway, and sends it as it
	 * is to the host port (an error for the node itself), which then sees our MAC.
	 */
	eth->dst_addr = out_cfg.port[m->port].mac;
	eth->src_addr = out_cfg.port[m->port].mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ic = (struct rte_icmp_hdr *)(ip + 1);
	ic->icmp_type = type;
	ic->icmp_code = code;
	ic->icmp_cksum = 0;
	ic->icmp_ident = 0;
	ic->icmp_seq_nb = rte_cpu_to_be_16(mtu); /* "next-hop MTU" (RFC 1191), or unused: 0 */
	/* One segment (icmp_may_answer). */
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, sizeof(*ic) + quote);
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF,
		.type_of_service = ICMP_TOS,
		.total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*ic) + quote)),
		.time_to_live = ICMP_TTL,
		.next_proto_id = IPPROTO_ICMP,
		.src_addr = src,
		.dst_addr = dst,
	};
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	md->l3_off = RTE_ETHER_HDR_LEN;
	md->l4_off = RTE_ETHER_HDR_LEN + sizeof(*ip);
	md->l3 = PR_L3_IPV4;
	md->l4 = IPPROTO_ICMP;
	md->flags = PR_MD_F_LOCAL | PR_MD_F_ROUTED;
	return true;
}

static __rte_always_inline bool
icmp_take_token(struct icmp_bucket *b, uint64_t hz)
{
	if (b->tokens < hz)
		return false;
	b->tokens -= hz;
	return true;
}

static uint16_t
icmp_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct pr_stats *st = pr_node_ctx(node)->stats;
	struct icmp_bucket *b = &icmp_buckets[rte_lcore_id()];
	uint64_t hz = icmp_cfg.hz, now = rte_rdtsc(), elapsed = now - b->last;
	uint16_t next[RTE_GRAPH_BURST_SIZE];
	uint16_t i;

	/* Refill: rate tokens per second, in TSC units (rate * elapsed cycles). */
	if (elapsed > 100 * hz)
		elapsed = 100 * hz; /* keeps the product below 2^64 */
	b->tokens += elapsed * icmp_cfg.tokens_per_s;
	if (b->tokens > icmp_cfg.cap)
		b->tokens = icmp_cfg.cap;
	b->last = now;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct pr_md *md = pr_md(m);
		const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, md->l3_off);
		bool frag = md->drop == PR_DROP_OUTPUT_FRAG_NEEDED;

		if (!icmp_may_answer(m, md, ip)) {
			st->ctr[PR_CTR_ICMP_NOT_ALLOWED]++;
			next[i] = PR_EDGE_DROP; /* md->drop holds the reason */
			continue;
		}
		if (!icmp_take_token(b, hz)) {
			st->ctr[PR_CTR_ICMP_RATE_LIMITED]++;
			next[i] = PR_EDGE_DROP;
			continue;
		}
		if (!icmp_build(m, md, frag ? ICMP_DEST_UNREACH : ICMP_TIME_EXCEEDED,
				frag ? ICMP_FRAG_NEEDED : 0, frag ? (uint16_t)md->arg : 0)) {
			next[i] = PR_EDGE_DROP; /* the drop node counts md->drop */
			continue;
		}
		st->drop[md->drop]++; /* the packet is gone: it became the error */
		st->ctr[frag ? PR_CTR_ICMP_FRAG_NEEDED : PR_CTR_ICMP_TIME_EXCEEDED]++;
		next[i] = PR_EDGE_NEXT;
	}
	pr_stage_dispatch(graph, node, objs, next, n);
	return n;
}

static struct rte_node_register icmp_node = {
	.name = PR_NODE_ICMP,
	.process = icmp_process,
	.init = pr_stage_init,
	.nb_edges = PR_EDGE_COUNT,
	.next_nodes = {
		[PR_EDGE_DROP] = PR_NODE_DROP,
		[PR_EDGE_NEXT] = PR_NODE_ROUTE,
	},
};
RTE_NODE_REGISTER(icmp_node);
