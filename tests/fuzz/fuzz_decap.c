/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the decap stage: tunnel headers and inner frames are what a remote
 * sender controls. The first input byte picks the tunnel (VXLAN on 4789 or 8472, Geneve,
 * IP-in-IP), whether the outer UDP checksum is filled, and whether the frame comes in two
 * segments, the first of 42 to 70 bytes (the outer headers through UDP, then the tunnel
 * header and the inner frame cut anywhere); the rest follows valid outer Ethernet, IPv4
 * (checksum right, from a known node to this node) and UDP headers, so that every input
 * reaches the tunnel parsing. Each input is run three times: from the known node; from an
 * unknown one, which overlay.require_known_node must drop as such; and from the unknown one
 * with require_known_node off, which must end exactly as the known node's frame did. Each
 * segment sits in a malloc'd buffer of its exact size (the first behind a headroom), so any
 * read or write outside them is a heap overflow for ASan.
 *
 * What decap promises the stages after it, checked with abort():
 *   - a drop has a reason of decap's or parse's (the inner frame is parsed by parse);
 *   - a packet it passes on (to arp or the L3 stages) has metadata that holds inside the
 *     data: l3_off, and for IPv4 the transport header, within the first segment; pkt_len is
 *     the data left (in one segment, its data_len); ARP and only ARP takes the arp edge.
 *
 * parse.c and decap.c are included; the node registrations' callbacks are stubs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../pipeline/parse.c"
#include "../../pipeline/decap.c"

#define HEADROOM 128
#define OUTER_LEN (14 + 20 + 8)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
pr_stage_init(const struct rte_graph *graph, struct rte_node *node)
{
	return -ENOTSUP;
}

struct pr_tables *pr_tables_live; /* decap_process reads it; never called here */

struct fuzz_pkt {
	struct rte_mbuf m;
	uint8_t priv[PR_MBUF_PRIV_SIZE];
	struct rte_mbuf seg2;
};

static uint32_t local_ips[] = { RTE_BE32(0xc6120002) }; /* 198.18.0.2 */
static uint32_t node_ips[] = { RTE_BE32(0xc6120003) };  /* 198.18.0.3 */
static const uint32_t unknown_ip = RTE_BE32(0xc6120009); /* 198.18.0.9: no Node's */
static struct node_table nodes = {
	.nb_nodes = 1, .node_ips = node_ips, .nb_local = 1, .local_ips = local_ips,
};

static void
fail(const char *what, uint16_t edge, const struct pr_md *md)
{
	fprintf(stderr, "fuzz_decap: %s (edge %u, drop %u, l3 %u, l4 %u, l3_off %u, l4_off %u, "
		"flags 0x%x)\n", what, edge, md->drop, md->l3, md->l4, md->l3_off, md->l4_off,
		md->flags);
	abort();
}

static void
configure(void)
{
	static uint16_t vxlan_ports[] = { 4789, 8472 };
	static uint32_t vnis[] = { 1 };
	struct pr_cfg_overlay o = {
		.vxlan_ports = vxlan_ports, .vxlan_ports_count = 2, .geneve_port = 6081,
		.vnis = vnis, .vnis_count = 1, .ipip = true, .require_known_node = true,
	};

	if (decap_configure(&o) != 0 || addr_set_build(&nodes.node_set, node_ips, 1) != 0 ||
	    addr_set_build(&nodes.local_set, local_ips, 1) != 0)
		abort();
}

/* Outer Ethernet + IPv4 from src (+ UDP to `dport` unless IP-in-IP) before the payload. */
static uint16_t
outer(uint8_t *p, uint16_t payload, uint8_t mode, uint32_t src)
{
	static const uint16_t dports[] = { 4789, 8472, 6081, 0 };
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t dport = dports[mode & 3], hl = dport ? OUTER_LEN : 14 + 20;

	memset(p, 0, hl);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(hl - 14 + payload));
	ip->time_to_live = 64;
	ip->next_proto_id = dport ? IPPROTO_UDP : IPPROTO_IPIP;
	ip->src_addr = src;
	ip->dst_addr = local_ips[0];
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (dport) {
		udp->src_port = RTE_BE16(50000);
		udp->dst_port = rte_cpu_to_be_16(dport);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + payload));
	}
	return hl;
}

/* What one round made of the frame: decap's edge, the metadata and the data after it. */
struct fuzz_result {
	uint16_t edge;
	struct pr_md md;
	uint32_t pkt_len;
	uint16_t data_len;
	uint8_t data[OUTER_LEN + 9000];
};

/*
 * One round: the frame of the input (mode, then the payload) from outer source `src`,
 * through parse and decap with overlay.require_known_node `known_only`; the promises checked,
 * what came out in *res.
 */
static void
round_run(const uint8_t *data, size_t size, uint32_t src, bool known_only,
	  struct fuzz_result *res)
{
	static struct pr_stats st;
	struct fuzz_pkt p;
	struct rte_mbuf *m = &p.m;
	const struct pr_md *md = pr_md(m);
	struct parse_fast_ctr fc = { 0 };
	uint16_t hl, len, edge, payload, split;
	uint8_t mode, *buf, *buf2 = NULL;

	mode = data[0];
	payload = (uint16_t)(size - 1);
	buf = malloc(HEADROOM + OUTER_LEN + payload);
	if (buf == NULL)
		abort();
	hl = outer(buf + HEADROOM, payload, mode, src);
	memcpy(buf + HEADROOM + hl, data + 1, payload);
	len = (uint16_t)(hl + payload);
	if ((mode & 4) && (mode & 3) != 3) { /* a filled UDP checksum, right or (mode & 8) wrong */
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + HEADROOM + 14);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		uint16_t ck = rte_ipv4_udptcp_cksum(ip, udp);

		/* Wrong, but never 0, which says "no checksum" (RFC 768). */
		if (mode & 8)
			ck = (ck ^ 0x0101) != 0 ? ck ^ 0x0101 : ck ^ 0x0202;
		udp->dgram_cksum = ck;
	}

	memset(&p, 0, sizeof(p));
	memset(p.priv, 0xa5, sizeof(p.priv));
	m->data_off = HEADROOM;
	m->data_len = m->pkt_len = len;
	m->nb_segs = 1;
	m->refcnt = 1;
	split = OUTER_LEN + ((mode >> 5) & 7) * 4;
	if ((mode & 0x10) && split < len) { /* two segments: the tail in a buffer of its own */
		buf2 = malloc(len - split);
		if (buf2 == NULL)
			abort();
		memcpy(buf2, buf + HEADROOM + split, len - split);
		buf = realloc(buf, HEADROOM + split);
		if (buf == NULL)
			abort();
		p.seg2.buf_addr = buf2;
		p.seg2.buf_len = p.seg2.data_len = p.seg2.pkt_len = (uint16_t)(len - split);
		p.seg2.nb_segs = 1;
		p.seg2.refcnt = 1;
		m->next = &p.seg2;
		m->nb_segs = 2;
		m->data_len = split;
	}
	m->buf_addr = buf;
	m->buf_len = (uint16_t)(HEADROOM + m->data_len);

	parse_burst(&st, (void **)&m, 1, &edge); /* as the parse node: md->tunnel too */
	if (edge != PR_EDGE_NEXT) /* every frame here is a tunnel candidate for decap */
		fail("the outer headers did not parse as a tunnel", edge, md);
	edge = known_only ? decap_one(&st, &nodes, m, &fc, true) :
			    decap_one(&st, &nodes, m, &fc, false);
	if (edge == PR_EDGE_DROP) {
		if (md->drop >= PR_DROP_COUNT || (strcmp(pr_drop_stages[md->drop], "decap") != 0 &&
						  strcmp(pr_drop_stages[md->drop], "parse") != 0))
			fail("dropped with a reason of another stage", edge, md);
	} else {
		if (edge != PR_EDGE_ARP && edge != PR_EDGE_L3)
			fail("an edge that is neither arp, L3 nor drop", edge, md);
		if (m->pkt_len != m->data_len + (m->nb_segs > 1 ? p.seg2.data_len : 0) ||
		    m->data_off < HEADROOM ||
		    (uint32_t)m->data_off + m->data_len > m->buf_len)
			fail("data outside the buffer", edge, md);
		if (md->l3_off > m->data_len)
			fail("l3_off past the data", edge, md);
		if (md->l3 == PR_L3_IPV4 && !(md->flags & PR_MD_F_LATER_FRAG) &&
		    md->l4_off > m->data_len)
			fail("l4_off past the data", edge, md);
		if ((edge == PR_EDGE_ARP) != (md->l3 == PR_L3_ARP))
			fail("ARP and the arp edge disagree", edge, md);
	}
	res->edge = edge;
	res->md = *md;
	res->pkt_len = m->pkt_len;
	res->data_len = m->data_len;
	memcpy(res->data, rte_pktmbuf_mtod(m, uint8_t *), m->data_len);
	free(buf);
	free(buf2);
}

/*
 * Three rounds: from a known node (overlay.require_known_node on); from an unknown one with
 * it on, which must be dropped as such; from the unknown one with it off, which must end as
 * the first round did (the outer IPv4 header, the only difference, is gone by then).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_result known, strict, relaxed;
	static bool configured;

	if (!configured) {
		configure();
		configured = true;
	}
	if (size < 1 || size > 9000)
		return -1;
	round_run(data, size, node_ips[0], true, &known);
	round_run(data, size, unknown_ip, true, &strict);
	if (strict.edge != PR_EDGE_DROP || strict.md.drop != PR_DROP_DECAP_UNKNOWN_NODE)
		fail("a tunnel from an unknown node not dropped as such", strict.edge, &strict.md);
	round_run(data, size, unknown_ip, false, &relaxed);
	if (relaxed.edge != known.edge || relaxed.pkt_len != known.pkt_len ||
	    relaxed.data_len != known.data_len ||
	    (known.edge == PR_EDGE_DROP && relaxed.md.drop != known.md.drop))
		fail("require_known_node off: not what a known node's tunnel does", relaxed.edge,
		     &relaxed.md);
	if (known.edge != PR_EDGE_DROP &&
	    (relaxed.md.l3_off != known.md.l3_off || relaxed.md.l4_off != known.md.l4_off ||
	     relaxed.md.l3 != known.md.l3 || relaxed.md.l4 != known.md.l4 ||
	     relaxed.md.flags != known.md.flags ||
	     memcmp(relaxed.data, known.data, known.data_len) != 0))
		fail("require_known_node off: another inner frame than a known node's tunnel's",
		     relaxed.edge, &relaxed.md);
	return 0;
}
