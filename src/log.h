/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One DPDK log type per module ("podrouter.<module>"). A module defines LOG_MODULE and its
 * log type with PR_LOG_REGISTER(module), then logs with LOG(LEVEL, fmt, ...).
 * Never from a worker: the data path reports with counters, not log lines.
 */
#ifndef PR_LOG_H
#define PR_LOG_H

#include <rte_log.h>

#define PR_LOG_REGISTER(module) RTE_LOG_REGISTER_SUFFIX(module##_logtype, module, INFO)

#define LOG(level, fmt, ...)                                                                  \
	rte_log(RTE_LOG_##level, LOG_TYPE, "podrouter." LOG_MODULE ": " fmt "\n", ##__VA_ARGS__)

#endif
