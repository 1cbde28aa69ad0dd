/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two sources of the cluster model.
 *
 * file: every object of the manifest file; SIGHUP reads it again and swaps the new model in
 * whole. Rejected objects are left out and reported; the rest applies.
 *
 * redis: docs/cluster-state.md, to the letter. List: the newest stream ID first, then every
 * object (SCAN + pipelined GET) into a new model, swapped in whole. Watch: XREAD BLOCK from
 * the last ID; each entry's key is read again and what is there now is applied (absent means
 * deleted), so entries the listing already covered do no harm. A lost connection is retried
 * with capped exponential backoff, the model untouched.
 *
 * Waiting for changes never holds the control loop longer than its step (2 ms, for the
 * neighbour table's work): one XREAD BLOCK SRC_BLOCK_MS stays outstanding, sent without
 * waiting, and a step only polls the socket for its reply. Idle, that is one round a second
 * instead of one a step; an entry still arrives as soon as it is added. A reply later than
 * the BLOCK and SRC_GRACE_MS means the connection is dead: it is dropped and dialled again.
 * The other commands (the handshake, a listing, the GETs of a batch) are plain blocking ones,
 * each waited for at most SRC_GRACE_MS; a listing pauses for the loop's other work between
 * its round trips (source_set_idle).
 *
 * Trims: XINFO STREAM, pipelined right before every XREAD, tells whether entries after our
 * last ID may have been trimmed away (then we list again). Every round needs it, including
 * the one after an XREAD that timed out empty: that timeout proves nothing was added while it
 * blocked, but not between its reply and our next XREAD (a round trip and a control step
 * later), and a writer's MULTI with XADD and XTRIM adds and trims in one go. Sent together,
 * XINFO and the XREAD behind it run back to back in Redis, so what is left is the instant
 * between the two. It costs one light command per round: two a second when idle.
 *
 * Redis runs a blocked client's next command only when its block ends, so a listing wanted
 * now (SIGHUP, a trim past us) while an XREAD waits goes over a new connection: the old one,
 * and its XREAD with it, is dropped (not counted as a reconnect).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>

#include "clock.h"
#include "log.h"
#include "redis_conn.h"
#include "source.h"

#define LOG_MODULE "source"
#define LOG_TYPE source_logtype
PR_LOG_REGISTER(source);

#define SRC_BACKOFF_MIN_MS 100
#define SRC_BACKOFF_MAX_MS 5000
#define SRC_BATCH 1000 /* keys per pipelined GET round trip, entries per XREAD */
#define SRC_BLOCK_MS 1000 /* an idle XREAD's wait: idle cost is two commands per BLOCK */
/* Waited on top of the BLOCK for the XREAD's reply; also every blocking command's timeout. */
#define SRC_GRACE_MS 2000

struct source {
	const struct pr_config *cfg;
	struct cluster *model;
	struct source_status st;
	bool reload;
	/* file */
	char path[4096];
	bool loaded;
	/* redis */
	struct pr_redis_url url;
	const char *prefix;
	redisContext *rc;
	bool listed;
	int backoff_ms;
	uint64_t next_try_ns;
	unsigned int failures;
	unsigned int pending; /* replies owed on rc: the round's XINFO, then its XREAD */
	uint64_t reply_by_ns; /* the round's XREAD answers by then, or rc is dead */
	bool trimmed;	      /* entries after last_id were trimmed: list again */
	void (*idle)(void *arg); /* between a listing's round trips (source_set_idle) */
	void *idle_arg;
};

/* ---------------------------------------------------------------- rejects */

static void
src_reject_clear(struct source *s, const char *key)
{
	unsigned int i;

	for (i = 0; i < s->st.nb_rejects; i++)
		if (strcmp(s->st.rejects[i].key, key) == 0) {
			s->st.rejects[i] = s->st.rejects[--s->st.nb_rejects];
			return;
		}
}

/*
 * k8s_parse() says "SOURCE:LINE: document N[, items[I]]: KIND NS/NAME: FIELD: what"; the
 * source is already the reject's key, so keep what follows the document number.
 */
static const char *
src_reason(const char *msg)
{
	const char *d = strstr(msg, ": document ");
	const char *after = d != NULL ? strstr(d + 11, ": ") : NULL;

	return after != NULL ? after + 2 : msg;
}

static void
src_reject(struct source *s, const char *key, const char *reason)
{
	struct source_reject *r;
	char line[256];
	size_t n;

	snprintf(line, sizeof(line), "%s", src_reason(reason));
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	src_reject_clear(s, key);
	if (s->st.nb_rejects == SOURCE_REJECTS_KEPT)
		memmove(&s->st.rejects[0], &s->st.rejects[1],
			(SOURCE_REJECTS_KEPT - 1) * sizeof(s->st.rejects[0]));
	else
		s->st.nb_rejects++;
	r = &s->st.rejects[s->st.nb_rejects - 1];
	snprintf(r->key, sizeof(r->key), "%s", key);
	snprintf(r->reason, sizeof(r->reason), "%s", line);
	s->st.rejected++;
	LOG(WARNING, "rejected %s: %s", key, line);
}

/* ---------------------------------------------------------------- parsing into a model */

struct src_parse {
	struct cluster *model;
	const char *want_key; /* a Redis key's object must carry that key */
	bool key_mismatch;
	int applied;
	int err;
};

static int
src_apply_one(struct k8s_object *o, void *arg)
{
	struct src_parse *p = arg;
	char key[K8S_KEY_MAX];
	int rc;

	if (p->want_key != NULL) {
		k8s_object_key(o, key, sizeof(key));
		if (strcmp(key, p->want_key) != 0 || p->applied > 0) {
			p->key_mismatch = true;
			k8s_object_free(o);
			return 0;
		}
	}
	rc = cluster_apply(p->model, o);
	if (rc < 0)
		p->err = rc;
	p->applied++;
	return 0;
}

/*
 * Parse `len` bytes holding the object stored at `key` (the part after PREFIX:obj:) into the
 * model. Returns 1 when the model has it, 0 when it was rejected (reported), -ENOMEM.
 */
static int
src_apply_value(struct source *s, struct cluster *model, const char *key, const char *val,
		size_t len)
{
	struct src_parse p = { .model = model, .want_key = key };
	char *msg = NULL;
	size_t msg_len = 0;
	FILE *err = open_memstream(&msg, &msg_len);
	int bad;

	if (err == NULL)
		return -ENOMEM;
	bad = k8s_parse(val, len, key, src_apply_one, &p, err);
	fclose(err);
	if (p.err < 0) {
		free(msg);
		return p.err;
	}
	if (bad != 0 || p.key_mismatch || p.applied != 1) {
		src_reject(s, key, bad != 0 && msg_len > 0 ? msg :
			   p.key_mismatch ? "the object's kind, namespace or name is not its key's" :
			   bad < 0 ? "not YAML or JSON" : "holds no object");
		free(msg);
		return 0;
	}
	free(msg);
	src_reject_clear(s, key);
	return 1;
}

/* ---------------------------------------------------------------- file */

static int
src_file_parse_one(struct k8s_object *o, void *arg)
{
	return src_apply_one(o, arg);
}

static int
src_file_load(struct source *s, bool *full)
{
	struct cluster *m = cluster_new();
	struct src_parse p = { .model = m };
	char *msg = NULL, *line, *save = NULL;
	size_t msg_len = 0;
	FILE *err = open_memstream(&msg, &msg_len);
	uint64_t t0 = pr_monotonic_ns();
	int bad;

	if (m == NULL || err == NULL) {
		cluster_free(m);
		if (err != NULL)
			fclose(err);
		free(msg);
		return 0;
	}
	bad = k8s_parse_file(s->path, src_file_parse_one, &p, err);
	fclose(err);
	s->st.nb_rejects = 0;
	for (line = strtok_r(msg, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		const char *base = strrchr(s->path, '/') ? strrchr(s->path, '/') + 1 : s->path;
		const char *at = strncmp(line, s->path, strlen(s->path)) == 0 ?
					 line + strlen(s->path) : "";
		char key[sizeof(((struct source_reject *)0)->key)];
		unsigned int lineno = 0;

		if (strstr(line, "skipped") != NULL)
			continue;
		/* The file and the line are the key: "cluster.yaml:219". */
		sscanf(at, ":%u:", &lineno);
		snprintf(key, sizeof(key), "%s:%u", base, lineno);
		src_reject(s, key, line);
	}
	free(msg);
	if (bad < 0 && p.applied == 0) {
		src_reject(s, s->path, bad == -EINVAL ? "not YAML or JSON (the line is in the log)" :
			   strerror(-bad));
		if (s->loaded) {
			LOG(ERR, "%s: cannot be read (%s): keeping the state loaded before",
			    s->path, strerror(-bad));
			cluster_free(m);
			return 0;
		}
		LOG(ERR, "%s: cannot be read (%s): starting with no cluster state", s->path,
		    strerror(-bad));
	}
	cluster_free(s->model);
	s->model = m;
	s->loaded = true;
	s->st.lists++;
	s->st.last_change_ns = pr_monotonic_ns();
	s->st.list_ns = s->st.last_change_ns - t0;
	LOG(INFO, "%s: %d object(s) loaded, %d rejected", s->path, p.applied, bad > 0 ? bad : 0);
	*full = true;
	return 1;
}

/* ---------------------------------------------------------------- redis */

/* `why` NULL: the connection's own error. */
static void
src_redis_down(struct source *s, const char *what, const char *why)
{
	if (s->rc != NULL) {
		if (why == NULL)
			why = s->rc->err ? s->rc->errstr : "bad reply";
		if (s->failures++ % 20 == 0)
			LOG(WARNING, "redis %s: %s: %s; forwarding goes on with the last tables",
			    s->st.where, what, why);
		redisFree(s->rc);
		s->rc = NULL;
	}
	s->pending = 0;
	s->st.connected = false;
	s->backoff_ms = s->backoff_ms ? RTE_MIN(s->backoff_ms * 2, SRC_BACKOFF_MAX_MS) :
					SRC_BACKOFF_MIN_MS;
	s->next_try_ns = pr_monotonic_ns() + (uint64_t)s->backoff_ms * 1000000ull;
}

static redisReply *
src_cmd(struct source *s, const char *fmt, ...)
{
	redisReply *r;
	va_list ap;

	va_start(ap, fmt);
	r = redisvCommand(s->rc, fmt, ap);
	va_end(ap);
	return r;
}

/* The value after `name` in a flat field/value array (XINFO STREAM, a stream entry). */
static const redisReply *
src_field(const redisReply *fields, const char *name)
{
	size_t i;

	if (fields->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (i = 0; i + 1 < fields->elements; i += 2)
		if (fields->element[i]->str != NULL && strcmp(fields->element[i]->str, name) == 0)
			return fields->element[i + 1];
	return NULL;
}

/* Stream IDs "ms-seq" compare as two numbers. */
static int
src_id_cmp(const char *a, const char *b)
{
	unsigned long long am = 0, as = 0, bm = 0, bs = 0;

	sscanf(a, "%llu-%llu", &am, &as);
	sscanf(b, "%llu-%llu", &bm, &bs);
	if (am != bm)
		return am < bm ? -1 : 1;
	return as < bs ? -1 : as > bs;
}

/* A listing's pause between two round trips: the control loop's other work. */
static void
src_idle(struct source *s)
{
	if (s->idle != NULL)
		s->idle(s->idle_arg);
}

/* GET every key (pipelined) into model. 0, or -EIO (connection) / -ENOMEM. */
static int
src_get_all(struct source *s, struct cluster *model, char **keys, size_t n)
{
	size_t i, j, plen = strlen(s->prefix) + strlen(":obj:");
	int rc = 0;

	for (i = 0; i < n; i += SRC_BATCH) {
		size_t end = RTE_MIN(n, i + SRC_BATCH);

		for (j = i; j < end; j++)
			redisAppendCommand(s->rc, "GET %s", keys[j]);
		for (j = i; j < end; j++) {
			redisReply *r = NULL;

			if (redisGetReply(s->rc, (void **)&r) != REDIS_OK)
				return -EIO;
			if (r->type == REDIS_REPLY_STRING)
				rc = src_apply_value(s, model, keys[j] + plen, r->str, r->len);
			else if (r->type == REDIS_REPLY_ERROR)
				src_reject(s, keys[j] + plen, r->str); /* WRONGTYPE: not a string */
			freeReplyObject(r);
			if (rc < 0)
				return rc;
		}
		src_idle(s);
	}
	return 0;
}

/* Redis answered on this connection: the next failure starts the backoff afresh. */
static void
src_redis_answered(struct source *s)
{
	s->backoff_ms = 0;
	s->failures = 0;
}

/* The newest stream ID, then every object: a new model, swapped in whole. */
static int
src_redis_list(struct source *s, bool *full)
{
	char newest[48] = "0-0", cursor[32] = "0";
	char **keys = NULL;
	size_t n = 0, cap = 0, i;
	struct cluster *m;
	redisReply *r;
	int rc = -EIO;

	uint64_t t0 = pr_monotonic_ns();

	r = src_cmd(s, "XREVRANGE %s:events + - COUNT 1", s->prefix);
	if (r == NULL || r->type != REDIS_REPLY_ARRAY)
		goto out_reply;
	if (r->elements == 1)
		snprintf(newest, sizeof(newest), "%s", r->element[0]->element[0]->str);
	freeReplyObject(r);
	if (strcmp(newest, "0-0") == 0) {
		const redisReply *last;

		/*
		 * Empty: but a stream trimmed to nothing still knows the last ID it gave, and
		 * the listing covers everything up to it (else src_redis_trimmed() would see
		 * entries "added after us" and list again, and again).
		 */
		r = src_cmd(s, "XINFO STREAM %s:events", s->prefix);
		if (r == NULL)
			goto out_reply;
		last = src_field(r, "last-generated-id");
		if (last != NULL && last->type == REDIS_REPLY_STRING)
			snprintf(newest, sizeof(newest), "%s", last->str);
		freeReplyObject(r);
	}
	do {
		r = src_cmd(s, "SCAN %s MATCH %s:obj:* COUNT 1000", cursor, s->prefix);
		if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
			goto out_reply;
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (i = 0; i < r->element[1]->elements; i++) {
			if (n == cap) {
				char **k = realloc(keys, (cap = cap ? cap * 2 : 1024) * sizeof(*k));

				if (k == NULL)
					goto out_reply;
				keys = k;
			}
			if ((keys[n] = strdup(r->element[1]->element[i]->str)) == NULL)
				goto out_reply;
			n++;
		}
		freeReplyObject(r);
		src_idle(s);
	} while (strcmp(cursor, "0") != 0);
	r = NULL;
	m = cluster_new();
	s->st.nb_rejects = 0;
	rc = m ? src_get_all(s, m, keys, n) : -ENOMEM;
	if (rc != 0) {
		cluster_free(m);
		goto out_reply;
	}
	cluster_free(s->model);
	s->model = m;
	snprintf(s->st.last_id, sizeof(s->st.last_id), "%s", newest);
	s->listed = true;
	src_redis_answered(s);
	s->st.lists++;
	s->st.last_change_ns = pr_monotonic_ns();
	s->st.list_ns = s->st.last_change_ns - t0;
	*full = true;
	LOG(INFO, "redis %s: listed %zu object(s) up to stream entry %s", s->st.where, n, newest);
	rc = 1;
out_reply:
	freeReplyObject(r);
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

/*
 * XINFO STREAM's reply: whether entries after our last ID may have been trimmed away (then we
 * must list again). Redis keeps no record of trimmed IDs (max-deleted-entry-id counts XDEL
 * only), so: when the stream is empty, whether anything was added after our ID; otherwise
 * whether its first entry is past our ID. The second can say yes when nothing we needed went
 * (the stream trimmed exactly to where we are): listing again is then merely unneeded, never
 * wrong. An error reply ("no such key": the caller drops the connection on any other) means
 * no stream yet: nothing was trimmed.
 */
static bool
src_redis_trimmed(const struct source *s, const redisReply *r)
{
	const redisReply *length = src_field(r, "length");
	const redisReply *last = src_field(r, "last-generated-id");
	const redisReply *first = src_field(r, "first-entry");

	if (length != NULL && length->type == REDIS_REPLY_INTEGER && length->integer == 0)
		return last != NULL && last->type == REDIS_REPLY_STRING &&
		       src_id_cmp(last->str, s->st.last_id) > 0;
	return first != NULL && first->type == REDIS_REPLY_ARRAY && first->elements == 2 &&
	       first->element[0]->type == REDIS_REPLY_STRING &&
	       src_id_cmp(first->element[0]->str, s->st.last_id) > 0;
}

/* The object key a stream entry names, or NULL when it names none of ours. */
static const char *
src_entry_key(const struct source *s, const redisReply *e)
{
	const redisReply *key = src_field(e->element[1], "key");
	size_t plen = strlen(s->prefix);

	if (key == NULL || key->type != REDIS_REPLY_STRING ||
	    strncmp(key->str, s->prefix, plen) != 0 || strlen(key->str) <= plen + strlen(":obj:"))
		return NULL;
	return key->str;
}

/*
 * Apply one batch of stream entries: each key read again, what is there now applied. Our
 * last ID moves past an entry only once it is applied, so that after a failure (0 or
 * -errno; *changed tells whether the model changed before it) the next XREAD reads it again.
 */
static int
src_redis_entries(struct source *s, const redisReply *entries, bool *changed)
{
	size_t i, plen = strlen(s->prefix) + strlen(":obj:");
	int rc;

	*changed = false;
	for (i = 0; i < entries->elements; i++) {
		const char *key = src_entry_key(s, entries->element[i]);

		if (key != NULL)
			redisAppendCommand(s->rc, "GET %s", key);
	}
	for (i = 0; i < entries->elements; i++) {
		const redisReply *e = entries->element[i];
		const char *key = src_entry_key(s, e);
		redisReply *r = NULL;

		if (key == NULL) {
			LOG(WARNING, "stream entry %s names no object key: ignored",
			    e->element[0]->str);
		} else {
			if (redisGetReply(s->rc, (void **)&r) != REDIS_OK)
				return -EIO;
			if (r->type == REDIS_REPLY_NIL) {
				*changed |= cluster_delete(s->model, key + plen) > 0;
				src_reject_clear(s, key + plen);
			} else if (r->type == REDIS_REPLY_STRING) {
				rc = src_apply_value(s, s->model, key + plen, r->str, r->len);
				if (rc < 0) {
					freeReplyObject(r);
					return rc;
				}
				*changed = true; /* the builder finds out what really changed */
			} else {
				src_reject(s, key + plen, r->type == REDIS_REPLY_ERROR ? r->str :
					   "not a string value");
			}
			freeReplyObject(r);
		}
		snprintf(s->st.last_id, sizeof(s->st.last_id), "%s", e->element[0]->str);
		s->st.events++;
	}
	return 0;
}

/*
 * The XREAD's reply: nil when its BLOCK ended with nothing, else our stream and its entries
 * after last_id (none when a trim in the XADD's own transaction took them). 1 when the model
 * changed (also when the connection failed after that: down already), 0, or -EIO (down).
 */
static int
src_redis_read(struct source *s, const redisReply *r)
{
	const redisReply *entries;
	bool changed;
	long long ms = 0;
	int rc;

	if (r->type == REDIS_REPLY_NIL)
		return 0;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 1 ||
	    r->element[0]->type != REDIS_REPLY_ARRAY || r->element[0]->elements != 2 ||
	    r->element[0]->element[1]->type != REDIS_REPLY_ARRAY) {
		src_redis_down(s, "XREAD", r->type == REDIS_REPLY_ERROR ? r->str : NULL);
		return -EIO;
	}
	entries = r->element[0]->element[1];
	rc = src_redis_entries(s, entries, &changed);
	if (rc < 0)
		src_redis_down(s, "GET", NULL);
	if (changed || (rc == 0 && entries->elements > 0)) {
		sscanf(s->st.last_id, "%lld", &ms);
		s->st.last_write_ms = ms;
		s->st.last_change_ns = pr_monotonic_ns();
	}
	/* What was applied before a failure is published all the same. */
	return changed ? 1 : rc;
}

/* A round: XINFO, then XREAD BLOCK, both sent now, neither waited for. */
static int
src_redis_send(struct source *s)
{
	int done = 0;

	if (redisAppendCommand(s->rc, "XINFO STREAM %s:events", s->prefix) != REDIS_OK ||
	    redisAppendCommand(s->rc, "XREAD COUNT %d BLOCK %d STREAMS %s:events %s", SRC_BATCH,
			       SRC_BLOCK_MS, s->prefix, s->st.last_id) != REDIS_OK)
		return -EIO;
	while (!done)
		if (redisBufferWrite(s->rc, &done) != REDIS_OK)
			return -EIO;
	s->pending = 2;
	s->reply_by_ns = pr_monotonic_ns() + (SRC_BLOCK_MS + SRC_GRACE_MS) * 1000000ull;
	return 0;
}

/*
 * The round's next reply, waiting at most timeout_ms for it on the socket: 0 with *reply
 * (NULL when none has come yet), -EIO when the connection failed, -ETIMEDOUT when overdue.
 */
static int
src_redis_next(struct source *s, int timeout_ms, redisReply **reply)
{
	struct pollfd pfd = { .fd = s->rc->fd, .events = POLLIN };

	*reply = NULL;
	if (redisGetReplyFromReader(s->rc, (void **)reply) != REDIS_OK)
		return -EIO;
	if (*reply != NULL)
		return 0;
	/* Interrupted (a signal): nothing read, the step ends a little early. */
	if (poll(&pfd, 1, timeout_ms) > 0 &&
	    (redisBufferRead(s->rc) != REDIS_OK ||
	     redisGetReplyFromReader(s->rc, (void **)reply) != REDIS_OK))
		return -EIO;
	if (*reply == NULL && pr_monotonic_ns() > s->reply_by_ns)
		return -ETIMEDOUT;
	return 0;
}

/* One step of the watch: the round's replies that have come, a new round when it is over. */
static int
src_redis_watch(struct source *s, int timeout_ms)
{
	static const char overdue[] = "no reply within its BLOCK + " RTE_STR(SRC_GRACE_MS) " ms";
	redisReply *r;
	int rc = 0;

	if (s->pending == 0 && src_redis_send(s) != 0) {
		src_redis_down(s, "sending XINFO and XREAD", NULL);
		return 0;
	}
	while (s->pending > 0 && !s->trimmed) {
		rc = src_redis_next(s, timeout_ms, &r);
		if (rc != 0) {
			src_redis_down(s, s->pending == 2 ? "XINFO" : "XREAD",
				       rc == -ETIMEDOUT ? overdue : NULL);
			return 0;
		}
		if (r == NULL)
			return 0;
		timeout_ms = 0; /* wait for the first reply only */
		src_redis_answered(s);
		if (--s->pending == 1) {
			if (r->type == REDIS_REPLY_ERROR && strstr(r->str, "no such key") == NULL) {
				/* Not "no stream yet" (NOPERM, WRONGTYPE...): trims would go unseen. */
				src_redis_down(s, "XINFO", r->str);
				freeReplyObject(r);
				return 0;
			}
			s->trimmed = src_redis_trimmed(s, r);
			if (s->trimmed)
				LOG(NOTICE,
				    "redis %s: the stream was trimmed past %s: listing again",
				    s->st.where, s->st.last_id);
		} else {
			rc = src_redis_read(s, r);
		}
		freeReplyObject(r);
	}
	return rc > 0;
}

/*
 * Dial now; the model untouched. 0, or -EIO (logged, the backoff set). The backoff is reset
 * by the first answer on the connection, not by the connection itself: a Redis that accepts
 * and never answers (stopped) is dialled ever less often.
 */
static int
src_redis_connect(struct source *s)
{
	char err[256];

	/* Only blocking commands (list, GET) wait on the socket: the XREAD is polled for. */
	s->rc = redis_url_connect(&s->url, SRC_GRACE_MS, err, sizeof(err));
	if (s->rc == NULL) {
		if (s->failures++ % 20 == 0)
			LOG(WARNING, "redis %s: %s; retrying", s->st.where, err);
		src_redis_down(s, "connect", NULL);
		return -EIO;
	}
	s->pending = 0;
	s->st.connected = true;
	LOG(INFO, "redis %s: connected", s->st.where);
	return 0;
}

static int
src_redis_poll(struct source *s, int timeout_ms, bool *full)
{
	int rc;

	if (s->rc == NULL) {
		uint64_t now = pr_monotonic_ns();

		if (now < s->next_try_ns) {
			usleep((useconds_t)RTE_MIN((s->next_try_ns - now) / 1000,
						   (uint64_t)timeout_ms * 1000));
			return 0;
		}
		if (src_redis_connect(s) != 0)
			return 0;
		if (s->listed)
			s->st.reconnects++;
	}
	if (s->reload || s->trimmed || !s->listed) {
		if (s->pending > 0) {
			/* Rather than wait out the XREAD's BLOCK: see the top of the file. */
			redisFree(s->rc);
			s->rc = NULL;
			if (src_redis_connect(s) != 0)
				return 0;
		}
		rc = src_redis_list(s, full);
		if (rc < 0) {
			src_redis_down(s, "list", NULL);
			return 0;
		}
		s->reload = false;
		s->trimmed = false;
		return 1;
	}
	return src_redis_watch(s, timeout_ms);
}

/* ---------------------------------------------------------------- API */

struct source *
source_new(const struct pr_config *cfg)
{
	const struct pr_cfg_cluster *cl = cfg->y->cluster;
	struct source *s = calloc(1, sizeof(*s));
	char err[256];

	if (s == NULL || (s->model = cluster_new()) == NULL) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->cfg = cfg;
	s->st.type = "none";
	s->st.last_write_ms = -1;
	snprintf(s->st.last_id, sizeof(s->st.last_id), "0-0");
	if (cl != NULL && cl->file != NULL) {
		s->st.type = "file";
		/* Relative to the config file, as config.c checked it. */
		if (cl->file[0] != '/' && strrchr(cfg->path, '/') != NULL)
			snprintf(s->path, sizeof(s->path), "%.*s/%s",
				 (int)(strrchr(cfg->path, '/') - cfg->path), cfg->path, cl->file);
		else
			snprintf(s->path, sizeof(s->path), "%s", cl->file);
		snprintf(s->st.where, sizeof(s->st.where), "%s", s->path);
	} else if (cl != NULL && cl->redis != NULL) {
		s->st.type = "redis";
		s->prefix = cl->prefix ? cl->prefix : "podrouter";
		if (redis_url_parse(cl->redis, &s->url, err, sizeof(err)) != 0) {
			source_free(s);
			errno = EINVAL;
			return NULL;
		}
		redis_url_display(&s->url, s->st.where, sizeof(s->st.where));
	}
	return s;
}

void
source_free(struct source *s)
{
	if (s == NULL)
		return;
	if (s->rc != NULL)
		redisFree(s->rc);
	cluster_free(s->model);
	free(s);
}

int
source_poll(struct source *s, int timeout_ms, bool *full)
{
	*full = false;
	if (strcmp(s->st.type, "redis") == 0)
		return src_redis_poll(s, timeout_ms, full);
	if (strcmp(s->st.type, "file") == 0 && (!s->loaded || s->reload)) {
		s->reload = false;
		return src_file_load(s, full);
	}
	usleep((useconds_t)timeout_ms * 1000);
	return 0;
}

void
source_set_idle(struct source *s, void (*fn)(void *arg), void *arg)
{
	s->idle = fn;
	s->idle_arg = arg;
}

void
source_reload(struct source *s)
{
	s->reload = true;
}

struct cluster *
source_model(struct source *s)
{
	return s->model;
}

const struct source_status *
source_status(const struct source *s)
{
	return &s->st;
}
