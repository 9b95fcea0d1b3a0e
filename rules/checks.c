/* The table of checks and what they share; see checks.h. */
#include "rules/checks.h"

static const char *const freshness_rules[] = {"column_stale", "homepage_stale", NULL};
static const char *const blank_rules[] = {"column_blank", NULL};
static const char *const dead_link_rules[] = {"dead_link", NULL};
static const char *const access_rules[] = {"column_unreachable", NULL};
static const char *const tls_rules[] = {"tls_invalid", NULL};
static const char *const page_size_rules[] = {"page_too_large", NULL};

const struct rule_check rule_checks[] = {
        {access_rules, check_column_access},
        {freshness_rules, check_freshness},
        {blank_rules, check_blank},
        {dead_link_rules, check_dead_links},
        {tls_rules, check_tls},
        {page_size_rules, check_page_size},
};
const size_t rule_checks_count = ARRAY_SIZE(rule_checks);

const char *rule_label(const char *rule_id)
{
        static const struct {
                const char *id, *label;
        } labels[] = {
                {"column_stale", "栏目不更新"},
                {"homepage_stale", "首页不更新"},
                {"column_blank", "空白栏目"},
                {"dead_link", "链接不可用"},
                {"column_unreachable", "栏目无法访问"},
                {"tls_invalid", "HTTPS 证书无效"},
                {"page_too_large", "页面过大"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
                if (streq(labels[i].id, rule_id))
                        return labels[i].label;
        return rule_id;
}

void rule_checks_run(const struct check_context *ctx)
{
        for (size_t i = 0; i < rule_checks_count; i++)
                rule_checks[i].run(ctx);
}

bool rule_column_newest(const struct site_column_result *col, xj_day today, xj_day *ret)
{
        bool found = false;
        /* A date after today is a typo or an event announcement, not an update. */
        for (size_t i = 0; i < col->n_items; i++)
                if (col->items[i].has_date && col->items[i].date.day <= today &&
                    (!found || col->items[i].date.day > *ret)) {
                        *ret = col->items[i].date.day;
                        found = true;
                }
        return found;
}

const char *rule_unit_name(const struct rule_site *site, int column)
{
        const struct rule_unit *u = column >= 0 ? site->columns[column].unit : site->unit;
        return u ? u->name : NULL;
}
