/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Binary search of a name in an array sorted by name (strcmp order), whatever holds the
 * names: `name_at(v, i)` gives the i-th one. Control-core code only (one call per step).
 */
#ifndef PR_SORTED_H
#define PR_SORTED_H

#include <stdbool.h>
#include <string.h>

/* The position of `name` in v[0..n), with *found set; else where it would be inserted. */
static inline unsigned int
sorted_find(const void *v, unsigned int n, const char *(*name_at)(const void *v, unsigned int i),
	    const char *name, bool *found)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		int r = strcmp(name_at(v, mid), name);

		if (r == 0) {
			*found = true;
			return mid;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

#endif
