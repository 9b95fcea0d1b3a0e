/* Early warnings on counts (预警, DOMAIN.md): blank columns reaching blank_warn (2) and
 * overdue 应更新 columns reaching overdue_warn (6), while still below their vetoes (5 and
 * 10), so that the office hears of it before the site fails the inspection. The counts are
 * what the checks before this one found in the same scan (rule_checks_run() keeps them);
 * at or above the veto the site verdict reports it instead. */
#include "rules/checks.h"

#include <stdio.h>

static void emit_site(const struct check_context *ctx, const char *rule, const char *detail,
                      const char *evidence)
{
        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = rule,
                          .kind = FINDING_WARNING,
                          .severity = SEVERITY_NORMAL,
                          .subject = ctx->site->homepage,
                          .unit = rule_unit_name(ctx->site, -1),
                          .url = ctx->site->homepage,
                          .detail = detail,
                          .evidence = evidence,
                  },
                  ctx->userdata);
}

void check_counts(const struct check_context *ctx)
{
        const struct rule_settings *set = &ctx->config->settings;
        const struct rule_overdue *o = ctx->overdue;
        char detail[512], evidence[256];

        if (!o)
                return;
        if (o->blank >= set->blank_warn && o->blank < set->blank_veto) {
                snprintf(detail, sizeof(detail),
                         "网站已有 %d 个空白栏目（达到 %d 个预警，%d 个即单项否决）", o->blank,
                         set->blank_warn, set->blank_veto);
                snprintf(evidence, sizeof(evidence), "{\"blank\":%d,\"warn\":%d,\"veto\":%d}",
                         o->blank, set->blank_warn, set->blank_veto);
                emit_site(ctx, "blank_columns_warning", detail, evidence);
        }
        if (o->any >= set->overdue_warn && o->any < set->overdue_any_veto) {
                snprintf(detail, sizeof(detail),
                         "网站已有 %d 个栏目超期未更新（含空白栏目；达到 %d 个预警，%d 个即单项否决）",
                         o->any, set->overdue_warn, set->overdue_any_veto);
                snprintf(evidence, sizeof(evidence),
                         "{\"overdue\":%d,\"news\":%d,\"notice\":%d,\"blank\":%d,\"warn\":%d,"
                         "\"veto\":%d}",
                         o->any, o->news, o->notice, o->blank, set->overdue_warn,
                         set->overdue_any_veto);
                emit_site(ctx, "overdue_columns_warning", detail, evidence);
        }
}
