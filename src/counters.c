/* SPDX-License-Identifier: BSD-3-Clause */
#include "counters.h"

#define PR_NAME(e, name, stage) [PR_CTR_##e] = name,
#define PR_STAGE(e, name, stage) [PR_CTR_##e] = stage,
#define PR_DNAME(e, name, stage) [PR_DROP_##e] = name,
#define PR_DSTAGE(e, name, stage) [PR_DROP_##e] = stage,

const char *const pr_ctr_names[PR_CTR_COUNT] = { PR_COUNTERS(PR_NAME) };
const char *const pr_ctr_stages[PR_CTR_COUNT] = { PR_COUNTERS(PR_STAGE) };
const char *const pr_drop_names[PR_DROP_COUNT] = { PR_DROP_REASONS(PR_DNAME) };
const char *const pr_drop_stages[PR_DROP_COUNT] = { PR_DROP_REASONS(PR_DSTAGE) };
