/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * podrouterctl: writes the cluster state to Redis as docs/cluster-state.md says, and reads
 * it back. Objects are checked with the same code podrouter uses (src/k8s.c) before anything
 * is written: a file with one bad object writes nothing.
 *
 *   podrouterctl [--redis URL] [--prefix P] apply -f FILE|-
 *   podrouterctl [--redis URL] [--prefix P] delete -f FILE|-
 *   podrouterctl [--redis URL] [--prefix P] delete KIND NAMESPACE/NAME | KIND NAME
 *   podrouterctl [--redis URL] [--prefix P] get [KIND] [-o keys|json]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s.h"
#include "redis_conn.h"

#define CTL_BATCH 512           /* objects per pipelined round trip */
#define CTL_EXIT_USAGE 2
#define CTL_EXIT_INVALID 1

struct ctl {
	redisContext *c;
	const char *prefix;
	long maxlen;
	struct k8s_object **objs;
	size_t n, cap;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: podrouterctl [--redis URL] [--prefix P] [--maxlen N] COMMAND\n"
		"  apply -f FILE|-                    check, then write every object of FILE\n"
		"  delete -f FILE|-                   delete every object named in FILE\n"
		"  delete KIND NAMESPACE/NAME         delete one object (KIND NAME: cluster-scoped)\n"
		"  get [KIND] [-o keys|json]          list objects (keys), or print them (json)\n"
		"--redis: redis://[user:pass@]host:port[/db], unix:///path or /path\n"
		"         (default: $PODROUTER_REDIS, else redis://127.0.0.1:6379)\n"
		"--prefix: key prefix (default podrouter); --maxlen: stream trim (default 100000)\n");
}

static char *
ctl_read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	char *buf = NULL, *nb;

	if (f == NULL)
		return NULL;
	do {
		if ((nb = realloc(buf, cap + 1)) == NULL)
			goto err;
		buf = nb;
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n == cap)
			cap *= 2;
	} while (r > 0);
	if (ferror(f))
		goto err;
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
err:
	if (f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

static int
ctl_collect(struct k8s_object *o, void *arg)
{
	struct ctl *ctl = arg;

	if (ctl->n == ctl->cap) {
		size_t cap = ctl->cap ? ctl->cap * 2 : 256;
		struct k8s_object **no = realloc(ctl->objs, cap * sizeof(*no));

		if (no == NULL) {
			k8s_object_free(o);
			return -ENOMEM;
		}
		ctl->objs = no;
		ctl->cap = cap;
	}
	ctl->objs[ctl->n++] = o;
	return 0;
}

/* Append MULTI, SET|DEL, XADD, EXEC for one object; the replies are read by ctl_flush(). */
static void
ctl_append(struct ctl *ctl, const char *op, const char *kind, const char *key, const char *json)
{
	char rkey[1024], stream[512], maxlen[32];

	snprintf(rkey, sizeof(rkey), "%s:obj:%s", ctl->prefix, key);
	snprintf(stream, sizeof(stream), "%s:events", ctl->prefix);
	snprintf(maxlen, sizeof(maxlen), "%ld", ctl->maxlen);
	redisAppendCommand(ctl->c, "MULTI");
	if (json != NULL)
		redisAppendCommand(ctl->c, "SET %s %s", rkey, json);
	else
		redisAppendCommand(ctl->c, "DEL %s", rkey);
	redisAppendCommand(ctl->c, "XADD %s MAXLEN ~ %s * op %s kind %s key %s", stream, maxlen,
			   op, kind, rkey);
	redisAppendCommand(ctl->c, "EXEC");
}

/* Read the replies of `count` transactions; the EXEC reply must hold both results. */
static int
ctl_flush(struct ctl *ctl, size_t count)
{
	int rc = 0;
	size_t i;

	for (i = 0; i < count * 4; i++) {
		redisReply *r = NULL;

		if (redisGetReply(ctl->c, (void **)&r) != REDIS_OK) {
			fprintf(stderr, "podrouterctl: redis: %s\n", ctl->c->errstr);
			return -EIO;
		}
		if (r->type == REDIS_REPLY_ERROR ||
		    (i % 4 == 3 && (r->type != REDIS_REPLY_ARRAY || r->elements != 2))) {
			fprintf(stderr, "podrouterctl: redis: %s\n",
				r->type == REDIS_REPLY_ERROR ? r->str : "transaction aborted");
			rc = -EIO;
		}
		freeReplyObject(r);
	}
	return rc;
}

static int
ctl_write_objects(struct ctl *ctl, bool del)
{
	size_t i, pending = 0;
	int rc = 0;

	for (i = 0; i < ctl->n && rc == 0; i++) {
		const struct k8s_object *o = ctl->objs[i];
		char key[768];
		char *json = NULL;

		k8s_object_key(o, key, sizeof(key));
		if (!del && (json = k8s_object_to_json(o)) == NULL)
			return -ENOMEM;
		ctl_append(ctl, del ? "delete" : "apply", k8s_kind_name(o->kind), key, json);
		free(json);
		if (++pending == CTL_BATCH) {
			rc = ctl_flush(ctl, pending);
			pending = 0;
		}
	}
	if (rc == 0 && pending > 0)
		rc = ctl_flush(ctl, pending);
	if (rc == 0)
		printf("%s %zu object(s)\n", del ? "deleted" : "applied", ctl->n);
	return rc;
}

static int
ctl_file(struct ctl *ctl, const char *path, bool del)
{
	size_t len;
	char *buf = ctl_read_all(path, &len);
	int bad;

	if (buf == NULL) {
		fprintf(stderr, "podrouterctl: %s: %s\n", path, strerror(errno ? errno : EIO));
		return -EIO;
	}
	bad = k8s_parse(buf, len, strcmp(path, "-") == 0 ? "<stdin>" : path, ctl_collect, ctl,
			stderr);
	free(buf);
	if (bad != 0) {
		fprintf(stderr, "podrouterctl: %s: %s; nothing written\n", path,
			bad < 0 ? "cannot be read" : "invalid object(s)");
		return -EINVAL;
	}
	return ctl_write_objects(ctl, del);
}

static int
ctl_delete_one(struct ctl *ctl, const char *kind, const char *name)
{
	char key[768];
	int k = k8s_kind_from_name(kind);

	if (k < 0) {
		fprintf(stderr, "podrouterctl: unknown kind '%s'\n", kind);
		return -EINVAL;
	}
	if (k8s_kind_is_namespaced(k) != (strchr(name, '/') != NULL)) {
		fprintf(stderr, "podrouterctl: %s is %s: give %s\n", kind,
			k8s_kind_is_namespaced(k) ? "namespaced" : "cluster-scoped",
			k8s_kind_is_namespaced(k) ? "NAMESPACE/NAME" : "NAME");
		return -EINVAL;
	}
	snprintf(key, sizeof(key), "%s:%s", k8s_kind_name(k), name);
	ctl_append(ctl, "delete", k8s_kind_name(k), key, NULL);
	if (ctl_flush(ctl, 1) != 0)
		return -EIO;
	printf("deleted %s\n", key);
	return 0;
}

static int
ctl_get(struct ctl *ctl, const char *kind, bool json)
{
	char match[512], cursor[32] = "0";
	int k = -1;

	if (kind != NULL && (k = k8s_kind_from_name(kind)) < 0) {
		fprintf(stderr, "podrouterctl: unknown kind '%s'\n", kind);
		return -EINVAL;
	}
	snprintf(match, sizeof(match), "%s:obj:%s%s*", ctl->prefix, k >= 0 ? k8s_kind_name(k) : "",
		 k >= 0 ? ":" : "");
	do {
		redisReply *r = redisCommand(ctl->c, "SCAN %s MATCH %s COUNT 1000", cursor, match);
		size_t i;

		if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
			fprintf(stderr, "podrouterctl: SCAN: %s\n", r ? "bad reply" : ctl->c->errstr);
			freeReplyObject(r);
			return -EIO;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (i = 0; i < r->element[1]->elements; i++) {
			const char *key = r->element[1]->element[i]->str;
			redisReply *v;

			if (!json) {
				printf("%s\n", key + strlen(ctl->prefix) + strlen(":obj:"));
				continue;
			}
			v = redisCommand(ctl->c, "GET %s", key);
			if (v != NULL && v->type == REDIS_REPLY_STRING)
				printf("%s\n", v->str);
			freeReplyObject(v);
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "redis", required_argument, NULL, 'r' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "maxlen", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = getenv("PODROUTER_REDIS") ? getenv("PODROUTER_REDIS") :
						       "redis://127.0.0.1:6379";
	struct ctl ctl = { .prefix = "podrouter", .maxlen = 100000 };
	struct pr_redis_url u;
	const char *cmd, *file = NULL, *out = "keys";
	char err[512];
	int opt, rc, i;

	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			url = optarg;
			break;
		case 'p':
			ctl.prefix = optarg;
			break;
		case 'm':
			ctl.maxlen = strtol(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	cmd = argv[optind++];
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else
			continue;
		argv[i - 1] = argv[i] = NULL;
	}
	if (redis_url_parse(url, &u, err, sizeof(err)) != 0) {
		fprintf(stderr, "podrouterctl: --redis %s\n", err);
		return CTL_EXIT_USAGE;
	}
	ctl.c = redis_url_connect(&u, 5000, err, sizeof(err));
	if (ctl.c == NULL) {
		fprintf(stderr, "podrouterctl: %s: %s\n", url, err);
		return CTL_EXIT_INVALID;
	}
	if ((strcmp(cmd, "apply") == 0 || strcmp(cmd, "delete") == 0) && file != NULL) {
		rc = ctl_file(&ctl, file, cmd[0] == 'd');
	} else if (strcmp(cmd, "delete") == 0 && argc - optind == 2) {
		rc = ctl_delete_one(&ctl, argv[optind], argv[optind + 1]);
	} else if (strcmp(cmd, "get") == 0) {
		const char *kind = NULL;

		for (i = optind; i < argc; i++)
			if (argv[i] != NULL)
				kind = argv[i];
		rc = ctl_get(&ctl, kind, strcmp(out, "json") == 0);
	} else {
		usage(stderr);
		rc = -EINVAL;
	}
	for (size_t k = 0; k < ctl.n; k++)
		k8s_object_free(ctl.objs[k]);
	free(ctl.objs);
	redisFree(ctl.c);
	return rc == 0 ? 0 : CTL_EXIT_INVALID;
}
