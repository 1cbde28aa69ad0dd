/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage microbenchmark: runs a stage's per-packet function over prepared bursts of packets
 * already in cache, and reports cycles per packet (rdtsc). No EAL, no device: what is
 * measured is the stage's own work. Under `valgrind --tool=callgrind` the instruction count
 * per packet is the noise-free figure (bench/stages.sh prints both).
 *
 * Usage: bench_stages [ITERATIONS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "../pipeline/parse.c"

#define NB_PKTS 256 /* a mempool cache's worth: the working set of a busy worker */

struct bench_pkt {
	struct rte_mbuf m;
	uint8_t priv[PR_MBUF_PRIV_SIZE];
	uint8_t buf[RTE_PKTMBUF_HEADROOM + 128];
} __rte_cache_aligned;

static void
bench_udp4(struct bench_pkt *p, unsigned int i)
{
	uint8_t *d = p->buf + RTE_PKTMBUF_HEADROOM;
	struct rte_ether_hdr *eth = (void *)d;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_udp_hdr *udp = (void *)(ip + 1);

	memset(p, 0, sizeof(*p));
	p->m.buf_addr = p->buf;
	p->m.data_off = RTE_PKTMBUF_HEADROOM;
	p->m.data_len = p->m.pkt_len = 60;
	p->m.nb_segs = 1;
	p->m.priv_size = PR_MBUF_PRIV_SIZE;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = RTE_BE16(46);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0xc6120000 | i); /* 198.18.x.x */
	ip->dst_addr = rte_cpu_to_be_32(0x0af40105);     /* 10.244.1.5 */
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(1024 + i);
	udp->dst_port = RTE_BE16(80);
	udp->dgram_len = RTE_BE16(26);
}

int
main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	struct bench_pkt *pkts = aligned_alloc(RTE_CACHE_LINE_SIZE, NB_PKTS * sizeof(*pkts));
	static struct pr_stats st;
	uint64_t t0, t1, sink = 0;
	unsigned long it;
	unsigned int i;

	if (pkts == NULL)
		return 1;
	for (i = 0; i < NB_PKTS; i++)
		bench_udp4(&pkts[i], i);
	t0 = rte_rdtsc_precise();
	for (it = 0; it < iters; it++)
		for (i = 0; i < NB_PKTS; i++)
			sink += parse_one(&st, &pkts[i].m);
	t1 = rte_rdtsc_precise();
	if (sink != (uint64_t)iters * NB_PKTS * PR_EDGE_NEXT ||
	    st.ctr[PR_CTR_PARSE_UDP] != iters * NB_PKTS) {
		fprintf(stderr, "bench: parse did not take every packet as UDP\n");
		return 1;
	}
	printf("parse (Ethernet/IPv4/UDP, checksum in software): %.1f cycles/packet over %lu "
	       "packets\n", (double)(t1 - t0) / ((double)iters * NB_PKTS), iters * NB_PKTS);
	free(pkts);
	return 0;
}
