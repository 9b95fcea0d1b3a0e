/* 互动回应 (DOMAIN.md, [N]): a consultation column (政务咨询, 领导信箱 — a class with
 * "interaction: true") lists each message with the date it was left and the date of the
 * reply, or a status such as 未回复. Read row by row from the column's list pages:
 *   - a valid message of the last interaction_window_days (365) still unanswered more than
 *     reply_max_months (3) months after it was left is reply_overdue, a serious violation
 *     (the veto 互动回应差);
 *   - a reply more than reply_simple_workdays (5) working days after the message is
 *     reply_slow. Whether a question was "simple" cannot be read from a list, so this is
 *     graded 疑似 (suspect) for a person to confirm.
 * A row's first date is the message's, its second the reply's. Valid means not marked
 * 无效, 不予受理, 重复 or 撤回: such messages need no reply. A row with a message date but
 * neither a reply date nor an unanswered status says nothing and is skipped. */
#include "rules/checks.h"

#include <stdio.h>

static const char *const unanswered_marks[] = {"未回复", "未答复", "待回复", "待答复",
                                                "未办结", "办理中", "处理中"};
static const char *const invalid_marks[] = {"无效", "不予受理", "重复", "撤回"};

static bool row_has(const struct html_row *row, const char *const *marks, size_t n)
{
        for (size_t c = 0; c < row->n_cells; c++)
                for (size_t i = 0; i < n; i++)
                        if (strstr(row->cells[c], marks[i]))
                                return true;
        return false;
}

/* The first two dates of a row, in reading order; returns how many were found. */
static int row_dates(const struct html_row *row, xj_day today, xj_day ret[2],
                     const char **ret_title)
{
        int n = 0;

        *ret_title = NULL;
        for (size_t c = 0; c < row->n_cells && n < 2; c++) {
                const char *s = row->cells[c];
                size_t len = strlen(s), off = 0;
                struct text_date d;
                bool any = false;

                while (n < 2 && off < len && date_find(s + off, len - off, today, &d) == 0) {
                        ret[n++] = d.day;
                        off += d.end;
                        any = true;
                }
                if (!any && !*ret_title)
                        *ret_title = s;
        }
        if (!*ret_title)
                *ret_title = row->cells[0];
        return n;
}

static xj_day add_months(xj_day d, int months)
{
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int y, m, mday;

        civil_from_day(d, &y, &m, &mday);
        m += months;
        y += (m - 1) / 12;
        m = (m - 1) % 12 + 1;
        int last = days[m - 1] + (m == 2 && civil_valid(y, 2, 29));
        return day_from_civil(y, m, mday < last ? mday : last);
}

/* Up to max bytes of s, cut on a character boundary, into buf. */
static const char *short_text(const char *s, char *buf, size_t size)
{
        size_t n = strlen(s);

        if (n >= size) {
                n = size - 1;
                while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
                        n--;
        }
        memcpy(buf, s, n);
        buf[n] = '\0';
        return buf;
}

static void emit_row(const struct page_check_context *ctx, const struct html_row *row,
                     bool overdue, const char *title, const char *detail, const char *evidence)
{
        const struct site_fetch *f = ctx->fetch;
        _cleanup_free_ char *subject = NULL;

        /* A message without a page of its own is known by its list page and title. */
        if (!row->url)
                subject = xasprintf("%s#%s", f->url, title);
        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = overdue ? "reply_overdue" : "reply_slow",
                          .kind = FINDING_VIOLATION,
                          .severity = overdue ? SEVERITY_SERIOUS : SEVERITY_SUSPECT,
                          .subject = row->url ? row->url : subject,
                          .unit = rule_unit_name(ctx->site, f->column),
                          .column = ctx->site->columns[f->column].name,
                          .url = f->url,
                          .detail = detail,
                          .evidence = evidence,
                  },
                  ctx->userdata);
}

static void check_row(const struct page_check_context *ctx, const struct html_row *row)
{
        const struct rule_settings *set = &ctx->config->settings;
        char detail[768], evidence[256], title[192], d1[16], d2[16];
        const char *raw_title;
        xj_day dates[2];
        int n = row_dates(row, ctx->today, dates, &raw_title);

        if (n == 0 || dates[0] > ctx->today ||
            ctx->today - dates[0] > set->interaction_window_days ||
            row_has(row, invalid_marks, ARRAY_SIZE(invalid_marks)))
                return;
        short_text(raw_title, title, sizeof(title));
        day_format(dates[0], d1);

        if (n == 1 && row_has(row, unanswered_marks, ARRAY_SIZE(unanswered_marks))) {
                xj_day due = add_months(dates[0], set->reply_max_months);
                if (ctx->today <= due)
                        return;
                snprintf(detail, sizeof(detail),
                         "留言「%s」于 %s 提交，至今 %d 天未回复（要求：%d 个月内回复）", title, d1,
                         ctx->today - dates[0], set->reply_max_months);
                snprintf(evidence, sizeof(evidence),
                         "{\"asked\":\"%s\",\"age_days\":%d,\"due\":\"%s\",\"max_months\":%d}", d1,
                         ctx->today - dates[0], day_format(due, d2), set->reply_max_months);
                emit_row(ctx, row, true, title, detail, evidence);
                return;
        }
        if (n < 2 || dates[1] < dates[0])
                return;
        int days = rule_workday_count(ctx->config, dates[0], dates[1], ctx->warn, ctx->userdata);
        if (days <= set->reply_simple_workdays)
                return;
        snprintf(detail, sizeof(detail),
                 "留言「%s」于 %s 提交，%s 答复，用时 %d 个工作日（要求：简单咨询 %d 个工作日内答复）",
                 title, d1, day_format(dates[1], d2), days, set->reply_simple_workdays);
        snprintf(evidence, sizeof(evidence),
                 "{\"asked\":\"%s\",\"answered\":\"%s\",\"workdays\":%d,\"max_workdays\":%d}", d1,
                 d2, days, set->reply_simple_workdays);
        emit_row(ctx, row, false, title, detail, evidence);
}

void check_interaction(const struct page_check_context *ctx)
{
        const struct site_fetch *f = ctx->fetch;

        if (f->column < 0 || !ctx->site->columns[f->column].cls->interaction ||
            (f->kind != SITE_FETCH_COLUMN && f->kind != SITE_FETCH_LIST))
                return;
        for (size_t i = 0; i < f->page->n_rows; i++)
                check_row(ctx, &f->page->rows[i]);
}
