/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster-state sources: a manifest file (read at start and on SIGHUP) or Redis (list +
 * watch, docs/cluster-state.md). Both feed one model; the control loop polls the source and
 * rebuilds the tables when the model changed. While Redis is unreachable the model, and so
 * the data path, keeps the last state.
 */
#ifndef PR_SOURCE_H
#define PR_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster.h"
#include "config.h"

#define SOURCE_REJECTS_KEPT 64

struct source_reject {
	char key[K8S_KEY_MAX + 64];
	char reason[256];
};

struct source_status {
	const char *type;         /* "file", "redis" or "none" */
	char where[4200];         /* the file, or the Redis URL without its password */
	bool connected;           /* Redis: the last command went through */
	char last_id[48];         /* Redis: the last stream entry applied */
	uint64_t lists;           /* full loads: start, relists, reloads */
	uint64_t events;          /* stream entries applied */
	uint64_t reconnects;
	uint64_t rejected;        /* objects refused, all time */
	uint64_t last_change_ns;  /* CLOCK_MONOTONIC when the last change arrived */
	uint64_t list_ns;         /* how long the last full load took (read + parse) */
	int64_t last_write_ms;    /* Redis: wall-clock ms of the last entry's ID, else -1 */
	unsigned int nb_rejects;  /* currently refused objects, the last SOURCE_REJECTS_KEPT */
	struct source_reject rejects[SOURCE_REJECTS_KEPT];
};

struct source;

/* NULL with errno; nothing is read before source_poll(). */
struct source *source_new(const struct pr_config *cfg);
void source_free(struct source *s);

/*
 * One step of the control loop: waits up to timeout_ms for something to do. Returns 1 when
 * the model changed (*full when it was replaced whole), 0 when not.
 */
int source_poll(struct source *s, int timeout_ms, bool *full);

/*
 * Work of the control loop that must not wait for a long listing (the neighbour table's
 * timers and held packets): fn(arg) is called between the listing's round trips to Redis,
 * about every thousand objects. NULL: nothing.
 */
void source_set_idle(struct source *s, void (*fn)(void *arg), void *arg);

/* SIGHUP: read the file again at the next poll (a Redis source relists). */
void source_reload(struct source *s);

struct cluster *source_model(struct source *s);
const struct source_status *source_status(const struct source *s);

#endif
