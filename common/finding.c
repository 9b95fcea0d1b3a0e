/* Names of the finding vocabulary; see finding.h. */
#include "common/finding.h"


#include "common/util.h"

static const char *const kind_ids[] = {"violation", "warning"};
static const char *const severity_ids[] = {"serious", "normal", "suspect"};
static const char *const severity_labels[] = {"严重", "一般", "疑似"};
static const char *const state_ids[] = {"open", "fixed", "accepted"};
static const char *const state_labels[] = {"未整改", "已整改", "已确认例外"};

const char *finding_kind_id(enum finding_kind k)
{
        return (unsigned)k < ARRAY_SIZE(kind_ids) ? kind_ids[k] : "?";
}

const char *severity_id(enum severity s)
{
        return (unsigned)s < ARRAY_SIZE(severity_ids) ? severity_ids[s] : "?";
}

const char *severity_label(enum severity s)
{
        return (unsigned)s < ARRAY_SIZE(severity_labels) ? severity_labels[s] : "?";
}

const char *violation_state_id(enum violation_state s)
{
        return (unsigned)s < ARRAY_SIZE(state_ids) ? state_ids[s] : "?";
}

const char *violation_state_label(enum violation_state s)
{
        return (unsigned)s < ARRAY_SIZE(state_labels) ? state_labels[s] : "?";
}

int severity_from_id(const char *s, enum severity *ret)
{
        int v = str_index(severity_ids, ARRAY_SIZE(severity_ids), s);
        if (v >= 0)
                *ret = (enum severity)v;
        return v < 0 ? v : 0;
}

int violation_state_from_id(const char *s, enum violation_state *ret)
{
        int v = str_index(state_ids, ARRAY_SIZE(state_ids), s);
        if (v >= 0)
                *ret = (enum violation_state)v;
        return v < 0 ? v : 0;
}

int finding_kind_from_id(const char *s, enum finding_kind *ret)
{
        int v = str_index(kind_ids, ARRAY_SIZE(kind_ids), s);
        if (v >= 0)
                *ret = (enum finding_kind)v;
        return v < 0 ? v : 0;
}
