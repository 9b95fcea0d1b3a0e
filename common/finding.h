/* The vocabulary shared by the checks that produce findings and the store that keeps them. */
#pragma once

#include <stdbool.h>

/* A finding is either a broken rule (a violation) or an early warning that a rule is about
 * to break (预警, which feeds the 提醒单 rather than the 办理单). */
enum finding_kind {
        FINDING_VIOLATION = 0,
        FINDING_WARNING = 1,
};

/* 严重 / 一般 / 疑似, as the national indicators and the vendors grade problems. */
enum severity {
        SEVERITY_SERIOUS = 0,
        SEVERITY_NORMAL = 1,
        SEVERITY_SUSPECT = 2,
};

enum violation_state {
        VIOLATION_OPEN = 0,
        VIOLATION_FIXED = 1,
        VIOLATION_ACCEPTED = 2,
};

/* Stable identifiers used in the database, JSON and CSV ("violation", "serious", "open"),
 * and the Chinese labels used in text meant for the office ("严重", "未整改"). */
const char *finding_kind_id(enum finding_kind k);
const char *severity_id(enum severity s);
const char *severity_label(enum severity s);
const char *violation_state_id(enum violation_state s);
const char *violation_state_label(enum violation_state s);
/* Parse the identifiers above; return 0 or -EINVAL. */
int severity_from_id(const char *s, enum severity *ret);
int violation_state_from_id(const char *s, enum violation_state *ret);
int finding_kind_from_id(const char *s, enum finding_kind *ret);
