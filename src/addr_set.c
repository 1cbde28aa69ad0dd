/* SPDX-License-Identifier: BSD-3-Clause */
/* Sets of IPv4 addresses for the data path (addr_set.h). */
#include <errno.h>
#include <stdlib.h>

#include "addr_set.h"

int
addr_set_build(struct addr_set *s, const uint32_t *v, unsigned int n)
{
	uint32_t slots = 4, bits = 2, i, j;

	while (slots < 2 * n)
		slots <<= 1, bits++;
	s->slot = calloc(slots, sizeof(*s->slot));
	if (s->slot == NULL)
		return -ENOMEM;
	s->mask = slots - 1;
	s->shift = 32 - bits;
	for (i = 0; i < n; i++) {
		if (v[i] == 0 || addr_set_has(s, v[i]))
			continue;
		for (j = addr_set_first(s, v[i]); s->slot[j] != 0; j = (j + 1) & s->mask)
			;
		s->slot[j] = v[i];
	}
	return 0;
}

void
addr_set_free(struct addr_set *s)
{
	free(s->slot);
	s->slot = NULL;
}
