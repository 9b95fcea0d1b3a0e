/* `xunjian tickets`, `xunjian ticket list|show|accept|reopen` and `xunjian notify`: the
 * 三单 chain and the nightly email on the command line. The engine and the mail live in
 * notify/; this file parses, prints and picks exit codes. */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xtime.h"
#include "crawler/http.h"
#include "notify/mail.h"
#include "notify/tickets.h"

static const char *const change_labels[] = {
        [NOTIFY_ISSUED] = "签发",
        [NOTIFY_CLOSED] = "办结",
        [NOTIFY_ACCEPTED] = "确认例外",
        [NOTIFY_REOPENED] = "重新打开",
};
static const char *const change_ids[] = {
        [NOTIFY_ISSUED] = "issued",
        [NOTIFY_CLOSED] = "closed",
        [NOTIFY_ACCEPTED] = "accepted",
        [NOTIFY_REOPENED] = "reopened",
};

static void print_change(const struct cli *cli, const struct notify_change *c)
{
        char deadline[16] = "";

        if (c->deadline)
                day_format(day_of_time(c->deadline), deadline);
        if (cli->format == OUTPUT_JSON) {
                struct buf b;

                buf_init(&b, 1 << 20);
                buf_appendf(&b, "{\"change\":\"%s\",\"id\":%" PRId64 ",\"kind\":\"%s\",\"number\":",
                            change_ids[c->what], c->ticket_id, ticket_kind_id(c->kind));
                json_append_string(&b, c->number);
                buf_appends(&b, ",\"unit\":");
                json_append_string(&b, c->unit);
                buf_appends(&b, ",\"deadline\":");
                json_append_string(&b, *deadline ? deadline : NULL);
                buf_appendf(&b, ",\"violation\":%" PRId64 ",\"scan\":%" PRId64 ",\"detail\":",
                            c->violation_id, c->scan_id);
                json_append_string(&b, c->detail);
                buf_appends(&b, "}\n");
                fputs(b.data, cli->out);
                buf_free(&b);
                return;
        }
        fprintf(cli->out, "%s %s  %s", change_labels[c->what], c->number, c->unit ? c->unit : "-");
        if (c->what == NOTIFY_ISSUED && *deadline)
                fprintf(cli->out, "  办理期限 %s", deadline);
        if (c->what == NOTIFY_CLOSED)
                fprintf(cli->out, "  复查依据：巡检 #%" PRId64, c->scan_id);
        fprintf(cli->out, "\n    %s\n", c->detail ? c->detail : "");
}

static void print_changes(const struct cli *cli, const struct notify_changes *ch)
{
        int n[4] = {0}, kinds[3] = {0};

        for (size_t i = 0; i < ch->n; i++) {
                print_change(cli, &ch->items[i]);
                n[ch->items[i].what]++;
                if (ch->items[i].what == NOTIFY_ISSUED)
                        kinds[ch->items[i].kind]++;
        }
        if (!cli->quiet)
                fprintf(stderr, "签发 %d 件（办理单 %d、提醒单 %d、催办单 %d），办结 %d 件，"
                                "确认例外 %d 件\n",
                        n[NOTIFY_ISSUED], kinds[TICKET_HANDLING], kinds[TICKET_REMINDER],
                        kinds[TICKET_URGING], n[NOTIFY_CLOSED], n[NOTIFY_ACCEPTED]);
}

/* The engine in one transaction: all of a run's tickets, or none. */
static int run_engine(struct cli *cli, struct store *store, const struct rule_config *config,
                      struct notify_changes *ch)
{
        int r = store_begin(store);

        if (r >= 0)
                r = notify_tickets_run(store, config, cli->now, ch);
        if (r < 0) {
                log_error("%s: 签发单据失败：%s", cli->db_path, store_errmsg(store));
                store_rollback(store);
                return r;
        }
        r = store_commit(store);
        if (r < 0)
                log_error("%s: 签发单据失败：%s", cli->db_path, store_errmsg(store));
        return r;
}

int cli_tickets(struct cli *cli)
{
        struct rule_config *config = NULL;
        struct store *store = NULL;
        struct notify_changes ch = {0};
        int ret = EXIT_CLEAN;

        if (cli->unit || cli->dry_run || cli->reason || cli->who)
                return fprintf(stderr, "xunjian: tickets 只接受全局选项\n"), EXIT_USAGE;
        if (cli_load_config(cli, &config) < 0)
                return EXIT_USAGE;
        if (cli_open_store(cli, &store) < 0) {
                rule_config_free(config);
                return EXIT_RUNTIME;
        }
        if (run_engine(cli, store, config, &ch) < 0)
                ret = EXIT_RUNTIME;
        else
                print_changes(cli, &ch);
        notify_changes_free(&ch);
        store_close(store);
        rule_config_free(config);
        return ret;
}

/* ---- ticket list / show ------------------------------------------------------------------- */

static int print_ticket(const struct store_ticket *t, void *userdata)
{
        const struct cli *cli = userdata;
        char issued[32], deadline[16] = "";

        if (t->deadline)
                day_format(day_of_time(t->deadline), deadline);
        time_format_iso8601(t->issued_at, issued);
        if (cli->format == OUTPUT_JSON) {
                struct buf b;

                buf_init(&b, 1 << 20);
                buf_appendf(&b, "{\"id\":%" PRId64 ",\"kind\":\"%s\",\"number\":", t->id,
                            ticket_kind_id(t->kind));
                json_append_string(&b, t->number);
                buf_appendf(&b, ",\"state\":\"%s\",\"unit\":", ticket_state_id(t->state));
                json_append_string(&b, t->unit);
                buf_appends(&b, ",\"site\":");
                json_append_string(&b, t->site);
                buf_appends(&b, ",\"issued_at\":");
                json_append_string(&b, issued);
                buf_appends(&b, ",\"deadline\":");
                json_append_string(&b, *deadline ? deadline : NULL);
                buf_appendf(&b, ",\"violation\":%" PRId64 ",\"parent\":%" PRId64 ",\"rule\":",
                            t->violation_id, t->parent_id);
                json_append_string(&b, t->rule);
                buf_appends(&b, ",\"detail\":");
                json_append_string(&b, t->detail);
                buf_appends(&b, ",\"reason\":");
                json_append_string(&b, t->reason);
                buf_appendf(&b, ",\"closed_scan\":%" PRId64 "}\n", t->closed_scan);
                fputs(b.data, cli->out);
                buf_free(&b);
                return 0;
        }
        fprintf(cli->out, "#%" PRId64 " %s  %s  %s  办理期限 %s\n", t->id, t->number,
                ticket_state_label(t->state), t->unit ? t->unit : "-", *deadline ? deadline : "无");
        fprintf(cli->out, "    %s\n", t->detail ? t->detail : "");
        return 0;
}

static int print_event(const struct store_ticket_event *e, void *userdata)
{
        const struct cli *cli = userdata;
        char at[32];

        fprintf(cli->out, "  %s  %s", time_format_iso8601(e->at, at), e->event);
        if (e->scan_id)
                fprintf(cli->out, "  巡检 #%" PRId64, e->scan_id);
        if (e->who)
                fprintf(cli->out, "  %s", e->who);
        if (e->why)
                fprintf(cli->out, "  %s", e->why);
        fputc('\n', cli->out);
        return 0;
}

static int ticket_list(struct cli *cli, struct store *store)
{
        struct store_ticket_filter f = {.state = TICKET_OPEN, .unit = cli->unit};

        if (cli->state_arg) {
                enum ticket_state st;
                if (streq(cli->state_arg, "all"))
                        f.state = -1;
                else if (ticket_state_from_id(cli->state_arg, &st) == 0)
                        f.state = (int)st;
                else
                        return fprintf(stderr, "xunjian: --state: 未知单据状态「%s」"
                                               "（open|closed|accepted|all）\n",
                                       cli->state_arg),
                               EXIT_USAGE;
        }
        if (store_tickets_foreach(store, &f, print_ticket, cli) < 0) {
                log_error("%s: %s", cli->db_path, store_errmsg(store));
                return EXIT_RUNTIME;
        }
        return EXIT_CLEAN;
}

struct shown {
        const struct cli *cli;
        int n;
        int64_t id;
};

static int show_one(const struct store_ticket *t, void *userdata)
{
        struct shown *sh = userdata;

        sh->n++;
        sh->id = t->id;
        return print_ticket(t, (void *)sh->cli);
}

static int ticket_show(struct cli *cli, struct store *store, const char *id)
{
        struct store_ticket_filter f = {.state = -1};
        struct shown sh = {.cli = cli};

        if (strspn(id, "0123456789") == strlen(id))
                f.id = strtoll(id, NULL, 10);
        else
                f.number = id;
        if (f.id > 0 || f.number) {
                if (store_tickets_foreach(store, &f, show_one, &sh) < 0) {
                        log_error("%s: %s", cli->db_path, store_errmsg(store));
                        return EXIT_RUNTIME;
                }
        }
        if (sh.n == 0)
                return fprintf(stderr, "xunjian: 没有序号或编号为「%s」的单据\n", id), EXIT_USAGE;
        fprintf(cli->out, "  记录：\n");
        if (store_ticket_history(store, sh.id, print_event, cli) < 0) {
                log_error("%s: %s", cli->db_path, store_errmsg(store));
                return EXIT_RUNTIME;
        }
        return EXIT_CLEAN;
}

/* Who made a change by hand: --who, else the login that ran the command. */
static const char *who_default(const struct cli *cli)
{
        const char *w = cli->who;
        struct passwd *pw;

        if (!w || !*w)
                w = getenv("SUDO_USER");
        if (!w || !*w) {
                pw = getpwuid(getuid());
                w = pw ? pw->pw_name : NULL;
        }
        return w && *w ? w : "unknown";
}

int cli_ticket(struct cli *cli, int argc, char **argv)
{
        struct store *store = NULL;
        struct notify_changes ch = {0};
        _cleanup_free_ char *error = NULL;
        const char *sub = argc > 0 ? argv[0] : "";
        bool change = streq(sub, "accept") || streq(sub, "reopen");
        int ret, r;

        if (!(streq(sub, "list") && argc == 1) && !(streq(sub, "show") && argc == 2) &&
            !(change && argc == 2))
                return fprintf(stderr, "xunjian: 用法：ticket list|show ID|accept ID --reason R|"
                                       "reopen ID --reason R\n"),
                       EXIT_USAGE;
        if (change && (!cli->reason || !*cli->reason))
                return fprintf(stderr, "xunjian: ticket %s 须用 --reason 写明理由\n", sub),
                       EXIT_USAGE;
        if (cli_open_store(cli, &store) < 0)
                return EXIT_RUNTIME;
        if (streq(sub, "list")) {
                ret = ticket_list(cli, store);
                goto out;
        }
        if (streq(sub, "show")) {
                ret = ticket_show(cli, store, argv[1]);
                goto out;
        }
        if (streq(sub, "accept"))
                r = notify_ticket_accept(store, argv[1], cli->now, who_default(cli), cli->reason,
                                         &ch, &error);
        else
                r = notify_ticket_reopen(store, argv[1], cli->now, who_default(cli), cli->reason,
                                         &ch, &error);
        if (r < 0) {
                fprintf(stderr, "xunjian: %s\n", error ? error : strerror(-r));
                /* An unknown ticket or a change that makes no sense is the user's mistake. */
                ret = r == -ENOENT || r == -EALREADY || r == -EEXIST || r == -EINVAL
                              ? EXIT_USAGE
                              : EXIT_RUNTIME;
                goto out;
        }
        for (size_t i = 0; i < ch.n; i++)
                print_change(cli, &ch.items[i]);
        ret = EXIT_CLEAN;
out:
        notify_changes_free(&ch);
        store_close(store);
        return ret;
}

/* ---- notify ---------------------------------------------------------------------------------- */

int cli_notify(struct cli *cli)
{
        struct rule_config *config = NULL;
        struct store *store = NULL;
        struct notify_changes ch = {0};
        struct notify_mail_report rep = {0};
        struct notify_mail_options o = {.dry_run_dir = cli->dry_run, .unit = cli->unit};
        _cleanup_free_ char *error = NULL;
        int ret = EXIT_CLEAN, r;

        if (cli->reason || cli->who)
                return fprintf(stderr, "xunjian: notify 不接受 --reason 或 --who\n"), EXIT_USAGE;
        if (cli_load_config(cli, &config) < 0)
                return EXIT_USAGE;
        if (cli_open_store(cli, &store) < 0) {
                rule_config_free(config);
                return EXIT_RUNTIME;
        }
        if (http_global_init() < 0) {
                log_error("libcurl could not be initialised");
                ret = EXIT_RUNTIME;
                goto out;
        }

        /* The tickets of the day first, so the mail reports them. A dry run changes nothing:
         * it runs inside a transaction that is rolled back. */
        if (cli->dry_run) {
                r = store_begin(store);
                if (r >= 0)
                        r = notify_tickets_run(store, config, cli->now, &ch);
        } else {
                r = run_engine(cli, store, config, &ch);
        }
        if (r < 0) {
                if (cli->dry_run)
                        log_error("%s: %s", cli->db_path, store_errmsg(store));
                ret = EXIT_RUNTIME;
                goto out_curl;
        }
        r = notify_mail_run(store, config, cli->now, &o, &rep, &error);
        for (size_t i = 0; i < rep.n; i++) {
                const struct notify_mail_outcome *m = &rep.items[i];
                const char *what = m->skipped                             ? "跳过"
                                   : m->state == MAIL_SENT                ? "已发送"
                                   : m->state == MAIL_FAILED_TEMPORARY    ? "暂时失败，下次重试"
                                   : m->state == MAIL_FAILED_PERMANENT    ? "发送失败"
                                   : m->state == MAIL_IN_DOUBT            ? "状态不明，不再发送"
                                                                          : "已写入";

                /* Units with nothing to report are many; name them only when asked. */
                if (m->skipped && m->state == MAIL_PENDING && log_get_level() < LOG_LEVEL_DEBUG)
                        continue;
                fprintf(cli->out, "%s%s  %s  %s\n", m->unit, streq(m->kind, "summary") ? "（汇总）" : "",
                        what, m->detail ? m->detail : "");
        }
        if (!cli->quiet)
                fprintf(stderr, "邮件：已发送 %d 封，写入 %d 封，暂时失败 %d 封，失败 %d 封，"
                                "状态不明 %d 封，跳过 %d\n",
                        rep.sent, rep.written, rep.temporary, rep.permanent, rep.in_doubt,
                        rep.skipped);
        if (r < 0) {
                if (error)
                        fprintf(stderr, "xunjian: %s\n", error);
                /* An unknown --unit, a missing password or dry-run directory is the
                 * configuration's fault; a message that failed is a runtime failure. */
                ret = r == -ENOENT || r == -ENOTDIR ? EXIT_USAGE : EXIT_RUNTIME;
        }
out_curl:
        if (cli->dry_run)
                store_rollback(store);
        http_global_cleanup();
out:
        notify_changes_free(&ch);
        notify_mail_report_free(&rep);
        store_close(store);
        rule_config_free(config);
        return ret;
}
