/* The 三单联动 engine; see tickets.h. It reads a snapshot of the open tickets and the open
 * violations first and only then writes, so that no store query is open while it issues. */
#include "notify/tickets.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/workdays.h"
#include "common/xtime.h"

/* A ticket number is a short line; the cap only guards against a format gone wrong. */
#define NUMBER_MAX 512

void notify_changes_free(struct notify_changes *c)
{
        for (size_t i = 0; i < c->n; i++) {
                free(c->items[i].number);
                free(c->items[i].unit);
                free(c->items[i].detail);
        }
        free(c->items);
        *c = (struct notify_changes){0};
}

static void change_add(struct notify_changes *c, enum notify_change_what what,
                       enum ticket_kind kind, int64_t ticket_id, int64_t violation_id,
                       const char *number, const char *unit, const char *detail,
                       int64_t deadline, int64_t scan_id)
{
        if (!c)
                return;
        c->items = xreallocarray(c->items, c->n + 1, sizeof(*c->items));
        c->items[c->n++] = (struct notify_change){
                .what = what,
                .kind = kind,
                .ticket_id = ticket_id,
                .violation_id = violation_id,
                .number = xstrdup(number),
                .unit = unit ? xstrdup(unit) : NULL,
                .detail = detail ? xstrdup(detail) : NULL,
                .deadline = deadline,
                .scan_id = scan_id,
        };
}

char *notify_ticket_number(const struct rule_tickets *t, enum ticket_kind kind, int year,
                           int seq)
{
        struct buf b;

        buf_init(&b, NUMBER_MAX);
        for (const char *p = t->number_format; *p;) {
                if (str_startswith(p, "{prefix}")) {
                        buf_appends(&b, t->number_prefix);
                        p += strlen("{prefix}");
                } else if (str_startswith(p, "{year}")) {
                        buf_appendf(&b, "%d", year);
                        p += strlen("{year}");
                } else if (str_startswith(p, "{kind}")) {
                        buf_appends(&b, ticket_kind_label(kind));
                        p += strlen("{kind}");
                } else if (str_startswith(p, "{seq}")) {
                        buf_appendf(&b, "%0*d", t->number_digits, seq);
                        p += strlen("{seq}");
                } else {
                        buf_append(&b, p, 1);
                        p++;
                }
        }
        return buf_steal(&b);
}

/* ---- counting days as the office does ---------------------------------------------------- */

/* The day n days after d, in calendar or working days. */
static xj_day days_after(const struct rule_config *c, xj_day d, int n)
{
        if (c->tickets.day_type == DAY_TYPE_WORKING)
                return workday_add(&c->holidays, d, n);
        return d + n;
}

/* How many days "to" is after "from" (0 when it is not after). */
static int days_between(const struct rule_config *c, xj_day from, xj_day to)
{
        if (to <= from)
                return 0;
        if (c->tickets.day_type == DAY_TYPE_WORKING)
                return workday_count(&c->holidays, from, to);
        return to - from;
}

/* A deadline is the end of its day (23:59:59 CST): "within 7 days" includes the 7th. */
static int64_t end_of_day(xj_day d)
{
        return time_of_day(d + 1) - 1;
}

/* ---- snapshots ------------------------------------------------------------------------- */

struct open_ticket {
        int64_t id;
        enum ticket_kind kind;
        int64_t violation_id, parent_id;
        int64_t issued_at, deadline;
        enum violation_state v_state;
        int64_t v_fixed_at, v_fixed_scan;
        char *number, *unit, *detail;
        bool gone;      /* closed or accepted by this run */
};

struct open_violation {
        int64_t id;
        enum finding_kind kind;
        char *site, *unit, *detail;
};

struct snapshot {
        struct open_ticket *tickets;
        size_t n_tickets;
        struct open_violation *violations;
        size_t n_violations;
};

static void snapshot_free(struct snapshot *sn)
{
        for (size_t i = 0; i < sn->n_tickets; i++) {
                free(sn->tickets[i].number);
                free(sn->tickets[i].unit);
                free(sn->tickets[i].detail);
        }
        free(sn->tickets);
        for (size_t i = 0; i < sn->n_violations; i++) {
                free(sn->violations[i].site);
                free(sn->violations[i].unit);
                free(sn->violations[i].detail);
        }
        free(sn->violations);
        *sn = (struct snapshot){0};
}

static int collect_ticket(const struct store_ticket *t, void *userdata)
{
        struct snapshot *sn = userdata;

        sn->tickets = xreallocarray(sn->tickets, sn->n_tickets + 1, sizeof(*sn->tickets));
        sn->tickets[sn->n_tickets++] = (struct open_ticket){
                .id = t->id,
                .kind = t->kind,
                .violation_id = t->violation_id,
                .parent_id = t->parent_id,
                .issued_at = t->issued_at,
                .deadline = t->deadline,
                .v_state = t->v_state,
                .v_fixed_at = t->v_fixed_at,
                .v_fixed_scan = t->v_fixed_scan,
                .number = xstrdup(t->number),
                .unit = t->unit ? xstrdup(t->unit) : NULL,
                .detail = t->detail ? xstrdup(t->detail) : NULL,
        };
        return 0;
}

static int collect_violation(const struct store_violation *v, void *userdata)
{
        struct snapshot *sn = userdata;

        sn->violations =
                xreallocarray(sn->violations, sn->n_violations + 1, sizeof(*sn->violations));
        sn->violations[sn->n_violations++] = (struct open_violation){
                .id = v->id,
                .kind = v->kind,
                .site = xstrdup(v->site),
                .unit = v->unit ? xstrdup(v->unit) : NULL,
                .detail = v->detail ? xstrdup(v->detail) : NULL,
        };
        return 0;
}

/* ---- closing the loop ------------------------------------------------------------------ */

struct accepted_event {
        char *who, *why;
};

static int last_accepted(const struct store_violation_event *e, void *userdata)
{
        struct accepted_event *a = userdata;

        if (!streq(e->event, "accepted"))
                return 0;
        str_replace(&a->who, e->who);
        str_replace(&a->why, e->why);
        return 0;
}

/* A ticket whose violation is fixed is closed by the re-check that fixed it; one whose
 * violation was accepted (by `xunjian ticket accept`, or another tool) is accepted with the
 * same who and why. */
static int close_resolved(struct store *s, int64_t now, struct snapshot *sn,
                          struct notify_changes *changes)
{
        int r;

        for (size_t i = 0; i < sn->n_tickets; i++) {
                struct open_ticket *t = &sn->tickets[i];

                if (t->v_state == VIOLATION_FIXED) {
                        int64_t at = t->v_fixed_at > 0 ? t->v_fixed_at : now;
                        _cleanup_free_ char *why = xasprintf("复查未再发现该问题（巡检 #%" PRId64
                                                             "）",
                                                             t->v_fixed_scan);

                        if (t->v_fixed_scan <= 0)
                                /* Fixed without a scan cannot happen through the store's
                                 * API; leave such a ticket open rather than close it
                                 * without evidence. */
                                continue;
                        r = store_ticket_set_state(s, t->id, TICKET_CLOSED, at, t->v_fixed_scan,
                                                   NULL, why);
                        if (r < 0)
                                return r;
                        t->gone = true;
                        change_add(changes, NOTIFY_CLOSED, t->kind, t->id, t->violation_id,
                                   t->number, t->unit, t->detail, 0, t->v_fixed_scan);
                } else if (t->v_state == VIOLATION_ACCEPTED) {
                        struct accepted_event a = {0};

                        r = store_violation_history(s, t->violation_id, last_accepted, &a);
                        if (r >= 0)
                                r = store_ticket_set_state(s, t->id, TICKET_ACCEPTED, now, 0,
                                                           a.who ? a.who : "xunjian",
                                                           a.why ? a.why : "问题已确认为例外");
                        free(a.who);
                        free(a.why);
                        if (r < 0)
                                return r;
                        t->gone = true;
                        change_add(changes, NOTIFY_ACCEPTED, t->kind, t->id, t->violation_id,
                                   t->number, t->unit, t->detail, 0, 0);
                }
        }
        return 0;
}

/* ---- issuing --------------------------------------------------------------------------- */

struct issue {
        enum ticket_kind kind;
        const struct open_violation *v;
        const char *unit;
        int64_t parent_id;
        int64_t deadline;
        const char *why;
};

static int issue(struct store *s, const struct rule_config *c, int64_t now, const struct issue *is,
                 struct notify_changes *changes, int64_t *ret_id)
{
        int year, month, day, seq, r;
        _cleanup_free_ char *number = NULL;
        int64_t id;

        civil_from_day(day_of_time(now), &year, &month, &day);
        r = store_ticket_next_seq(s, is->kind, year, &seq);
        if (r < 0)
                return r;
        number = notify_ticket_number(&c->tickets, is->kind, year, seq);
        r = store_ticket_insert(s,
                                &(struct store_ticket_new){
                                        .kind = is->kind,
                                        .number = number,
                                        .year = year,
                                        .seq = seq,
                                        .violation_id = is->v->id,
                                        .parent_id = is->parent_id,
                                        .site = is->v->site,
                                        .unit = is->unit,
                                        .issued_at = now,
                                        .deadline = is->deadline,
                                        .why = is->why,
                                },
                                &id);
        if (r < 0)
                return r;
        change_add(changes, NOTIFY_ISSUED, is->kind, id, is->v->id, number, is->unit,
                   is->v->detail, is->deadline, 0);
        if (ret_id)
                *ret_id = id;
        return 0;
}

/* The open tickets of one violation that decide what comes next. */
struct chain {
        const struct open_ticket *handling;     /* the open 办理单 */
        bool deadline_reminder;                 /* a 提醒单 following it */
        int64_t last_urging;                    /* when the latest 催办单 following it was issued */
        bool warning_reminder;                  /* an early-warning 提醒单 (no 办理单) */
};

static struct chain chain_of(const struct snapshot *sn, int64_t violation_id)
{
        struct chain ch = {0};

        for (size_t i = 0; i < sn->n_tickets; i++) {
                const struct open_ticket *t = &sn->tickets[i];
                if (!t->gone && t->violation_id == violation_id && t->kind == TICKET_HANDLING &&
                    (!ch.handling || t->issued_at > ch.handling->issued_at))
                        ch.handling = t;
        }
        for (size_t i = 0; i < sn->n_tickets; i++) {
                const struct open_ticket *t = &sn->tickets[i];
                if (t->gone || t->violation_id != violation_id)
                        continue;
                if (t->kind == TICKET_REMINDER && !t->parent_id)
                        ch.warning_reminder = true;
                if (!ch.handling || t->parent_id != ch.handling->id)
                        continue;
                if (t->kind == TICKET_REMINDER)
                        ch.deadline_reminder = true;
                if (t->kind == TICKET_URGING && t->issued_at > ch.last_urging)
                        ch.last_urging = t->issued_at;
        }
        return ch;
}

/* What one open violation calls for at now. A 办理单 issued here is followed in the same
 * call (its deadline may already be near); the next run finds it in the store. */
static int escalate(struct store *s, const struct rule_config *c, int64_t now,
                    struct snapshot *sn, const struct open_violation *v,
                    struct notify_changes *changes)
{
        const struct rule_tickets *tc = &c->tickets;
        /* A violation without a responsible unit goes to the supervising office rather
         * than nowhere. */
        const char *unit = v->unit ? v->unit : tc->supervisor->name;
        xj_day today = day_of_time(now);
        struct chain ch = chain_of(sn, v->id);
        struct open_ticket handling = {0};
        int64_t id;
        int r;

        if (v->kind == FINDING_WARNING) {
                /* 预警: a reminder that informs, without a deadline; it stays open with the
                 * problem, and a violation that follows gets its own 办理单. */
                if (ch.handling || ch.warning_reminder)
                        return 0;
                return issue(s, c, now,
                             &(struct issue){.kind = TICKET_REMINDER, .v = v, .unit = unit,
                                             .why = "预警：问题即将违反规定"},
                             changes, NULL);
        }

        if (!ch.handling) {
                int64_t deadline = end_of_day(days_after(c, today, tc->handling_days));
                r = issue(s, c, now,
                          &(struct issue){.kind = TICKET_HANDLING, .v = v, .unit = unit,
                                          .deadline = deadline, .why = "巡检发现问题"},
                          changes, &id);
                if (r < 0)
                        return r;
                handling = (struct open_ticket){.id = id, .kind = TICKET_HANDLING,
                                                .violation_id = v->id, .issued_at = now,
                                                .deadline = deadline};
                ch.handling = &handling;
        }

        if (now <= ch.handling->deadline) {
                xj_day due = day_of_time(ch.handling->deadline);

                if (tc->reminder_lead_days == 0 || ch.deadline_reminder ||
                    days_between(c, today, due) > tc->reminder_lead_days)
                        return 0;
                return issue(s, c, now,
                             &(struct issue){.kind = TICKET_REMINDER, .v = v, .unit = unit,
                                             .parent_id = ch.handling->id,
                                             .deadline = ch.handling->deadline,
                                             .why = "办理期限将至"},
                             changes, NULL);
        }

        /* Past the deadline and the latest scan still finds it: 催办单, again every
         * urging_interval_days. Its own deadline is when the next one would come. */
        if (ch.last_urging &&
            days_between(c, day_of_time(ch.last_urging), today) < tc->urging_interval_days)
                return 0;
        return issue(s, c, now,
                     &(struct issue){.kind = TICKET_URGING, .v = v, .unit = unit,
                                     .parent_id = ch.handling->id,
                                     .deadline = end_of_day(
                                             days_after(c, today, tc->urging_interval_days)),
                                     .why = ch.last_urging ? "逾期仍未整改，再次催办"
                                                           : "办理期限已过，问题仍未整改"},
                     changes, NULL);
}

int notify_tickets_run(struct store *s, const struct rule_config *config, int64_t now,
                       struct notify_changes *changes)
{
        struct store_ticket_filter tf = {.state = TICKET_OPEN};
        struct store_violation_filter vf = {.state = VIOLATION_OPEN};
        struct snapshot sn = {0};
        int r;

        if (!s || !config || !config->tickets.supervisor)
                return -EINVAL;
        r = store_tickets_foreach(s, &tf, collect_ticket, &sn);
        if (r >= 0)
                r = store_violations_foreach(s, &vf, collect_violation, &sn);
        if (r >= 0)
                r = close_resolved(s, now, &sn, changes);
        for (size_t i = 0; r >= 0 && i < sn.n_violations; i++) {
                /* Each violation has its own chain, so what one call issues never
                 * matters to the next; the store remembers it for the next run. */
                r = escalate(s, config, now, &sn, &sn.violations[i], changes);
        }
        snapshot_free(&sn);
        return r;
}

/* ---- by hand: accept an exception, reopen ---------------------------------------------- */

struct ticket_list {
        struct open_ticket *items;
        size_t n;
        enum ticket_state *states;
};

static int collect_any(const struct store_ticket *t, void *userdata)
{
        struct ticket_list *l = userdata;
        struct snapshot sn = {.tickets = l->items, .n_tickets = l->n};

        collect_ticket(t, &sn);
        l->items = sn.tickets;
        l->n = sn.n_tickets;
        l->states = xreallocarray(l->states, l->n, sizeof(*l->states));
        l->states[l->n - 1] = t->state;
        return 0;
}

static void ticket_list_free(struct ticket_list *l)
{
        struct snapshot sn = {.tickets = l->items, .n_tickets = l->n};

        snapshot_free(&sn);
        free(l->states);
        *l = (struct ticket_list){0};
}

/* Finds one ticket by its id (all digits) or its number. */
static int find_ticket(struct store *s, const char *id_or_number, struct ticket_list *ret,
                       char **ret_error)
{
        struct store_ticket_filter f = {.state = -1};
        int r;

        if (!id_or_number || !*id_or_number)
                return -EINVAL;
        if (strspn(id_or_number, "0123456789") == strlen(id_or_number)) {
                errno = 0;
                f.id = strtoll(id_or_number, NULL, 10);
                if (errno || f.id <= 0) {
                        *ret_error = xasprintf("没有序号为「%s」的单据", id_or_number);
                        return -ENOENT;
                }
        } else {
                f.number = id_or_number;
        }
        r = store_tickets_foreach(s, &f, collect_any, ret);
        if (r < 0) {
                *ret_error = xasprintf("读取单据失败：%s", store_errmsg(s));
                return r;
        }
        if (ret->n == 0) {
                *ret_error = xasprintf("没有序号或编号为「%s」的单据", id_or_number);
                return -ENOENT;
        }
        return 0;
}

/* Ends a person's change: commits it, or rolls it back when r < 0. A failure either way
 * leaves "what：the store's message" in *ret_error and is returned. */
static int end_change(struct store *s, int r, char **ret_error, const char *what)
{
        if (r < 0) {
                /* The message first: the rollback may leave one of its own. */
                *ret_error = xasprintf("%s：%s", what, store_errmsg(s));
                store_rollback(s);
                return r;
        }
        r = store_commit(s);
        if (r < 0)
                *ret_error = xasprintf("%s：%s", what, store_errmsg(s));
        return r;
}

int notify_ticket_accept(struct store *s, const char *id_or_number, int64_t now, const char *who,
                         const char *why, struct notify_changes *changes, char **ret_error)
{
        _cleanup_free_ char *error = NULL;
        struct ticket_list one = {0}, all = {0};
        int r;

        if (!s || !ret_error)
                return -EINVAL;
        if (!who || !*who || !why || !*why) {
                *ret_error = xstrdup("确认例外须写明操作人和理由（--who、--reason）");
                return -EINVAL;
        }
        r = find_ticket(s, id_or_number, &one, &error);
        if (r < 0)
                goto out;
        if (one.states[0] != TICKET_OPEN) {
                error = xasprintf("单据 %s 的状态是「%s」，不能再确认为例外", one.items[0].number,
                                  ticket_state_label(one.states[0]));
                r = -EALREADY;
                goto out;
        }
        r = store_begin(s);
        if (r < 0) {
                error = xasprintf("无法开始事务：%s", store_errmsg(s));
                goto out;
        }
        r = store_violation_set_state(s, one.items[0].violation_id, VIOLATION_ACCEPTED, now, who,
                                      why);
        if (r >= 0)
                r = store_tickets_foreach(s,
                                          &(struct store_ticket_filter){
                                                  .state = TICKET_OPEN,
                                                  .violation_id = one.items[0].violation_id},
                                          collect_any, &all);
        for (size_t i = 0; r >= 0 && i < all.n; i++) {
                r = store_ticket_set_state(s, all.items[i].id, TICKET_ACCEPTED, now, 0, who, why);
                if (r >= 0)
                        change_add(changes, NOTIFY_ACCEPTED, all.items[i].kind, all.items[i].id,
                                   all.items[i].violation_id, all.items[i].number,
                                   all.items[i].unit, all.items[i].detail, 0, 0);
        }
        r = end_change(s, r, &error, "确认例外失败");
out:
        ticket_list_free(&one);
        ticket_list_free(&all);
        if (r < 0) {
                *ret_error = error;
                error = NULL;
        }
        return r;
}

int notify_ticket_reopen(struct store *s, const char *id_or_number, int64_t now, const char *who,
                         const char *why, struct notify_changes *changes, char **ret_error)
{
        _cleanup_free_ char *error = NULL;
        struct ticket_list one = {0}, all = {0};
        int64_t root;
        size_t n_reopen = 0;
        int r;

        if (!s || !ret_error)
                return -EINVAL;
        if (!who || !*who || !why || !*why) {
                *ret_error = xstrdup("重新打开单据须写明操作人和理由（--who、--reason）");
                return -EINVAL;
        }
        r = find_ticket(s, id_or_number, &one, &error);
        if (r < 0)
                goto out;
        /* The chain: the 办理单 and what follows it; an early-warning reminder is its own. */
        root = one.items[0].parent_id ? one.items[0].parent_id : one.items[0].id;
        r = store_tickets_foreach(s,
                                  &(struct store_ticket_filter){
                                          .state = -1, .violation_id = one.items[0].violation_id},
                                  collect_any, &all);
        if (r < 0) {
                error = xasprintf("读取单据失败：%s", store_errmsg(s));
                goto out;
        }
        for (size_t i = 0; i < all.n; i++) {
                bool in_chain = all.items[i].id == root || all.items[i].parent_id == root;

                if (in_chain && all.states[i] != TICKET_OPEN)
                        n_reopen++;
                if (!in_chain && all.items[i].kind == TICKET_HANDLING &&
                    all.states[i] == TICKET_OPEN) {
                        error = xasprintf("该问题已有办理中的办理单 %s，不能再打开 %s",
                                          all.items[i].number, one.items[0].number);
                        r = -EEXIST;
                        goto out;
                }
        }
        if (n_reopen == 0) {
                error = xasprintf("单据 %s 仍在办理中，无需重新打开", one.items[0].number);
                r = -EALREADY;
                goto out;
        }
        r = store_begin(s);
        if (r < 0) {
                error = xasprintf("无法开始事务：%s", store_errmsg(s));
                goto out;
        }
        r = store_violation_set_state(s, one.items[0].violation_id, VIOLATION_OPEN, now, who,
                                      why);
        for (size_t i = 0; r >= 0 && i < all.n; i++) {
                if (all.items[i].id != root && all.items[i].parent_id != root)
                        continue;
                if (all.states[i] == TICKET_OPEN)
                        continue;
                r = store_ticket_set_state(s, all.items[i].id, TICKET_OPEN, now, 0, who, why);
                if (r >= 0)
                        change_add(changes, NOTIFY_REOPENED, all.items[i].kind, all.items[i].id,
                                   all.items[i].violation_id, all.items[i].number,
                                   all.items[i].unit, all.items[i].detail,
                                   all.items[i].deadline, 0);
        }
        r = end_change(s, r, &error, "重新打开失败");
out:
        ticket_list_free(&one);
        ticket_list_free(&all);
        if (r < 0) {
                *ret_error = error;
                error = NULL;
        }
        return r;
}
