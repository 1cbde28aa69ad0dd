/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PR_TELEMETRY_H
#define PR_TELEMETRY_H

#include "config.h"

/* Register the /podrouter/ commands (they read the workers' counters, never write). */
int telemetry_init(const struct pr_config *cfg);

#endif
