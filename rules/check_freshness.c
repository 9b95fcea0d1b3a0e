/* 栏目不更新 and 首页不更新: the newest dated item of each column against its class's
 * period, and the newest dated link on the homepage against the homepage period
 * (DOMAIN.md). Ages are whole calendar days in China Standard Time: an item dated 14 days
 * before today is 14 days old and still within a 14-day period. A column whose items carry
 * no date anywhere counts as not updated, as the 2015 national rules say.
 * Early warnings (预警, for the 提醒单): a column whose age has reached its period minus
 * its class's warn_lead_days, and a homepage homepage_warn_days old, while still within
 * the period. */
#include "rules/checks.h"

#include <stdio.h>

static void emit_column(const struct check_context *ctx, size_t i, enum finding_kind kind,
                        const char *detail, const char *evidence)
{
        const struct rule_column *col = &ctx->site->columns[i];

        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = kind == FINDING_WARNING ? "column_stale_warning"
                                                          : "column_stale",
                          .kind = kind,
                          .severity = SEVERITY_NORMAL,
                          .subject = col->url,
                          .unit = rule_unit_name(ctx->site, (int)i),
                          .column = col->name,
                          .url = col->url,
                          .detail = detail,
                          .evidence = evidence,
                  },
                  ctx->userdata);
}

static void check_column(const struct check_context *ctx, size_t i)
{
        const struct rule_column *col = &ctx->site->columns[i];
        const struct site_column_result *res = &ctx->results->columns[i];
        char detail[512], evidence[256], day[16];
        xj_day newest;

        /* Annual columns follow their own rule (a later check); unreachable and blank
         * columns are reported by theirs. */
        if (col->cls->annual || !res->fetched || res->n_items == 0)
                return;
        if (!rule_column_newest(res, ctx->today, &newest)) {
                snprintf(detail, sizeof(detail),
                         "栏目「%s」的 %zu 条信息均无发布日期，视为未更新（要求：%d 天内）",
                         col->name, res->n_items, col->cls->max_age_days);
                snprintf(evidence, sizeof(evidence),
                         "{\"items\":%zu,\"dated\":0,\"max_age_days\":%d}", res->n_items,
                         col->cls->max_age_days);
                emit_column(ctx, i, FINDING_VIOLATION, detail, evidence);
                return;
        }
        int age = ctx->today - newest;
        int lead = col->cls->warn_lead_days;
        if (age <= col->cls->max_age_days) {
                if (lead <= 0 || age < col->cls->max_age_days - lead)
                        return;
                snprintf(detail, sizeof(detail),
                         "栏目「%s」已 %d 天未更新，%d 天后超期（要求：%d 天内）", col->name, age,
                         col->cls->max_age_days - age, col->cls->max_age_days);
                snprintf(evidence, sizeof(evidence),
                         "{\"newest\":\"%s\",\"age_days\":%d,\"max_age_days\":%d,"
                         "\"warn_lead_days\":%d}",
                         day_format(newest, day), age, col->cls->max_age_days, lead);
                emit_column(ctx, i, FINDING_WARNING, detail, evidence);
                return;
        }
        snprintf(detail, sizeof(detail), "栏目「%s」已 %d 天未更新（要求：%d 天内）", col->name,
                 age, col->cls->max_age_days);
        snprintf(evidence, sizeof(evidence),
                 "{\"newest\":\"%s\",\"age_days\":%d,\"max_age_days\":%d,\"items\":%zu}",
                 day_format(newest, day), age, col->cls->max_age_days, res->n_items);
        emit_column(ctx, i, FINDING_VIOLATION, detail, evidence);
}

static void check_homepage(const struct check_context *ctx)
{
        const struct site_results *res = ctx->results;
        const struct rule_settings *set = &ctx->config->settings;
        char detail[512], evidence[256], day[16];
        bool found = false;
        xj_day newest = 0;

        if (!res->homepage_fetched)
                return;
        for (size_t i = 0; i < res->n_homepage_items; i++) {
                const struct html_item *it = &res->homepage_items[i];
                /* A date in the future is a typo or a countdown, not an update. */
                if (it->has_date && it->date.day <= ctx->today && (!found || it->date.day > newest)) {
                        newest = it->date.day;
                        found = true;
                }
        }
        int age = found ? ctx->today - newest : -1;
        bool warning = found && age <= set->homepage_max_age_days;
        if (warning && age < set->homepage_warn_days)
                return;
        if (warning) {
                snprintf(detail, sizeof(detail), "首页已 %d 天未更新，%d 天后超期（要求：%d 天内）",
                         age, set->homepage_max_age_days - age, set->homepage_max_age_days);
                snprintf(evidence, sizeof(evidence),
                         "{\"newest\":\"%s\",\"age_days\":%d,\"max_age_days\":%d,"
                         "\"warn_days\":%d}",
                         day_format(newest, day), age, set->homepage_max_age_days,
                         set->homepage_warn_days);
        } else if (found) {
                snprintf(detail, sizeof(detail), "首页已 %d 天未更新（要求：%d 天内）", age,
                         set->homepage_max_age_days);
                snprintf(evidence, sizeof(evidence),
                         "{\"newest\":\"%s\",\"age_days\":%d,\"max_age_days\":%d}",
                         day_format(newest, day), age, set->homepage_max_age_days);
        } else {
                snprintf(detail, sizeof(detail),
                         "首页没有带发布日期的信息，视为未更新（要求：%d 天内）",
                         set->homepage_max_age_days);
                snprintf(evidence, sizeof(evidence), "{\"dated_links\":0,\"max_age_days\":%d}",
                         set->homepage_max_age_days);
        }
        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = warning ? "homepage_stale_warning" : "homepage_stale",
                          .kind = warning ? FINDING_WARNING : FINDING_VIOLATION,
                          .severity = SEVERITY_NORMAL,
                          .subject = ctx->site->homepage,
                          .unit = rule_unit_name(ctx->site, -1),
                          .url = ctx->site->homepage,
                          .detail = detail,
                          .evidence = evidence,
                  },
                  ctx->userdata);
}

void check_freshness(const struct check_context *ctx)
{
        for (size_t i = 0; i < ctx->site->n_columns; i++)
                check_column(ctx, i);
        check_homepage(ctx);
}
