/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_conn.h"

static int
url_fail(char *err, size_t len, const char *url, const char *why)
{
	snprintf(err, len, "'%s': %s", url, why);
	return -EINVAL;
}

/* "user:pass" or "pass" between p and at. */
static void
redis_url_userinfo(struct pr_redis_url *u, const char *p, const char *at)
{
	const char *colon = memchr(p, ':', (size_t)(at - p));

	if (colon != NULL) {
		snprintf(u->user, sizeof(u->user), "%.*s", (int)(colon - p), p);
		snprintf(u->pass, sizeof(u->pass), "%.*s", (int)(at - colon - 1), colon + 1);
	} else {
		snprintf(u->pass, sizeof(u->pass), "%.*s", (int)(at - p), p);
	}
}

int
redis_url_parse(const char *url, struct pr_redis_url *u, char *err, size_t len)
{
	const char *p, *at, *colon, *slash;
	char *end;
	long v;

	memset(u, 0, sizeof(*u));
	u->port = 6379;
	if (url[0] == '/' || strncmp(url, "unix://", 7) == 0) {
		p = url[0] == '/' ? url : url + 7;
		/* unix://[user:]pass@/path: credentials before the path, as redis-cli takes them */
		at = *p != '/' ? strstr(p, "@/") : NULL;
		if (at != NULL) {
			redis_url_userinfo(u, p, at);
			p = at + 1;
		}
		if (*p != '/' || strlen(p) >= sizeof(u->path))
			return url_fail(err, len, url, "a unix socket needs an absolute path "
					"shorter than 108 bytes");
		u->is_unix = true;
		snprintf(u->path, sizeof(u->path), "%s", p);
		return 0;
	}
	if (strncmp(url, "redis://", 8) != 0)
		return url_fail(err, len, url, "not redis://[user:pass@]host:port[/db], "
				"unix:///path nor /path");
	p = url + 8;
	at = strrchr(p, '@');
	if (at != NULL) {
		redis_url_userinfo(u, p, at);
		p = at + 1;
	}
	slash = strchr(p, '/');
	colon = strrchr(p, ':');
	if (slash != NULL && colon > slash)
		colon = NULL;
	snprintf(u->host, sizeof(u->host), "%.*s",
		 (int)((colon ? colon : slash ? slash : p + strlen(p)) - p), p);
	if (u->host[0] == '\0')
		return url_fail(err, len, url, "no host");
	if (colon != NULL) {
		v = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || (*end != '\0' && *end != '/') || v < 1 || v > 65535)
			return url_fail(err, len, url, "the port is not 1-65535");
		u->port = (int)v;
	}
	if (slash != NULL && slash[1] != '\0') {
		v = strtol(slash + 1, &end, 10);
		if (*end != '\0' || v < 0 || v > 15)
			return url_fail(err, len, url, "the database is not 0-15");
		u->db = (int)v;
	}
	return 0;
}

static int
redis_simple(redisContext *c, char *err, size_t len, int argc, const char **argv)
{
	redisReply *r = redisCommandArgv(c, argc, argv, NULL);
	int rc = 0;

	if (r == NULL) {
		snprintf(err, len, "%s: %s", argv[0], c->errstr);
		return -EIO;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, len, "%s: %s", argv[0], r->str);
		rc = -EACCES;
	}
	freeReplyObject(r);
	return rc;
}

redisContext *
redis_url_connect(const struct pr_redis_url *u, int timeout_ms, char *err, size_t len)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	redisContext *c;
	char db[8];

	c = u->is_unix ? redisConnectUnixWithTimeout(u->path, tv) :
			 redisConnectWithTimeout(u->host, u->port, tv);
	if (c == NULL || c->err) {
		snprintf(err, len, "connect: %s", c ? c->errstr : "out of memory");
		goto err_ctx;
	}
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		snprintf(err, len, "timeout: %s", c->errstr);
		goto err_ctx;
	}
	if (u->pass[0] != '\0') {
		const char *a3[] = { "AUTH", u->user, u->pass };
		const char *a2[] = { "AUTH", u->pass };

		if (u->user[0] != '\0' ? redis_simple(c, err, len, 3, a3) :
					 redis_simple(c, err, len, 2, a2))
			goto err_ctx;
	}
	if (u->db != 0) {
		const char *a[] = { "SELECT", db };

		snprintf(db, sizeof(db), "%d", u->db);
		if (redis_simple(c, err, len, 2, a) != 0)
			goto err_ctx;
	}
	return c;

err_ctx:
	if (c != NULL)
		redisFree(c);
	return NULL;
}

void
redis_url_display(const struct pr_redis_url *u, char *out, size_t len)
{
	if (u->is_unix)
		snprintf(out, len, "unix://%s%s", u->pass[0] ? "***@" : "", u->path);
	else
		snprintf(out, len, "redis://%s%s%s:%d/%d", u->user, u->pass[0] ? ":***@" : "",
			 u->host, u->port, u->db);
}
