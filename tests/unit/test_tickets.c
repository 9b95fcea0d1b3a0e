/* Tests of the 三单联动 engine over a simulated month (--now moved day by day): a violation's
 * 办理单, the 提醒单 before its deadline, the 催办单 after it and again at the interval, the
 * re-check that closes them all; early warnings; accept and reopen by hand; numbering per
 * kind and year; working-day deadlines over a holiday; and that running twice at the same
 * now issues nothing twice. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include "common/util.h"
#include "common/xtime.h"
#include "notify/tickets.h"
#include "rules/config.h"
#include "store/store.h"

#define SITE "demo"
#define RULE "column_stale"

struct fixture {
        char dir[64];
        char path[128];
        struct store *s;
        struct rule_config *c;
};

static struct rule_config *load_config(const char *dir)
{
        struct rule_config *c = NULL;
        struct strv errors = {0};
        int r = rule_config_load(dir, &c, &errors);

        for (size_t i = 0; i < errors.n; i++)
                print_message("config: %s\n", errors.items[i]);
        strv_free(&errors);
        assert_int_equal(r, 0);
        return c;
}

static int setup(void **state)
{
        struct fixture *fx = xcalloc(1, sizeof(*fx));
        char *error = NULL;

        snprintf(fx->dir, sizeof(fx->dir), "/tmp/xj-test-tickets-XXXXXX");
        if (!mkdtemp(fx->dir))
                return -1;
        snprintf(fx->path, sizeof(fx->path), "%s/xunjian.db", fx->dir);
        if (store_open(fx->path, &fx->s, &error) < 0) {
                fprintf(stderr, "store_open: %s\n", error);
                free(error);
                return -1;
        }
        fx->c = load_config(XJ_FIXTURES "/config/base");
        *state = fx;
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        return remove(path);
}

static int teardown(void **state)
{
        struct fixture *fx = *state;

        store_close(fx->s);
        rule_config_free(fx->c);
        nftw(fx->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
        free(fx);
        return 0;
}

/* 09:00 CST on a day. */
static int64_t at(int y, int m, int d)
{
        return time_of_day(day_from_civil(y, m, d)) + 9 * 3600;
}

struct seen {
        const char *subject;
        enum finding_kind kind;
        const char *unit;
};

/* A complete scan at now that finds exactly these problems, reconciled. */
static int64_t scan(struct fixture *fx, int64_t now, const struct seen *seen, size_t n)
{
        static const char *const rules[] = {RULE};
        int64_t id;

        assert_int_equal(store_scan_begin(fx->s, SITE, now, &id), 0);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *detail =
                        xasprintf("栏目「%s」已 20 天未更新（要求：14 天内）", seen[i].subject);
                struct store_finding f = {
                        .rule = RULE,
                        .kind = seen[i].kind,
                        .severity = SEVERITY_NORMAL,
                        .subject = seen[i].subject,
                        .unit = seen[i].unit,
                        .column = seen[i].subject,
                        .url = "http://127.0.0.1/x/",
                        .detail = detail,
                };
                assert_int_equal(store_finding_add(fx->s, id, &f), 0);
        }
        assert_int_equal(store_scan_finish(fx->s, id, SCAN_COMPLETE, now, NULL), 0);
        assert_int_equal(store_reconcile(fx->s, id, rules, ARRAY_SIZE(rules), now, NULL), 0);
        return id;
}

/* Runs the engine at now (in a transaction, as the command line does) and returns its
 * changes; a second run at the same now must change nothing. */
static struct notify_changes run(struct fixture *fx, int64_t now)
{
        struct notify_changes ch = {0}, again = {0};

        assert_int_equal(store_begin(fx->s), 0);
        assert_int_equal(notify_tickets_run(fx->s, fx->c, now, &ch), 0);
        assert_int_equal(store_commit(fx->s), 0);

        assert_int_equal(store_begin(fx->s), 0);
        assert_int_equal(notify_tickets_run(fx->s, fx->c, now, &again), 0);
        assert_int_equal(store_commit(fx->s), 0);
        assert_int_equal(again.n, 0);
        return ch;
}

static size_t count(const struct notify_changes *ch, enum notify_change_what what,
                    enum ticket_kind kind)
{
        size_t n = 0;

        for (size_t i = 0; i < ch->n; i++)
                n += ch->items[i].what == what && ch->items[i].kind == kind;
        return n;
}

static const struct notify_change *find(const struct notify_changes *ch,
                                        enum notify_change_what what, enum ticket_kind kind)
{
        for (size_t i = 0; i < ch->n; i++)
                if (ch->items[i].what == what && ch->items[i].kind == kind)
                        return &ch->items[i];
        return NULL;
}

struct ticket_copy {
        enum ticket_state state;
        int64_t closed_scan, deadline, parent_id;
        char *number, *unit;
};

static int copy_ticket(const struct store_ticket *t, void *userdata)
{
        struct ticket_copy *c = userdata;

        c->state = t->state;
        c->closed_scan = t->closed_scan;
        c->deadline = t->deadline;
        c->parent_id = t->parent_id;
        c->number = xstrdup(t->number);
        c->unit = t->unit ? xstrdup(t->unit) : NULL;
        return 0;
}

static struct ticket_copy get(struct fixture *fx, int64_t id)
{
        struct ticket_copy c = {0};

        assert_int_equal(store_tickets_foreach(fx->s,
                                               &(struct store_ticket_filter){.state = -1, .id = id},
                                               copy_ticket, &c),
                         0);
        assert_non_null(c.number);
        return c;
}

static void ticket_copy_free(struct ticket_copy *c)
{
        free(c->number);
        free(c->unit);
}

static int count_open(const struct store_ticket *t, void *userdata)
{
        (*(int *)userdata)++;
        return 0;
}

static int open_tickets(struct fixture *fx)
{
        int n = 0;

        assert_int_equal(store_tickets_foreach(fx->s, &(struct store_ticket_filter){.state = 0},
                                               count_open, &n),
                         0);
        return n;
}

struct history {
        int n;
        char events[8][16];
        int64_t scan[8];
        char who[8][32];
};

static int copy_event(const struct store_ticket_event *e, void *userdata)
{
        struct history *h = userdata;

        if (h->n < 8) {
                snprintf(h->events[h->n], sizeof(h->events[0]), "%s", e->event);
                snprintf(h->who[h->n], sizeof(h->who[0]), "%s", e->who ? e->who : "");
                h->scan[h->n] = e->scan_id;
        }
        h->n++;
        return 0;
}

/* The month: 2 March 2026 (a Monday) a scan finds a stale column (violation) and another
 * column near its limit (early warning). Deadline 7 calendar days, reminder 2 days before,
 * urging every 3 days. */
static void test_month(void **state)
{
        struct fixture *fx = *state;
        const struct seen both[] = {
                {"工作动态", FINDING_VIOLATION, "区教育局"},
                {"通知公告", FINDING_WARNING, "区教育局"},
        };
        struct notify_changes ch;
        int64_t handling_id, urging_ids[3], fix_scan;
        struct ticket_copy t;
        struct history h = {0};

        /* Day 0: 办理单 for the violation, 提醒单 (预警) for the warning. */
        scan(fx, at(2026, 3, 2), both, 2);
        ch = run(fx, at(2026, 3, 2));
        assert_int_equal(ch.n, 2);
        assert_non_null(find(&ch, NOTIFY_ISSUED, TICKET_HANDLING));
        assert_string_equal(find(&ch, NOTIFY_ISSUED, TICKET_HANDLING)->number,
                            "测试政务公开办〔2026〕办理单第0001号");
        assert_string_equal(find(&ch, NOTIFY_ISSUED, TICKET_REMINDER)->number,
                            "测试政务公开办〔2026〕提醒单第0001号");
        assert_int_equal(find(&ch, NOTIFY_ISSUED, TICKET_REMINDER)->deadline, 0);
        handling_id = find(&ch, NOTIFY_ISSUED, TICKET_HANDLING)->ticket_id;
        /* The deadline is the end of the 7th day: 9 March 23:59:59 CST. */
        assert_int_equal(find(&ch, NOTIFY_ISSUED, TICKET_HANDLING)->deadline,
                         time_of_day(day_from_civil(2026, 3, 10)) - 1);
        t = get(fx, handling_id);
        assert_string_equal(t.unit, "区教育局");
        assert_int_equal(t.state, TICKET_OPEN);
        ticket_copy_free(&t);
        notify_changes_free(&ch);

        /* Days 1-4: scans keep finding both; nothing new. */
        for (int d = 3; d <= 6; d++) {
                scan(fx, at(2026, 3, d), both, 2);
                ch = run(fx, at(2026, 3, d));
                assert_int_equal(ch.n, 0);
                notify_changes_free(&ch);
        }

        /* 7 March: 2 days before the deadline, the 提醒单 that follows the 办理单. */
        ch = run(fx, at(2026, 3, 7));
        assert_int_equal(ch.n, 1);
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_REMINDER), 1);
        t = get(fx, ch.items[0].ticket_id);
        assert_int_equal(t.parent_id, handling_id);
        assert_string_equal(t.number, "测试政务公开办〔2026〕提醒单第0002号");
        ticket_copy_free(&t);
        notify_changes_free(&ch);

        /* 9 March, the last day, evening: still within the deadline. */
        ch = run(fx, time_of_day(day_from_civil(2026, 3, 10)) - 60);
        assert_int_equal(ch.n, 0);
        notify_changes_free(&ch);

        /* 10 March: the deadline has passed and the re-check still finds it: 催办单. */
        scan(fx, at(2026, 3, 10), both, 2);
        ch = run(fx, at(2026, 3, 10));
        assert_int_equal(ch.n, 1);
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_URGING), 1);
        assert_string_equal(ch.items[0].number, "测试政务公开办〔2026〕催办单第0001号");
        /* Its own deadline is when the next one would come: 3 days on. */
        assert_int_equal(ch.items[0].deadline, time_of_day(day_from_civil(2026, 3, 14)) - 1);
        urging_ids[0] = ch.items[0].ticket_id;
        notify_changes_free(&ch);

        /* 11-12 March: within the interval, nothing. 13 March: the second, 16th the third. */
        for (int d = 11; d <= 12; d++) {
                ch = run(fx, at(2026, 3, d));
                assert_int_equal(ch.n, 0);
                notify_changes_free(&ch);
        }
        ch = run(fx, at(2026, 3, 13));
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_URGING), 1);
        assert_int_equal(ch.n, 1);
        urging_ids[1] = ch.items[0].ticket_id;
        notify_changes_free(&ch);
        ch = run(fx, at(2026, 3, 16));
        assert_int_equal(ch.n, 1);
        assert_string_equal(ch.items[0].number, "测试政务公开办〔2026〕催办单第0003号");
        urging_ids[2] = ch.items[0].ticket_id;
        t = get(fx, urging_ids[2]);
        assert_int_equal(t.parent_id, handling_id);
        ticket_copy_free(&t);
        notify_changes_free(&ch);
        assert_int_equal(open_tickets(fx), 6);

        /* 17 March: a complete re-check no longer finds the stale column. Its five tickets
         * close with that scan as evidence; the warning's reminder stays. */
        fix_scan = scan(fx, at(2026, 3, 17), &both[1], 1);
        ch = run(fx, at(2026, 3, 17));
        assert_int_equal(ch.n, 5);
        assert_int_equal(count(&ch, NOTIFY_CLOSED, TICKET_HANDLING), 1);
        assert_int_equal(count(&ch, NOTIFY_CLOSED, TICKET_URGING), 3);
        assert_int_equal(count(&ch, NOTIFY_CLOSED, TICKET_REMINDER), 1);
        for (size_t i = 0; i < ch.n; i++)
                assert_int_equal(ch.items[i].scan_id, fix_scan);
        notify_changes_free(&ch);
        for (size_t i = 0; i < ARRAY_SIZE(urging_ids); i++) {
                t = get(fx, urging_ids[i]);
                assert_int_equal(t.state, TICKET_CLOSED);
                assert_int_equal(t.closed_scan, fix_scan);
                ticket_copy_free(&t);
        }
        assert_int_equal(store_ticket_history(fx->s, handling_id, copy_event, &h), 0);
        assert_int_equal(h.n, 2);
        assert_string_equal(h.events[0], "issued");
        assert_string_equal(h.events[1], "closed");
        assert_int_equal(h.scan[1], fix_scan);
        assert_int_equal(open_tickets(fx), 1);

        /* Later days: nothing more while only the warning is open. */
        for (int d = 18; d <= 31; d++) {
                ch = run(fx, at(2026, 3, d));
                assert_int_equal(ch.n, 0);
                notify_changes_free(&ch);
        }

        /* 1 April: the column is stale again: a new chain with a new 办理单. */
        scan(fx, at(2026, 4, 1), both, 2);
        ch = run(fx, at(2026, 4, 1));
        assert_int_equal(ch.n, 1);
        assert_string_equal(ch.items[0].number, "测试政务公开办〔2026〕办理单第0002号");
        notify_changes_free(&ch);
}

/* The warning that becomes a violation keeps its reminder and gets a 办理单; a violation
 * without a unit goes to the supervising office. */
static void test_warning_then_violation(void **state)
{
        struct fixture *fx = *state;
        const struct seen warn = {"人事信息", FINDING_WARNING, NULL};
        const struct seen viol = {"人事信息", FINDING_VIOLATION, NULL};
        struct notify_changes ch;

        scan(fx, at(2026, 5, 4), &warn, 1);
        ch = run(fx, at(2026, 5, 4));
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_REMINDER), 1);
        assert_string_equal(ch.items[0].unit, "区政府办");
        notify_changes_free(&ch);

        scan(fx, at(2026, 5, 8), &viol, 1);
        ch = run(fx, at(2026, 5, 8));
        assert_int_equal(ch.n, 1);
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_HANDLING), 1);
        notify_changes_free(&ch);
        assert_int_equal(open_tickets(fx), 2);
}

/* Accepting an exception by hand accepts the violation and all its open tickets; reopening
 * brings the chain back; each change says who and why. */
static void test_accept_reopen(void **state)
{
        struct fixture *fx = *state;
        const struct seen one = {"人事任免", FINDING_VIOLATION, "区教育局"};
        struct notify_changes ch = {0};
        _cleanup_free_ char *number = NULL;
        char *error = NULL;
        struct history h = {0};
        struct ticket_copy t;
        int64_t handling_id;
        char idbuf[32];

        scan(fx, at(2026, 6, 1), &one, 1);
        ch = run(fx, at(2026, 6, 1));
        handling_id = ch.items[0].ticket_id;
        number = xstrdup(ch.items[0].number);
        notify_changes_free(&ch);
        ch = run(fx, at(2026, 6, 9));   /* past the deadline: a 催办单 */
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_URGING), 1);
        notify_changes_free(&ch);

        /* A reason is required. */
        assert_int_equal(notify_ticket_accept(fx->s, number, at(2026, 6, 10), "张三", "", &ch,
                                              &error),
                         -EINVAL);
        assert_non_null(strstr(error, "理由"));
        free(error);
        assert_int_equal(notify_ticket_accept(fx->s, "999", at(2026, 6, 10), "张三", "x", &ch,
                                              &error),
                         -ENOENT);
        free(error);

        /* By number. */
        assert_int_equal(notify_ticket_accept(fx->s, number, at(2026, 6, 10), "张三",
                                              "本年度无人事变动", &ch, &error),
                         0);
        assert_int_equal(ch.n, 2);
        notify_changes_free(&ch);
        assert_int_equal(open_tickets(fx), 0);
        t = get(fx, handling_id);
        assert_int_equal(t.state, TICKET_ACCEPTED);
        ticket_copy_free(&t);
        /* The accepted violation is seen again: still no ticket. */
        scan(fx, at(2026, 6, 11), &one, 1);
        ch = run(fx, at(2026, 6, 11));
        assert_int_equal(ch.n, 0);
        notify_changes_free(&ch);
        /* Twice is refused. */
        assert_int_equal(notify_ticket_accept(fx->s, number, at(2026, 6, 11), "张三", "x", &ch,
                                              &error),
                         -EALREADY);
        free(error);

        /* Reopen by id. */
        snprintf(idbuf, sizeof(idbuf), "%lld", (long long)handling_id);
        assert_int_equal(notify_ticket_reopen(fx->s, idbuf, at(2026, 6, 12), "李四",
                                              "实际有人事变动，须更新", &ch, &error),
                         0);
        assert_int_equal(ch.n, 2);
        notify_changes_free(&ch);
        assert_int_equal(open_tickets(fx), 2);
        assert_int_equal(store_ticket_history(fx->s, handling_id, copy_event, &h), 0);
        assert_int_equal(h.n, 3);
        assert_string_equal(h.events[1], "accepted");
        assert_string_equal(h.who[1], "张三");
        assert_string_equal(h.events[2], "reopened");
        assert_string_equal(h.who[2], "李四");
        assert_int_equal(notify_ticket_reopen(fx->s, idbuf, at(2026, 6, 12), "李四", "x", &ch,
                                              &error),
                         -EALREADY);
        free(error);
        /* Back in the chain: the urging goes on at the interval. */
        ch = run(fx, at(2026, 6, 12));
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_URGING), 1);
        notify_changes_free(&ch);
}

/* A violation accepted by another path (store_violation_set_state) accepts its tickets at
 * the next run, with the same who and why. */
static void test_accepted_elsewhere(void **state)
{
        struct fixture *fx = *state;
        const struct seen one = {"规划计划", FINDING_VIOLATION, "区政府办"};
        struct notify_changes ch;
        struct history h = {0};
        int64_t id;

        scan(fx, at(2026, 7, 1), &one, 1);
        ch = run(fx, at(2026, 7, 1));
        id = ch.items[0].ticket_id;
        notify_changes_free(&ch);
        assert_int_equal(store_violation_set_state(fx->s, 1, VIOLATION_ACCEPTED, at(2026, 7, 2),
                                                   "王五", "规划未调整"),
                         0);
        ch = run(fx, at(2026, 7, 2));
        assert_int_equal(count(&ch, NOTIFY_ACCEPTED, TICKET_HANDLING), 1);
        notify_changes_free(&ch);
        assert_int_equal(store_ticket_history(fx->s, id, copy_event, &h), 0);
        assert_string_equal(h.events[1], "accepted");
        assert_string_equal(h.who[1], "王五");
}

/* Numbers run per kind and year and start again at 1 in a new year. */
static void test_numbering_new_year(void **state)
{
        struct fixture *fx = *state;
        const struct seen a = {"甲", FINDING_VIOLATION, "区政府办"};
        const struct seen b[] = {{"甲", FINDING_VIOLATION, "区政府办"},
                                 {"乙", FINDING_VIOLATION, "区政府办"}};
        struct notify_changes ch;

        scan(fx, at(2026, 12, 30), &a, 1);
        ch = run(fx, at(2026, 12, 30));
        assert_string_equal(ch.items[0].number, "测试政务公开办〔2026〕办理单第0001号");
        notify_changes_free(&ch);
        scan(fx, at(2027, 1, 2), b, 2);
        ch = run(fx, at(2027, 1, 2));
        assert_int_equal(ch.n, 1);
        assert_string_equal(ch.items[0].number, "测试政务公开办〔2027〕办理单第0001号");
        notify_changes_free(&ch);
        ch = run(fx, at(2027, 1, 7));
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_URGING), 1);
        assert_string_equal(find(&ch, NOTIFY_ISSUED, TICKET_URGING)->number,
                            "测试政务公开办〔2027〕催办单第0001号");
        notify_changes_free(&ch);

        /* Another format and width. */
        struct rule_tickets tc = fx->c->tickets;
        tc.number_format = (char *)"{year}-{kind}-{seq}（{prefix}）";
        tc.number_digits = 3;
        _cleanup_free_ char *n = notify_ticket_number(&tc, TICKET_URGING, 2026, 7);
        assert_string_equal(n, "2026-催办单-007（测试政务公开办）");
}

/* Working days: 5 working days from Wednesday 30 September 2026 cross the National Day
 * holiday (1-7 October) and its working Saturday (10 October): the deadline is 13 October. */
static void test_working_days(void **state)
{
        struct fixture *fx = *state;
        const struct seen a = {"丙", FINDING_VIOLATION, "区政府办"};
        struct rule_config *shipped = load_config(XJ_RULES_DIR);
        struct notify_changes ch;

        shipped->tickets.day_type = DAY_TYPE_WORKING;
        shipped->tickets.handling_days = 5;
        shipped->tickets.reminder_lead_days = 1;
        shipped->tickets.urging_interval_days = 2;
        rule_config_free(fx->c);
        fx->c = shipped;

        scan(fx, at(2026, 9, 30), &a, 1);
        ch = run(fx, at(2026, 9, 30));
        assert_int_equal(ch.items[0].deadline, time_of_day(day_from_civil(2026, 10, 14)) - 1);
        assert_true(str_startswith(ch.items[0].number, "区政务公开办〔2026〕办理单第"));
        notify_changes_free(&ch);
        /* Friday 9 October: 2 working days left (Sat 10th, Mon 12th, Tue 13th is 3). */
        ch = run(fx, at(2026, 10, 9));
        assert_int_equal(ch.n, 0);
        notify_changes_free(&ch);
        /* Monday 12 October: one working day left: the reminder. */
        ch = run(fx, at(2026, 10, 12));
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_REMINDER), 1);
        notify_changes_free(&ch);
        /* Wednesday 14th: urging; its deadline 2 working days on, Friday 16th. */
        ch = run(fx, at(2026, 10, 14));
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_URGING), 1);
        assert_int_equal(ch.items[0].deadline, time_of_day(day_from_civil(2026, 10, 17)) - 1);
        notify_changes_free(&ch);
        /* The interval counts working days: Thursday 15th is one, Friday 16th two (the
         * next urging); Sunday 18th adds none. */
        ch = run(fx, at(2026, 10, 15));
        assert_int_equal(ch.n, 0);
        notify_changes_free(&ch);
        ch = run(fx, at(2026, 10, 16));
        assert_int_equal(count(&ch, NOTIFY_ISSUED, TICKET_URGING), 1);
        notify_changes_free(&ch);
        ch = run(fx, at(2026, 10, 18));
        assert_int_equal(ch.n, 0);
        notify_changes_free(&ch);
}

/* Closing needs a scan as evidence; accepting needs a reason. */
static void test_store_rules(void **state)
{
        struct fixture *fx = *state;
        const struct seen a = {"丁", FINDING_VIOLATION, "区政府办"};
        struct notify_changes ch;
        int64_t id;

        scan(fx, at(2026, 8, 3), &a, 1);
        ch = run(fx, at(2026, 8, 3));
        id = ch.items[0].ticket_id;
        notify_changes_free(&ch);
        assert_int_equal(store_ticket_set_state(fx->s, id, TICKET_CLOSED, at(2026, 8, 4), 0,
                                                "张三", "自称已改"),
                         -EINVAL);
        assert_int_equal(store_ticket_set_state(fx->s, id, TICKET_ACCEPTED, at(2026, 8, 4), 0,
                                                "张三", NULL),
                         -EINVAL);
        assert_int_equal(store_ticket_set_state(fx->s, id, TICKET_OPEN, at(2026, 8, 4), 0,
                                                "张三", "x"),
                         -EALREADY);
        /* The same number twice is refused by the store. */
        assert_int_equal(store_ticket_insert(fx->s,
                                             &(struct store_ticket_new){
                                                     .kind = TICKET_HANDLING,
                                                     .number = "测试政务公开办〔2026〕办理单第0001号",
                                                     .year = 2026,
                                                     .seq = 99,
                                                     .violation_id = 1,
                                                     .site = SITE,
                                                     .issued_at = at(2026, 8, 4),
                                             },
                                             NULL),
                         -EEXIST);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_month, setup, teardown),
                cmocka_unit_test_setup_teardown(test_warning_then_violation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_accept_reopen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_accepted_elsewhere, setup, teardown),
                cmocka_unit_test_setup_teardown(test_numbering_new_year, setup, teardown),
                cmocka_unit_test_setup_teardown(test_working_days, setup, teardown),
                cmocka_unit_test_setup_teardown(test_store_rules, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
