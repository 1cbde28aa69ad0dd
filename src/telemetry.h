/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PR_TELEMETRY_H
#define PR_TELEMETRY_H

#include "config.h"

#include "source.h"

struct route_lpm;
struct rte_ether_addr;
struct rte_tel_data;

/*
 * Add container x under name in dict d; x is freed when it cannot be added (a full dict, a
 * name with other characters than [A-Za-z0-9_/] in DPDK 22.11), so nothing leaks.
 */
void telemetry_put(struct rte_tel_data *d, const char *name, struct rte_tel_data *x);

/* A MAC as telemetry shows it: lower-case hex, as `ip neigh` does. */
void telemetry_mac(char *buf, size_t len, const struct rte_ether_addr *mac);

/* The LPM's state after a route sync, and how long the sync took, for /podrouter/sync. */
void telemetry_route_update(const struct route_lpm *lpm, uint64_t sync_ns);

/* Register the /podrouter/ commands (they read the workers' counters, never write). */
int telemetry_init(const struct pr_config *cfg);

/* The cluster-state commands (telemetry_state.c), registered by telemetry_init(). */
int telemetry_state_init(void);

/*
 * Copy the source's status for /podrouter/sync. After a publication: latency_ns from the
 * change's arrival to the end of the publication, publish_ns for the swap and RCU wait alone
 * (both 0 otherwise: the last ones are kept).
 */
void telemetry_sync_update(const struct source_status *st, uint64_t latency_ns,
			   uint64_t publish_ns);

#endif
