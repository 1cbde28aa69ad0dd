/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stage interface. Every stage of the pipeline is an rte_graph node with the same shape:
 * it takes a burst of mbufs whose parsed metadata (struct pr_md, in the mbuf private area)
 * was filled by the parse stage, decides one edge per packet, and hands the burst on with
 * pr_stage_dispatch(), which moves the whole stream in O(1) when every packet takes the same
 * edge (the common case) and splits it into runs otherwise.
 *
 * Edges common to every stage come first, so a stage can say "drop" or "next" without
 * knowing which stage follows: the pipeline composer (src/worker.c) points PR_EDGE_NEXT at
 * the following stage when it builds the graphs. A drop records its reason in md->drop;
 * the drop node counts reasons per worker and frees the mbufs.
 *
 * The stage interface assumes no IPv4: l3 says what the network header is and where it
 * starts (the IPv4 helpers below are for the stages that look into IPv4).
 */
#ifndef PR_STAGE_H
#define PR_STAGE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#ifdef PR_NO_GRAPH_STATS
/* meson -Dgraph_stats=false: rte_graph_walk() then skips its two rdtsc per node call. */
#undef RTE_LIBRTE_GRAPH_STATS
#endif
#include <rte_graph.h>
#include <rte_graph_worker.h>

#include "counters.h"

#define PR_BURST 32

enum pr_stage_edge {
	PR_EDGE_DROP = 0, /* pr_drop: md->drop says why */
	PR_EDGE_NEXT,     /* the following stage, set when the pipeline is composed */
	PR_EDGE_COUNT,
};

/*
 * The stages before arp (parse, decap) have two more edges, so that a packet skips the
 * stages it has nothing to do with: ARP goes to arp, and IP that is no tunnel for us goes
 * straight to the first stage after arp (the L3 stages). Set when the pipeline is composed.
 */
enum pr_early_edge {
	PR_EDGE_ARP = PR_EDGE_COUNT,
	PR_EDGE_L3,
	PR_EARLY_EDGE_COUNT,
};

enum pr_l3 {
	PR_L3_NONE = 0, /* not parsed yet, or an ethertype we do not look into */
	PR_L3_ARP,
	PR_L3_IPV4,
	PR_L3_IPV6,
};

#define PR_MD_F_VLAN 0x01 /* one 802.1Q tag; vlan_tci holds it */
#define PR_MD_F_FRAG 0x02 /* IP fragment; l4 headers are present only in the first one */
#define PR_MD_F_LATER_FRAG 0x04 /* a non-first fragment: no l4 header at l4_off */
/* Made by the router (an ICMP error, an ARP request): never answered with an ICMP error. */
#define PR_MD_F_LOCAL 0x08
#define PR_MD_F_TX_DIRECT 0x10 /* inject: straight to the tx node of out_port */
/*
 * Routed once already (a packet that waited for a neighbour, a fragment) or made by the
 * router: route neither decrements its TTL nor checks its source, nor counts it again.
 */
#define PR_MD_F_ROUTED 0x20

/* Per-packet metadata, in the mbuf private area; filled by parse, added to by later stages. */
struct pr_md {
	uint16_t l3_off;   /* offset of the network header from the start of data */
	uint16_t l4_off;   /* offset of the transport header (valid when l4 != 0) */
	uint16_t vlan_tci; /* host order, when PR_MD_F_VLAN */
	uint16_t drop;     /* enum pr_drop, when the packet takes PR_EDGE_DROP */
	uint8_t l3;        /* enum pr_l3; IPv6 is recognised, not yet looked into */
	uint8_t l4;        /* IP protocol number, 0 when not IP; its header is at l4_off
			    * unless PR_MD_F_LATER_FRAG */
	uint8_t flags;     /* PR_MD_F_* */
	uint8_t out_port;  /* output -> hold, inject: the port the packet leaves by */
	uint8_t tunnel;    /* parse -> decap: the tunnel kind (enum decap_kind) of a candidate */
	uint32_t nh;       /* route: the next-hop id in the route table (pipeline/route_table.h) */
	uint32_t arg;      /* output -> hold: the next hop to resolve (network order);
			    * -> icmp, frag: the MTU */
};

/*
 * A whole cache line, so that the packet data after the headroom starts on a cache-line
 * boundary (mbuf 128 + private 64 + headroom 128): a 64-byte frame then sits in one line.
 * It leaves room for the metadata the later stages add.
 */
#define PR_MBUF_PRIV_SIZE RTE_ALIGN(sizeof(struct pr_md), RTE_CACHE_LINE_SIZE)

static __rte_always_inline struct pr_md *
pr_md(struct rte_mbuf *m)
{
	return (struct pr_md *)rte_mbuf_to_priv(m);
}

/* Counters of one port as seen by one worker. */
struct pr_port_stats {
	uint64_t rx;
	uint64_t tx;
	uint64_t tx_dropped; /* TX queue still full after the bounded retry */
	uint64_t tx_retries;
};

/*
 * Everything one worker (or the control core: pr_control_stats) counts. Written by its owner
 * only; summed by the control core.
 */
struct pr_stats {
	uint64_t ctr[PR_CTR_COUNT];
	uint64_t drop[PR_DROP_COUNT];
	struct pr_port_stats port[RTE_MAX_ETHPORTS];
} __rte_cache_aligned;

/*
 * Node context, the same for every node of ours: the worker's counters, and the port and
 * queue a per-port clone (rx, tx) serves, and where an rx clone sends its bursts.
 */
struct pr_node_ctx {
	struct pr_stats *stats;
	uint16_t port;
	uint16_t queue;
	uint16_t next;
};
_Static_assert(sizeof(struct pr_node_ctx) <= RTE_NODE_CTX_SZ, "node ctx too large");

static __rte_always_inline struct pr_node_ctx *
pr_node_ctx(struct rte_node *node)
{
	return (struct pr_node_ctx *)node->ctx;
}

/* The counters of the worker whose graph is being created (node init callbacks). */
struct pr_stats *pr_stage_stats_for_graph(const struct rte_graph *graph);

/* The TX queue that the worker owning `graph` uses on every port. */
uint16_t pr_stage_txq_for_graph(const struct rte_graph *graph);

/* Node init callback shared by the stages: binds the node to its worker's counters. */
int pr_stage_init(const struct rte_graph *graph, struct rte_node *node);

/*
 * Parse a frame into its metadata (pipeline/parse.c: parse_one, the full parser, for what
 * parse_fast() in parse.h declined); PR_EDGE_NEXT or PR_EDGE_DROP.
 */
uint16_t pr_parse_frame(struct pr_stats *st, struct rte_mbuf *m);

/*
 * A 16-bit field between network and host order, by the compiler's own byte swap, which it
 * can fold into comparisons and stores; DPDK's rte_be_to_cpu_16() of a variable is an asm
 * statement the compiler cannot see through. For the per-packet paths.
 */
static __rte_always_inline uint16_t
pr_bswap16(uint16_t v)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return __builtin_bswap16(v);
#else
	return v;
#endif
}

/* A 32-bit sum of 16-bit words folded to 16 bits (ones' complement, not inverted). */
static __rte_always_inline uint16_t
pr_cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Whether an IPv4 address (network order) is one a router never forwards to or from, by its
 * first octet (RFC 1812 5.3.7, 4.2.2.11): 0/8, loopback 127/8, multicast 224/4, class E and
 * the limited broadcast 240/4.
 */
static __rte_always_inline bool
pr_ipv4_martian(uint32_t addr)
{
	static const uint8_t martian[256] = { [0] = 1, [127] = 1, [224 ... 255] = 1 };

	return martian[((const uint8_t *)&addr)[0]];
}

/* Whatever follows the L3 packet that starts at l3_off (Ethernet padding) is cut off. */
static __rte_always_inline void
pr_trim_to_l3(struct rte_mbuf *m, uint32_t l3_off, uint32_t l3_len)
{
	if (unlikely(m->pkt_len > l3_off + l3_len))
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - l3_off - l3_len));
}

static __rte_always_inline uint16_t
pr_drop(struct pr_md *md, enum pr_drop reason)
{
	md->drop = reason;
	return PR_EDGE_DROP;
}

/* Whether next[0..n) (n > 0) are all next[0]: an OR over the burst, which vectorises. */
static __rte_always_inline bool
pr_stage_uniform(const uint16_t *next, uint16_t n)
{
	uint16_t i, diff = 0;

	for (i = 1; i < n; i++)
		diff |= next[i] ^ next[0];
	return diff == 0;
}

/*
 * Hand objs[0..n) on, objs[i] to edge next[i]. objs must be the node's own stream (the
 * process callback's objs and count), so that a uniform burst can be moved without a copy.
 */
static __rte_always_inline void
pr_stage_dispatch(struct rte_graph *graph, struct rte_node *node, void **objs,
		  const uint16_t *next, uint16_t n)
{
	uint16_t i, start;

	if (unlikely(n == 0))
		return;
	if (likely(pr_stage_uniform(next, n))) {
		rte_node_next_stream_move(graph, node, next[0]);
		return;
	}
	start = 0;
	for (i = 1; i < n; i++) {
		if (next[i] == next[start])
			continue;
		rte_node_enqueue(graph, node, next[start], &objs[start], i - start);
		start = i;
	}
	rte_node_enqueue(graph, node, next[start], &objs[start], n - start);
}

#endif
