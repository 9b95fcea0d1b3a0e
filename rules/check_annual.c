/* Annual columns (DOMAIN.md): static columns (区情概况, 领导之窗, 政府机构, 信息公开规定,
 * 信息公开指南 — the classes with annual_deadline in rules.d) must show an update dated this
 * year once their deadline (31 March) has passed, and the 政府信息公开工作年度报告 must be
 * out by its deadline (31 January). The deadline day itself is still in time: on 31 March
 * nothing is due yet, on 1 April the column is late. A column's date is the newest of its
 * items and the date its own page shows (a single-page column's 更新时间 or PubDate); a
 * column with neither counts as not updated. A column whose list holds 年度报告 items is
 * reported as the annual report rule. A class with warn_lead_days gives an early warning
 * that many days before its deadline. Blank and unreachable columns are left to their own
 * rules. */
#include "rules/checks.h"

#include <stdio.h>

static bool column_newest(const struct site_column_result *res, xj_day today, xj_day *ret)
{
        bool found = rule_column_newest(res, today, ret);

        if (res->has_pubdate && res->pubdate <= today && (!found || res->pubdate > *ret)) {
                *ret = res->pubdate;
                found = true;
        }
        return found;
}

static bool is_report_column(const struct site_column_result *res)
{
        for (size_t i = 0; i < res->n_items; i++)
                if (res->items[i].title && strstr(res->items[i].title, "年度报告"))
                        return true;
        return false;
}

static void check_column(const struct check_context *ctx, size_t i)
{
        const struct rule_column *col = &ctx->site->columns[i];
        const struct site_column_result *res = &ctx->results->columns[i];
        const struct rule_class *cls = col->cls;
        char detail[512], evidence[256], day[16];
        int year, month, mday;
        xj_day newest = 0;

        if (!cls->annual || !res->fetched ||
            rule_column_is_blank(&ctx->config->settings, res, NULL))
                return;
        civil_from_day(ctx->today, &year, &month, &mday);
        xj_day deadline = day_from_civil(year, cls->annual_month, cls->annual_day);
        xj_day year_start = day_from_civil(year, 1, 1);
        bool dated = column_newest(res, ctx->today, &newest);
        if (dated && newest >= year_start)
                return;

        bool report = is_report_column(res);
        bool late = ctx->today > deadline;
        int lead = cls->warn_lead_days;
        if (!late && (lead <= 0 || ctx->today < deadline - lead))
                return;

        const char *newest_text = dated ? day_format(newest, day) : "无";
        if (!late && report)
                snprintf(detail, sizeof(detail),
                         "栏目「%s」尚未发布 %d 年度报告，%d 天后到期（要求：%d 月 %d 日前发布）",
                         col->name, year - 1, deadline - ctx->today, cls->annual_month,
                         cls->annual_day);
        else if (!late)
                snprintf(detail, sizeof(detail),
                         "栏目「%s」今年尚未更新，%d 天后到期（要求：每年 %d 月 %d 日前至少更新一次）",
                         col->name, deadline - ctx->today, cls->annual_month, cls->annual_day);
        else if (report)
                snprintf(detail, sizeof(detail),
                         "栏目「%s」未按时发布 %d 年度报告（最新信息：%s；要求：%d 月 %d 日前发布）",
                         col->name, year - 1, newest_text, cls->annual_month, cls->annual_day);
        else
                snprintf(detail, sizeof(detail),
                         "栏目「%s」今年未更新（最新信息：%s；要求：每年 %d 月 %d 日前至少更新一次）",
                         col->name, newest_text, cls->annual_month, cls->annual_day);
        snprintf(evidence, sizeof(evidence),
                 "{\"newest\":%s%s%s,\"deadline\":\"%s\",\"annual_report\":%s}", dated ? "\"" : "",
                 dated ? day_format(newest, day) : "null", dated ? "\"" : "",
                 day_format(deadline, (char[16]){0}), report ? "true" : "false");
        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = !late ? "column_annual_warning"
                                  : report ? "annual_report_missing"
                                           : "column_annual_stale",
                          .kind = late ? FINDING_VIOLATION : FINDING_WARNING,
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

void check_annual(const struct check_context *ctx)
{
        for (size_t i = 0; i < ctx->site->n_columns; i++)
                check_column(ctx, i);
}
