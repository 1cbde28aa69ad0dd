/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the configuration loader: the input bytes are written to a file,
 * config_load() reads it (libcyaml, then every check of config.c) with its messages going to
 * memory, and a configuration it accepts is turned into the EAL command line as podrouter
 * does at start-up. A refused file must get a message that names it (config.h), or the
 * target aborts. Everything is freed: LeakSanitizer reports what is not.
 *
 * config_load() takes a path, so each input is written to a folder made for it under $TMPDIR
 * (a cluster.file in the input is looked up relative to it) and removed after.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EAL_ARGS_MAX 160 /* as many as struct pr_config keeps strings for */

/* A folder of its own for each input, under $TMPDIR; the input as podrouter.yaml in it. */
static void
write_input(const uint8_t *data, size_t size, char *dir, char *path)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	snprintf(dir, PATH_MAX, "%s/fuzz_config.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_config: mkdtemp");
		abort();
	}
	snprintf(path, PATH_MAX, "%s/podrouter.yaml", dir);
	f = fopen(path, "wb");
	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror("fuzz_config: writing the input");
		abort();
	}
}

/* A refused file gets at least one message, naming the file first (config.h). */
static void
check_messages(const char *msgs, size_t len, const char *path)
{
	if (len == 0 || strncmp(msgs, path, strlen(path)) != 0) {
		fprintf(stderr,
			"fuzz_config: config_load refused the file without saying why "
			"(messages: '%s')\n",
			msgs ? msgs : "");
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[EAL_ARGS_MAX], *msgs = NULL, dir[PATH_MAX], path[PATH_MAX];
	struct pr_config *cfg;
	size_t len = 0;
	FILE *err;

	write_input(data, size, dir, path);
	err = open_memstream(&msgs, &len);
	if (err == NULL)
		abort();
	cfg = config_load(path, err);
	fflush(err);
	if (cfg == NULL)
		check_messages(msgs, len, path);
	else {
		config_eal_args(cfg, "podrouter", argv, EAL_ARGS_MAX, err);
		config_free(cfg);
	}
	fclose(err);
	free(msgs);
	unlink(path);
	rmdir(dir);
	return 0;
}
