/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Redis addresses and connections, shared by podrouter (which only reads) and podrouterctl
 * (which writes): redis://[user:pass@]host:port[/db], unix://[[user:]pass@]/path or a plain
 * /path. A password is sent with AUTH (AUTH user pass with Redis 6 ACLs).
 */
#ifndef PR_REDIS_CONN_H
#define PR_REDIS_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

struct pr_redis_url {
	bool is_unix;
	char host[256];
	int port;
	char path[108];
	char user[128];
	char pass[256];
	int db;
};

/* 0, or -EINVAL with a reason in err[len]. */
int redis_url_parse(const char *url, struct pr_redis_url *u, char *err, size_t len);

/* Connect (with a timeout for connect and every command), AUTH, SELECT. NULL + err on error. */
redisContext *redis_url_connect(const struct pr_redis_url *u, int timeout_ms, char *err,
				size_t len);

/* The URL without its password, for logs and telemetry. */
void redis_url_display(const struct pr_redis_url *u, char *out, size_t len);

#endif
