/* The monthly roll of key columns (seed 000 附件1「区政府网站重点栏目保障情况统计表」): one row
 * per key column of rules.d (office.key_columns), one cell per month with the items it
 * published, a cell short of the column's monthly minimum marked in red. */
#include <errno.h>
#include <stdio.h>

#include "notify/report_internal.h"
#include "notify/svg.h"

static void month_span(const struct notify_period *p, int *first, int *n)
{
        switch (p->kind) {
        case PERIOD_MONTH:
                /* The year to date: a roll of one month says little, and seed 000's table
                 * runs across the months of the year. */
                *first = 1;
                *n = p->index;
                break;
        case PERIOD_QUARTER:
                *first = 3 * p->index - 2;
                *n = 3;
                break;
        case PERIOD_YEAR:
                *first = 1;
                *n = 12;
                break;
        }
}

/* The last day of a month. */
static xj_day month_end(int year, int month)
{
        return month == 12 ? day_from_civil(year + 1, 1, 1) - 1
                           : day_from_civil(year, month + 1, 1) - 1;
}

struct roll_build {
        const struct rule_config *c;
        struct notify_roll *r;
};

static int on_items(const struct store_report_items *row, void *userdata)
{
        struct roll_build *b = userdata;
        struct notify_roll *r = b->r;
        int y, m;

        if (sscanf(row->month, "%4d-%2d", &y, &m) != 2 || y != r->year || m < r->first_month ||
            m >= r->first_month + r->n_months)
                return 0;
        for (size_t i = 0; i < r->n_rows; i++) {
                const struct rule_key_column *k = r->rows[i].key;
                if (streq(k->site->id, row->site) && streq(k->column->name, row->column))
                        r->rows[i].counts[m - r->first_month] += row->count;
        }
        return 0;
}

int notify_roll_build(const struct rule_config *c, struct store *s, const struct notify_period *p,
                      int64_t now, struct notify_roll **ret)
{
        const struct rule_office *o = &c->office;
        struct notify_roll *r;
        struct roll_build b;
        char first[16], last[16];
        int err;

        if (o->n_key_columns == 0)
                return -ENOENT;
        r = xcalloc(1, sizeof(*r));
        r->period = *p;
        r->year = p->year;
        r->now = now;
        month_span(p, &r->first_month, &r->n_months);
        for (int i = 0; i < r->n_months; i++) {
                xj_day begin = day_from_civil(r->year, r->first_month + i, 1);
                xj_day end = month_end(r->year, r->first_month + i) + 1;

                r->month_state[i] = time_of_day(begin) > now ? -1 : time_of_day(end) <= now ? 1 : 0;
        }
        r->rows = xcalloc(o->n_key_columns, sizeof(*r->rows));
        r->n_rows = o->n_key_columns;
        for (size_t i = 0; i < o->n_key_columns; i++)
                r->rows[i].key = &o->key_columns[i];

        b = (struct roll_build){.c = c, .r = r};
        day_format(day_from_civil(r->year, r->first_month, 1), first);
        day_format(month_end(r->year, r->first_month + r->n_months - 1), last);
        err = store_report_items(s, first, last, on_items, &b);
        if (err < 0) {
                notify_roll_free(r);
                return err;
        }
        *ret = r;
        return 0;
}

void notify_roll_free(struct notify_roll *r)
{
        if (!r)
                return;
        free(r->rows);
        free(r);
}

bool notify_roll_short(const struct notify_roll *r, size_t row, int month)
{
        return month >= 0 && month < r->n_months && r->month_state[month] == 1 &&
               r->rows[row].counts[month] < r->rows[row].key->min_monthly;
}

static bool several_sites(const struct notify_roll *r)
{
        for (size_t i = 1; i < r->n_rows; i++)
                if (r->rows[i].key->site != r->rows[0].key->site)
                        return true;
        return false;
}

static const char *unit_name(const struct rule_key_column *k)
{
        const struct rule_unit *u = k->column->unit ? k->column->unit : k->site->unit;
        return u ? u->name : "";
}

static char *roll_title(const struct notify_roll *r)
{
        if (r->n_months == 1)
                return xasprintf("重点栏目保障情况统计表（%d年%d月）", r->year, r->first_month);
        return xasprintf("重点栏目保障情况统计表（%d年%d月—%d月）", r->year, r->first_month,
                         r->first_month + r->n_months - 1);
}

/* The table alone, shared with the big screen. */
void notify__roll_table(struct notify_html *h, const struct notify_roll *r)
{
        bool sites = several_sites(r);
        const char *area = NULL;

        notify_html_raw(h, "<table class=\"roll\">\n<thead><tr><th>栏目领域</th><th>栏目名称</th>"
                           "<th>责任单位</th>");
        if (sites)
                notify_html_raw(h, "<th>站点</th>");
        notify_html_raw(h, "<th>每月要求</th>");
        for (int m = 0; m < r->n_months; m++)
                notify_html_rawf(h, "<th>%d月</th>", r->first_month + m);
        notify_html_raw(h, "<th>合计</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < r->n_rows; i++) {
                const struct notify_roll_row *row = &r->rows[i];
                const struct rule_key_column *k = row->key;
                int64_t sum = 0;

                notify_html_raw(h, "<tr><td>");
                /* The area is written once for the rows that share it, as in the seed. */
                if (!area || !streq_ptr(area, k->area))
                        notify_html_text(h, k->area ? k->area : "");
                area = k->area ? k->area : "";
                notify_html_raw(h, "</td><th scope=\"row\">");
                notify_html_text(h, k->column->name);
                notify_html_raw(h, "</th><td>");
                notify_html_text(h, unit_name(k));
                notify_html_raw(h, "</td>");
                if (sites) {
                        notify_html_raw(h, "<td>");
                        notify_html_text(h, k->site->name);
                        notify_html_raw(h, "</td>");
                }
                notify_html_rawf(h, "<td class=\"num\">%d</td>", k->min_monthly);
                for (int m = 0; m < r->n_months; m++) {
                        sum += row->counts[m];
                        if (r->month_state[m] < 0)
                                notify_html_raw(h, "<td class=\"num pending\">—</td>");
                        else if (notify_roll_short(r, i, m))
                                notify_html_rawf(h,
                                                 "<td class=\"num short\" title=\"低于要求 %d 条\">"
                                                 "%lld</td>",
                                                 k->min_monthly, (long long)row->counts[m]);
                        else if (r->month_state[m] == 0)
                                notify_html_rawf(h,
                                                 "<td class=\"num pending\" title=\"本月尚未结束\">"
                                                 "%lld</td>",
                                                 (long long)row->counts[m]);
                        else
                                notify_html_rawf(h, "<td class=\"num\">%lld</td>",
                                                 (long long)row->counts[m]);
                }
                notify_html_rawf(h, "<td class=\"num\">%lld</td></tr>\n", (long long)sum);
        }
        notify_html_raw(h, "</tbody></table>\n");
}

int notify_roll_html(const struct notify_roll *r, const struct rule_office *office, char **ret,
                     size_t *ret_len)
{
        _cleanup_free_ char *title = roll_title(r);
        struct notify_html h;
        char date[32];
        size_t short_cells = 0;
        double totals[12] = {0};
        char labels_buf[12][8];
        const char *labels[12];

        for (size_t i = 0; i < r->n_rows; i++)
                for (int m = 0; m < r->n_months; m++) {
                        short_cells += notify_roll_short(r, i, m);
                        totals[m] += (double)r->rows[i].counts[m];
                }
        for (int m = 0; m < r->n_months; m++) {
                snprintf(labels_buf[m], sizeof(labels_buf[m]), "%d月", r->first_month + m);
                labels[m] = labels_buf[m];
        }

        notify_html_init(&h, NOTIFY_PAGE_MAX);
        notify__page_head(&h, title, notify__report_css);
        notify_html_raw(&h, "<body class=\"roll\">\n");
        notify__red_header(&h, office);
        notify_html_raw(&h, "<hr class=\"redline\">\n<h1>");
        notify_html_text(&h, title);
        notify_html_raw(&h, "</h1>\n<p>");
        notify_html_textf(&h,
                          "重点栏目 %zu 个，按月统计发布信息条数；已结束的月份中低于每月要求的 %zu 处以红色标出，"
                          "本月尚未结束的以灰色显示。",
                          r->n_rows, short_cells);
        notify_html_raw(&h, "</p>\n");
        notify__roll_table(&h, r);
        {
                const struct notify_chart_series series[] = {{"重点栏目发布信息合计", totals, "#c00"}};
                const struct notify_chart chart = {
                        .title = "重点栏目每月发布信息合计",
                        .labels = labels,
                        .n_labels = (size_t)r->n_months,
                        .series = series,
                        .n_series = 1,
                        .width = 640,
                        .height = 260,
                };
                notify_svg_lines(&h, &chart);
        }
        notify_html_raw(&h, "<p class=\"sign\">");
        notify_html_text(&h, office && office->name ? office->name : "");
        notify_html_raw(&h, "<br>");
        notify_html_text(&h, notify_date_cn(r->now, date));
        notify_html_raw(&h, "</p>\n</body>\n</html>\n");
        return notify_html_finish(&h, ret, ret_len);
}

int notify_roll_csv(const struct notify_roll *r, char **ret, size_t *ret_len)
{
        struct notify_html h;

        notify_html_init(&h, NOTIFY_PAGE_MAX);
        notify_html_raw(&h, notify__csv_bom);
        notify_html_raw(&h, "栏目领域,栏目名称,责任单位,站点,每月要求");
        for (int m = 0; m < r->n_months; m++)
                notify_html_rawf(&h, ",%04d-%02d", r->year, r->first_month + m);
        notify_html_raw(&h, ",合计,未达要求月数\r\n");
        for (size_t i = 0; i < r->n_rows; i++) {
                const struct rule_key_column *k = r->rows[i].key;
                int64_t sum = 0;
                int short_months = 0;

                notify__csv_field(&h, k->area);
                notify_html_raw(&h, ",");
                notify__csv_field(&h, k->column->name);
                notify_html_raw(&h, ",");
                notify__csv_field(&h, unit_name(k));
                notify_html_raw(&h, ",");
                notify__csv_field(&h, k->site->id);
                notify_html_rawf(&h, ",%d", k->min_monthly);
                for (int m = 0; m < r->n_months; m++) {
                        sum += r->rows[i].counts[m];
                        short_months += notify_roll_short(r, i, m);
                        notify_html_rawf(&h, ",%lld", (long long)r->rows[i].counts[m]);
                }
                notify_html_rawf(&h, ",%lld,%d\r\n", (long long)sum, short_months);
        }
        return notify_html_finish(&h, ret, ret_len);
}
