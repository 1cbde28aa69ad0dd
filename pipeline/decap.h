/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which packets are tunnels for decap to look at: one table lookup by IP protocol, then one
 * by UDP destination port, both built by decap_configure() from the overlay config. parse
 * uses it to send decap only the candidates (everything else goes straight on to the L3
 * stages) and leaves the kind in md->tunnel, which decap reads.
 */
#ifndef PR_DECAP_H
#define PR_DECAP_H

#include <stdint.h>

#include <rte_udp.h>

#include "stage.h"

enum decap_kind {
	DECAP_NONE,
	DECAP_VXLAN,
	DECAP_GENEVE,
	DECAP_IPIP,
	DECAP_BY_PORT, /* proto_kind only: UDP, see udp_kind */
};

struct decap_tables {
	uint8_t proto_kind[256];          /* enum decap_kind by IP protocol */
	uint8_t udp_kind[UINT16_MAX + 1]; /* enum decap_kind by UDP destination port, host order */
};

/* Set once by decap_configure(), before any worker runs; read-only afterwards. */
extern struct decap_tables decap_tables;

/* The tunnel kind of an IPv4 packet parsed into md (p: its data), or DECAP_NONE. */
static __rte_always_inline enum decap_kind
decap_classify(const struct pr_md *md, const uint8_t *p)
{
	uint8_t k = decap_tables.proto_kind[md->l4];

	if (likely(k != DECAP_BY_PORT))
		return (enum decap_kind)k;
	if (md->flags & PR_MD_F_LATER_FRAG)
		return DECAP_NONE;
	return (enum decap_kind)decap_tables.udp_kind[rte_be_to_cpu_16(
		((const struct rte_udp_hdr *)(p + md->l4_off))->dst_port)];
}

#endif
