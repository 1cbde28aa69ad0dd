/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The route table's control side: the snapshot's sorted route array in, in-place LPM updates
 * out. The table remembers what the LPM holds as a sorted array (`have`), so a sync is one
 * merge walk of `have` against `want`, then one LPM operation per difference:
 *
 *   pass 1: prefixes gone are deleted (first, so their rules free room for the adds);
 *   pass 2: prefixes new, and prefixes whose next hop changed, are added (rte_lpm_add over an
 *           existing prefix rewrites its entries in place: no miss in between).
 *
 * Next hops are keyed by (kind, via), shared and counted. An id whose count falls to zero
 * during a sync is released at its end (so a delete then an add of the same next hop keeps the
 * id), into an RCU defer queue: a worker that looked the id up before the change may still be
 * reading it, so it is rewritten only after the grace period. rte_lpm does the same for its
 * tbl8 groups (defer-queue mode). When every id or tbl8 group is waiting for a grace period,
 * the sync waits for one (microseconds while the workers poll).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "ipv4.h"
#include "log.h"
#include "route.h"
#include "route_table.h"

#define LOG_MODULE "route_table"
#define LOG_TYPE route_table_logtype
PR_LOG_REGISTER(route_table);

enum route_op {
	ROUTE_OP_KEEP,
	ROUTE_OP_ADD,
	ROUTE_OP_CHANGE,
	ROUTE_OP_REFUSED, /* an add that failed: not in the LPM */
};

/*
 * A route as a sync compares them: one the LPM holds (`have`; the default route's lives in
 * default_nh, not in the LPM) or one of the snapshot's, validated and deduplicated (`wk`).
 */
struct route_inst {
	uint64_t key; /* host-order prefix << 8 | plen: the order of the arrays */
	uint32_t via; /* network order */
	uint32_t nh;  /* have: its next-hop id; wk: ROUTE_NH_NONE */
	uint8_t kind;
	uint8_t op; /* enum route_op, during a sync */
};

struct nh_meta {
	uint32_t ref;   /* routes using it */
	uint32_t hnext; /* next id in its hash chain */
	uint8_t in_zero;
};

struct route_table_ctl {
	unsigned int max_routes;
	struct rte_rcu_qsbr *qsbr;
	struct route_nh *nh; /* the workers' array */
	/*
	 * Work arrays, kept between syncs and grown to the largest snapshot seen: a sync
	 * allocates nothing and touches no fresh page.
	 */
	struct route_inst *have;  /* what the LPM holds, sorted by key */
	struct route_inst *spare; /* the next `have` */
	struct route_inst *wk;    /* the wanted routes */
	uint32_t *todo;           /* positions in the next `have` to add or change */
	unsigned int nb_have, cap;
	unsigned int nb_rules; /* LPM rules in use: `have` but the default route */

	uint32_t max_nh, nb_nh;
	struct nh_meta *meta;
	uint32_t *bucket; /* hash of (kind, via) -> first id of the chain */
	uint32_t bucket_mask;
	uint32_t *free_ids; /* a stack of ids that no worker can hold */
	uint32_t nb_free;
	uint32_t *zero; /* ids whose count fell to zero in this sync */
	uint32_t nb_zero;
	struct rte_rcu_qsbr_dq *dq; /* released ids, waiting for their grace period */
	struct route_nh_resolver resolver;

	uint64_t adds, changes, deletes, failures;
};

/* ---------------------------------------------------------------- next hops */

static uint32_t
nh_hash(const struct route_table_ctl *ctl, uint8_t kind, uint32_t via)
{
	uint64_t k = ((uint64_t)kind << 32 | via) * UINT64_C(0x9e3779b97f4a7c15);

	return (uint32_t)(k >> 32) & ctl->bucket_mask;
}

static uint32_t
nh_find(const struct route_table_ctl *ctl, uint8_t kind, uint32_t via)
{
	uint32_t id = ctl->bucket[nh_hash(ctl, kind, via)];

	while (id != ROUTE_NH_NONE && (ctl->nh[id].kind != kind || ctl->nh[id].via != via))
		id = ctl->meta[id].hnext;
	return id;
}

static void
nh_unlink(struct route_table_ctl *ctl, uint32_t id)
{
	uint32_t *p = &ctl->bucket[nh_hash(ctl, ctl->nh[id].kind, ctl->nh[id].via)];

	while (*p != id)
		p = &ctl->meta[*p].hnext;
	*p = ctl->meta[id].hnext;
}

/* The defer queue's callback: `n` ids past their grace period. */
static void
nh_reclaimed(void *p, void *e, unsigned int n)
{
	struct route_table_ctl *ctl = p;
	const uint32_t *id = e;
	unsigned int i;

	for (i = 0; i < n; i++)
		ctl->free_ids[ctl->nb_free++] = id[i];
}

static void
nh_reclaim(struct route_table_ctl *ctl, bool wait)
{
	if (ctl->dq == NULL)
		return;
	if (wait)
		rte_rcu_qsbr_synchronize(ctl->qsbr, RTE_QSBR_THRID_INVALID);
	rte_rcu_qsbr_dq_reclaim(ctl->dq, ctl->max_nh, NULL, NULL, NULL);
}

/* A reference to the next hop (kind, via), made if it does not exist. 0 or -ENOSPC. */
static int
nh_get(struct route_table_ctl *ctl, uint8_t kind, uint32_t via, uint32_t *idp)
{
	uint32_t id = nh_find(ctl, kind, via), h;

	if (id != ROUTE_NH_NONE) {
		ctl->meta[id].ref++;
		*idp = id;
		return 0;
	}
	if (ctl->nb_free == 0)
		nh_reclaim(ctl, true);
	if (ctl->nb_free == 0)
		return -ENOSPC;
	id = ctl->free_ids[--ctl->nb_free];
	ctl->nh[id] = (struct route_nh){ .via = via, .kind = kind, .usable = 1,
					 .route_ctr = (uint8_t)route_kind_ctr[kind] };
	if (ctl->resolver.init != NULL)
		ctl->resolver.init(ctl->resolver.arg, id, &ctl->nh[id]);
	/* The entry is complete before the LPM, whose tbl8 stores are relaxed, names the id. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h = nh_hash(ctl, kind, via);
	ctl->meta[id] = (struct nh_meta){ .ref = 1, .hnext = ctl->bucket[h] };
	ctl->bucket[h] = id;
	ctl->nb_nh++;
	*idp = id;
	return 0;
}

static void
nh_put(struct route_table_ctl *ctl, uint32_t id)
{
	struct nh_meta *m = &ctl->meta[id];

	if (--m->ref == 0 && !m->in_zero) {
		m->in_zero = 1;
		ctl->zero[ctl->nb_zero++] = id;
	}
}

/* End of a sync: the ids still unused go, to be reused after the grace period. */
static void
nh_sweep(struct route_table_ctl *ctl)
{
	uint32_t i, id;

	for (i = 0; i < ctl->nb_zero; i++) {
		id = ctl->zero[i];
		ctl->meta[id].in_zero = 0;
		if (ctl->meta[id].ref > 0)
			continue;
		nh_unlink(ctl, id);
		ctl->nb_nh--;
		if (ctl->resolver.fini != NULL)
			ctl->resolver.fini(ctl->resolver.arg, id, &ctl->nh[id]);
		if (ctl->dq == NULL)
			ctl->free_ids[ctl->nb_free++] = id;
		else if (rte_rcu_qsbr_dq_enqueue(ctl->dq, &id) != 0)
			/* Cannot happen (the queue holds every id); lose the id, not safety. */
			LOG(ERR, "next hop %u not queued for reuse: %s", id,
			    rte_strerror(rte_errno));
	}
	ctl->nb_zero = 0;
}

/* ---------------------------------------------------------------- the wanted routes */

static const uint8_t kind_rank[ROUTE_NH_KIND_COUNT] = {
	/*
	 * Which of two entries for one prefix wins, whatever order they came in: the router's
	 * own address first (hostNetwork pods report the node's address as theirs), then the
	 * most specific meaning.
	 */
	[ROUTE_NH_HOST] = 0,
	[ROUTE_NH_LOCAL_POD] = 1,
	[ROUTE_NH_LOCAL_CIDR] = 2,
	[ROUTE_NH_REMOTE_NODE] = 3,
	[ROUTE_NH_DEFAULT] = 4,
};

static bool
route_valid(const struct route *r)
{
	return r->plen <= 32 && r->kind < ROUTE_NH_KIND_COUNT &&
	       (rte_be_to_cpu_32(r->prefix) & ~pr_ipv4_mask(r->plen)) == 0;
}

static bool
inst_better(const struct route_inst *a, const struct route_inst *b)
{
	if (kind_rank[a->kind] != kind_rank[b->kind])
		return kind_rank[a->kind] < kind_rank[b->kind];
	return rte_be_to_cpu_32(a->via) < rte_be_to_cpu_32(b->via);
}

static uint32_t
inst_prefix(const struct route_inst *r)
{
	return (uint32_t)(r->key >> 8);
}

static uint8_t
inst_plen(const struct route_inst *r)
{
	return (uint8_t)r->key;
}

/* Room for n routes in every work array. */
static int
sync_reserve(struct route_table_ctl *ctl, unsigned int n)
{
	struct route_inst *have, *spare, *wk;
	uint32_t *todo;

	if (n <= ctl->cap)
		return 0;
	n = RTE_MAX(n, 2 * ctl->cap);
	have = malloc(n * sizeof(*have));
	spare = malloc(n * sizeof(*spare));
	wk = malloc(n * sizeof(*wk));
	todo = malloc(n * sizeof(*todo));
	if (have == NULL || spare == NULL || wk == NULL || todo == NULL) {
		free(have);
		free(spare);
		free(wk);
		free(todo);
		return -ENOMEM;
	}
	if (ctl->nb_have > 0)
		memcpy(have, ctl->have, ctl->nb_have * sizeof(*have));
	free(ctl->have);
	free(ctl->spare);
	free(ctl->wk);
	free(ctl->todo);
	ctl->have = have;
	ctl->spare = spare;
	ctl->wk = wk;
	ctl->todo = todo;
	ctl->cap = n;
	return 0;
}

/*
 * The wanted routes into ctl->wk: the invalid ones skipped, one per prefix (the same one
 * whatever the order of the duplicates). The number, or -EINVAL if `want` is not sorted.
 */
static int
want_prepare(struct route_table_ctl *ctl, const struct route_table *want,
	     struct route_sync_stats *st)
{
	struct route_inst *wk = ctl->wk, *e;
	unsigned int j, n = 0;

	for (j = 0; j < want->nb; j++) {
		const struct route *r = &want->v[j];

		if (!route_valid(r)) {
			st->invalid++;
			continue;
		}
		/* Field by field: a struct built on the stack, then copied, stalls on stores. */
		e = &wk[n];
		e->key = (uint64_t)rte_be_to_cpu_32(r->prefix) << 8 | r->plen;
		e->via = r->via;
		e->nh = ROUTE_NH_NONE;
		e->kind = r->kind;
		e->op = ROUTE_OP_KEEP;
		if (n > 0 && e->key <= wk[n - 1].key) {
			if (e->key < wk[n - 1].key)
				return -EINVAL;
			st->dups++;
			if (inst_better(e, &wk[n - 1]))
				wk[n - 1] = *e;
			continue;
		}
		n++;
	}
	return (int)n;
}

/* ---------------------------------------------------------------- LPM updates */

static int
lpm_set(struct route_lpm *rt, const struct route_inst *r, uint32_t id)
{
	int rc;

	if (inst_plen(r) == 0) {
		__atomic_store_n(&rt->default_nh, id, __ATOMIC_RELEASE);
		return 0;
	}
	rc = rte_lpm_add(rt->lpm, inst_prefix(r), inst_plen(r), id);
	if (rc == -ENOSPC && rt->ctl->qsbr != NULL) {
		/*
		 * There is a rule free (route_install checked), so a tbl8 group is free or
		 * waiting for its grace period: wait for it, and the LPM reclaims it.
		 */
		rte_rcu_qsbr_synchronize(rt->ctl->qsbr, RTE_QSBR_THRID_INVALID);
		rc = rte_lpm_add(rt->lpm, inst_prefix(r), inst_plen(r), id);
	}
	return rc;
}

static void
route_remove(struct route_lpm *rt, const struct route_inst *r)
{
	struct route_table_ctl *ctl = rt->ctl;
	uint32_t p = inst_prefix(r);
	int rc = 0;

	if (inst_plen(r) == 0) {
		__atomic_store_n(&rt->default_nh, ROUTE_NH_NONE, __ATOMIC_RELEASE);
	} else {
		rc = rte_lpm_delete(rt->lpm, p, inst_plen(r));
		ctl->nb_rules--;
	}
	if (rc != 0) /* the rule is gone; a tbl8 group may be lost */
		LOG(ERR, "delete of %u.%u.%u.%u/%u: %s", p >> 24, (p >> 16) & 0xff, (p >> 8) & 0xff,
		    p & 0xff, inst_plen(r), strerror(-rc));
	nh_put(ctl, r->nh);
}

/*
 * Pass 2 for one route (r: the wanted kind and via; for a change, the old id in r->nh):
 * a next hop, then the LPM. 0 or -errno, and then r is what the LPM still holds.
 */
static int
route_install(struct route_lpm *rt, struct route_inst *r)
{
	struct route_table_ctl *ctl = rt->ctl;
	uint32_t id;
	int rc;

	if (r->op == ROUTE_OP_ADD && inst_plen(r) > 0 && ctl->nb_rules == ctl->max_routes)
		rc = -ENOSPC;
	else
		rc = nh_get(ctl, r->kind, r->via, &id);
	if (rc == 0) {
		rc = lpm_set(rt, r, id);
		if (rc != 0)
			nh_put(ctl, id);
	}
	if (rc != 0) {
		if (r->op == ROUTE_OP_CHANGE) {
			r->via = ctl->nh[r->nh].via;
			r->kind = ctl->nh[r->nh].kind;
		} else {
			r->op = ROUTE_OP_REFUSED;
		}
		return rc;
	}
	if (r->op == ROUTE_OP_CHANGE)
		nh_put(ctl, r->nh);
	else if (inst_plen(r) > 0)
		ctl->nb_rules++;
	r->nh = id;
	return 0;
}

/* ---------------------------------------------------------------- sync */

/*
 * Pass 1: a merge of `have` and the `nw` wanted routes into the spare array; deletes are done
 * here, adds and changes listed in ctl->todo (their number in *nb_todo). Returns the length.
 */
static unsigned int
sync_merge(struct route_lpm *rt, unsigned int nw, unsigned int *nb_todo,
	   struct route_sync_stats *st)
{
	struct route_table_ctl *ctl = rt->ctl;
	const struct route_inst *h = ctl->have, *w = ctl->wk;
	struct route_inst *next = ctl->spare;
	unsigned int i = 0, j = 0, n = 0, t = 0;

	while (i < ctl->nb_have && j < nw) {
		if (h[i].key < w[j].key) {
			route_remove(rt, &h[i++]);
			st->deleted++;
		} else if (h[i].key > w[j].key) {
			ctl->todo[t++] = n;
			next[n] = w[j++];
			next[n++].op = ROUTE_OP_ADD;
		} else if (h[i].via == w[j].via && h[i].kind == w[j].kind) {
			next[n++] = h[i++];
			j++;
		} else {
			ctl->todo[t++] = n;
			next[n] = w[j++];
			next[n].nh = h[i++].nh;
			next[n++].op = ROUTE_OP_CHANGE;
		}
	}
	for (; i < ctl->nb_have; i++, st->deleted++)
		route_remove(rt, &h[i]);
	for (; j < nw; j++) {
		ctl->todo[t++] = n;
		next[n] = w[j];
		next[n++].op = ROUTE_OP_ADD;
	}
	st->unchanged = n - t;
	*nb_todo = t;
	return n;
}

/* Pass 2: the adds and changes. The first error, or 0. */
static int
sync_install(struct route_lpm *rt, unsigned int nb_todo, struct route_sync_stats *st)
{
	struct route_inst *next = rt->ctl->spare;
	unsigned int k;
	int rc, err = 0;

	for (k = 0; k < nb_todo; k++) {
		struct route_inst *r = &next[rt->ctl->todo[k]];
		bool add = r->op == ROUTE_OP_ADD;

		rc = route_install(rt, r);
		if (rc != 0) {
			st->failed++;
			err = err != 0 ? err : rc;
		} else {
			st->added += add;
			st->changed += !add;
		}
		r->op = r->op == ROUTE_OP_REFUSED ? ROUTE_OP_REFUSED : ROUTE_OP_KEEP;
	}
	return err;
}

int
route_table_sync(struct route_lpm *rt, const struct route_table *want,
		 struct route_sync_stats *stp)
{
	struct route_table_ctl *ctl = rt->ctl;
	struct route_sync_stats st = { 0 };
	struct route_inst *next;
	unsigned int n, k, m, nb_todo;
	int rc, nw;

	rc = sync_reserve(ctl, want->nb);
	if (rc != 0)
		goto out;
	nw = want_prepare(ctl, want, &st);
	if (nw < 0) {
		rc = nw;
		LOG(ERR, "routes not sorted by prefix: table left as it was");
		goto out;
	}
	nh_reclaim(ctl, false);
	n = sync_merge(rt, (unsigned int)nw, &nb_todo, &st);
	rc = sync_install(rt, nb_todo, &st);
	next = ctl->spare;
	if (st.failed > 0) {
		for (k = 0, m = 0; k < n; k++)
			if (next[k].op != ROUTE_OP_REFUSED)
				next[m++] = next[k];
		n = m;
		LOG(WARNING, "%u of %u route changes refused (%s): those prefixes keep their route",
		    st.failed, nb_todo, strerror(-rc));
	}
	ctl->spare = ctl->have;
	ctl->have = next;
	ctl->nb_have = n;
	nh_sweep(ctl);
	ctl->adds += st.added;
	ctl->changes += st.changed;
	ctl->deletes += st.deleted;
	ctl->failures += st.failed;
out:
	if (stp != NULL)
		*stp = st;
	return rc;
}

/* ---------------------------------------------------------------- create, free */

static struct route_table_ctl *
ctl_new(unsigned int max_routes, int socket)
{
	struct route_table_ctl *ctl = calloc(1, sizeof(*ctl));
	uint32_t i, nb_buckets;

	if (ctl == NULL)
		return NULL;
	ctl->max_routes = max_routes;
	/* Room for every route to change next hop while the old ids wait for a grace period. */
	ctl->max_nh = 2 * max_routes + 2;
	nb_buckets = rte_align32pow2(ctl->max_nh);
	ctl->bucket_mask = nb_buckets - 1;
	ctl->nh = rte_zmalloc_socket("route_nh", ctl->max_nh * sizeof(*ctl->nh),
				     RTE_CACHE_LINE_SIZE, socket);
	ctl->meta = calloc(ctl->max_nh, sizeof(*ctl->meta));
	ctl->bucket = malloc(nb_buckets * sizeof(*ctl->bucket));
	ctl->free_ids = malloc(ctl->max_nh * sizeof(*ctl->free_ids));
	ctl->zero = malloc(ctl->max_nh * sizeof(*ctl->zero));
	if (ctl->nh == NULL || ctl->meta == NULL || ctl->bucket == NULL ||
	    ctl->free_ids == NULL || ctl->zero == NULL)
		return ctl; /* the caller sees what is missing */
	for (i = 0; i < nb_buckets; i++)
		ctl->bucket[i] = ROUTE_NH_NONE;
	/* Lowest ids first: the entries in use stay packed in few cache lines. */
	for (i = 0; i < ctl->max_nh; i++)
		ctl->free_ids[i] = ctl->max_nh - 1 - i;
	ctl->nb_free = ctl->max_nh;
	return ctl;
}

static void
ctl_free(struct route_table_ctl *ctl)
{
	if (ctl == NULL)
		return;
	if (ctl->dq != NULL && rte_rcu_qsbr_dq_delete(ctl->dq) != 0)
		LOG(ERR, "next-hop defer queue not freed: readers still online");
	rte_free(ctl->nh);
	free(ctl->meta);
	free(ctl->bucket);
	free(ctl->free_ids);
	free(ctl->zero);
	free(ctl->have);
	free(ctl->spare);
	free(ctl->wk);
	free(ctl->todo);
	free(ctl);
}

static int
route_table_rcu(struct route_lpm *rt, const char *name, struct rte_rcu_qsbr *qsbr)
{
	struct route_table_ctl *ctl = rt->ctl;
	struct rte_lpm_rcu_config lc = {
		.v = qsbr,
		.mode = RTE_LPM_QSBR_MODE_DQ,
		/* Each tbl8 group freed reclaims the older ones past their grace period. */
		.reclaim_thd = 0,
	};
	struct rte_rcu_qsbr_dq_parameters p = {
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE, /* one writer: the control core */
		.size = ctl->max_nh,
		.esize = sizeof(uint32_t),
		.trigger_reclaim_limit = 32,
		.max_reclaim_size = 32,
		.free_fn = nh_reclaimed,
		.p = ctl,
		.v = qsbr,
	};
	char dq_name[RTE_RCU_QSBR_DQ_NAMESIZE];

	if (rte_lpm_rcu_qsbr_add(rt->lpm, &lc) != 0)
		return -rte_errno;
	snprintf(dq_name, sizeof(dq_name), "RTNH_%s", name);
	p.name = dq_name;
	ctl->dq = rte_rcu_qsbr_dq_create(&p);
	if (ctl->dq == NULL)
		return -rte_errno;
	ctl->qsbr = qsbr;
	return 0;
}

struct route_lpm *
route_table_create(const char *name, unsigned int max_routes, int socket,
		   struct rte_rcu_qsbr *qsbr)
{
	struct rte_lpm_config lc = {
		.max_rules = max_routes,
		/* One group per /24 holding longer prefixes: at worst one per route. */
		.number_tbl8s = max_routes,
	};
	struct route_lpm *rt;
	int rc = -ENOMEM;

	if (name == NULL || max_routes == 0 || max_routes > (ROUTE_NH_ID_MAX - 2) / 2) {
		errno = EINVAL;
		return NULL;
	}
	if (strlen(name) > ROUTE_TABLE_NAME_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	rt = calloc(1, sizeof(*rt));
	if (rt == NULL)
		goto err;
	rt->default_nh = ROUTE_NH_NONE;
	rt->ctl = ctl_new(max_routes, socket);
	if (rt->ctl == NULL || rt->ctl->nh == NULL || rt->ctl->meta == NULL ||
	    rt->ctl->bucket == NULL || rt->ctl->free_ids == NULL || rt->ctl->zero == NULL)
		goto err;
	rt->nh = rt->ctl->nh;
	rt->lpm = rte_lpm_create(name, socket, &lc);
	if (rt->lpm == NULL) {
		rc = -rte_errno;
		goto err;
	}
	if (qsbr != NULL) {
		rc = route_table_rcu(rt, name, qsbr);
		if (rc != 0)
			goto err;
	}
	return rt;
err:
	if (rt != NULL) {
		rte_lpm_free(rt->lpm);
		ctl_free(rt->ctl);
		free(rt);
	}
	LOG(ERR, "route table %s (%u routes): %s", name, max_routes, strerror(-rc));
	errno = -rc;
	return NULL;
}

void
route_table_free(struct route_lpm *rt)
{
	if (rt == NULL)
		return;
	/* What waits in the defer queues is freed only once no worker can hold it. */
	if (rt->ctl->qsbr != NULL)
		rte_rcu_qsbr_synchronize(rt->ctl->qsbr, RTE_QSBR_THRID_INVALID);
	rte_lpm_free(rt->lpm);
	ctl_free(rt->ctl);
	free(rt);
}

void
route_table_set_resolver(struct route_lpm *rt, const struct route_nh_resolver *r)
{
	rt->ctl->resolver = *r;
}

uint32_t
route_table_max_nh(const struct route_lpm *rt)
{
	return rt->ctl->max_nh;
}

void
route_table_get_stats(const struct route_lpm *rt, struct route_table_stats *st)
{
	const struct route_table_ctl *ctl = rt->ctl;

	*st = (struct route_table_stats){
		.nb_routes = ctl->nb_have,
		.max_routes = ctl->max_routes,
		.nb_nh = ctl->nb_nh,
		.max_nh = ctl->max_nh,
		.adds = ctl->adds,
		.changes = ctl->changes,
		.deletes = ctl->deletes,
		.failures = ctl->failures,
	};
}
