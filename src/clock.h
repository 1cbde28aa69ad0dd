/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PR_CLOCK_H
#define PR_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds: control-path timings (never on the packet path). */
static inline uint64_t
pr_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
