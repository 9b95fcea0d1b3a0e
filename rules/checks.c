/* The table of checks and what they share; see checks.h. */
#include "rules/checks.h"

#include <stdio.h>

static const char *const freshness_rules[] = {"column_stale", "homepage_stale",
                                              "column_stale_warning", "homepage_stale_warning",
                                              NULL};
static const char *const annual_rules[] = {"column_annual_stale", "annual_report_missing",
                                           "column_annual_warning", NULL};
static const char *const count_rules[] = {"blank_columns_warning", "overdue_columns_warning",
                                          NULL};
static const char *const publication_rules[] = {"publish_late", NULL};
static const char *const interaction_rules[] = {"reply_overdue", "reply_slow", NULL};
static const char *const blank_rules[] = {"column_blank", NULL};
static const char *const dead_link_rules[] = {"dead_link", NULL};
static const char *const access_rules[] = {"column_unreachable", NULL};
static const char *const dictionary_rules[] = {"wrong_word", "obsolete_name", "sensitive_word",
                                               "dictionary_limit", NULL};
static const char *const personal_data_rules[] = {"personal_data", NULL};
static const char *const dictionary_end_rules[] = {"wrong_word", "obsolete_name",
                                                   "sensitive_word", NULL};
static const char *const hidden_link_rules[] = {"hidden_link", NULL};
static const char *const page_tag_rules[] = {"page_tag_missing", "page_tag_invalid",
                                             "footer_id_missing", NULL};
static const char *const page_tag_end_rules[] = {"page_tag_inconsistent", NULL};
static const char *const guide_rules[] = {"guide_incomplete", NULL};
static const char *const guide_end_rules[] = {"guide_form_unavailable", NULL};
static const char *const interpretation_rules[] = {NULL};
static const char *const interpretation_end_rules[] = {"interpretation_missing",
                                                       "interpretation_form", NULL};
static const char *const tls_rules[] = {"tls_invalid", NULL};
static const char *const page_size_rules[] = {"page_too_large", NULL};

const struct rule_check rule_checks[] = {
        {access_rules, check_column_access},
        {freshness_rules, check_freshness},
        {blank_rules, check_blank},
        {dead_link_rules, check_dead_links, .needs_every_page = true},
        {annual_rules, check_annual},
        {page_tag_end_rules, check_page_tags_end, .needs_every_page = true},
        {guide_end_rules, check_guides_end, .needs_every_page = true},
        {interpretation_end_rules, check_interpretation_end, .needs_every_page = true},
        {dictionary_end_rules, check_dictionary_end, .needs_every_page = true},
        {tls_rules, check_tls, .needs_every_page = true},
        {page_size_rules, check_page_size, .needs_every_page = true},
        /* Last: it judges the counts of what the checks above found. */
        {count_rules, check_counts},
};
const size_t rule_checks_count = ARRAY_SIZE(rule_checks);

const struct rule_page_check rule_page_checks[] = {
        {publication_rules, check_publication},
        {interaction_rules, check_interaction},
        /* Collects the words met only in the template or in link text, for its end. */
        {dictionary_rules, check_dictionary, .collects = true},
        {personal_data_rules, check_personal_data},
        {hidden_link_rules, check_hidden_links},
        {page_tag_rules, check_page_tags, .collects = true},
        {guide_rules, check_guides, .collects = true},
        /* Collects only; its findings come from check_interpretation_end. */
        {interpretation_rules, check_interpretation, .collects = true},
        {NULL, NULL},
};

const char *const rule_probe_rules[] = {"site_unavailable", "site_unavailable_warning", NULL};

/* The dictionary's rules (错敏字): their serious findings are the verdict's 严重表述错误.
 * The one place that names them. */
const char *const rule_serious_wording_rules[] = {"wrong_word", "obsolete_name", "sensitive_word",
                                                  NULL};

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
                {"column_stale_warning", "栏目即将超期未更新"},
                {"homepage_stale_warning", "首页即将超期未更新"},
                {"column_annual_stale", "年度栏目未更新"},
                {"annual_report_missing", "年度报告未按时发布"},
                {"column_annual_warning", "年度栏目即将到期"},
                {"blank_columns_warning", "空白栏目数量预警"},
                {"overdue_columns_warning", "超期栏目数量预警"},
                {"publish_late", "公开不及时"},
                {"reply_overdue", "留言超期未回复"},
                {"reply_slow", "留言答复超时"},
                {"site_unavailable", "站点无法访问"},
                {"site_unavailable_warning", "站点访问失败率预警"},
                {"account_stale", "新媒体内容不更新"},
                {"account_closed_active", "已注销账号仍在发布"},
                {"account_unlisted", "新媒体私自开设"},
                {"account_feed_gone", "新媒体订阅源失效"},
                {"account_feed_invalid", "新媒体订阅源无法读取"},
                {"wrong_word", "错别字及错误表述"},
                {"obsolete_name", "过时名称"},
                {"sensitive_word", "敏感词"},
                {"dictionary_limit", "错敏字检查未完成"},
                {"personal_data", "个人信息泄露"},
                {"hidden_link", "暗链"},
                {"page_tag_missing", "网页标签缺失"},
                {"page_tag_invalid", "网页标签错误"},
                {"page_tag_inconsistent", "网页标签不一致"},
                {"footer_id_missing", "首页底部标识缺失"},
                {"guide_incomplete", "办事指南要素不全"},
                {"guide_form_unavailable", "办事表格无法下载"},
                {"interpretation_missing", "政策文件未关联解读"},
                {"interpretation_form", "多元化解读比例不足"},
                {"tls_invalid", "HTTPS 证书无效"},
                {"page_too_large", "页面过大"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
                if (streq(labels[i].id, rule_id))
                        return labels[i].label;
        return rule_id;
}

struct tally {
        const struct check_context *outer;
        struct rule_overdue overdue;
};

static void tally_emit(const struct store_finding *f, void *userdata)
{
        struct tally *t = userdata;

        rule_overdue_add(&t->overdue, t->outer->site, f->rule, f->kind, f->subject);
        t->outer->emit(f, t->outer->userdata);
}

static void tally_warn(const char *message, void *userdata)
{
        struct tally *t = userdata;

        if (t->outer->warn)
                t->outer->warn(message, t->outer->userdata);
}

void rule_checks_run(const struct check_context *ctx)
{
        struct tally t = {.outer = ctx};
        struct check_context inner = *ctx;

        /* Every finding passes through the tally on its way out, so that check_counts sees
         * what the checks before it found. */
        inner.emit = tally_emit;
        inner.warn = tally_warn;
        inner.userdata = &t;
        inner.overdue = &t.overdue;
        for (size_t i = 0; i < rule_checks_count; i++)
                rule_checks[i].run(&inner);
}

void rule_overdue_add(struct rule_overdue *o, const struct rule_site *site, const char *rule,
                      enum finding_kind kind, const char *subject)
{
        static const char *const column_rules[] = {"column_stale", "column_annual_stale",
                                                   "annual_report_missing", "column_blank"};
        const struct rule_column *col = NULL;
        size_t i;

        if (kind != FINDING_VIOLATION)
                return;
        for (i = 0; i < ARRAY_SIZE(column_rules); i++)
                if (streq(rule, column_rules[i]))
                        break;
        if (i == ARRAY_SIZE(column_rules))
                return;
        for (size_t k = 0; k < site->n_columns && !col; k++)
                if (streq_ptr(site->columns[k].url, subject))
                        col = &site->columns[k];
        /* A blank column counts as an overdue 应更新 column too (DOMAIN.md). */
        o->any++;
        if (streq(rule, "column_blank"))
                o->blank++;
        else if (col && col->cls->group == CLASS_GROUP_NEWS)
                o->news++;
        else if (col && col->cls->group == CLASS_GROUP_NOTICE)
                o->notice++;
}

int rule_workday_count(const struct rule_config *c, xj_day from, xj_day to,
                       void (*warn)(const char *message, void *userdata), void *userdata)
{
        int missing = workday_calendar_missing_year(&c->holidays, from, to);

        if (missing && warn) {
                char msg[256];
                snprintf(msg, sizeof(msg),
                         "rules.d 中没有 %d 年的节假日安排（holidays: %d），该年按周一至周五"
                         "计算工作日",
                         missing, missing);
                warn(msg, userdata);
        }
        return workday_count(&c->holidays, from, to);
}

void rule_page_checks_run(const struct page_check_context *ctx)
{
        for (const struct rule_page_check *c = rule_page_checks; c->rules; c++)
                c->run(ctx);
}

void rule_page_checks_collect(const struct page_check_context *ctx)
{
        for (const struct rule_page_check *c = rule_page_checks; c->rules; c++)
                if (c->collects)
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
