/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PR_ADDR_SET_H
#define PR_ADDR_SET_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A set of IPv4 addresses for the data path: open addressing with linear probing, at most
 * half full, so that a lookup is a multiply and nearly always one or two loads, whatever the
 * number of members. 0 (0.0.0.0) marks an empty slot and is never a member.
 */
struct addr_set {
	uint32_t *slot; /* network order values; 0: empty */
	uint32_t mask;  /* slots - 1 (slots: a power of 2, at least 4) */
	uint32_t shift; /* 32 - log2(slots): the hash's top bits pick the first slot */
};

/* The slot where the search for addr starts (Fibonacci hashing: the product's top bits). */
static inline uint32_t
addr_set_first(const struct addr_set *s, uint32_t addr)
{
	return (addr * UINT32_C(0x9e3779b1)) >> s->shift;
}

/* Whether addr (network order) is in s: a member in its first slot takes one test. */
static inline bool
addr_set_has(const struct addr_set *s, uint32_t addr)
{
	uint32_t i = addr_set_first(s, addr), v = s->slot[i];

	if (v == addr)
		return addr != 0;
	while (v != 0) {
		i = (i + 1) & s->mask;
		v = s->slot[i];
		if (v == addr)
			return true;
	}
	return false;
}

/* s made of v[0..n) (zeros skipped); 0, or -ENOMEM. addr_set_free() it. */
int addr_set_build(struct addr_set *s, const uint32_t *v, unsigned int n);
void addr_set_free(struct addr_set *s);

#endif
