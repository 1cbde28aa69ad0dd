/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output's header rewrites, on mbufs in memory (no EAL): the outer IPv4 checksum from the
 * per-next-hop partial sum equals the one computed from scratch for any addresses, length
 * and id; VXLAN, Geneve and IP-in-IP headers are laid out as the RFCs say, lengths right;
 * the L2 rewrite puts the Ethernet header right before L3 whatever was there (a VLAN tag, or
 * nothing at all); the flow hash gives one source port per flow in 49152-65535.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../pipeline/output.c"
#include "../../pipeline/output_adj.c"

struct test_pkt {
	struct rte_mbuf m;
	uint8_t priv[PR_MBUF_PRIV_SIZE];
	uint8_t buf[RTE_PKTMBUF_HEADROOM + 256];
} __rte_cache_aligned;

static struct test_pkt pkt;
static struct pr_stats stats;

/* A UDP packet from 10.244.1.10 to 10.244.2.20, `l3_off` bytes of L2 in front. */
static struct rte_mbuf *
make_udp(uint16_t l3_off, uint16_t sport)
{
	struct rte_mbuf *m = &pkt.m;
	struct pr_md *md;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	memset(&pkt, 0, sizeof(pkt));
	m->buf_addr = pkt.buf;
	m->buf_len = sizeof(pkt.buf);
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->priv_size = PR_MBUF_PRIV_SIZE;
	m->nb_segs = 1;
	m->data_len = m->pkt_len = l3_off + 20 + 8 + 18;
	md = pr_md(m);
	md->l3_off = l3_off;
	md->l4_off = l3_off + 20;
	md->l3 = PR_L3_IPV4;
	md->l4 = IPPROTO_UDP;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3_off);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(20 + 8 + 18);
	ip->time_to_live = 63;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = RTE_BE32(0x0af4010a);
	ip->dst_addr = RTE_BE32(0x0af40214);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = RTE_BE16(80);
	udp->dgram_len = RTE_BE16(26);
	return m;
}

static void
test_outer_checksum(void **state)
{
	struct output_ctx ctx = { .stats = &stats };
	struct output_port op = { .cksum_mask = 0xffff };
	unsigned int seed = 11, i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		struct route_nh nh = { .via = (uint32_t)rand_r(&seed),
				       .encap = i & 1 ? ROUTE_ENCAP_VXLAN : ROUTE_ENCAP_IPIP };
		struct output_hdr hdr;
		struct rte_ipv4_hdr ip, want;
		uint16_t len = (uint16_t)(28 + rand_r(&seed) % 9000);
		uint8_t proto = i & 1 ? IPPROTO_UDP : IPPROTO_IPIP;

		out_cfg.node_ip = (uint32_t)rand_r(&seed);
		ctx.ip_id = (uint16_t)rand_r(&seed);
		/* The template's outer header, then what output writes per packet. */
		output_template(&nh, &op, hdr.b);
		memcpy(&ip, hdr.b + 14, sizeof(ip));
		output_outer_ip(&ctx, &pkt.m, &op, &nh, &ip, len);
		want = ip;
		want.hdr_checksum = 0;
		assert_int_equal(ip.hdr_checksum, rte_ipv4_cksum(&want));
		assert_int_equal(rte_be_to_cpu_16(ip.total_length), len);
		assert_int_equal(ip.dst_addr, nh.via);
		assert_int_equal(ip.next_proto_id, proto);
	}
	/* With the NIC summing: no checksum written, the offload asked for. */
	op = (struct output_port){ .cksum_mask = 0, .ol_flags = RTE_MBUF_F_TX_IPV4 |
							      RTE_MBUF_F_TX_IP_CKSUM };
	{
		struct route_nh nh = { .via = RTE_BE32(0xc6120003) };
		struct rte_ipv4_hdr ip;

		pkt.m.ol_flags = 0;
		output_outer_ip(&ctx, &pkt.m, &op, &nh, &ip, 100);
		assert_int_equal(ip.hdr_checksum, 0);
		assert_true(pkt.m.ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
		assert_int_equal(pkt.m.l2_len, 14);
		assert_int_equal(pkt.m.l3_len, 20);
	}
}

static void
test_l2_rewrite(void **state)
{
	static const uint16_t offs[] = { 14, 18, 0 };
	static const struct rte_ether_addr port_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
	static const uint8_t pod_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x0a };
	struct output_port op;
	uint64_t w = UINT64_C(0x0001) << 48; /* the pod's MAC, and a flag in the top bytes */
	unsigned int i;

	(void)state;
	output_port_set_mac(&op, &port_mac);
	memcpy(&w, pod_mac, sizeof(pod_mac));
	for (i = 0; i < RTE_DIM(offs); i++) {
		struct rte_mbuf *m = make_udp(offs[i], 1000);
		uint32_t len = m->pkt_len - offs[i];
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

		assert_true(output_l2(m, pr_md(m), &op, w, pr_md(m)->l3_off));
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		assert_int_equal(m->pkt_len, len + 14);
		assert_memory_equal(&eth->dst_addr, pod_mac, 6);
		assert_memory_equal(&eth->src_addr, &port_mac, 6);
		assert_int_equal(eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
		assert_int_equal(pr_md(m)->l3_off, 14);
		assert_int_equal(((struct rte_ipv4_hdr *)(eth + 1))->version_ihl, RTE_IPV4_VHL_DEF);
	}
}

static void
check_tunnel(uint8_t encap, const uint8_t want_word0[4])
{
	struct output_ctx ctx = { .stats = &stats };
	struct output_port op = { .cksum_mask = 0xffff,
				  .mac = { { 0x02, 0, 0, 0, 0, 0x01 } } };
	struct route_nh nh = { .via = RTE_BE32(0xc6120003), .encap = encap };
	struct output_hdr hdr;
	struct rte_mbuf *m = make_udp(14, 1000);
	uint64_t w = 0; /* the neighbour word: 02:00:00:00:02:03 in its first bytes */
	uint32_t inner = m->pkt_len;
	const uint8_t *p;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	out_cfg.node_ip = RTE_BE32(0xc6120002);
	out_cfg.vni_be = rte_cpu_to_be_32(1 << 8);
	out_cfg.udp_port_be = RTE_BE16(4789);
	memcpy(&w, "\x02\x00\x00\x00\x02\x03", 6);
	output_template(&nh, &op, hdr.b);
	assert_true(output_udp_tunnel(&ctx, m, &op, &nh, &hdr, (uint16_t)(inner - 14), 0x12345, w,
				      pr_md(m)->l3_off));
	assert_int_equal(m->pkt_len, inner + 50);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_memory_equal(p, "\x02\x00\x00\x00\x02\x03\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	ip = (struct rte_ipv4_hdr *)(p + 14);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), inner + 36);
	assert_int_equal(ip->next_proto_id, IPPROTO_UDP);
	assert_int_equal(ip->fragment_offset, 0);
	{
		struct rte_ipv4_hdr copy = *ip;

		copy.hdr_checksum = 0;
		assert_int_equal(ip->hdr_checksum, rte_ipv4_cksum(&copy));
	}
	udp = (struct rte_udp_hdr *)(ip + 1);
	assert_int_equal(rte_be_to_cpu_16(udp->src_port), 49152 | (0x12345 & 0x3fff));
	assert_int_equal(udp->dst_port, RTE_BE16(4789));
	assert_int_equal(rte_be_to_cpu_16(udp->dgram_len), inner + 16);
	assert_int_equal(udp->dgram_cksum, 0);
	assert_memory_equal(p + 42, want_word0, 4);
	assert_memory_equal(p + 46, "\x00\x00\x01\x00", 4); /* VNI 1, reserved 0 */
	/* The inner frame: to and from the uplink's MAC, IPv4, its L3 packet untouched. */
	assert_memory_equal(p + 50, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x01\x08\x00",
			    14);
	assert_int_equal(((const struct rte_ipv4_hdr *)(p + 64))->dst_addr, RTE_BE32(0x0af40214));
}

static void
test_vxlan_geneve_layout(void **state)
{
	(void)state;
	check_tunnel(ROUTE_ENCAP_VXLAN, (const uint8_t *)"\x08\x00\x00\x00");
	check_tunnel(ROUTE_ENCAP_GENEVE, (const uint8_t *)"\x00\x00\x65\x58");
}

static void
test_ipip_layout(void **state)
{
	struct output_ctx ctx = { .stats = &stats };
	struct output_port op = { .cksum_mask = 0xffff };
	struct route_nh nh = { .via = RTE_BE32(0xc6120003), .encap = ROUTE_ENCAP_IPIP };
	struct output_hdr hdr;
	struct rte_mbuf *m = make_udp(14, 1000);
	uint32_t l3 = m->pkt_len - 14;
	struct rte_ipv4_hdr *outer, *inner;

	(void)state;
	output_template(&nh, &op, hdr.b);
	assert_true(output_ipip(&ctx, m, &op, &nh, &hdr, (uint16_t)l3, 0, pr_md(m)->l3_off));
	assert_int_equal(m->pkt_len, 14 + 20 + l3);
	outer = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	inner = outer + 1;
	assert_int_equal(outer->next_proto_id, IPPROTO_IPIP);
	assert_int_equal(rte_be_to_cpu_16(outer->total_length), 20 + l3);
	assert_int_equal(inner->src_addr, RTE_BE32(0x0af4010a));
	assert_int_equal(inner->dst_addr, RTE_BE32(0x0af40214));
}

/*
 * A tunnel's inner destination MAC: its Node's VTEP MAC, found by binary search in the node
 * table's VTEPs (sorted by address as stored), else the port's own; every position and
 * addresses between and beyond them.
 */
static void
test_vtep_lookup(void **state)
{
	static const struct rte_ether_addr dflt = { { 0x02, 0, 0, 0, 0, 0x01 } };
	struct node_vtep v[7] = { { 0 } };
	struct rte_ether_addr mac;
	unsigned int n, i;

	(void)state;
	for (n = 0; n <= RTE_DIM(v); n++) {
		for (i = 0; i < n; i++) {
			v[i] = (struct node_vtep){ .ip = 10 * (i + 1),
						   .mac = { 0x0a, 0x58, 0, 0, 0, (uint8_t)i } };
		}
		assert_int_equal(output_set_vteps(v, n), 0);
		for (i = 0; i < n; i++) {
			output_vtep_mac(v[i].ip, &dflt, &mac);
			assert_memory_equal(&mac, v[i].mac, 6);
			output_vtep_mac(v[i].ip + 5, &dflt, &mac); /* between, and past the last */
			assert_memory_equal(&mac, &dflt, 6);
		}
		output_vtep_mac(1, &dflt, &mac); /* before the first */
		assert_memory_equal(&mac, &dflt, 6);
	}
}

static void
test_flow_hash(void **state)
{
	uint32_t first[64];
	unsigned int i, distinct = 0, j;

	(void)state;
	for (i = 0; i < 64; i++) {
		struct rte_mbuf *m = make_udp(14, (uint16_t)(1000 + i));

		first[i] = output_flow_hash(m, pr_md(m),
					    rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14),
					    false);
		/* The same packet again, and as fast hashes it (plain: no metadata read). */
		m = make_udp(14, (uint16_t)(1000 + i));
		assert_int_equal(first[i], output_flow_hash(m, pr_md(m),
			rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14), false));
		assert_int_equal(first[i], output_flow_hash(m, pr_md(m),
			rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14), true));
	}
	for (i = 0; i < 64; i++) {
		for (j = 0; j < i && (first[j] & 0x3fff) != (first[i] & 0x3fff); j++)
			;
		distinct += j == i;
	}
	assert_true(distinct >= 60); /* 64 flows over 16384 ports: a few collisions at most */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outer_checksum),
		cmocka_unit_test(test_l2_rewrite),
		cmocka_unit_test(test_vxlan_geneve_layout),
		cmocka_unit_test(test_ipip_layout),
		cmocka_unit_test(test_flow_hash),
		cmocka_unit_test(test_vtep_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
