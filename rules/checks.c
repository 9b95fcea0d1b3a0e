/* The table of checks and what they share; see checks.h. */
#include "rules/checks.h"

static const char *const freshness_rules[] = {"column_stale", "homepage_stale", NULL};
static const char *const blank_rules[] = {"column_blank", NULL};
static const char *const dead_link_rules[] = {"dead_link", NULL};
static const char *const access_rules[] = {"column_unreachable", NULL};
static const char *const hidden_link_rules[] = {"hidden_link", NULL};
static const char *const page_tag_rules[] = {"page_tag_missing", "page_tag_invalid",
                                             "footer_id_missing", NULL};
static const char *const page_tag_end_rules[] = {"page_tag_inconsistent", NULL};
static const char *const guide_rules[] = {"guide_incomplete", NULL};
static const char *const guide_end_rules[] = {"guide_form_unavailable", NULL};
static const char *const interpretation_rules[] = {NULL};
static const char *const interpretation_end_rules[] = {"interpretation_missing",
                                                       "interpretation_form", NULL};

const struct rule_check rule_checks[] = {
        {access_rules, check_column_access},
        {freshness_rules, check_freshness},
        {blank_rules, check_blank},
        {dead_link_rules, check_dead_links, .needs_every_page = true},
        {page_tag_end_rules, check_page_tags_end, .needs_every_page = true},
        {guide_end_rules, check_guides_end, .needs_every_page = true},
        {interpretation_end_rules, check_interpretation_end, .needs_every_page = true},
};
const size_t rule_checks_count = ARRAY_SIZE(rule_checks);

const struct rule_page_check rule_page_checks[] = {
        {hidden_link_rules, check_hidden_links},
        {page_tag_rules, check_page_tags},
        {guide_rules, check_guides},
        /* Collects only; its findings come from check_interpretation_end. */
        {interpretation_rules, check_interpretation},
        {NULL, NULL},
};

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
                {"hidden_link", "暗链"},
                {"page_tag_missing", "网页标签缺失"},
                {"page_tag_invalid", "网页标签错误"},
                {"page_tag_inconsistent", "网页标签不一致"},
                {"footer_id_missing", "首页底部标识缺失"},
                {"guide_incomplete", "办事指南要素不全"},
                {"guide_form_unavailable", "办事表格无法下载"},
                {"interpretation_missing", "政策文件未关联解读"},
                {"interpretation_form", "多元化解读比例不足"},
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

void rule_page_checks_run(const struct page_check_context *ctx)
{
        for (const struct rule_page_check *c = rule_page_checks; c->rules; c++)
                c->run(ctx);
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
