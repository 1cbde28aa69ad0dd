/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the parse stage: the input bytes are one frame, handed to parse_one()
 * in fake mbufs (no EAL), as tests/unit/test_parse.c builds them:
 *   - in one segment, once per NIC checksum verdict (unknown, bad, good, none), so that the
 *     transport headers are reached without the fuzzer having to get the IPv4 sum right;
 *   - in two segments, the first holding as many bytes as the input's first byte says.
 * Every segment's bytes fill their own malloc'd buffer exactly, so any read before or after
 * them is a heap overflow that AddressSanitizer reports.
 *
 * What parse promises the stages after it is checked, and abort() makes any breach a crash:
 *   - the edge is PR_EDGE_NEXT or PR_EDGE_DROP, and a drop's reason is one of parse's own;
 *   - a packet that passes has metadata a later stage can trust: l3 one of the enum, l3_off
 *     after the Ethernet (and VLAN) header, and for IPv4 the transport header of TCP, UDP,
 *     ICMP and SCTP inside the first segment (unless a later fragment, which has none);
 *   - one segment is never "not contiguous"; two segments give the one-segment verdict, or
 *     that drop (headers that straddle segments are not parsed in place).
 *
 *   - the fast path (parse_fast) takes a packet only if parse_one() passes it, and then
 *     gives the same metadata, the same next stage (parse_edge) and the same counts; a
 *     packet it leaves to parse_one() it does not count.
 *
 * parse.c is included to reach parse_one(). Its node registration refers to pr_stage_init(),
 * which lives with the workers: a stub stands in for it, since no graph is ever made here;
 * its edge choice reads decap's tables (decap.c), defined here with three tunnels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../pipeline/parse.c"

#define MD_POISON 0xa5 /* the private area before parse: parse must set what it uses */
#define ETH_LEN 14
#define VLAN_LEN 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
pr_stage_init(const struct rte_graph *graph, struct rte_node *node)
{
	return -ENOTSUP;
}

struct decap_tables decap_tables; /* tunnel ports: set by tunnels_init() */

/* VXLAN on 4789, Geneve on 6081, IP-in-IP: so that the edge of a tunnel candidate is tested. */
static void
tunnels_init(void)
{
	decap_tables.proto_kind[IPPROTO_UDP] = DECAP_BY_PORT;
	decap_tables.proto_kind[IPPROTO_IPIP] = DECAP_IPIP;
	decap_tables.udp_kind[4789] = DECAP_VXLAN;
	decap_tables.udp_kind[6081] = DECAP_GENEVE;
}

/* An mbuf as a mempool lays it out: the mbuf, then the private area (struct pr_md). */
struct fuzz_pkt {
	struct rte_mbuf m;
	uint8_t priv[PR_MBUF_PRIV_SIZE];
	struct rte_mbuf seg2;
};
_Static_assert(offsetof(struct fuzz_pkt, priv) == sizeof(struct rte_mbuf),
	       "the private area must follow the mbuf");

/* What parse decided about one packet. */
struct verdict {
	uint16_t edge;
	struct pr_md md;
};

static void
fail(const char *what, const struct verdict *v)
{
	fprintf(stderr,
		"fuzz_parse: %s (edge %u, drop %u, l3 %u, l4 %u, l3_off %u, l4_off %u, "
		"flags 0x%x)\n",
		what, v->edge, v->md.drop, v->md.l3, v->md.l4, v->md.l3_off, v->md.l4_off,
		v->md.flags);
	abort();
}

static void
seg_init(struct rte_mbuf *m, uint8_t *buf, uint16_t len)
{
	memset(m, 0, sizeof(*m));
	m->buf_addr = buf;
	m->buf_len = len;
	m->data_off = 0;
	m->data_len = len;
	m->pkt_len = len;
	m->nb_segs = 1;
	m->refcnt = 1;
}

/* Copy `len` bytes into a buffer of exactly that size (ASan gives malloc(0) a redzone too). */
static uint8_t *
seg_copy(const uint8_t *data, uint16_t len)
{
	uint8_t *b = malloc(len);

	if (b == NULL)
		abort();
	if (len > 0)
		memcpy(b, data, len);
	return b;
}

/* Minimum bytes of the transport header that parse checked before passing the packet. */
static uint32_t
l4_min_len(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return sizeof(struct rte_tcp_hdr);
	case IPPROTO_UDP:
		return sizeof(struct rte_udp_hdr);
	case IPPROTO_ICMP:
		return sizeof(struct rte_icmp_hdr);
	case IPPROTO_SCTP:
		return sizeof(struct rte_sctp_hdr);
	default:
		return 0;
	}
}

/* The stage's contract with the stages after it, for a packet in its first `first` bytes. */
static void
check_verdict(const struct verdict *v, uint16_t first)
{
	const struct pr_md *md = &v->md;
	uint32_t l3_off;

	if (v->edge == PR_EDGE_DROP) {
		if (md->drop >= PR_DROP_COUNT || strcmp(pr_drop_stages[md->drop], "parse") != 0)
			fail("dropped with a reason that is not parse's", v);
		return;
	}
	if (v->edge != PR_EDGE_NEXT)
		fail("an edge that is neither next nor drop", v);
	if (md->flags & ~(PR_MD_F_VLAN | PR_MD_F_FRAG | PR_MD_F_LATER_FRAG))
		fail("unknown metadata flags", v);
	l3_off = md->flags & PR_MD_F_VLAN ? ETH_LEN + VLAN_LEN : ETH_LEN;
	if (md->l3_off != l3_off || md->l3_off > first)
		fail("l3_off is not after the L2 header", v);
	switch (md->l3) {
	case PR_L3_NONE:
	case PR_L3_IPV6:
		if (md->l4 != 0 || (md->flags & ~PR_MD_F_VLAN))
			fail("L4 metadata on a packet that is not IPv4", v);
		return;
	case PR_L3_ARP:
		if (md->l3_off + sizeof(struct rte_arp_hdr) > first || md->l4 != 0)
			fail("ARP header not in the first segment", v);
		return;
	case PR_L3_IPV4:
		break;
	default:
		fail("l3 out of the enum", v);
	}
	if (md->l4_off < md->l3_off + sizeof(struct rte_ipv4_hdr) || md->l4_off > first)
		fail("l4_off is not after an IPv4 header in the first segment", v);
	if ((md->flags & PR_MD_F_LATER_FRAG) && !(md->flags & PR_MD_F_FRAG))
		fail("a later fragment that is not a fragment", v);
	if (!(md->flags & PR_MD_F_LATER_FRAG) && md->l4_off + l4_min_len(md->l4) > first)
		fail("transport header not in the first segment", v);
}

/*
 * The fast path took the packet (edge `fast`, metadata md_fast, counts c): it must be what
 * parse_one() and parse_edge() make of it, counters included.
 */
static void
check_fast(struct fuzz_pkt *p, const struct verdict *v, uint16_t fast,
	   const struct pr_md *md_fast, const struct parse_fast_ctr *c,
	   const struct pr_stats *st_one)
{
	static const enum pr_ctr counted[] = {
		PR_CTR_PARSE_ETHERNET, PR_CTR_PARSE_IPV4, PR_CTR_PARSE_UDP, PR_CTR_PARSE_TCP,
		PR_CTR_PARSE_OTHER_L4, PR_CTR_PARSE_CKSUM_SW, PR_CTR_PARSE_CKSUM_HW,
	};
	static struct pr_stats st_fast;
	const struct pr_md *md = &v->md;
	unsigned int i;

	if (v->edge != PR_EDGE_NEXT)
		fail("the fast path took a packet the parser drops", v);
	if (md_fast->l3 != md->l3 || md_fast->l4 != md->l4 || md_fast->flags != md->flags ||
	    md_fast->l3_off != md->l3_off || md_fast->l4_off != md->l4_off)
		fail("the fast path's metadata differs from the parser's", v);
	if (parse_edge(&p->m) != fast || pr_md(&p->m)->tunnel != md_fast->tunnel)
		fail("the fast path chose another next stage", v);
	memset(&st_fast, 0, sizeof(st_fast));
	parse_fast_count(&st_fast, c);
	for (i = 0; i < RTE_DIM(counted); i++)
		if (st_fast.ctr[counted[i]] != st_one->ctr[counted[i]])
			fail("the fast path counted otherwise", v);
}

static struct verdict
run(struct fuzz_pkt *p)
{
	static struct pr_stats st;
	struct parse_fast_ctr c = { 0 };
	struct pr_md md_fast;
	struct verdict v;
	uint16_t fast;

	memset(p->priv, MD_POISON, sizeof(p->priv));
	fast = parse_fast(&p->m, &c);
	memcpy(&md_fast, pr_md(&p->m), sizeof(md_fast));
	memset(p->priv, MD_POISON, sizeof(p->priv));
	memset(&st, 0, sizeof(st));
	v.edge = parse_one(&st, &p->m);
	memcpy(&v.md, pr_md(&p->m), sizeof(v.md));
	if (fast != UINT16_MAX)
		check_fast(p, &v, fast, &md_fast, &c, &st);
	else if (c.v != 0)
		fail("the fast path counted a packet it left to the parser", &v);
	return v;
}

static bool
same_verdict(const struct verdict *a, const struct verdict *b)
{
	const struct pr_md *x = &a->md, *y = &b->md;

	if (a->edge != b->edge)
		return false;
	if (a->edge == PR_EDGE_DROP)
		return x->drop == y->drop;
	return x->l3 == y->l3 && x->l4 == y->l4 && x->flags == y->flags && x->l3_off == y->l3_off &&
	       (x->l3 != PR_L3_IPV4 || x->l4_off == y->l4_off) &&
	       (!(x->flags & PR_MD_F_VLAN) || x->vlan_tci == y->vlan_tci);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t cksum[] = {
		RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN,
		RTE_MBUF_F_RX_IP_CKSUM_BAD,
		RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_NONE,
	};
	struct fuzz_pkt p;
	struct verdict one[RTE_DIM(cksum)], two;
	uint16_t len, first;
	uint8_t *b1, *b2;
	unsigned int i;

	if (size > UINT16_MAX) /* data_len is 16 bits: a longer frame does not fit one mbuf */
		return -1;
	if (decap_tables.proto_kind[IPPROTO_UDP] == DECAP_NONE)
		tunnels_init();
	len = (uint16_t)size;

	/* One segment, under each checksum verdict of the NIC. */
	for (i = 0; i < RTE_DIM(cksum); i++) {
		b1 = seg_copy(data, len);
		seg_init(&p.m, b1, len);
		p.m.ol_flags = cksum[i];
		one[i] = run(&p);
		free(b1);
		check_verdict(&one[i], len);
		if (one[i].edge == PR_EDGE_DROP && one[i].md.drop == PR_DROP_PARSE_SEGMENTED)
			fail("one segment said not contiguous", &one[i]);
	}

	/* Two segments, split where the first byte says (the checksum verdict unknown). */
	if (len == 0)
		return 0;
	first = data[0] < len ? data[0] : len;
	b1 = seg_copy(data, first);
	b2 = seg_copy(data + first, len - first);
	seg_init(&p.m, b1, first);
	seg_init(&p.seg2, b2, len - first);
	p.m.next = &p.seg2;
	p.m.nb_segs = 2;
	p.m.pkt_len = len;
	two = run(&p);
	free(b1);
	free(b2);
	check_verdict(&two, first);
	if (!same_verdict(&one[0], &two) &&
	    !(two.edge == PR_EDGE_DROP && two.md.drop == PR_DROP_PARSE_SEGMENTED))
		fail("two segments changed the verdict of one", &two);
	return 0;
}
