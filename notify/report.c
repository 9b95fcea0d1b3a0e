/* The quarterly 通报 (seeds 002, 004, DOMAIN.md "What the office publishes"): per unit the
 * items published, the columns checked, the problems by category, the new-media accounts
 * checked and qualified, and the tickets issued, fixed on time and overdue — each against
 * the previous period — as HTML with inline SVG charts and as CSV. */
#include <errno.h>
#include <stdio.h>

#include "common/json.h"
#include "notify/html.h"
#include "notify/report_internal.h"
#include "notify/svg.h"
#include "rules/checks.h"

/* The unit that collects rows the database holds with no unit. */
static const char no_unit[] = "（未指定单位）";

static const char *const ticket_kinds[TICKET_KINDS] = {
        [TICKET_KIND_HANDLING] = "handling",
        [TICKET_KIND_REMINDER] = "reminder",
        [TICKET_KIND_URGING] = "urging",
};
static const char *const ticket_kind_labels[TICKET_KINDS] = {
        [TICKET_KIND_HANDLING] = "办理单",
        [TICKET_KIND_REMINDER] = "提醒单",
        [TICKET_KIND_URGING] = "催办单",
};

const char *notify_ticket_kind_label(const char *kind)
{
        for (size_t i = 0; kind && i < TICKET_KINDS; i++)
                if (streq(kind, ticket_kinds[i]))
                        return ticket_kind_labels[i];
        return NULL;
}

double notify_pass_rate(const struct notify_counts *n)
{
        return n->accounts > 0 ? 100.0 * (double)n->accounts_ok / (double)n->accounts : -1;
}

/* ---- building ---------------------------------------------------------------------------- */

/* A problem count read from the store, kept until every rule id is known. */
struct problem_row {
        char *unit, *rule;
        int64_t count;
        bool cur;
};

struct build {
        const struct rule_config *c;
        struct store *s;
        struct notify_report *r;
        struct problem_row *problems;
        size_t n_problems;
        bool cur;               /* the period being read: current or previous */
};

static struct notify_unit_report *unit_get(struct notify_report *r, const char *name)
{
        if (!name || !*name)
                name = no_unit;
        for (size_t i = 0; i < r->n_units; i++)
                if (streq(r->units[i].name, name))
                        return &r->units[i];
        r->units = xreallocarray(r->units, r->n_units + 1, sizeof(*r->units));
        r->units[r->n_units] = (struct notify_unit_report){.name = xstrdup(name)};
        return &r->units[r->n_units++];
}

static struct notify_counts *counts(struct build *b, struct notify_unit_report *u)
{
        return b->cur ? &u->cur : &u->prev;
}

static const struct rule_unit *column_unit(const struct rule_config *c, const char *site_id,
                                           const char *column)
{
        const struct rule_site *site = rule_config_site(c, site_id);

        if (!site)
                return NULL;
        for (size_t i = 0; i < site->n_columns; i++)
                if (streq(site->columns[i].name, column))
                        return site->columns[i].unit ? site->columns[i].unit : site->unit;
        return NULL;
}

static int on_items(const struct store_report_items *row, void *userdata)
{
        struct build *b = userdata;
        const struct rule_unit *u = column_unit(b->c, row->site, row->column);

        if (!u) {
                if (b->cur)
                        b->r->unattributed_items += row->count;
                return 0;
        }
        counts(b, unit_get(b->r, u->name))->items += row->count;
        return 0;
}

static int on_problems(const struct store_report_problems *row, void *userdata)
{
        struct build *b = userdata;

        counts(b, unit_get(b->r, row->unit))->problems += row->count;
        b->problems = xreallocarray(b->problems, b->n_problems + 1, sizeof(*b->problems));
        b->problems[b->n_problems++] = (struct problem_row){
                .unit = xstrdup(row->unit && *row->unit ? row->unit : no_unit),
                .rule = xstrdup(row->rule),
                .count = row->count,
                .cur = b->cur,
        };
        return 0;
}

static int on_tickets(const struct store_report_tickets *row, void *userdata)
{
        struct build *b = userdata;
        struct notify_counts *n = counts(b, unit_get(b->r, row->unit));

        for (size_t k = 0; k < TICKET_KINDS; k++)
                if (streq(row->kind, ticket_kinds[k]))
                        n->issued[k] += row->issued;
        n->on_time += row->on_time;
        n->overdue += row->overdue;
        n->pending += row->pending;
        n->accepted += row->accepted;
        return 0;
}

static int on_account(const struct store_report_account *a, void *userdata)
{
        struct build *b = userdata;
        struct notify_report *r = b->r;
        struct notify_counts *n = counts(b, unit_get(r, a->unit));
        bool ok = streq(a->status, "ok");

        n->accounts++;
        n->accounts_ok += ok;
        if (b->cur && !ok) {
                r->bad_accounts = xreallocarray(r->bad_accounts, r->n_bad_accounts + 1,
                                                sizeof(*r->bad_accounts));
                r->bad_accounts[r->n_bad_accounts++] = (struct notify_account_row){
                        .unit = xstrdup(a->unit && *a->unit ? a->unit : no_unit),
                        .name = xstrdup(a->name),
                        .type = xstrdup(a->type),
                        .status = xstrdup(a->status),
                        .detail = a->detail ? xstrdup(a->detail) : NULL,
                        .at = a->at,
                };
        }
        return 0;
}

static int read_period(struct build *b, const struct notify_period *p, bool cur)
{
        char first[16], last[16];
        int64_t from = notify_period_from(p), to = notify_period_to(p);
        int r;

        b->cur = cur;
        r = store_report_items(b->s, day_format(p->first, first), day_format(p->last, last),
                               on_items, b);
        if (r >= 0)
                r = store_report_problems(b->s, from, to, on_problems, b);
        if (r >= 0)
                r = store_report_tickets(b->s, from, to, b->r->now, on_tickets, b);
        if (r >= 0)
                r = store_report_accounts(b->s, from, to, on_account, b);
        return r;
}

static int read_both(void *userdata)
{
        struct build *b = userdata;
        int r = read_period(b, &b->r->period, true);

        return r < 0 ? r : read_period(b, &b->r->prev, false);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t rule_index(const struct notify_report *r, const char *rule)
{
        for (size_t i = 0; i < r->n_rules; i++)
                if (streq(r->rules[i], rule))
                        return i;
        return SIZE_MAX;
}

/* Now that every rule id is known, lay the problem counts out per rule. */
static void fold_problems(struct build *b)
{
        struct notify_report *r = b->r;

        for (size_t i = 0; i < b->n_problems; i++)
                if (rule_index(r, b->problems[i].rule) == SIZE_MAX) {
                        r->rules = xreallocarray(r->rules, r->n_rules + 1, sizeof(*r->rules));
                        r->rules[r->n_rules++] = xstrdup(b->problems[i].rule);
                }
        if (r->n_rules)
                qsort(r->rules, r->n_rules, sizeof(*r->rules), cmp_str);
        r->rule_cur = xcalloc(r->n_rules + 1, sizeof(*r->rule_cur));
        r->rule_prev = xcalloc(r->n_rules + 1, sizeof(*r->rule_prev));
        for (size_t u = 0; u < r->n_units; u++)
                r->units[u].problems_by_rule = xcalloc(r->n_rules + 1, sizeof(int64_t));
        for (size_t i = 0; i < b->n_problems; i++) {
                const struct problem_row *p = &b->problems[i];
                size_t k = rule_index(r, p->rule);

                if (p->cur) {
                        r->rule_cur[k] += p->count;
                        unit_get(r, p->unit)->problems_by_rule[k] += p->count;
                } else {
                        r->rule_prev[k] += p->count;
                }
        }
}

static void add_counts(struct notify_counts *sum, const struct notify_counts *n)
{
        sum->items += n->items;
        sum->columns += n->columns;
        sum->problems += n->problems;
        sum->accounts += n->accounts;
        sum->accounts_ok += n->accounts_ok;
        for (size_t k = 0; k < TICKET_KINDS; k++)
                sum->issued[k] += n->issued[k];
        sum->on_time += n->on_time;
        sum->overdue += n->overdue;
        sum->pending += n->pending;
        sum->accepted += n->accepted;
}

int notify_report_build(const struct rule_config *c, struct store *s,
                        const struct notify_period *p, int64_t now, struct notify_report **ret)
{
        struct notify_report *r = xcalloc(1, sizeof(*r));
        struct build b = {.c = c, .s = s, .r = r};
        int err;

        r->period = *p;
        notify_period_previous(p, &r->prev);
        r->now = now;

        /* The units of rules.d come first, in their order, even when they have nothing. */
        for (size_t i = 0; i < c->n_units; i++)
                unit_get(r, c->units[i].name)->configured = true;
        /* Columns checked: the unit's columns in the sites that are scanned. The same
         * configuration serves both periods. */
        for (size_t i = 0; i < c->n_sites; i++) {
                const struct rule_site *site = &c->sites[i];
                if (!site->enabled)
                        continue;
                for (size_t j = 0; j < site->n_columns; j++) {
                        const struct rule_unit *u =
                                site->columns[j].unit ? site->columns[j].unit : site->unit;
                        if (!u)
                                continue;
                        struct notify_unit_report *ur = unit_get(r, u->name);
                        ur->cur.columns++;
                        ur->prev.columns++;
                }
        }

        err = store_report_snapshot(s, read_both, &b);
        if (err >= 0)
                fold_problems(&b);
        for (size_t i = 0; i < b.n_problems; i++) {
                free(b.problems[i].unit);
                free(b.problems[i].rule);
        }
        free(b.problems);
        if (err < 0) {
                notify_report_free(r);
                return err;
        }
        for (size_t u = 0; u < r->n_units; u++) {
                add_counts(&r->total_cur, &r->units[u].cur);
                add_counts(&r->total_prev, &r->units[u].prev);
        }
        *ret = r;
        return 0;
}

void notify_report_free(struct notify_report *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_units; i++) {
                free(r->units[i].name);
                free(r->units[i].problems_by_rule);
        }
        free(r->units);
        for (size_t i = 0; i < r->n_rules; i++)
                free(r->rules[i]);
        free(r->rules);
        free(r->rule_cur);
        free(r->rule_prev);
        for (size_t i = 0; i < r->n_bad_accounts; i++) {
                struct notify_account_row *a = &r->bad_accounts[i];
                free(a->unit);
                free(a->name);
                free(a->type);
                free(a->status);
                free(a->detail);
        }
        free(r->bad_accounts);
        free(r);
}

const struct notify_unit_report *notify_report_unit(const struct notify_report *r,
                                                    const char *name)
{
        for (size_t i = 0; i < r->n_units; i++)
                if (streq(r->units[i].name, name))
                        return &r->units[i];
        return NULL;
}

/* ---- HTML ------------------------------------------------------------------------------- */

/* A number and its change against the previous period; more_is_better colours the arrow. */
static void cell_trend(struct notify_html *h, int64_t cur, int64_t prev, bool more_is_better)
{
        notify_html_rawf(h, "<td class=\"num\">%lld", (long long)cur);
        if (cur == prev)
                notify_html_raw(h, "<span class=\"trend same\" title=\"与上期持平\">＝</span>");
        else
                notify_html_rawf(h,
                                 "<span class=\"trend %s\" title=\"上期 %lld\">%s%lld</span>",
                                 (cur > prev) == more_is_better ? "good" : "bad",
                                 (long long)prev, cur > prev ? "↑" : "↓",
                                 (long long)(cur > prev ? cur - prev : prev - cur));
        notify_html_raw(h, "</td>");
}

static void cell_rate(struct notify_html *h, const struct notify_counts *cur,
                      const struct notify_counts *prev)
{
        double rc = notify_pass_rate(cur), rp = notify_pass_rate(prev);

        if (rc < 0) {
                notify_html_raw(h, "<td class=\"num\">—</td>");
                return;
        }
        notify_html_rawf(h, "<td class=\"num\">%.1f%%", rc);
        if (rp >= 0)
                notify_html_rawf(h, "<span class=\"trend %s\" title=\"上期 %.1f%%\">%s</span>",
                                 rc >= rp ? "good" : "bad", rp,
                                 rc > rp ? "↑" : rc < rp ? "↓" : "＝");
        notify_html_raw(h, "</td>");
}

void notify__page_head(struct notify_html *h, const char *title, const char *css)
{
        notify_html_raw(h, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                           "<title>");
        notify_html_text(h, title);
        notify_html_raw(h, "</title>\n<style>\n");
        notify_html_raw(h, css);
        notify_html_raw(h, "</style>\n</head>\n");
}

/* The print look shared by the 通报 and the roll: A4, 仿宋/宋体 body, a red rule under the
 * header as official documents have. */
const char notify__report_css[] =
        "@page { size: A4; margin: 25mm 20mm 20mm 20mm; }\n"
        "body { font-family: " NOTIFY_SERIF_FONTS "; color: #000; margin: 2em auto;"
        " max-width: 1100px; line-height: 1.6; }\n"
        ".issuer { color: #c00; font-size: 28pt; font-weight: bold; text-align: center;"
        " letter-spacing: 0.1em; }\n"
        ".redline { border: 0; border-top: 2px solid #c00; margin: 0.5em 0 1.5em; }\n"
        "h1 { font-size: 18pt; text-align: center; margin: 0.8em 0; }\n"
        "h2 { font-size: 14pt; margin: 1.2em 0 0.4em; }\n"
        "p { text-indent: 2em; margin: 0.4em 0; }\n"
        "p.to { text-indent: 0; }\n"
        "table { border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 10.5pt; }\n"
        "th, td { border: 1px solid #000; padding: 3px 5px; }\n"
        "th { background: #f2f2f2; font-weight: bold; }\n"
        "td.num { text-align: right; white-space: nowrap; }\n"
        ".trend { font-size: 8pt; margin-left: 3px; }\n"
        ".trend.good { color: #070; } .trend.bad { color: #c00; } .trend.same { color: #777; }\n"
        "td.short { background: #fdd; color: #c00; font-weight: bold; }\n"
        "td.pending { color: #777; }\n"
        ".charts { display: flex; flex-wrap: wrap; gap: 1em; }\n"
        ".note { font-size: 9pt; color: #444; text-indent: 0; }\n"
        ".sign { text-align: right; margin-top: 2em; text-indent: 0; }\n"
        "thead { display: table-header-group; }\n"
        "tr, svg { page-break-inside: avoid; break-inside: avoid; }\n"
        "h2 { page-break-after: avoid; break-after: avoid; }\n"
        "@media print { body { margin: 0; max-width: none; } .charts { display: block; } }\n";

void notify__red_header(struct notify_html *h, const struct rule_office *office)
{
        notify_html_raw(h, "<div class=\"issuer\">");
        notify_html_text(h, office && office->issuer ? office->issuer : "政务公开办公室");
        notify_html_raw(h, "</div>\n");
}

static void html_summary(struct notify_html *h, const struct notify_report *r)
{
        const struct notify_counts *n = &r->total_cur, *p = &r->total_prev;
        double rate = notify_pass_rate(n);
        char label[32], prev[32];

        notify_period_label(&r->period, label);
        notify_period_label(&r->prev, prev);
        notify_html_raw(h, "<h2>一、总体情况</h2>\n<p>");
        notify_html_textf(h,
                          "%s，全区各单位在政府网站共发布信息 %lld 条（%s %lld 条）；检查栏目 %lld 个，"
                          "发现问题 %lld 个（%s %lld 个）；",
                          label, (long long)n->items, prev, (long long)p->items,
                          (long long)n->columns, (long long)n->problems, prev,
                          (long long)p->problems);
        if (rate >= 0)
                notify_html_textf(h, "检查政务新媒体 %lld 个，合格 %lld 个，合格率 %.1f%%；",
                                  (long long)n->accounts, (long long)n->accounts_ok, rate);
        else
                notify_html_text(h, "本期未检查政务新媒体；");
        notify_html_textf(h,
                          "下发办理单 %lld 件、提醒单 %lld 件、催办单 %lld 件，办理单按期办结 %lld 件，"
                          "逾期 %lld 件，办理中 %lld 件。",
                          (long long)n->issued[TICKET_KIND_HANDLING],
                          (long long)n->issued[TICKET_KIND_REMINDER],
                          (long long)n->issued[TICKET_KIND_URGING], (long long)n->on_time,
                          (long long)n->overdue, (long long)n->pending);
        notify_html_raw(h, "</p>\n");
}

/* Units with nothing to show in either period (a unit of rules.d with no column, no
 * ticket, no account) would only lengthen the table. */
static bool unit_empty(const struct notify_unit_report *u)
{
        static const struct notify_counts zero;
        return memcmp(&u->cur, &zero, sizeof(zero)) == 0 &&
               memcmp(&u->prev, &zero, sizeof(zero)) == 0;
}

static void html_units_table(struct notify_html *h, const struct notify_report *r)
{
        notify_html_raw(h,
                        "<h2>二、各单位情况</h2>\n"
                        "<table class=\"units\">\n<thead><tr><th>责任单位</th><th>发布信息</th>"
                        "<th>检查栏目</th><th>发现问题</th><th>新媒体检查</th><th>合格</th>"
                        "<th>合格率</th><th>办理单</th><th>提醒单</th><th>催办单</th>"
                        "<th>按期办结</th><th>逾期</th><th>办理中</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < r->n_units; i++) {
                const struct notify_unit_report *u = &r->units[i];
                if (unit_empty(u))
                        continue;
                notify_html_raw(h, "<tr><th scope=\"row\">");
                notify_html_text(h, u->name);
                notify_html_raw(h, "</th>");
                cell_trend(h, u->cur.items, u->prev.items, true);
                notify_html_rawf(h, "<td class=\"num\">%lld</td>", (long long)u->cur.columns);
                cell_trend(h, u->cur.problems, u->prev.problems, false);
                cell_trend(h, u->cur.accounts, u->prev.accounts, true);
                cell_trend(h, u->cur.accounts_ok, u->prev.accounts_ok, true);
                cell_rate(h, &u->cur, &u->prev);
                for (size_t k = 0; k < TICKET_KINDS; k++)
                        cell_trend(h, u->cur.issued[k], u->prev.issued[k], false);
                cell_trend(h, u->cur.on_time, u->prev.on_time, true);
                cell_trend(h, u->cur.overdue, u->prev.overdue, false);
                notify_html_rawf(h, "<td class=\"num\">%lld</td></tr>\n",
                                 (long long)u->cur.pending);
        }
        notify_html_raw(h, "<tr class=\"total\"><th scope=\"row\">合计</th>");
        cell_trend(h, r->total_cur.items, r->total_prev.items, true);
        notify_html_rawf(h, "<td class=\"num\">%lld</td>", (long long)r->total_cur.columns);
        cell_trend(h, r->total_cur.problems, r->total_prev.problems, false);
        cell_trend(h, r->total_cur.accounts, r->total_prev.accounts, true);
        cell_trend(h, r->total_cur.accounts_ok, r->total_prev.accounts_ok, true);
        cell_rate(h, &r->total_cur, &r->total_prev);
        for (size_t k = 0; k < TICKET_KINDS; k++)
                cell_trend(h, r->total_cur.issued[k], r->total_prev.issued[k], false);
        cell_trend(h, r->total_cur.on_time, r->total_prev.on_time, true);
        cell_trend(h, r->total_cur.overdue, r->total_prev.overdue, false);
        notify_html_rawf(h, "<td class=\"num\">%lld</td></tr>\n</tbody></table>\n",
                         (long long)r->total_cur.pending);
        notify_html_raw(h, "<p class=\"note\">箭头为与上期相比的增减；绿色为向好，红色为变差。"
                           "办理单按期办结、逾期、办理中按本期下发的办理单统计。</p>\n");
        if (r->unattributed_items > 0) {
                notify_html_raw(h, "<p class=\"note\">");
                notify_html_textf(h, "另有 %lld 条信息所属栏目已不在配置中，未计入各单位。",
                                  (long long)r->unattributed_items);
                notify_html_raw(h, "</p>\n");
        }
}

static void html_units_chart(struct notify_html *h, const struct notify_report *r)
{
        const char **labels = xcalloc(r->n_units + 1, sizeof(*labels));
        double *cur = xcalloc(r->n_units + 1, sizeof(*cur));
        double *prev = xcalloc(r->n_units + 1, sizeof(*prev));
        char a[32], b[32];
        size_t n = 0;

        for (size_t i = 0; i < r->n_units; i++) {
                const struct notify_unit_report *u = &r->units[i];
                if (u->cur.items == 0 && u->prev.items == 0)
                        continue;
                labels[n] = u->name;
                cur[n] = (double)u->cur.items;
                prev[n] = (double)u->prev.items;
                n++;
        }
        if (n > 0) {
                const struct notify_chart_series series[] = {
                        {notify_period_label(&r->period, a), cur, "#c00"},
                        {notify_period_label(&r->prev, b), prev, "#999"},
                };
                const struct notify_chart chart = {
                        .title = "各单位发布信息数",
                        .labels = labels,
                        .n_labels = n,
                        .series = series,
                        .n_series = ARRAY_SIZE(series),
                        .width = n > 8 ? 1000 : 640,
                        .height = 300,
                };
                notify_svg_bars(h, &chart);
        }
        free(labels);
        free(cur);
        free(prev);
}

static void html_problems(struct notify_html *h, const struct notify_report *r)
{
        notify_html_raw(h, "<h2>三、发现问题分类情况</h2>\n");
        if (r->n_rules == 0) {
                notify_html_raw(h, "<p>本期未发现问题。</p>\n");
                return;
        }
        notify_html_raw(h, "<table class=\"problems\">\n<thead><tr><th>问题类别</th><th>本期</th>"
                           "<th>上期</th><th>涉及单位（问题数）</th></tr></thead>\n<tbody>\n");
        for (size_t k = 0; k < r->n_rules; k++) {
                bool first = true;

                notify_html_raw(h, "<tr><th scope=\"row\">");
                notify_html_text(h, rule_label(r->rules[k]));
                notify_html_raw(h, "</th>");
                cell_trend(h, r->rule_cur[k], r->rule_prev[k], false);
                notify_html_rawf(h, "<td class=\"num\">%lld</td><td>", (long long)r->rule_prev[k]);
                for (size_t i = 0; i < r->n_units; i++) {
                        const struct notify_unit_report *u = &r->units[i];
                        if (u->problems_by_rule[k] == 0)
                                continue;
                        if (!first)
                                notify_html_raw(h, "、");
                        first = false;
                        notify_html_text(h, u->name);
                        notify_html_rawf(h, "（%lld）", (long long)u->problems_by_rule[k]);
                }
                notify_html_raw(h, "</td></tr>\n");
        }
        notify_html_raw(h, "</tbody></table>\n");

        const char **labels = xcalloc(r->n_rules, sizeof(*labels));
        double *cur = xcalloc(r->n_rules, sizeof(*cur)), *prev = xcalloc(r->n_rules, sizeof(*prev));
        char a[32], b[32];
        for (size_t k = 0; k < r->n_rules; k++) {
                labels[k] = rule_label(r->rules[k]);
                cur[k] = (double)r->rule_cur[k];
                prev[k] = (double)r->rule_prev[k];
        }
        const struct notify_chart_series series[] = {
                {notify_period_label(&r->period, a), cur, "#c00"},
                {notify_period_label(&r->prev, b), prev, "#999"},
        };
        const struct notify_chart chart = {
                .title = "问题分类",
                .labels = labels,
                .n_labels = r->n_rules,
                .series = series,
                .n_series = ARRAY_SIZE(series),
                .width = 640,
                .height = 280,
        };
        notify_svg_bars(h, &chart);
        free(labels);
        free(cur);
        free(prev);
}

static void html_accounts(struct notify_html *h, const struct notify_report *r)
{
        double rate = notify_pass_rate(&r->total_cur);
        char day[16];

        notify_html_raw(h, "<h2>四、政务新媒体检查情况</h2>\n<p>");
        if (rate < 0) {
                notify_html_raw(h, "本期未检查政务新媒体。</p>\n");
                return;
        }
        notify_html_textf(h, "本期检查政务新媒体账号 %lld 个，合格 %lld 个，不合格 %lld 个，合格率 %.1f%%。",
                          (long long)r->total_cur.accounts, (long long)r->total_cur.accounts_ok,
                          (long long)(r->total_cur.accounts - r->total_cur.accounts_ok), rate);
        notify_html_raw(h, "</p>\n");
        if (r->n_bad_accounts == 0)
                return;
        notify_html_raw(h, "<table class=\"accounts\">\n<thead><tr><th>责任单位</th><th>账号名称</th>"
                           "<th>类型</th><th>问题</th><th>说明</th><th>检查日期</th></tr></thead>\n"
                           "<tbody>\n");
        for (size_t i = 0; i < r->n_bad_accounts; i++) {
                const struct notify_account_row *a = &r->bad_accounts[i];
                notify_html_raw(h, "<tr><td>");
                notify_html_text(h, a->unit);
                notify_html_raw(h, "</td><td>");
                notify_html_text(h, a->name);
                notify_html_raw(h, "</td><td>");
                notify_html_text(h, a->type);
                notify_html_raw(h, "</td><td>");
                notify_html_text(h, rule_label(a->status));
                notify_html_raw(h, "</td><td>");
                notify_html_text_cut(h, a->detail, 120);
                notify_html_rawf(h, "</td><td>%s</td></tr>\n", day_format(day_of_time(a->at), day));
        }
        notify_html_raw(h, "</tbody></table>\n");
}

int notify_report_html(const struct notify_report *r, const struct rule_office *office,
                       char **ret, size_t *ret_len)
{
        struct notify_html h;
        char label[32], date[32];
        _cleanup_free_ char *title = NULL;

        notify_period_label(&r->period, label);
        title = xasprintf("关于%s政务公开工作情况的通报", label);
        notify_html_init(&h, NOTIFY_PAGE_MAX);
        notify__page_head(&h, title, notify__report_css);
        notify_html_raw(&h, "<body class=\"report\">\n");
        notify__red_header(&h, office);
        notify_html_raw(&h, "<hr class=\"redline\">\n<h1>");
        notify_html_text(&h, title);
        notify_html_raw(&h, "</h1>\n<p class=\"to\">区级各部门、直属事企业单位、各街道办事处：</p>\n<p>");
        notify_html_textf(&h,
                          "根据政务公开季度通报机制（“三单联动”督办），现将%s全区政府网站栏目保障、"
                          "政务新媒体管理及问题整改情况通报如下：",
                          label);
        notify_html_raw(&h, "</p>\n");
        html_summary(&h, r);
        notify_html_raw(&h, "<div class=\"charts\">\n");
        html_units_chart(&h, r);
        notify_html_raw(&h, "</div>\n");
        html_units_table(&h, r);
        html_problems(&h, r);
        html_accounts(&h, r);
        notify_html_raw(&h, "<h2>五、工作要求</h2>\n<p>");
        notify_html_text(&h, "请各单位对照本通报所列问题，按照办理单要求的时限整改到位；"
                             "无法整改的，应及时书面说明理由。逾期未整改的，将下发催办单并纳入年度考核。");
        notify_html_raw(&h, "</p>\n<p class=\"sign\">");
        notify_html_text(&h, office && office->name ? office->name : "");
        notify_html_raw(&h, "<br>");
        notify_html_text(&h, notify_date_cn(r->now, date));
        notify_html_raw(&h, "</p>\n");
        if (office && office->contact) {
                notify_html_raw(&h, "<p class=\"note\">");
                notify_html_text(&h, office->contact);
                notify_html_raw(&h, "</p>\n");
        }
        notify_html_raw(&h, "</body>\n</html>\n");
        return notify_html_finish(&h, ret, ret_len);
}

/* ---- CSV -------------------------------------------------------------------------------- */

/* A UTF-8 byte-order mark: spreadsheets on the office's desktops read the file as GBK
 * without it. */
const char notify__csv_bom[] = "\xef\xbb\xbf";

void notify__csv_field(struct notify_html *h, const char *s)
{
        int r;

        if (h->error)
                return;
        r = csv_append_field(&h->b, s);
        if (r < 0)
                h->error = r;
}

static void csv_counts(struct notify_html *h, const struct notify_counts *n)
{
        double rate = notify_pass_rate(n);

        notify_html_rawf(h, ",%lld,%lld,%lld,%lld,%lld,", (long long)n->items,
                         (long long)n->columns, (long long)n->problems, (long long)n->accounts,
                         (long long)n->accounts_ok);
        if (rate >= 0)
                notify_html_rawf(h, "%.1f", rate);
        for (size_t k = 0; k < TICKET_KINDS; k++)
                notify_html_rawf(h, ",%lld", (long long)n->issued[k]);
        notify_html_rawf(h, ",%lld,%lld,%lld", (long long)n->on_time, (long long)n->overdue,
                         (long long)n->pending);
}

int notify_report_csv(const struct notify_report *r, char **ret, size_t *ret_len)
{
        static const char *const columns[] = {
                "发布信息", "检查栏目", "发现问题", "新媒体检查", "新媒体合格", "合格率",
                "办理单", "提醒单", "催办单", "按期办结", "逾期", "办理中",
        };
        struct notify_html h;
        char id[16];

        notify_period_id(&r->period, id);
        notify_html_init(&h, NOTIFY_PAGE_MAX);
        notify_html_raw(&h, notify__csv_bom);
        notify_html_raw(&h, "期间,责任单位");
        for (size_t i = 0; i < ARRAY_SIZE(columns); i++)
                notify_html_rawf(&h, ",%s", columns[i]);
        for (size_t i = 0; i < ARRAY_SIZE(columns); i++)
                notify_html_rawf(&h, ",上期%s", columns[i]);
        notify_html_raw(&h, "\r\n");
        for (size_t i = 0; i < r->n_units; i++) {
                const struct notify_unit_report *u = &r->units[i];
                if (unit_empty(u))
                        continue;
                notify_html_rawf(&h, "%s,", id);
                notify__csv_field(&h, u->name);
                csv_counts(&h, &u->cur);
                csv_counts(&h, &u->prev);
                notify_html_raw(&h, "\r\n");
        }
        notify_html_rawf(&h, "%s,合计", id);
        csv_counts(&h, &r->total_cur);
        csv_counts(&h, &r->total_prev);
        notify_html_raw(&h, "\r\n");
        return notify_html_finish(&h, ret, ret_len);
}
