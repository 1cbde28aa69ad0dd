/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the parse stage: parse_one() on frames built byte by byte here, in fake mbufs
 * (no EAL). Every case checks the edge, the drop reason or the metadata, and exactly which
 * counters moved.
 *
 * Each packet's bytes end where its malloc'd buffer ends, so a read one byte past the data is
 * a heap overflow that AddressSanitizer (meson -Dsanitize=true) reports.
 *
 * parse.c is included to reach its static functions. The library holds parse.c as well, but
 * that object exports no symbol, so the linker never takes it from the archive: there is no
 * duplicate. The included copy's RTE_NODE_REGISTER constructor runs before main() and only
 * adds "pr_parse" to rte_graph's node list, which needs no EAL.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../pipeline/parse.c"

#include <cmocka.h>

/* Numbers from the RFCs and IEEE registries, not from DPDK, so the test stands on its own. */
#define ETH_IPV4 0x0800
#define ETH_ARP 0x0806
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_IPV6 0x86dd
#define ETH_LLDP 0x88cc
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_GRE 47
#define PROTO_SCTP 132
#define IP_DF 0x4000
#define IP_MF 0x2000

#define ETH_LEN 14
#define VLAN_LEN 4
#define ARP_LEN 28
#define IP_LEN 20
#define TCP_LEN 20
#define UDP_LEN 8
#define ICMP_LEN 8
#define SCTP_LEN 12

#define HEADROOM RTE_PKTMBUF_HEADROOM
#define MD_POISON 0xa5 /* what the private area holds before parse: parse must set what it uses */

/* A frame under construction. */
struct frame {
	uint8_t b[256];
	uint16_t len;
	uint16_t ip; /* offset of the IPv4 header */
	uint16_t l4; /* offset of the transport header */
};

/* An mbuf as a mempool would lay it out: the mbuf, then the private area (struct pr_md). */
struct fake_pkt {
	struct rte_mbuf m;
	uint8_t priv[PR_MBUF_PRIV_SIZE];
	struct rte_mbuf seg2; /* second segment, for pkt_load_segmented() */
	uint8_t *buf;
	uint8_t *buf2;
};
_Static_assert(offsetof(struct fake_pkt, priv) == sizeof(struct rte_mbuf),
	       "the private area must follow the mbuf");

struct fixture {
	struct pr_stats st;
	struct fake_pkt p;
};

/* The expected metadata of a packet that takes PR_EDGE_NEXT. */
struct md_want {
	uint8_t l3;
	uint8_t l4;
	uint8_t flags;
	uint16_t l3_off;
	uint16_t l4_off;   /* checked when l4 != 0 */
	uint16_t vlan_tci; /* checked when PR_MD_F_VLAN */
};

static struct fixture the_fixture;

/* Frame building: network byte order, one byte at a time. */

static void
put8(struct frame *f, uint8_t v)
{
	assert_true(f->len < sizeof(f->b));
	f->b[f->len++] = v;
}

static void
put16(struct frame *f, uint16_t v)
{
	put8(f, v >> 8);
	put8(f, v & 0xff);
}

static void
put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void
put_fill(struct frame *f, uint8_t v, unsigned int n)
{
	while (n-- > 0)
		put8(f, v);
}

static void
set16(struct frame *f, uint16_t off, uint16_t v)
{
	f->b[off] = v >> 8;
	f->b[off + 1] = v & 0xff;
}

static void
put_mac(struct frame *f, uint8_t last)
{
	put8(f, 0x02); /* locally administered */
	put_fill(f, 0, 4);
	put8(f, last);
}

static void
put_eth(struct frame *f, uint16_t type)
{
	put_mac(f, 1);
	put_mac(f, 2);
	put16(f, type);
}

/* An 802.1Q tag: goes after put_eth(f, ETH_VLAN). */
static void
put_vlan(struct frame *f, uint16_t tci, uint16_t type)
{
	put16(f, tci);
	put16(f, type);
}

/* RFC 826 request, fields given so that the unsupported kinds can be built. */
static void
put_arp(struct frame *f, uint16_t htype, uint16_t ptype, uint8_t hlen, uint8_t plen)
{
	put16(f, htype);
	put16(f, ptype);
	put8(f, hlen);
	put8(f, plen);
	put16(f, 1); /* request */
	put_mac(f, 2);
	put32(f, 0x0af40105);
	put_fill(f, 0, 6);
	put32(f, 0x0af40101);
}

/* RFC 791: the sum over the header with the checksum field zero, complemented. */
static void
ipv4_cksum(struct frame *f)
{
	uint8_t *h = &f->b[f->ip];
	unsigned int hl = (h[0] & 0xf) * 4;
	unsigned int i;
	uint32_t sum = 0;

	set16(f, f->ip + 10, 0);
	for (i = 0; i + 1 < hl; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	set16(f, f->ip + 10, ~sum & 0xffff);
}

/* Header with total length and checksum left zero: ipv4_finish() writes them. */
static void
put_ipv4(struct frame *f, uint8_t ihl, uint16_t frag, uint8_t proto)
{
	unsigned int i;

	f->ip = f->len;
	put8(f, 0x40 | ihl);  /* version 4 */
	put8(f, 0);	      /* DSCP, ECN */
	put16(f, 0);	      /* total length */
	put16(f, 0x1234);     /* identification */
	put16(f, frag);	      /* flags, fragment offset */
	put8(f, 64);	      /* TTL */
	put8(f, proto);	      /* protocol */
	put16(f, 0);	      /* checksum */
	put32(f, 0x0af40105); /* 10.244.1.5 */
	put32(f, 0x0af40206); /* 10.244.2.6 */
	for (i = 5; i < ihl; i++)
		put32(f, 0x01010100); /* NOP, NOP, NOP, end of options */
	f->l4 = f->len;
}

static void
ipv4_set_total(struct frame *f, uint16_t tl)
{
	set16(f, f->ip + 2, tl);
	ipv4_cksum(f);
}

/* The IPv4 datagram runs to the current end of the frame. */
static void
ipv4_finish(struct frame *f)
{
	ipv4_set_total(f, f->len - f->ip);
}

static void
put_ipv6(struct frame *f, uint8_t next, uint16_t payload)
{
	put32(f, 0x60000000); /* version 6, traffic class and flow label 0 */
	put16(f, payload);
	put8(f, next);
	put8(f, 64);
	put32(f, 0xfd000000);
	put_fill(f, 0, 11);
	put8(f, 1);
	put32(f, 0xfd000000);
	put_fill(f, 0, 11);
	put8(f, 2);
}

/* A SYN; data offset `doff` words, options filled with NOPs. */
static void
put_tcp(struct frame *f, uint8_t doff)
{
	unsigned int i;

	f->l4 = f->len;
	put16(f, 40000); /* source port */
	put16(f, 80);	 /* destination port */
	put32(f, 1);	 /* sequence */
	put32(f, 0);	 /* acknowledgment */
	put8(f, doff << 4);
	put8(f, 0x02);	 /* SYN */
	put16(f, 65535); /* window */
	put16(f, 0);	 /* checksum: parse does not check transport sums */
	put16(f, 0);	 /* urgent pointer */
	for (i = 5; i < doff; i++)
		put32(f, 0x01010101);
}

/* Header and `payload` bytes; the length field covers both. */
static void
put_udp(struct frame *f, uint16_t payload)
{
	f->l4 = f->len;
	put16(f, 40000);
	put16(f, 53);
	put16(f, UDP_LEN + payload);
	put16(f, 0);
	put_fill(f, 0x5a, payload);
}

static void
put_icmp_echo(struct frame *f)
{
	f->l4 = f->len;
	put8(f, 8); /* echo request */
	put8(f, 0);
	put16(f, 0);
	put16(f, 0x4242); /* identifier */
	put16(f, 1);	  /* sequence */
}

static void
put_sctp(struct frame *f)
{
	f->l4 = f->len;
	put16(f, 40000);
	put16(f, 36412);
	put32(f, 0xdeadbeef); /* verification tag */
	put32(f, 0);	      /* CRC32c: not checked by parse */
}

static void
frame_ipv4_udp(struct frame *f, uint16_t payload)
{
	put_eth(f, ETH_IPV4);
	put_ipv4(f, 5, 0, PROTO_UDP);
	put_udp(f, payload);
	ipv4_finish(f);
}

static void
frame_ipv4_tcp(struct frame *f)
{
	put_eth(f, ETH_IPV4);
	put_ipv4(f, 5, IP_DF, PROTO_TCP);
	put_tcp(f, 8);
	put_fill(f, 0x5a, 5);
	ipv4_finish(f);
}

/* Fake mbufs. */

static void
mbuf_init(struct rte_mbuf *m, uint8_t *buf, uint16_t headroom, uint16_t len, uint16_t priv)
{
	memset(m, 0, sizeof(*m));
	m->buf_addr = buf;
	m->buf_len = headroom + len;
	m->data_off = headroom;
	m->data_len = len;
	m->pkt_len = len;
	m->nb_segs = 1;
	m->refcnt = 1;
	m->priv_size = priv;
}

static void
pkt_free(struct fake_pkt *p)
{
	free(p->buf);
	free(p->buf2);
	p->buf = NULL;
	p->buf2 = NULL;
}

/* The first `len` bytes of f, ending exactly at the end of their buffer. */
static void
pkt_load(struct fixture *fx, const struct frame *f, uint16_t len)
{
	struct fake_pkt *p = &fx->p;

	assert_true(len <= f->len);
	pkt_free(p);
	p->buf = malloc(HEADROOM + len);
	assert_non_null(p->buf);
	memset(p->buf, 0, HEADROOM);
	memcpy(p->buf + HEADROOM, f->b, len);
	mbuf_init(&p->m, p->buf, HEADROOM, len, sizeof(p->priv));
	memset(p->priv, MD_POISON, sizeof(p->priv));
}

/* All of f in two segments, the first holding `first` bytes. */
static void
pkt_load_segmented(struct fixture *fx, const struct frame *f, uint16_t first)
{
	struct fake_pkt *p = &fx->p;
	uint16_t rest = f->len - first;

	assert_true(first < f->len);
	pkt_load(fx, f, first);
	p->buf2 = malloc(rest);
	assert_non_null(p->buf2);
	memcpy(p->buf2, f->b + first, rest);
	mbuf_init(&p->seg2, p->buf2, 0, rest, 0);
	p->m.next = &p->seg2;
	p->m.nb_segs = 2;
	p->m.pkt_len = f->len;
}

static uint16_t
run(struct fixture *fx)
{
	return parse_one(&fx->st, &fx->p.m);
}

/* Checks. */

/* IPv4 without VLAN tag or options: transport header at 34. */
static struct md_want
want_ipv4(uint8_t l4, uint8_t flags)
{
	return (struct md_want){
		.l3 = PR_L3_IPV4,
		.l4 = l4,
		.flags = flags,
		.l3_off = ETH_LEN,
		.l4_off = ETH_LEN + IP_LEN,
	};
}

static void
expect_next(struct fixture *fx, uint16_t edge, struct md_want w)
{
	const struct pr_md *md = pr_md(&fx->p.m);

	if (edge != PR_EDGE_NEXT && md->drop < PR_DROP_COUNT)
		print_error("dropped: %s\n", pr_drop_names[md->drop]);
	assert_int_equal(edge, PR_EDGE_NEXT);
	assert_int_equal(md->l3, w.l3);
	assert_int_equal(md->l4, w.l4);
	assert_int_equal(md->flags, w.flags);
	assert_int_equal(md->l3_off, w.l3_off);
	if (w.l4 != 0)
		assert_int_equal(md->l4_off, w.l4_off);
	if (w.flags & PR_MD_F_VLAN)
		assert_int_equal(md->vlan_tci, w.vlan_tci);
}

static void
expect_drop(struct fixture *fx, uint16_t edge, enum pr_drop want)
{
	const struct pr_md *md = pr_md(&fx->p.m);

	assert_int_equal(edge, PR_EDGE_DROP);
	assert_in_range(md->drop, 0, PR_DROP_COUNT - 1);
	assert_string_equal(pr_drop_names[md->drop], pr_drop_names[want]);
}

/*
 * Exactly the counters listed moved, by one per listing (the list ends with PR_CTR_COUNT),
 * and no drop counter: the drop node counts reasons, not parse. Resets them for the next run.
 */
static void
expect_ctrs_list(struct pr_stats *st, const enum pr_ctr *moved)
{
	uint64_t want[PR_CTR_COUNT] = {0};
	bool ok = true;
	unsigned int i;

	for (i = 0; moved[i] != PR_CTR_COUNT; i++)
		want[moved[i]]++;
	for (i = 0; i < PR_CTR_COUNT; i++) {
		if (st->ctr[i] == want[i])
			continue;
		print_error("counter %s is %" PRIu64 ", expected %" PRIu64 "\n", pr_ctr_names[i],
			    st->ctr[i], want[i]);
		ok = false;
	}
	for (i = 0; i < PR_DROP_COUNT; i++) {
		if (st->drop[i] == 0)
			continue;
		print_error("drop counter %s moved\n", pr_drop_names[i]);
		ok = false;
	}
	assert_true(ok);
	memset(st, 0, sizeof(*st));
}

#define expect_ctrs(st, ...)                                                                       \
	expect_ctrs_list((st), (const enum pr_ctr[]){__VA_ARGS__, PR_CTR_COUNT})
#define expect_no_ctrs(st) expect_ctrs_list((st), (const enum pr_ctr[]){PR_CTR_COUNT})

/* Counters of a good, software-checked IPv4 header, before the transport one. */
#define CTRS_IPV4 PR_CTR_PARSE_ETHERNET, PR_CTR_PARSE_CKSUM_SW, PR_CTR_PARSE_IPV4

static int
fx_setup(void **state)
{
	memset(&the_fixture, 0, sizeof(the_fixture));
	*state = &the_fixture;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fixture *fx = *state;

	pkt_free(&fx->p);
	return 0;
}

/* Good frames. */

static void
test_udp(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_udp(&f, 10);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), want_ipv4(PROTO_UDP, 0));
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_UDP);
}

/* Data offset 8 (12 bytes of options), DF set: DF alone does not make a fragment. */
static void
test_tcp_with_options(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_tcp(&f);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), want_ipv4(PROTO_TCP, 0));
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_TCP);
}

static void
test_icmp(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 5, 0, PROTO_ICMP);
	put_icmp_echo(&f);
	put_fill(&f, 0x5a, 16);
	ipv4_finish(&f);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), want_ipv4(PROTO_ICMP, 0));
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_ICMP);
}

static void
test_sctp(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 5, 0, PROTO_SCTP);
	put_sctp(&f);
	ipv4_finish(&f);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), want_ipv4(PROTO_SCTP, 0));
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_SCTP);
}

/* A protocol parse does not look into passes with its number and offset. */
static void
test_other_l4(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 5, 0, PROTO_GRE);
	put_fill(&f, 0, 4);
	ipv4_finish(&f);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), want_ipv4(PROTO_GRE, 0));
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_OTHER_L4);
}

static void
test_arp_request(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_ARP);
	put_arp(&f, 1, ETH_IPV4, 6, 4);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), (struct md_want){.l3 = PR_L3_ARP, .l3_off = ETH_LEN});
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET, PR_CTR_PARSE_ARP);
}

static void
test_vlan_udp(void **state)
{
	struct fixture *fx = *state;
	const struct md_want w = {
		.l3 = PR_L3_IPV4,
		.l4 = PROTO_UDP,
		.flags = PR_MD_F_VLAN,
		.vlan_tci = 0xa064,
		.l3_off = ETH_LEN + VLAN_LEN,
		.l4_off = ETH_LEN + VLAN_LEN + IP_LEN,
	};
	struct frame f = {0};

	put_eth(&f, ETH_VLAN);
	put_vlan(&f, 0xa064, ETH_IPV4); /* PCP 5, VID 100 */
	put_ipv4(&f, 5, 0, PROTO_UDP);
	put_udp(&f, 10);
	ipv4_finish(&f);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), w);
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_VLAN, PR_CTR_PARSE_UDP);
}

/* IHL 6: the options are summed and the transport header starts after them. */
static void
test_ipv4_options(void **state)
{
	struct fixture *fx = *state;
	struct md_want w = want_ipv4(PROTO_UDP, 0);
	struct frame f = {0};

	w.l4_off += 4;
	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 6, 0, PROTO_UDP);
	put_udp(&f, 10);
	ipv4_finish(&f);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), w);
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_UDP);
}

static void
test_ipv6_passes(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_IPV6);
	put_ipv6(&f, PROTO_UDP, UDP_LEN);
	put_udp(&f, 0);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), (struct md_want){.l3 = PR_L3_IPV6, .l3_off = ETH_LEN});
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET, PR_CTR_PARSE_IPV6);
}

static void
test_unknown_ethertype_passes(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_LLDP);
	put_fill(&f, 0, 46);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), (struct md_want){.l3 = PR_L3_NONE, .l3_off = ETH_LEN});
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET, PR_CTR_PARSE_OTHER_L3);

	/* Nothing after the Ethernet header is still a whole Ethernet frame. */
	pkt_load(fx, &f, ETH_LEN);
	expect_next(fx, run(fx), (struct md_want){.l3 = PR_L3_NONE, .l3_off = ETH_LEN});
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET, PR_CTR_PARSE_OTHER_L3);
}

/* MF set, offset 0: the UDP header is parsed; its length covers the whole datagram. */
static void
test_first_fragment(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 5, IP_MF, PROTO_UDP);
	put_udp(&f, 16);
	set16(&f, f.l4 + 4, UDP_LEN + 3000);
	ipv4_finish(&f);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), want_ipv4(PROTO_UDP, PR_MD_F_FRAG));
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_IPV4_FRAG, PR_CTR_PARSE_UDP);
}

/* Offset != 0: no transport header, not even room for one, and none is looked for. */
static void
test_later_fragment(void **state)
{
	struct fixture *fx = *state;
	static const uint16_t frags[] = {185, IP_MF | 185, 1, 0x1fff};
	struct frame f;
	unsigned int i;

	for (i = 0; i < RTE_DIM(frags); i++) {
		memset(&f, 0, sizeof(f));
		put_eth(&f, ETH_IPV4);
		put_ipv4(&f, 5, frags[i], PROTO_UDP);
		put_fill(&f, 0xff, 4);
		ipv4_finish(&f);
		pkt_load(fx, &f, f.len);
		expect_next(fx, run(fx), want_ipv4(PROTO_UDP, PR_MD_F_FRAG | PR_MD_F_LATER_FRAG));
		expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_IPV4_FRAG);
	}
}

/* Padded to the 60-byte Ethernet minimum: IPv4 total length is less than what arrived. */
static void
test_padded_frame(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_udp(&f, 4);
	put_fill(&f, 0, 60 - f.len);
	pkt_load(fx, &f, f.len);
	expect_next(fx, run(fx), want_ipv4(PROTO_UDP, 0));
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_UDP);
}

/* Headers in the first segment, payload in the second: nothing to object to. */
static void
test_segmented_payload_passes(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_tcp(&f);
	pkt_load_segmented(fx, &f, ETH_LEN + IP_LEN + 32);
	expect_next(fx, run(fx), want_ipv4(PROTO_TCP, 0));
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_TCP);
}

/* Ethernet and VLAN drops. */

static void
test_l2_truncated(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};
	uint16_t len;

	frame_ipv4_udp(&f, 10);
	for (len = 0; len < ETH_LEN; len++) {
		pkt_load(fx, &f, len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_L2_TRUNCATED);
		expect_no_ctrs(&fx->st);
	}
}

static void
test_vlan_truncated(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};
	uint16_t len;

	put_eth(&f, ETH_VLAN);
	put_vlan(&f, 100, ETH_IPV4);
	put_ipv4(&f, 5, 0, PROTO_UDP);
	put_udp(&f, 0);
	ipv4_finish(&f);
	for (len = ETH_LEN; len < ETH_LEN + VLAN_LEN; len++) {
		pkt_load(fx, &f, len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_L2_TRUNCATED);
		expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
	}
}

static void
test_vlan_nested(void **state)
{
	struct fixture *fx = *state;
	static const uint16_t inner[] = {ETH_VLAN, ETH_QINQ};
	struct frame f;
	unsigned int i;

	for (i = 0; i < RTE_DIM(inner); i++) {
		memset(&f, 0, sizeof(f));
		put_eth(&f, ETH_VLAN);
		put_vlan(&f, 100, inner[i]);
		put_vlan(&f, 200, ETH_IPV4);
		put_ipv4(&f, 5, 0, PROTO_UDP);
		put_udp(&f, 0);
		ipv4_finish(&f);
		pkt_load(fx, &f, f.len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_VLAN_NESTED);
		expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
	}
}

/* ARP drops. */

static void
test_arp_truncated(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};
	uint16_t len;

	put_eth(&f, ETH_ARP);
	put_arp(&f, 1, ETH_IPV4, 6, 4);
	for (len = ETH_LEN; len < ETH_LEN + ARP_LEN; len++) {
		pkt_load(fx, &f, len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_ARP_TRUNCATED);
		expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
	}
}

static void
test_arp_unsupported(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		uint16_t htype, ptype;
		uint8_t hlen, plen;
	} arps[] = {
		{6, ETH_IPV4, 6, 4},  /* IEEE 802 hardware */
		{1, ETH_IPV6, 6, 4},  /* not IPv4 */
		{1, ETH_IPV4, 8, 4},  /* hlen */
		{1, ETH_IPV4, 6, 16}, /* plen */
	};
	struct frame f;
	unsigned int i;

	for (i = 0; i < RTE_DIM(arps); i++) {
		memset(&f, 0, sizeof(f));
		put_eth(&f, ETH_ARP);
		put_arp(&f, arps[i].htype, arps[i].ptype, arps[i].hlen, arps[i].plen);
		pkt_load(fx, &f, f.len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_ARP_UNSUPPORTED);
		expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
	}
}

/* IPv4 drops. */

static void
test_ipv4_truncated(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};
	uint16_t len;

	frame_ipv4_udp(&f, 10);
	for (len = ETH_LEN; len < ETH_LEN + IP_LEN; len++) {
		pkt_load(fx, &f, len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_IPV4_TRUNCATED);
		expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
	}

	/* The fixed part arrived, the options did not. */
	memset(&f, 0, sizeof(f));
	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 6, 0, PROTO_UDP);
	ipv4_finish(&f);
	for (len = ETH_LEN + IP_LEN; len < ETH_LEN + IP_LEN + 4; len++) {
		pkt_load(fx, &f, len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_IPV4_TRUNCATED);
		expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
	}
}

/* An IPv6 packet in an IPv4 ethertype. */
static void
test_ipv4_bad_version(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_IPV4);
	put_ipv6(&f, PROTO_UDP, UDP_LEN);
	put_udp(&f, 0);
	pkt_load(fx, &f, f.len);
	expect_drop(fx, run(fx), PR_DROP_PARSE_IPV4_BAD_VERSION);
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
}

static void
test_ipv4_bad_ihl(void **state)
{
	struct fixture *fx = *state;
	struct frame f;
	uint8_t ihl;

	for (ihl = 0; ihl < 5; ihl++) {
		memset(&f, 0, sizeof(f));
		put_eth(&f, ETH_IPV4);
		put_ipv4(&f, ihl, 0, PROTO_UDP);
		put_udp(&f, 10);
		ipv4_finish(&f);
		pkt_load(fx, &f, f.len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_IPV4_BAD_IHL);
		expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
	}
}

static void
test_ipv4_bad_total_length(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	/* Less than the header. */
	frame_ipv4_udp(&f, 10);
	ipv4_set_total(&f, IP_LEN - 1);
	pkt_load(fx, &f, f.len);
	expect_drop(fx, run(fx), PR_DROP_PARSE_IPV4_BAD_LENGTH);
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);

	/* Less than the header with its options. */
	memset(&f, 0, sizeof(f));
	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 6, 0, PROTO_UDP);
	put_udp(&f, 10);
	ipv4_set_total(&f, IP_LEN + 3);
	pkt_load(fx, &f, f.len);
	expect_drop(fx, run(fx), PR_DROP_PARSE_IPV4_BAD_LENGTH);
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);

	/* One byte more than arrived. */
	memset(&f, 0, sizeof(f));
	frame_ipv4_udp(&f, 10);
	ipv4_set_total(&f, f.len - ETH_LEN + 1);
	pkt_load(fx, &f, f.len);
	expect_drop(fx, run(fx), PR_DROP_PARSE_IPV4_BAD_LENGTH);
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
}

/*
 * Every single-bit error outside version, IHL and total length (which have their own drops)
 * changes a ones' complement sum, so each one must be caught.
 */
static void
test_ipv4_bad_cksum(void **state)
{
	struct fixture *fx = *state;
	struct frame good = {0}, f;
	unsigned int byte, bit;

	frame_ipv4_udp(&good, 10);
	for (byte = 1; byte < IP_LEN; byte++) {
		if (byte == 2 || byte == 3)
			continue;
		for (bit = 0; bit < 8; bit++) {
			f = good;
			f.b[ETH_LEN + byte] ^= 1u << bit;
			pkt_load(fx, &f, f.len);
			expect_drop(fx, run(fx), PR_DROP_PARSE_IPV4_BAD_CKSUM);
			expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
		}
	}
}

/* The NIC's verdict wins over the sum in the packet, both ways. */
static void
test_ipv4_hw_cksum_bad(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_udp(&f, 10);
	pkt_load(fx, &f, f.len);
	fx->p.m.ol_flags = RTE_MBUF_F_RX_IP_CKSUM_BAD;
	expect_drop(fx, run(fx), PR_DROP_PARSE_IPV4_BAD_CKSUM);
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);
}

static void
test_ipv4_hw_cksum_good(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_udp(&f, 10);
	f.b[ETH_LEN + 11] ^= 0x01;
	pkt_load(fx, &f, f.len);
	fx->p.m.ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	expect_next(fx, run(fx), want_ipv4(PROTO_UDP, 0));
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET, PR_CTR_PARSE_CKSUM_HW, PR_CTR_PARSE_IPV4,
		    PR_CTR_PARSE_UDP);
}

/* RX_IP_CKSUM_NONE: the NIC verified the header but left the sum unfilled. */
static void
test_ipv4_hw_cksum_none(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_udp(&f, 10);
	f.b[ETH_LEN + 10] = 0;
	f.b[ETH_LEN + 11] = 0;
	pkt_load(fx, &f, f.len);
	fx->p.m.ol_flags = RTE_MBUF_F_RX_IP_CKSUM_NONE;
	expect_next(fx, run(fx), want_ipv4(PROTO_UDP, 0));
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET, PR_CTR_PARSE_CKSUM_HW, PR_CTR_PARSE_IPV4,
		    PR_CTR_PARSE_UDP);
}

/* Transport drops. */

/*
 * Cut the frame anywhere inside the transport header and make the IPv4 total length agree:
 * the header is then truncated, not lied about, whatever the cut.
 */
static void
expect_l4_cuts(struct fixture *fx, const struct frame *whole, uint16_t hdr_len, enum pr_drop reason)
{
	struct frame f;
	uint16_t cut;

	for (cut = 0; cut < hdr_len; cut++) {
		f = *whole;
		f.len = f.l4 + cut;
		ipv4_finish(&f);
		pkt_load(fx, &f, f.len);
		expect_drop(fx, run(fx), reason);
		expect_ctrs(&fx->st, CTRS_IPV4);
	}
}

static void
test_tcp_truncated(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_tcp(&f);
	expect_l4_cuts(fx, &f, TCP_LEN, PR_DROP_PARSE_TCP_TRUNCATED);
}

static void
test_tcp_bad_data_offset(void **state)
{
	struct fixture *fx = *state;
	struct frame f;
	uint8_t doff;

	for (doff = 0; doff < 5; doff++) {
		memset(&f, 0, sizeof(f));
		put_eth(&f, ETH_IPV4);
		put_ipv4(&f, 5, 0, PROTO_TCP);
		put_tcp(&f, doff);
		put_fill(&f, 0x5a, 20);
		ipv4_finish(&f);
		pkt_load(fx, &f, f.len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_TCP_BAD_OFFSET);
		expect_ctrs(&fx->st, CTRS_IPV4);
	}
}

/* The data offset points past the end of the IP payload: options cut anywhere. */
static void
test_tcp_options_truncated(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_tcp(&f);
	expect_l4_cuts(fx, &f, 32, PR_DROP_PARSE_TCP_TRUNCATED);

	/* Data offset 15 with 8 bytes of payload after the fixed header. */
	memset(&f, 0, sizeof(f));
	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 5, 0, PROTO_TCP);
	put_tcp(&f, 5);
	f.b[f.l4 + 12] = 15 << 4;
	put_fill(&f, 0x5a, 8);
	ipv4_finish(&f);
	pkt_load(fx, &f, f.len);
	expect_drop(fx, run(fx), PR_DROP_PARSE_TCP_TRUNCATED);
	expect_ctrs(&fx->st, CTRS_IPV4);
}

static void
test_udp_truncated(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	frame_ipv4_udp(&f, 10);
	expect_l4_cuts(fx, &f, UDP_LEN, PR_DROP_PARSE_UDP_TRUNCATED);
}

static void
test_udp_bad_length(void **state)
{
	struct fixture *fx = *state;
	static const uint16_t lens[] = {0, 1, UDP_LEN - 1, UDP_LEN + 10 + 1, 0xffff};
	struct frame f;
	unsigned int i;

	for (i = 0; i < RTE_DIM(lens); i++) {
		memset(&f, 0, sizeof(f));
		frame_ipv4_udp(&f, 10);
		set16(&f, f.l4 + 4, lens[i]);
		pkt_load(fx, &f, f.len);
		expect_drop(fx, run(fx), PR_DROP_PARSE_UDP_BAD_LENGTH);
		expect_ctrs(&fx->st, CTRS_IPV4);
	}

	/* Even in a first fragment, a UDP length below its own header is wrong. */
	memset(&f, 0, sizeof(f));
	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 5, IP_MF, PROTO_UDP);
	put_udp(&f, 16);
	set16(&f, f.l4 + 4, UDP_LEN - 1);
	ipv4_finish(&f);
	pkt_load(fx, &f, f.len);
	expect_drop(fx, run(fx), PR_DROP_PARSE_UDP_BAD_LENGTH);
	expect_ctrs(&fx->st, CTRS_IPV4, PR_CTR_PARSE_IPV4_FRAG);
}

static void
test_icmp_truncated(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 5, 0, PROTO_ICMP);
	put_icmp_echo(&f);
	ipv4_finish(&f);
	expect_l4_cuts(fx, &f, ICMP_LEN, PR_DROP_PARSE_ICMP_TRUNCATED);
}

static void
test_sctp_truncated(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};

	put_eth(&f, ETH_IPV4);
	put_ipv4(&f, 5, 0, PROTO_SCTP);
	put_sctp(&f);
	ipv4_finish(&f);
	expect_l4_cuts(fx, &f, SCTP_LEN, PR_DROP_PARSE_SCTP_TRUNCATED);
}

/* Headers that straddle two segments: not truncated, but not parsed in place either. */
static void
test_segmented_headers(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};
	uint16_t first;

	frame_ipv4_tcp(&f);
	pkt_load_segmented(fx, &f, ETH_LEN + 10);
	expect_drop(fx, run(fx), PR_DROP_PARSE_SEGMENTED);
	expect_ctrs(&fx->st, PR_CTR_PARSE_ETHERNET);

	/* Wherever the cut falls inside the Ethernet, IPv4 or TCP header. */
	for (first = 1; first < ETH_LEN + IP_LEN + 32; first++) {
		pkt_load_segmented(fx, &f, first);
		expect_drop(fx, run(fx), PR_DROP_PARSE_SEGMENTED);
		memset(&fx->st, 0, sizeof(fx->st));
	}
}

/*
 * A good TCP frame cut at every length: always a drop, and (under ASan) never a read past
 * the cut. A cut inside the IPv4 payload leaves a total length that claims more.
 */
static void
test_tcp_every_truncation(void **state)
{
	struct fixture *fx = *state;
	struct frame f = {0};
	enum pr_drop want;
	uint16_t len;

	frame_ipv4_tcp(&f);
	for (len = 0; len < f.len; len++) {
		if (len < ETH_LEN)
			want = PR_DROP_PARSE_L2_TRUNCATED;
		else if (len < ETH_LEN + IP_LEN)
			want = PR_DROP_PARSE_IPV4_TRUNCATED;
		else
			want = PR_DROP_PARSE_IPV4_BAD_LENGTH;
		pkt_load(fx, &f, len);
		expect_drop(fx, run(fx), want);
		memset(&fx->st, 0, sizeof(fx->st));
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_udp),
		T(test_tcp_with_options),
		T(test_icmp),
		T(test_sctp),
		T(test_other_l4),
		T(test_arp_request),
		T(test_vlan_udp),
		T(test_ipv4_options),
		T(test_ipv6_passes),
		T(test_unknown_ethertype_passes),
		T(test_first_fragment),
		T(test_later_fragment),
		T(test_ipv4_hw_cksum_none),
		T(test_padded_frame),
		T(test_segmented_payload_passes),
		T(test_l2_truncated),
		T(test_vlan_truncated),
		T(test_vlan_nested),
		T(test_arp_truncated),
		T(test_arp_unsupported),
		T(test_ipv4_truncated),
		T(test_ipv4_bad_version),
		T(test_ipv4_bad_ihl),
		T(test_ipv4_bad_total_length),
		T(test_ipv4_bad_cksum),
		T(test_ipv4_hw_cksum_bad),
		T(test_ipv4_hw_cksum_good),
		T(test_tcp_truncated),
		T(test_tcp_bad_data_offset),
		T(test_tcp_options_truncated),
		T(test_udp_truncated),
		T(test_udp_bad_length),
		T(test_icmp_truncated),
		T(test_sctp_truncated),
		T(test_segmented_headers),
		T(test_tcp_every_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
