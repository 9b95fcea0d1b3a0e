/* The printable 办理单、提醒单、催办单: an HTML page laid out like an official notice (GB/T
 * 9704 党政机关公文格式: A4, the issuing office in red over a red rule, the number, the
 * addressee, the body, the table of problems with their evidence, the deadline, the office
 * and date), with a print stylesheet so that the browser's "print" gives the paper. */
#include <errno.h>
#include <stdio.h>

#include "notify/report_internal.h"
#include "rules/checks.h"

/* More tickets than this in one document is a sign of a wrong query, not a 单 to print. */
#define DOCUMENT_TICKETS_MAX 2000
/* The evidence shown for a problem, in characters; the database keeps all of it. */
#define EVIDENCE_CHARS 160

struct ticket_copy {
        int64_t id, issued_at, deadline, closed_at, first_seen;
        char *kind, *number, *unit, *state, *reason, *parent_number;
        char *rule, *column, *url, *detail, *evidence;
};

struct ticket_list {
        struct ticket_copy *items;
        size_t n;
        bool too_many;
};

static char *dup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

static int on_ticket(const struct store_report_ticket *t, void *userdata)
{
        struct ticket_list *l = userdata;

        if (l->n == DOCUMENT_TICKETS_MAX) {
                l->too_many = true;
                return 1;
        }
        l->items = xreallocarray(l->items, l->n + 1, sizeof(*l->items));
        l->items[l->n++] = (struct ticket_copy){
                .id = t->id,
                .issued_at = t->issued_at,
                .deadline = t->deadline,
                .closed_at = t->closed_at,
                .first_seen = t->first_seen,
                .kind = dup_or_null(t->kind),
                .number = dup_or_null(t->number),
                .unit = dup_or_null(t->unit),
                .state = dup_or_null(t->state),
                .reason = dup_or_null(t->reason),
                .parent_number = dup_or_null(t->parent_number),
                .rule = dup_or_null(t->rule),
                .column = dup_or_null(t->column),
                .url = dup_or_null(t->url),
                .detail = dup_or_null(t->detail),
                .evidence = dup_or_null(t->evidence),
        };
        return 0;
}

static void ticket_list_free(struct ticket_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                struct ticket_copy *t = &l->items[i];
                free(t->kind);
                free(t->number);
                free(t->unit);
                free(t->state);
                free(t->reason);
                free(t->parent_number);
                free(t->rule);
                free(t->column);
                free(t->url);
                free(t->detail);
                free(t->evidence);
        }
        free(l->items);
}

/* The checks write their evidence as a small JSON object ({"newest":"2026-01-02",
 * "days":212}); a person reads it better as "newest：2026-01-02；days：212". Strings keep
 * their text (escapes undone for quotes and backslashes); the result is escaped for HTML
 * by the caller like any other value. */
static char *evidence_readable(const char *json)
{
        struct buf b;
        bool in_string = false;

        buf_init(&b, 4096);
        for (const char *p = json; *p; p++) {
                if (in_string) {
                        if (*p == '\\' && p[1]) {
                                p++;
                                buf_append_some(&b, *p == 'n' ? " " : p, 1);
                        } else if (*p == '"') {
                                in_string = false;
                        } else {
                                buf_append_some(&b, p, 1);
                        }
                        continue;
                }
                switch (*p) {
                case '"':
                        in_string = true;
                        break;
                case '{':
                case '}':
                        break;
                case ':':
                        buf_append_some(&b, "：", strlen("："));
                        break;
                case ',':
                        buf_append_some(&b, "；", strlen("；"));
                        break;
                default:
                        buf_append_some(&b, p, 1);
                }
        }
        return buf_steal(&b);
}

static const char document_css[] =
        /* GB/T 9704: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm. */
        "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }\n"
        "body { font-family: " NOTIFY_SERIF_FONTS "; font-size: 14pt; line-height: 1.75;"
        " color: #000; max-width: 156mm; margin: 2em auto; }\n"
        ".issuer { color: #c00; font-size: 24pt; font-weight: bold; text-align: center;"
        " letter-spacing: 0.08em; line-height: 1.3; }\n"
        ".number { text-align: center; margin: 0.6em 0 0.2em; font-size: 14pt; }\n"
        ".redline { border: 0; border-top: 2px solid #c00; margin: 0.2em 0 1.2em; }\n"
        "h1 { font-size: 20pt; text-align: center; margin: 0.6em 0 0.8em; font-weight: bold; }\n"
        "p { text-indent: 2em; margin: 0.2em 0; }\n"
        "p.to, p.plain { text-indent: 0; }\n"
        "table { border-collapse: collapse; width: 100%; margin: 0.8em 0; font-size: 10.5pt;"
        " line-height: 1.4; }\n"
        "th, td { border: 1px solid #000; padding: 3px 4px; vertical-align: top; }\n"
        "th { font-weight: bold; background: #f2f2f2; }\n"
        "td.url { word-break: break-all; font-family: monospace; font-size: 9pt; }\n"
        "td.evidence { font-size: 9pt; color: #333; word-break: break-all; }\n"
        ".deadline { font-weight: bold; }\n"
        ".sign { text-align: right; margin-top: 2.5em; text-indent: 0; }\n"
        ".note { font-size: 10.5pt; text-indent: 0; color: #333; }\n"
        ".cc { border-top: 1px solid #000; border-bottom: 1px solid #000; margin-top: 2em;"
        " font-size: 12pt; text-indent: 0; }\n"
        "thead { display: table-header-group; }\n"
        "tr { page-break-inside: avoid; break-inside: avoid; }\n"
        ".sign, .cc { page-break-inside: avoid; break-inside: avoid; }\n"
        "@media print { body { margin: 0; max-width: none; } }\n";

static const char *document_title(const char *kind)
{
        if (streq_ptr(kind, "reminder"))
                return "政务公开工作提醒单";
        if (streq_ptr(kind, "urging"))
                return "政务公开问题整改催办单";
        return "政务公开问题整改办理单";
}

static int64_t earliest_deadline(const struct ticket_list *l)
{
        int64_t d = 0;

        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].deadline && (!d || l->items[i].deadline < d))
                        d = l->items[i].deadline;
        return d;
}

static void write_body(struct notify_html *h, const struct ticket_list *l, const char *kind,
                       const struct rule_office *office)
{
        int64_t deadline = earliest_deadline(l);
        const char *office_name = office && office->name ? office->name : "政务公开办";
        char date[32];

        notify_html_raw(h, "<p>");
        if (streq_ptr(kind, "reminder")) {
                notify_html_textf(h, "经巡检，你单位负责的以下 %zu 项内容即将超过规定时限或需要关注，"
                                     "请及时更新、整改，避免形成问题。",
                                  l->n);
                if (deadline)
                        notify_html_textf(h, "请于%s前处理完毕。", notify_date_cn(deadline, date));
        } else if (streq_ptr(kind, "urging")) {
                notify_html_textf(h, "你单位以下 %zu 个问题已超过办理单规定的整改时限，经复查仍未整改到位，"
                                     "现予催办。",
                                  l->n);
                if (deadline)
                        notify_html_textf(h, "请于%s前整改完毕，", notify_date_cn(deadline, date));
                notify_html_textf(h, "并将整改情况书面报送%s。逾期仍未整改的，将在季度通报中予以通报。",
                                  office_name);
        } else {
                notify_html_textf(h, "经巡检发现，你单位负责的政府网站存在以下 %zu 个问题。", l->n);
                if (deadline)
                        notify_html_textf(h, "请于%s前整改完毕，", notify_date_cn(deadline, date));
                else
                        notify_html_text(h, "请及时整改，");
                notify_html_textf(h, "并将整改情况报送%s；确实无法整改的，请书面说明理由。", office_name);
        }
        notify_html_raw(h, "</p>\n");
}

static void write_table(struct notify_html *h, const struct ticket_list *l, bool numbers)
{
        char day[16], date[32];

        notify_html_raw(h, "<table class=\"problems\">\n<thead><tr><th>序号</th>");
        if (numbers)
                notify_html_raw(h, "<th>编号</th>");
        notify_html_raw(h, "<th>栏目</th><th>问题</th><th>网址</th><th>证据</th><th>首次发现</th>"
                           "<th>办理时限</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < l->n; i++) {
                const struct ticket_copy *t = &l->items[i];
                _cleanup_free_ char *evidence = t->evidence ? evidence_readable(t->evidence) : NULL;

                notify_html_rawf(h, "<tr><td class=\"num\">%zu</td>", i + 1);
                if (numbers) {
                        notify_html_raw(h, "<td>");
                        notify_html_text(h, t->number);
                        notify_html_raw(h, "</td>");
                }
                notify_html_raw(h, "<td>");
                notify_html_text(h, t->column ? t->column : "（全站）");
                notify_html_raw(h, "</td><td><b>");
                notify_html_text(h, rule_label(t->rule));
                notify_html_raw(h, "</b><br>");
                notify_html_text(h, t->detail);
                notify_html_raw(h, "</td><td class=\"url\">");
                notify_html_text(h, t->url);
                notify_html_raw(h, "</td><td class=\"evidence\">");
                notify_html_text_cut(h, evidence, EVIDENCE_CHARS);
                notify_html_rawf(h, "</td><td>%s</td><td>", day_format(day_of_time(t->first_seen), day));
                if (t->deadline)
                        notify_html_text(h, notify_date_cn(t->deadline, date));
                else
                        notify_html_raw(h, "—");
                notify_html_raw(h, "</td></tr>\n");
        }
        notify_html_raw(h, "</tbody></table>\n");
}

/* A 单 that is no longer open says so, so that a reprint is not taken for a new order. */
static void write_states(struct notify_html *h, const struct ticket_list *l)
{
        char date[32];

        for (size_t i = 0; i < l->n; i++) {
                const struct ticket_copy *t = &l->items[i];
                if (streq_ptr(t->state, "open"))
                        continue;
                notify_html_raw(h, "<p class=\"note\">");
                notify_html_text(h, t->number);
                if (streq_ptr(t->state, "closed"))
                        notify_html_textf(h, "：已于%s经复查整改到位，本单已办结。",
                                          notify_date_cn(t->closed_at, date));
                else if (streq_ptr(t->state, "accepted"))
                        notify_html_textf(h, "：已认定为例外情形（%s），本单已办结。",
                                          t->reason ? t->reason : "未说明理由");
                else
                        notify_html_textf(h, "：状态 %s。", t->state);
                notify_html_raw(h, "</p>\n");
        }
}

static int write_document(const struct ticket_list *l, const struct rule_office *office,
                          const char *kind, int64_t now, char **ret, size_t *ret_len)
{
        const struct ticket_copy *first = &l->items[0];
        const char *title = document_title(kind);
        struct notify_html h;
        char date[32];
        _cleanup_free_ char *page_title = NULL;

        page_title = l->n == 1 ? xasprintf("%s %s", title, first->number)
                               : xasprintf("%s（%s，%zu 件）", title, first->unit ? first->unit : "",
                                           l->n);
        notify_html_init(&h, NOTIFY_PAGE_MAX);
        notify__page_head(&h, page_title, document_css);
        notify_html_raw(&h, "<body class=\"document\">\n");
        notify__red_header(&h, office);
        notify_html_raw(&h, "<div class=\"number\">");
        if (l->n == 1)
                notify_html_text(&h, first->number);
        else
                notify_html_textf(&h, "%s 等 %zu 件（编号见下表）", first->number, l->n);
        notify_html_raw(&h, "</div>\n<hr class=\"redline\">\n<h1>");
        notify_html_text(&h, title);
        notify_html_raw(&h, "</h1>\n<p class=\"to\">");
        notify_html_text(&h, first->unit ? first->unit : "（未指定单位）");
        notify_html_raw(&h, "：</p>\n");
        if (streq_ptr(kind, "urging") && l->n == 1 && first->parent_number) {
                notify_html_raw(&h, "<p class=\"plain\">");
                notify_html_textf(&h, "原办理单：%s", first->parent_number);
                notify_html_raw(&h, "</p>\n");
        }
        write_body(&h, l, kind, office);
        write_table(&h, l, l->n > 1);
        if (earliest_deadline(l)) {
                notify_html_raw(&h, "<p class=\"plain deadline\">");
                notify_html_textf(&h, "办理时限：%s前", notify_date_cn(earliest_deadline(l), date));
                notify_html_raw(&h, "</p>\n");
        }
        write_states(&h, l);
        notify_html_raw(&h, "<p class=\"sign\">");
        notify_html_text(&h, office && office->name ? office->name : "");
        notify_html_raw(&h, "<br>");
        /* One ticket is dated the day it was issued; a collection, the day it is printed. */
        notify_html_text(&h, notify_date_cn(l->n == 1 ? first->issued_at : now, date));
        notify_html_raw(&h, "</p>\n");
        if (office && office->contact) {
                notify_html_raw(&h, "<p class=\"note\">");
                notify_html_text(&h, office->contact);
                notify_html_raw(&h, "</p>\n");
        }
        /* A 催办单 is copied to the supervising office (DOMAIN.md, the escalation chain). */
        if (streq_ptr(kind, "urging") && office && office->cc) {
                notify_html_raw(&h, "<p class=\"cc\">抄送：");
                notify_html_text(&h, office->cc);
                notify_html_raw(&h, "。</p>\n");
        }
        notify_html_raw(&h, "</body>\n</html>\n");
        return notify_html_finish(&h, ret, ret_len);
}

int notify_document_html(struct store *s, const struct rule_office *office,
                         const struct notify_document_query *q, int64_t now, char **ret,
                         size_t *ret_len)
{
        struct store_report_ticket_filter f = {0};
        struct ticket_list l = {0};
        int r;

        if (q->id > 0 || q->number) {
                f.id = q->id;
                f.number = q->number;
        } else if (q->unit && q->kind) {
                f.unit = q->unit;
                f.kind = q->kind;
                f.state = "open";
        } else {
                return -EINVAL;
        }
        r = store_report_ticket_list(s, &f, on_ticket, &l);
        if (r < 0)
                goto out;
        if (l.too_many) {
                r = -E2BIG;
                goto out;
        }
        if (l.n == 0) {
                r = -ENOENT;
                goto out;
        }
        r = write_document(&l, office, l.items[0].kind, now, ret, ret_len);
out:
        ticket_list_free(&l);
        return r;
}
