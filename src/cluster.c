/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One open-addressing hash table over all objects (FNV-1a of the key, linear probing,
 * tombstones), plus a per-kind array sorted by key that is rebuilt only when that kind
 * changed and someone asks for it (full table builds: start, relist, reload).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "sorted.h"

struct cluster_slot {
	char *key;             /* NULL: empty; CLUSTER_TOMB: deleted */
	uint64_t hash;
	struct k8s_object *obj;
};

static char cluster_tomb_mark;
#define CLUSTER_TOMB (&cluster_tomb_mark)

/* The slices of one Service, an entry of the index by "NAMESPACE/NAME". */
struct cluster_svc_slices {
	char *svc;
	const struct k8s_object **v;
	unsigned int n, cap;
};

#define CLUSTER_DIRTY_MAX 4096 /* past this many dirty Services, a full build */

struct cluster {
	struct cluster_slot *slots;
	size_t cap;  /* a power of two */
	size_t used; /* live + tombstones */
	unsigned int count[K8S_KIND_COUNT];
	const struct k8s_object **sorted[K8S_KIND_COUNT];
	bool sorted_stale[K8S_KIND_COUNT];
	uint64_t generation;
	uint32_t changed;
	struct cluster_svc_slices *idx; /* sorted by svc */
	unsigned int nb_idx, cap_idx;
	char **dirty;
	unsigned int nb_dirty;
	bool dirty_all;
};

static uint64_t
cluster_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

struct cluster *
cluster_new(void)
{
	struct cluster *c = calloc(1, sizeof(*c));
	unsigned int k;

	if (c == NULL)
		return NULL;
	c->cap = 1024;
	c->slots = calloc(c->cap, sizeof(*c->slots));
	if (c->slots == NULL) {
		free(c);
		return NULL;
	}
	for (k = 0; k < K8S_KIND_COUNT; k++)
		c->sorted_stale[k] = true;
	return c;
}

void
cluster_free(struct cluster *c)
{
	size_t i;
	unsigned int k;

	if (c == NULL)
		return;
	for (i = 0; i < c->cap; i++) {
		if (c->slots[i].key != NULL && c->slots[i].key != CLUSTER_TOMB) {
			free(c->slots[i].key);
			k8s_object_free(c->slots[i].obj);
		}
	}
	for (k = 0; k < K8S_KIND_COUNT; k++)
		free(c->sorted[k]);
	for (i = 0; i < c->nb_idx; i++) {
		free(c->idx[i].svc);
		free(c->idx[i].v);
	}
	for (i = 0; i < c->nb_dirty; i++)
		free(c->dirty[i]);
	free(c->dirty);
	free(c->idx);
	free(c->slots);
	free(c);
}

/* "NAMESPACE/NAME" of the Service an object belongs to, or "" (not a Service or slice). */
static void
cluster_svc_of(const struct k8s_object *o, char *out, size_t len)
{
	out[0] = '\0';
	if (o->kind == K8S_SERVICE)
		snprintf(out, len, "%s/%s", o->ns, o->name);
	else if (o->kind == K8S_ENDPOINTSLICE)
		snprintf(out, len, "%s/%s", o->ns, o->slice.service_name);
}

static void
cluster_mark_dirty(struct cluster *c, const struct k8s_object *o)
{
	char svc[K8S_KEY_MAX];
	char **d;

	cluster_svc_of(o, svc, sizeof(svc));
	if (svc[0] == '\0' || c->dirty_all)
		return;
	if (c->nb_dirty == CLUSTER_DIRTY_MAX ||
	    (d = realloc(c->dirty, (c->nb_dirty + 1) * sizeof(*d))) == NULL) {
		c->dirty_all = true;
		return;
	}
	c->dirty = d;
	if ((d[c->nb_dirty] = strdup(svc)) == NULL)
		c->dirty_all = true;
	else
		c->nb_dirty++;
}

static const char *
cluster_idx_name(const void *v, unsigned int i)
{
	return ((const struct cluster_svc_slices *)v)[i].svc;
}

/* Index position of svc, or where it would be inserted. */
static unsigned int
cluster_idx_find(const struct cluster *c, const char *svc, bool *found)
{
	return sorted_find(c->idx, c->nb_idx, cluster_idx_name, svc, found);
}

static int
cluster_idx_add(struct cluster *c, const struct k8s_object *slice)
{
	char svc[K8S_KEY_MAX];
	struct cluster_svc_slices *e;
	unsigned int pos;
	bool found;

	cluster_svc_of(slice, svc, sizeof(svc));
	pos = cluster_idx_find(c, svc, &found);
	if (!found) {
		if (c->nb_idx == c->cap_idx) {
			unsigned int cap = c->cap_idx ? c->cap_idx * 2 : 64;
			struct cluster_svc_slices *n = realloc(c->idx, cap * sizeof(*n));

			if (n == NULL)
				return -ENOMEM;
			c->idx = n;
			c->cap_idx = cap;
		}
		memmove(&c->idx[pos + 1], &c->idx[pos], (c->nb_idx - pos) * sizeof(*c->idx));
		c->nb_idx++;
		c->idx[pos] = (struct cluster_svc_slices){ .svc = strdup(svc) };
		if (c->idx[pos].svc == NULL)
			return -ENOMEM;
	}
	e = &c->idx[pos];
	if (e->n == e->cap) {
		unsigned int cap = e->cap ? e->cap * 2 : 2;
		const struct k8s_object **v = realloc(e->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = slice;
	return 0;
}

static void
cluster_idx_remove(struct cluster *c, const struct k8s_object *slice)
{
	char svc[K8S_KEY_MAX];
	struct cluster_svc_slices *e;
	unsigned int pos, i;
	bool found;

	cluster_svc_of(slice, svc, sizeof(svc));
	pos = cluster_idx_find(c, svc, &found);
	if (!found)
		return;
	e = &c->idx[pos];
	for (i = 0; i < e->n; i++)
		if (e->v[i] == slice) {
			e->v[i] = e->v[--e->n];
			break;
		}
	if (e->n == 0) {
		free(e->svc);
		free(e->v);
		memmove(&c->idx[pos], &c->idx[pos + 1], (c->nb_idx - pos - 1) * sizeof(*c->idx));
		c->nb_idx--;
	}
}

const struct k8s_object *const *
cluster_slices_of(const struct cluster *c, const char *svc, unsigned int *n)
{
	bool found;
	unsigned int pos = cluster_idx_find(c, svc, &found);

	*n = found ? c->idx[pos].n : 0;
	return found ? c->idx[pos].v : NULL;
}

char **
cluster_take_dirty_services(struct cluster *c, unsigned int *n, bool *all)
{
	char **d = c->dirty;

	*n = c->nb_dirty;
	*all = c->dirty_all;
	c->dirty = NULL;
	c->nb_dirty = 0;
	c->dirty_all = false;
	return d;
}

/* The slot holding `key`, or the slot where it would go (first tombstone or empty). */
static struct cluster_slot *
cluster_find(const struct cluster *c, const char *key, uint64_t h, bool *found)
{
	struct cluster_slot *tomb = NULL;
	size_t i = h & (c->cap - 1);

	for (;; i = (i + 1) & (c->cap - 1)) {
		struct cluster_slot *s = &c->slots[i];

		if (s->key == NULL) {
			*found = false;
			return tomb ? tomb : s;
		}
		if (s->key == CLUSTER_TOMB) {
			if (tomb == NULL)
				tomb = s;
			continue;
		}
		if (s->hash == h && strcmp(s->key, key) == 0) {
			*found = true;
			return s;
		}
	}
}

static int
cluster_grow(struct cluster *c)
{
	struct cluster_slot *old = c->slots;
	size_t old_cap = c->cap, i;
	bool found;

	c->cap = old_cap * 2;
	c->slots = calloc(c->cap, sizeof(*c->slots));
	if (c->slots == NULL) {
		c->slots = old;
		c->cap = old_cap;
		return -ENOMEM;
	}
	c->used = 0;
	for (i = 0; i < old_cap; i++) {
		if (old[i].key == NULL || old[i].key == CLUSTER_TOMB)
			continue;
		*cluster_find(c, old[i].key, old[i].hash, &found) = old[i];
		c->used++;
	}
	free(old);
	return 0;
}

static void
cluster_changed(struct cluster *c, enum k8s_kind kind)
{
	c->generation++;
	c->changed |= 1u << kind;
	c->sorted_stale[kind] = true;
}

/* o is now in the model: index it and note what changed. */
static int
cluster_added(struct cluster *c, const struct k8s_object *o)
{
	cluster_changed(c, o->kind);
	cluster_mark_dirty(c, o);
	if (o->kind == K8S_ENDPOINTSLICE && cluster_idx_add(c, o) != 0) {
		c->dirty_all = true; /* the index is incomplete: builders must not trust it */
		return -ENOMEM;
	}
	return 1;
}

int
cluster_apply(struct cluster *c, struct k8s_object *o)
{
	char key[K8S_KEY_MAX];
	struct cluster_slot *s;
	uint64_t h;
	bool found;

	if (k8s_object_key(o, key, sizeof(key)) < 0) {
		k8s_object_free(o);
		return -EINVAL;
	}
	if ((c->used + 1) * 10 > c->cap * 7 && cluster_grow(c) != 0) {
		k8s_object_free(o);
		return -ENOMEM;
	}
	h = cluster_hash(key);
	s = cluster_find(c, key, h, &found);
	if (found) {
		if (k8s_object_equal(s->obj, o)) {
			k8s_object_free(o);
			return 0;
		}
		cluster_mark_dirty(c, s->obj);
		if (s->obj->kind == K8S_ENDPOINTSLICE)
			cluster_idx_remove(c, s->obj);
		k8s_object_free(s->obj);
		s->obj = o;
		return cluster_added(c, o);
	}
	if (s->key == NULL)
		c->used++;
	s->key = strdup(key);
	if (s->key == NULL) {
		s->key = CLUSTER_TOMB;
		k8s_object_free(o);
		return -ENOMEM;
	}
	s->hash = h;
	s->obj = o;
	c->count[o->kind]++;
	return cluster_added(c, o);
}

int
cluster_delete(struct cluster *c, const char *key)
{
	struct cluster_slot *s;
	enum k8s_kind kind;
	bool found;

	s = cluster_find(c, key, cluster_hash(key), &found);
	if (!found)
		return 0;
	kind = s->obj->kind;
	cluster_mark_dirty(c, s->obj);
	if (kind == K8S_ENDPOINTSLICE)
		cluster_idx_remove(c, s->obj);
	free(s->key);
	k8s_object_free(s->obj);
	s->key = CLUSTER_TOMB;
	s->obj = NULL;
	c->count[kind]--;
	cluster_changed(c, kind);
	return 1;
}

const struct k8s_object *
cluster_get(const struct cluster *c, const char *key)
{
	bool found;
	struct cluster_slot *s = cluster_find(c, key, cluster_hash(key), &found);

	return found ? s->obj : NULL;
}

unsigned int
cluster_count(const struct cluster *c, enum k8s_kind kind)
{
	return kind < K8S_KIND_COUNT ? c->count[kind] : 0;
}

static int
cluster_cmp_slot(const void *a, const void *b)
{
	return strcmp((*(const struct cluster_slot *const *)a)->key,
		      (*(const struct cluster_slot *const *)b)->key);
}

const struct k8s_object *const *
cluster_sorted(struct cluster *c, enum k8s_kind kind, unsigned int *n)
{
	const struct cluster_slot **tmp;
	const struct k8s_object **v;
	unsigned int k = 0;
	size_t i;

	*n = 0;
	if (kind >= K8S_KIND_COUNT || c->count[kind] == 0)
		return NULL;
	if (!c->sorted_stale[kind]) {
		*n = c->count[kind];
		return c->sorted[kind];
	}
	v = realloc(c->sorted[kind], c->count[kind] * sizeof(*v));
	tmp = malloc(c->count[kind] * sizeof(*tmp));
	if (v == NULL || tmp == NULL) {
		free(tmp);
		if (v != NULL)
			c->sorted[kind] = v;
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < c->cap; i++)
		if (c->slots[i].key != NULL && c->slots[i].key != CLUSTER_TOMB &&
		    c->slots[i].obj->kind == kind)
			tmp[k++] = &c->slots[i];
	/* Sort the slots by their stored key: no key is formatted per comparison. */
	qsort(tmp, k, sizeof(*tmp), cluster_cmp_slot);
	for (i = 0; i < k; i++)
		v[i] = tmp[i]->obj;
	free(tmp);
	c->sorted[kind] = v;
	c->sorted_stale[kind] = false;
	*n = k;
	return v;
}

uint64_t
cluster_generation(const struct cluster *c)
{
	return c->generation;
}

uint32_t
cluster_take_changes(struct cluster *c)
{
	uint32_t ch = c->changed;

	c->changed = 0;
	return ch;
}
