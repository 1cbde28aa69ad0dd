/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PR_IPV4_H
#define PR_IPV4_H

#include <stdint.h>

/* The netmask of a prefix length (0 to 32), in host order. */
static inline uint32_t
pr_ipv4_mask(unsigned int plen)
{
	return plen == 0 ? 0 : ~UINT32_C(0) << (32 - plen);
}

#endif
