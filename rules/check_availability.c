/* 站点无法访问 (DOMAIN.md, [N] [V]): the homepage is probed at least probes_per_day (20)
 * times a day at spread-out times; a probe fails when the page is not loaded within the
 * probe's limit (15 s). Over the last window_days (7), a failure rate at or above
 * veto_percent (5 %) is the veto, above warn_percent (3 %) an early warning. Rates compare
 * in whole numbers (failures × 100 against percent × probes), so 50 failures of 1000
 * probes are exactly 5 %. A window with fewer than min_probes probes is not judged: one
 * failed probe out of one is not yet a rate. */
#include "rules/checks.h"

#include <stdio.h>

enum rule_availability_state rule_availability_judge(const struct rule_settings *set,
                                                     const struct rule_availability *a)
{
        if (a->probes < set->probe_min_probes || a->probes <= 0)
                return AVAILABILITY_TOO_FEW;
        if (a->failures * 100 >= (int64_t)set->probe_veto_percent * a->probes)
                return AVAILABILITY_VETO;
        if (a->failures * 100 > (int64_t)set->probe_warn_percent * a->probes)
                return AVAILABILITY_WARNING;
        return AVAILABILITY_OK;
}

void check_availability(const struct rule_config *config, const struct rule_site *site,
                        const struct rule_availability *a,
                        void (*emit)(const struct store_finding *f, void *userdata),
                        void *userdata)
{
        const struct rule_settings *set = &config->settings;
        enum rule_availability_state st = rule_availability_judge(set, a);
        char detail[512], evidence[256];

        if (st != AVAILABILITY_VETO && st != AVAILABILITY_WARNING)
                return;
        /* One decimal, from integers: the rate printed is the rate judged. */
        int64_t tenths = (a->failures * 1000 + a->probes / 2) / a->probes;
        if (st == AVAILABILITY_VETO)
                snprintf(detail, sizeof(detail),
                         "首页近 %d 天探测 %lld 次，失败 %lld 次，失败率 %lld.%lld%%（要求：低于 %d%%）",
                         a->window_days, (long long)a->probes, (long long)a->failures,
                         (long long)(tenths / 10), (long long)(tenths % 10),
                         set->probe_veto_percent);
        else
                snprintf(detail, sizeof(detail),
                         "首页近 %d 天探测 %lld 次，失败 %lld 次，失败率 %lld.%lld%%（超过 %d%% "
                         "预警，达到 %d%% 即单项否决）",
                         a->window_days, (long long)a->probes, (long long)a->failures,
                         (long long)(tenths / 10), (long long)(tenths % 10),
                         set->probe_warn_percent, set->probe_veto_percent);
        snprintf(evidence, sizeof(evidence),
                 "{\"probes\":%lld,\"failures\":%lld,\"window_days\":%d,\"warn_percent\":%d,"
                 "\"veto_percent\":%d}",
                 (long long)a->probes, (long long)a->failures, a->window_days,
                 set->probe_warn_percent, set->probe_veto_percent);
        emit(&(struct store_finding){
                     .site = site->id,
                     .rule = st == AVAILABILITY_VETO ? "site_unavailable"
                                                     : "site_unavailable_warning",
                     .kind = st == AVAILABILITY_VETO ? FINDING_VIOLATION : FINDING_WARNING,
                     .severity = SEVERITY_SERIOUS,
                     .subject = site->homepage,
                     .unit = rule_unit_name(site, -1),
                     .url = site->homepage,
                     .detail = detail,
                     .evidence = evidence,
             },
             userdata);
}
