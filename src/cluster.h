/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster model: every Kubernetes object podrouter knows, by kind and key (the key of the
 * Redis contract, "KIND:NAMESPACE/NAME" or "KIND:NAME"). Both sources (a manifest file, Redis)
 * feed it; the table builder reads it. Control core only, single-threaded.
 */
#ifndef PR_CLUSTER_H
#define PR_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "k8s.h"

struct cluster;

struct cluster *cluster_new(void);
void cluster_free(struct cluster *c);

/*
 * Insert or replace the object with o's key; the model owns o from here on, whatever the
 * result. Returns 1 when the model changed, 0 when an equal object was already there (o is
 * freed), -ENOMEM.
 */
int cluster_apply(struct cluster *c, struct k8s_object *o);

/* Remove the object with this key. 1 when it was there, 0 when not (idempotent). */
int cluster_delete(struct cluster *c, const char *key);

const struct k8s_object *cluster_get(const struct cluster *c, const char *key);

unsigned int cluster_count(const struct cluster *c, enum k8s_kind kind);

/*
 * The objects of a kind sorted by key, valid until the next change of that kind; NULL with
 * *n = 0 when there are none (or memory ran out: then errno is ENOMEM).
 */
const struct k8s_object *const *cluster_sorted(struct cluster *c, enum k8s_kind kind,
					       unsigned int *n);

/* Bumped by every change. */
uint64_t cluster_generation(const struct cluster *c);

/* The kinds changed since the last call (bit 1 << kind), and clear them. */
uint32_t cluster_take_changes(struct cluster *c);

/*
 * The EndpointSlices of a Service ("NAMESPACE/NAME", as their kubernetes.io/service-name
 * label says), kept up to date by apply and delete. *n = 0 when none.
 */
const struct k8s_object *const *cluster_slices_of(const struct cluster *c, const char *svc,
						  unsigned int *n);

/*
 * The Services ("NAMESPACE/NAME") whose object or EndpointSlices changed since the last call;
 * the caller frees the array and its strings. *all is set when so much changed that a full
 * build is cheaper (or memory ran out keeping track).
 */
char **cluster_take_dirty_services(struct cluster *c, unsigned int *n, bool *all);

#endif
