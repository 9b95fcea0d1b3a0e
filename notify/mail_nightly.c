/* The nightly email: what each unit and the supervising office are told, and the record
 * that makes a rerun the same day send nothing twice. A unit's mail holds its new tickets,
 * its other open tickets by deadline and what was fixed (or accepted) since its last mail
 * that went out; "new" and "fixed" are judged by the tickets that sent mails covered
 * (mail_tickets), so a mail that failed does not count as telling anyone. */
#include "notify/mail.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/json.h"
#include "common/xtime.h"
#include "rules/checks.h"

/* A message is a summary for people, with every ticket in the CSV; a district has a few
 * thousand open tickets at worst. Past this the message is refused rather than cut. */
#define MESSAGE_MAX (32 * 1024 * 1024)
#define BODY_MAX (8 * 1024 * 1024)

static const char *const kind_names[] = {"unit", "summary"};
enum { MAIL_UNIT = 0, MAIL_SUMMARY = 1 };

void notify_mail_report_free(struct notify_mail_report *r)
{
        for (size_t i = 0; i < r->n; i++) {
                free(r->items[i].unit);
                free(r->items[i].kind);
                free(r->items[i].detail);
        }
        free(r->items);
        *r = (struct notify_mail_report){0};
}

static void outcome(struct notify_mail_report *rep, const char *unit, int kind,
                    enum mail_state state, bool skipped, char *detail)
{
        rep->items = xreallocarray(rep->items, rep->n + 1, sizeof(*rep->items));
        rep->items[rep->n++] = (struct notify_mail_outcome){
                .unit = xstrdup(unit),
                .kind = xstrdup(kind_names[kind]),
                .state = state,
                .skipped = skipped,
                .detail = detail,
        };
        if (skipped)
                rep->skipped++;
        else if (state == MAIL_SENT)
                rep->sent++;
        else if (state == MAIL_FAILED_TEMPORARY)
                rep->temporary++;
        else if (state == MAIL_IN_DOUBT)
                rep->in_doubt++;
        else if (state == MAIL_FAILED_PERMANENT)
                rep->permanent++;
        else
                rep->written++;
}

/* ---- what a mail reports ---------------------------------------------------------------- */

struct row {
        int64_t id;
        enum ticket_kind kind;
        enum ticket_state state;
        enum severity severity;
        char *number, *unit, *site, *rule, *column, *url, *detail, *reason;
        int64_t issued_at, deadline, closed_scan;
};

struct rows {
        struct row *items;
        size_t n;
};

static void rows_free(struct rows *r)
{
        for (size_t i = 0; i < r->n; i++) {
                struct row *w = &r->items[i];
                free(w->number);
                free(w->unit);
                free(w->site);
                free(w->rule);
                free(w->column);
                free(w->url);
                free(w->detail);
                free(w->reason);
        }
        free(r->items);
        *r = (struct rows){0};
}

static char *dup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

struct gather {
        struct rows *rows;
        bool open_only, closed_only;
        const struct rows *except;      /* tickets already listed as new */
};

static int gather_one(const struct store_ticket *t, void *userdata)
{
        struct gather *g = userdata;
        struct rows *r = g->rows;

        if (g->closed_only && t->state == TICKET_OPEN)
                return 0;
        if (g->open_only && t->state != TICKET_OPEN)
                return 0;
        for (size_t i = 0; g->except && i < g->except->n; i++)
                if (g->except->items[i].id == t->id)
                        return 0;
        r->items = xreallocarray(r->items, r->n + 1, sizeof(*r->items));
        r->items[r->n++] = (struct row){
                .id = t->id,
                .kind = t->kind,
                .state = t->state,
                .severity = t->v_severity,
                .number = xstrdup(t->number),
                .unit = dup_or_null(t->unit),
                .site = dup_or_null(t->site),
                .rule = dup_or_null(t->rule),
                .column = dup_or_null(t->column),
                .url = dup_or_null(t->url),
                .detail = dup_or_null(t->detail),
                .reason = dup_or_null(t->reason),
                .issued_at = t->issued_at,
                .deadline = t->deadline,
                .closed_scan = t->closed_scan,
        };
        return 0;
}

struct content {
        struct rows fresh;      /* new since the last sent mail */
        struct rows open;       /* still open, not new */
        struct rows closed;     /* closed or accepted since the last sent mail */
        bool has_new_urging;
};

static void content_free(struct content *c)
{
        rows_free(&c->fresh);
        rows_free(&c->open);
        rows_free(&c->closed);
}

/* unit is NULL for the summary of all units. */
static int gather(struct store *s, int kind, const char *unit, struct content *c)
{
        const char *k = kind_names[kind];
        struct gather g;
        int r;

        g = (struct gather){.rows = &c->fresh, .open_only = true};
        r = store_tickets_foreach(s,
                                  &(struct store_ticket_filter){.state = TICKET_OPEN,
                                                                .unit = unit,
                                                                .not_mailed_kind = k,
                                                                .not_mailed_role = "new"},
                                  gather_one, &g);
        if (r < 0)
                return r;
        g = (struct gather){.rows = &c->open, .open_only = true, .except = &c->fresh};
        r = store_tickets_foreach(s, &(struct store_ticket_filter){.state = TICKET_OPEN,
                                                                   .unit = unit},
                                  gather_one, &g);
        if (r < 0)
                return r;
        g = (struct gather){.rows = &c->closed, .closed_only = true};
        r = store_tickets_foreach(s,
                                  &(struct store_ticket_filter){.state = -1,
                                                                .unit = unit,
                                                                .not_mailed_kind = k,
                                                                .not_mailed_role = "closed"},
                                  gather_one, &g);
        for (size_t i = 0; i < c->fresh.n; i++)
                c->has_new_urging |= c->fresh.items[i].kind == TICKET_URGING;
        return r;
}

/* ---- the text, the HTML and the CSV ------------------------------------------------------ */

static const char *or_dash(const char *s)
{
        return s && *s ? s : "-";
}

static char *deadline_text(const struct row *w, int64_t now)
{
        char day[16];

        if (!w->deadline)
                return xstrdup("无");
        day_format(day_of_time(w->deadline), day);
        if (w->state == TICKET_OPEN && now > w->deadline)
                return xasprintf("%s（已超期 %d 天）", day,
                                 (int)(day_of_time(now) - day_of_time(w->deadline)));
        return xstrdup(day);
}

static char *status_text(const struct row *w)
{
        if (w->state == TICKET_CLOSED)
                return xasprintf("已整改，复查通过（巡检 #%" PRId64 "）", w->closed_scan);
        if (w->state == TICKET_ACCEPTED)
                return xasprintf("已确认例外：%s", or_dash(w->reason));
        return xstrdup(ticket_state_label(w->state));
}

static void text_rows(struct buf *b, const struct rows *rs, int64_t now, int max_rows)
{
        for (size_t i = 0; i < rs->n; i++) {
                const struct row *w = &rs->items[i];
                _cleanup_free_ char *dl = NULL, *st = NULL;

                if ((int)i == max_rows) {
                        buf_appendf(b, "  ……另有 %zu 件，见附件。\n", rs->n - i);
                        break;
                }
                dl = deadline_text(w, now);
                st = status_text(w);
                buf_appendf(b, "  %s  办理期限：%s  %s\n", w->number, dl, st);
                buf_appendf(b, "    [%s] %s · %s · %s：%s\n", severity_label(w->severity),
                            rule_label(w->rule), or_dash(w->unit), or_dash(w->column),
                            or_dash(w->detail));
                if (w->url)
                        buf_appendf(b, "    %s\n", w->url);
        }
        if (rs->n == 0)
                buf_appends(b, "  无\n");
}

static void html_cell(struct buf *b, const char *s)
{
        buf_appends(b, "<td>");
        notify_html_escape(b, or_dash(s));
        buf_appends(b, "</td>");
}

static void html_rows(struct buf *b, const struct rows *rs, int64_t now, int max_rows)
{
        if (rs->n == 0) {
                buf_appends(b, "<p>无</p>\n");
                return;
        }
        buf_appends(b, "<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\">\n<tr><th>编号</th>"
                       "<th>责任单位</th><th>问题</th><th>栏目</th><th>说明</th><th>网址</th>"
                       "<th>办理期限</th><th>状态</th></tr>\n");
        for (size_t i = 0; i < rs->n && (int)i < max_rows; i++) {
                const struct row *w = &rs->items[i];
                _cleanup_free_ char *dl = deadline_text(w, now), *st = status_text(w);

                buf_appends(b, "<tr>");
                html_cell(b, w->number);
                html_cell(b, w->unit);
                html_cell(b, rule_label(w->rule));
                html_cell(b, w->column);
                html_cell(b, w->detail);
                buf_appends(b, "<td>");
                /* Only web addresses become links; anything else is shown as text. */
                if (w->url && (str_startswith(w->url, "http://") ||
                               str_startswith(w->url, "https://"))) {
                        buf_appends(b, "<a href=\"");
                        notify_html_escape(b, w->url);
                        buf_appends(b, "\">");
                        notify_html_escape(b, w->url);
                        buf_appends(b, "</a>");
                } else {
                        notify_html_escape(b, or_dash(w->url));
                }
                buf_appends(b, "</td>");
                html_cell(b, dl);
                html_cell(b, st);
                buf_appends(b, "</tr>\n");
        }
        buf_appends(b, "</table>\n");
        if (rs->n > (size_t)max_rows)
                buf_appendf(b, "<p>……另有 %zu 件，见附件。</p>\n", rs->n - (size_t)max_rows);
}

static void csv_rows(struct buf *b, const char *section, const struct rows *rs, int64_t now)
{
        for (size_t i = 0; i < rs->n; i++) {
                const struct row *w = &rs->items[i];
                _cleanup_free_ char *dl = deadline_text(w, now), *st = status_text(w);
                char issued[32];
                const char *fields[] = {
                        section, w->number, ticket_kind_label(w->kind), w->unit, w->site,
                        rule_label(w->rule), severity_label(w->severity), w->column, w->detail,
                        w->url, time_format_iso8601(w->issued_at, issued), dl, st,
                };

                for (size_t k = 0; k < ARRAY_SIZE(fields); k++) {
                        if (k)
                                buf_appends(b, ",");
                        csv_append_field(b, fields[k]);
                }
                buf_appends(b, "\r\n");
        }
}

/* The UTF-8 byte order mark lets Excel open the CSV as UTF-8 rather than GBK. */
static void csv_render(struct buf *b, const struct content *c, int64_t now)
{
        buf_appends(b, "\xEF\xBB\xBF"
                       "分类,编号,类型,责任单位,站点,问题类型,严重程度,栏目,问题描述,网址,"
                       "下发时间,办理期限,状态\r\n");
        csv_rows(b, "新下发", &c->fresh, now);
        csv_rows(b, "未办结", &c->open, now);
        csv_rows(b, "已办结", &c->closed, now);
}

static const char html_head[] = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
                                "<body style=\"font-family: sans-serif\">\n";

static void unit_bodies(struct buf *text, struct buf *html, const char *unit,
                        const struct content *c, const struct rule_config *cfg, int64_t now,
                        const char *day)
{
        int max = cfg->mail.max_rows;

        buf_appendf(text, "%s：\n\n以下是截至 %s 网站巡检发现问题的办理情况。\n\n", unit, day);
        buf_appendf(text, "一、新下发的单据（%zu 件）\n", c->fresh.n);
        text_rows(text, &c->fresh, now, max);
        buf_appendf(text, "\n二、此前下发、尚未办结的单据（%zu 件，按办理期限排序）\n", c->open.n);
        text_rows(text, &c->open, now, max);
        buf_appendf(text, "\n三、自上次邮件以来已办结（%zu 件）\n", c->closed.n);
        text_rows(text, &c->closed, now, max);
        buf_appendf(text, "\n请在办理期限内整改。整改后经系统复查通过即自动办结；确属例外的，"
                          "请向%s说明理由。明细见附件。\n\n——%s（xunjian 自动发送，请勿直接回复）\n",
                    cfg->tickets.supervisor->name, cfg->mail.from_name);

        buf_appends(html, html_head);
        buf_appends(html, "<p>");
        notify_html_escape(html, unit);
        buf_appendf(html, "：</p>\n<p>以下是截至 %s 网站巡检发现问题的办理情况。</p>\n", day);
        buf_appendf(html, "<h3>一、新下发的单据（%zu 件）</h3>\n", c->fresh.n);
        html_rows(html, &c->fresh, now, max);
        buf_appendf(html, "<h3>二、此前下发、尚未办结的单据（%zu 件，按办理期限排序）</h3>\n",
                    c->open.n);
        html_rows(html, &c->open, now, max);
        buf_appendf(html, "<h3>三、自上次邮件以来已办结（%zu 件）</h3>\n", c->closed.n);
        html_rows(html, &c->closed, now, max);
        buf_appends(html, "<p>请在办理期限内整改。整改后经系统复查通过即自动办结；确属例外的，请向");
        notify_html_escape(html, cfg->tickets.supervisor->name);
        buf_appends(html, "说明理由。明细见附件。</p>\n<p>——");
        notify_html_escape(html, cfg->mail.from_name);
        buf_appends(html, "（xunjian 自动发送，请勿直接回复）</p>\n</body></html>\n");
}

struct unit_count {
        const char *unit;
        int fresh, open, overdue, urging, closed;
};

static struct unit_count *count_for(struct unit_count **counts, size_t *n, const char *unit)
{
        unit = or_dash(unit);
        for (size_t i = 0; i < *n; i++)
                if (streq((*counts)[i].unit, unit))
                        return &(*counts)[i];
        *counts = xreallocarray(*counts, *n + 1, sizeof(**counts));
        (*counts)[*n] = (struct unit_count){.unit = unit};
        return &(*counts)[(*n)++];
}

static void count_rows(struct unit_count **counts, size_t *n, const struct rows *rs, int what,
                       int64_t now)
{
        for (size_t i = 0; i < rs->n; i++) {
                const struct row *w = &rs->items[i];
                struct unit_count *uc = count_for(counts, n, w->unit);

                if (what == 2) {
                        uc->closed++;
                        continue;
                }
                uc->open++;
                uc->fresh += what == 0;
                uc->urging += w->kind == TICKET_URGING;
                uc->overdue += w->kind == TICKET_HANDLING && w->deadline && now > w->deadline;
        }
}

static void summary_bodies(struct buf *text, struct buf *html, const struct content *c,
                           const struct rule_config *cfg, int64_t now, const char *day)
{
        struct unit_count *counts = NULL;
        size_t n = 0;

        count_rows(&counts, &n, &c->fresh, 0, now);
        count_rows(&counts, &n, &c->open, 1, now);
        count_rows(&counts, &n, &c->closed, 2, now);

        buf_appendf(text, "%s：\n\n截至 %s，各单位网站巡检问题办理情况如下。\n\n",
                    cfg->tickets.supervisor->name, day);
        buf_appends(text, "单位  新下发  未办结  其中超期办理单  催办单  已办结\n");
        buf_appends(html, html_head);
        buf_appends(html, "<p>");
        notify_html_escape(html, cfg->tickets.supervisor->name);
        buf_appendf(html, "：</p>\n<p>截至 %s，各单位网站巡检问题办理情况如下。</p>\n"
                          "<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\">\n"
                          "<tr><th>单位</th><th>新下发</th><th>未办结</th><th>其中超期办理单</th>"
                          "<th>催办单</th><th>已办结</th></tr>\n",
                    day);
        for (size_t i = 0; i < n; i++) {
                const struct unit_count *uc = &counts[i];

                buf_appendf(text, "%s  %d  %d  %d  %d  %d\n", uc->unit, uc->fresh, uc->open,
                            uc->overdue, uc->urging, uc->closed);
                buf_appends(html, "<tr>");
                html_cell(html, uc->unit);
                buf_appendf(html, "<td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n",
                            uc->fresh, uc->open, uc->overdue, uc->urging, uc->closed);
        }
        if (n == 0)
                buf_appends(text, "（无）\n");
        buf_appends(html, "</table>\n");
        buf_appendf(text, "\n新下发 %zu 件，此前未办结 %zu 件，自上次汇总以来已办结 %zu 件。"
                          "明细见附件。\n\n——xunjian 自动发送\n",
                    c->fresh.n, c->open.n, c->closed.n);
        buf_appendf(html, "<p>新下发 %zu 件，此前未办结 %zu 件，自上次汇总以来已办结 %zu 件。"
                          "明细见附件。</p>\n<p>——xunjian 自动发送</p>\n</body></html>\n",
                    c->fresh.n, c->open.n, c->closed.n);
        free(counts);
}

/* ---- one message ------------------------------------------------------------------------ */

struct target {
        int kind;
        const struct rule_unit *unit;   /* the unit, or the supervisor for the summary */
};

struct built {
        struct buf message;
        char *subject, *message_id, *recipients;
        struct strv rcpt;
        struct store_mail_cover *cover;
        size_t n_cover;
};

static void built_free(struct built *b)
{
        buf_free(&b->message);
        free(b->subject);
        free(b->message_id);
        free(b->recipients);
        strv_free(&b->rcpt);
        free(b->cover);
}

static void cover_rows(struct built *b, const struct rows *rs, const char *role)
{
        b->cover = xreallocarray(b->cover, b->n_cover + rs->n + 1, sizeof(*b->cover));
        for (size_t i = 0; i < rs->n; i++)
                b->cover[b->n_cover++] = (struct store_mail_cover){rs->items[i].id, role};
}

static int build(const struct rule_config *cfg, const struct target *t, const struct content *c,
                 int64_t now, const char *day, struct built *out, char **ret_error)
{
        const struct rule_unit *sup = cfg->tickets.supervisor;
        struct notify_mailbox *to = NULL, *cc = NULL;
        size_t n_to = 0, n_cc = 0;
        struct buf text, html, csv;
        _cleanup_free_ char *attachment = NULL, *tag = NULL;
        int r;

        buf_init(&text, BODY_MAX);
        buf_init(&html, BODY_MAX);
        buf_init(&csv, MESSAGE_MAX / 2);
        buf_init(&out->message, MESSAGE_MAX);

        to = xcalloc(t->unit->emails.n + 1, sizeof(*to));
        for (size_t i = 0; i < t->unit->emails.n; i++) {
                to[n_to++] = (struct notify_mailbox){t->unit->name, t->unit->emails.items[i]};
                strv_push(&out->rcpt, t->unit->emails.items[i]);
        }
        /* A 催办单 is copied to the supervising office (三单联动). */
        if (t->kind == MAIL_UNIT && c->has_new_urging && sup != t->unit) {
                cc = xcalloc(sup->emails.n + 1, sizeof(*cc));
                for (size_t i = 0; i < sup->emails.n; i++)
                        if (!strv_contains(&out->rcpt, sup->emails.items[i])) {
                                cc[n_cc++] = (struct notify_mailbox){sup->name,
                                                                     sup->emails.items[i]};
                                strv_push(&out->rcpt, sup->emails.items[i]);
                        }
        }

        if (t->kind == MAIL_UNIT) {
                out->subject = xasprintf("【网站巡检】%s：新下发 %zu 件，未办结 %zu 件，"
                                         "已办结 %zu 件（%s）",
                                         t->unit->name, c->fresh.n, c->fresh.n + c->open.n,
                                         c->closed.n, day);
                unit_bodies(&text, &html, t->unit->name, c, cfg, now, day);
                attachment = xasprintf("%s-巡检问题清单-%s.csv", t->unit->name, day);
        } else {
                out->subject = xasprintf("【网站巡检】各单位问题办理情况汇总（%s）", day);
                summary_bodies(&text, &html, c, cfg, now, day);
                attachment = xasprintf("各单位巡检问题清单-%s.csv", day);
        }
        csv_render(&csv, c, now);
        tag = xasprintf("%.4s%.2s%.2s.%s", day, day + 5, day + 8, kind_names[t->kind]);
        out->message_id = notify_mail_message_id(cfg->mail.from_address, tag);

        struct notify_mail_msg m = {
                .from = {cfg->mail.from_name, cfg->mail.from_address},
                .to = to,
                .n_to = n_to,
                .cc = cc,
                .n_cc = n_cc,
                .subject = out->subject,
                .date = now,
                .message_id = out->message_id,
                .text = text.data,
                .html = html.data,
                .attachment_name = attachment,
                .attachment = csv.data,
                .attachment_len = csv.len,
        };
        r = notify_mail_render(&m, &out->message, ret_error);

        out->recipients = xstrdup("");
        for (size_t i = 0; i < out->rcpt.n; i++) {
                char *more = xasprintf("%s%s%s", out->recipients, i ? ", " : "",
                                       out->rcpt.items[i]);
                free(out->recipients);
                out->recipients = more;
        }
        cover_rows(out, &c->fresh, "new");
        cover_rows(out, &c->fresh, "open");
        cover_rows(out, &c->open, "open");
        cover_rows(out, &c->closed, "closed");
        free(to);
        free(cc);
        buf_free(&text);
        buf_free(&html);
        buf_free(&csv);
        return r;
}

/* ---- the run ----------------------------------------------------------------------------- */

struct existing {
        bool found;
        int64_t id;
        enum mail_state state;
        int attempts;
        char *message, *recipients, *message_id;
        size_t len;
};

static int existing_one(const struct store_mail *m, void *userdata)
{
        struct existing *e = userdata;

        e->found = true;
        e->id = m->id;
        e->state = m->state;
        e->attempts = m->attempts;
        e->message = xmalloc(m->message_len + 1);
        memcpy(e->message, m->message, m->message_len);
        e->message[m->message_len] = '\0';
        e->len = m->message_len;
        e->recipients = xstrdup(m->recipients);
        e->message_id = xstrdup(m->message_id);
        return 0;
}

static void split_recipients(const char *list, struct strv *out)
{
        _cleanup_free_ char *copy = xstrdup(list);
        char *save = NULL;

        for (char *p = strtok_r(copy, ", ", &save); p; p = strtok_r(NULL, ", ", &save))
                strv_push(out, p);
}

/* The record of one send, kept as the send goes (struct notify_mail_hooks). */
struct sending {
        struct store *s;
        int64_t id, now;
        int store_error;        /* a hook's store call failed */
};

static int sending_committing(void *userdata)
{
        struct sending *x = userdata;
        int r = store_mail_in_doubt(x->s, x->id, x->now);

        if (r < 0)
                x->store_error = r;
        return r;
}

static int sending_accepted(void *userdata)
{
        struct sending *x = userdata;
        int r = store_mail_attempted(x->s, x->id, MAIL_SENT, x->now, NULL);

        if (r < 0)
                x->store_error = r;
        return r;
}

/* Sends a recorded mail and records the outcome; a temporary failure that used up
 * max_attempts becomes permanent.
 *
 * Crash safety: the mail is marked in-doubt (committed) before the last bytes of its data
 * go to the server, and sent as soon as the server's 250 arrives, before QUIT. A process
 * killed before the mark leaves the mail pending, and the next run sends it: the server
 * cannot have had all of it. Killed between the mark and the record of the 250, it leaves
 * the mail in-doubt, which no run sends again; the operator looks its Message-ID up in the
 * server's log. That window is one round trip to the server and one SQLite commit: a
 * duplicate cannot happen, a loss only inside it (RFC 1047 describes the window). */
static int attempt(struct store *s, const struct rule_config *cfg, const char *password,
                   int64_t now, int64_t id, int attempts_before, const char *message, size_t len,
                   const struct strv *rcpt, const struct target *t,
                   struct notify_mail_report *rep)
{
        _cleanup_free_ char *error = NULL;
        struct sending x = {.s = s, .id = id, .now = now};
        struct notify_mail_hooks hooks = {sending_committing, sending_accepted, &x};
        enum mail_state state;
        int r;

        r = notify_mail_send(&cfg->mail, password, (const char *const *)rcpt->items, rcpt->n,
                             message, len, &hooks, &error);
        if (x.store_error < 0)
                return x.store_error;
        if (r == 0)
                state = MAIL_SENT;
        else if (r == -EINPROGRESS)
                state = MAIL_IN_DOUBT;
        else if (r == -EAGAIN && attempts_before + 1 < cfg->mail.max_attempts)
                state = MAIL_FAILED_TEMPORARY;
        else
                state = MAIL_FAILED_PERMANENT;
        if (r == -EAGAIN && state == MAIL_FAILED_PERMANENT) {
                char *more = xasprintf("%s（已尝试 %d 次，放弃）", error, attempts_before + 1);
                free(error);
                error = more;
        } else if (state == MAIL_IN_DOUBT) {
                char *more = xasprintf("状态不明：邮件已全部交给服务器，未收到答复（%s）；"
                                       "为免重复不再发送，请按 Message-ID 核对邮件服务器日志",
                                       error ? error : "?");
                free(error);
                error = more;
        }
        /* Sent was recorded by the accepted hook, before the connection closed. */
        if (state != MAIL_SENT) {
                r = store_mail_attempted(s, id, state, now, error);
                if (r < 0)
                        return r;
        }
        outcome(rep, t->unit->name, t->kind, state, false,
                state == MAIL_SENT ? xstrdup(rcpt->n ? rcpt->items[0] : "")
                                   : xstrdup(error ? error : "?"));
        if (state == MAIL_SENT) {
                /* Every recipient, for the report. */
                free(rep->items[rep->n - 1].detail);
                rep->items[rep->n - 1].detail = xstrdup("");
                for (size_t i = 0; i < rcpt->n; i++) {
                        char *more = xasprintf("%s%s%s", rep->items[rep->n - 1].detail,
                                               i ? ", " : "", rcpt->items[i]);
                        free(rep->items[rep->n - 1].detail);
                        rep->items[rep->n - 1].detail = more;
                }
        }
        return 0;
}

/* A file name for the dry run: the day, the kind and the unit's id with anything that
 * could leave the directory replaced. */
static char *eml_path(const char *dir, const char *day, const struct target *t)
{
        _cleanup_free_ char *id = xstrdup(t->unit->id);

        for (char *p = id; *p; p++)
                if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20)
                        *p = '_';
        if (t->kind == MAIL_SUMMARY)
                return xasprintf("%s/%s-summary.eml", dir, day);
        return xasprintf("%s/%s-unit-%s.eml", dir, day, id);
}

static int write_file(const char *path, const char *data, size_t len)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        int r = 0;

        if (fd < 0)
                return -errno;
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                data += n;
                len -= (size_t)n;
        }
        if (close(fd) < 0 && r == 0)
                r = -errno;
        return r;
}

static int run_target(struct store *s, const struct rule_config *cfg, int64_t now,
                      const char *day, const char *password, const struct notify_mail_options *o,
                      const struct target *t, struct notify_mail_report *rep, char **ret_error)
{
        const char *kind = kind_names[t->kind];
        struct existing ex = {0};
        struct content c = {0};
        struct built b = {0};
        _cleanup_free_ char *error = NULL;
        int64_t id;
        int r;

        r = store_mails_foreach(s, &(struct store_mail_filter){.state = -1, .day = day,
                                                               .kind = kind,
                                                               .unit = t->unit->name},
                                existing_one, &ex);
        if (r < 0)
                goto store_error;
        if (ex.found) {
                if (ex.state == MAIL_IN_DOUBT) {
                        /* A run killed while the server had the whole message: it may
                         * have been delivered, so it is not sent again. */
                        outcome(rep, t->unit->name, t->kind, ex.state, true,
                                xasprintf("今日邮件状态不明（已交给服务器，未记录其答复），"
                                          "为免重复不再发送；请按 Message-ID %s 核对邮件服务器日志",
                                          ex.message_id));
                } else if (ex.state != MAIL_PENDING && ex.state != MAIL_FAILED_TEMPORARY) {
                        outcome(rep, t->unit->name, t->kind, ex.state, true,
                                xasprintf("今日邮件已处理（%s）", mail_state_id(ex.state)));
                } else if (o->dry_run_dir) {
                        _cleanup_free_ char *path = eml_path(o->dry_run_dir, day, t);
                        r = write_file(path, ex.message, ex.len);
                        if (r < 0) {
                                *ret_error = xasprintf("%s: %s", path, strerror(-r));
                                goto out;
                        }
                        outcome(rep, t->unit->name, t->kind, MAIL_PENDING, false,
                                xstrdup(path));
                } else {
                        struct strv rcpt = {0};
                        split_recipients(ex.recipients, &rcpt);
                        r = attempt(s, cfg, password, now, ex.id, ex.attempts, ex.message, ex.len,
                                    &rcpt, t, rep);
                        strv_free(&rcpt);
                        if (r < 0)
                                goto store_error;
                }
                goto out;
        }

        r = gather(s, t->kind, t->kind == MAIL_UNIT ? t->unit->name : NULL, &c);
        if (r < 0)
                goto store_error;
        if (c.fresh.n + c.open.n + c.closed.n == 0) {
                outcome(rep, t->unit->name, t->kind, MAIL_PENDING, true, xstrdup("无可报告的内容"));
                goto out;
        }
        if (t->unit->emails.n == 0) {
                outcome(rep, t->unit->name, t->kind, MAIL_FAILED_PERMANENT, false,
                        xasprintf("单位「%s」未配置邮箱（units.%s.email）", t->unit->name,
                                  t->unit->id));
                goto out;
        }
        r = build(cfg, t, &c, now, day, &b, &error);
        if (r < 0) {
                /* A refused value (header injection) or an oversized message: this unit
                 * gets nothing, the others still do. */
                outcome(rep, t->unit->name, t->kind, MAIL_FAILED_PERMANENT, false,
                        xasprintf("未生成邮件：%s", error ? error : strerror(-r)));
                r = 0;
                goto out;
        }
        r = store_mails_supersede(s, kind, t->unit->name, day, NULL);
        if (r >= 0)
                r = store_mail_create(s,
                                      &(struct store_mail){
                                              .day = day,
                                              .kind = kind,
                                              .unit = t->unit->name,
                                              .recipients = b.recipients,
                                              .subject = b.subject,
                                              .message_id = b.message_id,
                                              .message = b.message.data,
                                              .message_len = b.message.len,
                                              .created_at = now,
                                      },
                                      b.cover, b.n_cover, &id);
        if (r < 0)
                goto store_error;
        if (o->dry_run_dir) {
                _cleanup_free_ char *path = eml_path(o->dry_run_dir, day, t);
                r = write_file(path, b.message.data, b.message.len);
                if (r < 0) {
                        *ret_error = xasprintf("%s: %s", path, strerror(-r));
                        goto out;
                }
                outcome(rep, t->unit->name, t->kind, MAIL_PENDING, false, xstrdup(path));
                goto out;
        }
        r = attempt(s, cfg, password, now, id, 0, b.message.data, b.message.len, &b.rcpt, t, rep);
        if (r < 0)
                goto store_error;
        goto out;

store_error:
        *ret_error = xasprintf("数据库错误：%s", store_errmsg(s));
out:
        free(ex.message);
        free(ex.recipients);
        free(ex.message_id);
        content_free(&c);
        built_free(&b);
        return r;
}

int notify_mail_run(struct store *s, const struct rule_config *config, int64_t now,
                    const struct notify_mail_options *o, struct notify_mail_report *report,
                    char **ret_error)
{
        const struct rule_unit *only = NULL;
        _cleanup_free_ char *password = NULL;
        char day[16];
        int r = 0;

        if (!s || !config || !o || !report || !ret_error)
                return -EINVAL;
        if (o->unit) {
                only = rule_config_unit(config, o->unit);
                if (!only) {
                        *ret_error = xasprintf("rules.d 中没有单位「%s」", o->unit);
                        return -ENOENT;
                }
        }
        if (o->dry_run_dir) {
                struct stat st;
                if (stat(o->dry_run_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                        *ret_error = xasprintf("%s: 不是可写入的目录", o->dry_run_dir);
                        return -ENOTDIR;
                }
        } else {
                r = notify_mail_password(&config->mail, &password, ret_error);
                if (r < 0)
                        return r;
        }
        day_format(day_of_time(now), day);

        for (size_t i = 0; r >= 0 && i < config->n_units; i++) {
                struct target t = {MAIL_UNIT, &config->units[i]};
                if (only && only != t.unit)
                        continue;
                r = run_target(s, config, now, day, password, o, &t, report, ret_error);
        }
        if (r >= 0 && (!only || only == config->tickets.supervisor)) {
                struct target t = {MAIL_SUMMARY, config->tickets.supervisor};
                r = run_target(s, config, now, day, password, o, &t, report, ret_error);
        }
        if (password)
                explicit_bzero(password, strlen(password));
        if (r < 0)
                return r;
        if (report->permanent > 0 || report->in_doubt > 0)
                return -EIO;
        if (report->temporary > 0)
                return -EAGAIN;
        return 0;
}
