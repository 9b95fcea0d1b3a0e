/* The store's tickets (办理单, 提醒单, 催办单) with their history, and the record of the
 * nightly mails; see the tickets section of store.h. The decisions (when to issue what) are
 * notify/tickets.c's; this file only keeps them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "store/store_internal.h"

static const char *const kind_ids[] = {"handling", "reminder", "urging"};
static const char *const kind_labels[] = {"办理单", "提醒单", "催办单"};
static const char *const state_ids[] = {"open", "closed", "accepted"};
static const char *const state_labels[] = {"办理中", "已整改办结", "已确认例外"};
static const char *const mail_state_ids[] = {"pending", "sent", "failed-temporary",
                                             "failed-permanent", "superseded", "in-doubt"};

const char *ticket_kind_id(enum ticket_kind k)
{
        return (unsigned)k < ARRAY_SIZE(kind_ids) ? kind_ids[k] : "?";
}

const char *ticket_kind_label(enum ticket_kind k)
{
        return (unsigned)k < ARRAY_SIZE(kind_labels) ? kind_labels[k] : "?";
}

const char *ticket_state_id(enum ticket_state s)
{
        return (unsigned)s < ARRAY_SIZE(state_ids) ? state_ids[s] : "?";
}

const char *ticket_state_label(enum ticket_state s)
{
        return (unsigned)s < ARRAY_SIZE(state_labels) ? state_labels[s] : "?";
}

const char *mail_state_id(enum mail_state s)
{
        return (unsigned)s < ARRAY_SIZE(mail_state_ids) ? mail_state_ids[s] : "?";
}

int ticket_kind_from_id(const char *s, enum ticket_kind *ret)
{
        int v = str_index(kind_ids, ARRAY_SIZE(kind_ids), s);
        if (v >= 0)
                *ret = (enum ticket_kind)v;
        return v < 0 ? v : 0;
}

int ticket_state_from_id(const char *s, enum ticket_state *ret)
{
        int v = str_index(state_ids, ARRAY_SIZE(state_ids), s);
        if (v >= 0)
                *ret = (enum ticket_state)v;
        return v < 0 ? v : 0;
}

static int mail_state_from_id(const char *s, enum mail_state *ret)
{
        int v = str_index(mail_state_ids, ARRAY_SIZE(mail_state_ids), s);
        if (v >= 0)
                *ret = (enum mail_state)v;
        return v < 0 ? v : 0;
}

/* ---- tickets --------------------------------------------------------------------------- */

int store_ticket_next_seq(struct store *s, enum ticket_kind kind, int year, int *ret_seq)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || (unsigned)kind >= ARRAY_SIZE(kind_ids))
                return -EINVAL;
        r = store__prepare(s,
                           "SELECT coalesce(max(seq), 0) + 1 FROM tickets"
                           " WHERE kind = ? AND year = ?",
                           &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, ticket_kind_id(kind), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, year);
        r = store__step_row(s, st);
        if (r < 0)
                return r;
        *ret_seq = sqlite3_column_int(st, 0);
        return 0;
}

static int ticket_event_add(struct store *s, int64_t ticket_id, int64_t at, const char *event,
                            int64_t scan_id, const char *who, const char *why)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct binder b;
        int r;

        r = store__prepare(s, "INSERT INTO ticket_events (ticket_id, at, event, scan_id, who, why)"
                              " VALUES (?, ?, ?, ?, ?, ?)", &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_int(&b, ticket_id);
        bind_int(&b, at);
        bind_text(&b, event);
        bind_int_or_null(&b, scan_id);
        bind_text(&b, who);
        bind_text(&b, why);
        r = bind_done(s, &b);
        return r < 0 ? r : store__step_row(s, st);
}

static int ticket_insert_in_tx(struct store *s, const struct store_ticket_new *t, int64_t *ret_id)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct binder b;
        int64_t id;
        int r;

        r = store__prepare(s,
                           "INSERT INTO tickets (kind, number, year, seq, violation_id, parent_id,"
                           " site, unit, issued_at, deadline, state)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')", &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, ticket_kind_id(t->kind));
        bind_text(&b, t->number);
        bind_int(&b, t->year);
        bind_int(&b, t->seq);
        bind_int(&b, t->violation_id);
        bind_int_or_null(&b, t->parent_id);
        bind_text(&b, t->site);
        bind_text(&b, t->unit);
        bind_int(&b, t->issued_at);
        bind_int_or_null(&b, t->deadline);
        r = bind_done(s, &b);
        if (r >= 0)
                r = store__step_row(s, st);
        if (r < 0)
                return r;
        id = sqlite3_last_insert_rowid(store__db(s));
        r = ticket_event_add(s, id, t->issued_at, "issued", 0, NULL, t->why);
        if (r >= 0 && ret_id)
                *ret_id = id;
        return r;
}

int store_ticket_insert(struct store *s, const struct store_ticket_new *t, int64_t *ret_id)
{
        int r;

        if (!s || !t)
                return -EINVAL;
        if ((unsigned)t->kind >= ARRAY_SIZE(kind_ids) || !t->number || !*t->number || !t->site ||
            t->seq < 1)
                return store__set_error(s, -EINVAL, "a ticket needs a kind, a number, a site "
                                                    "and a sequence number");
        r = store__tx_begin(s);
        if (r < 0)
                return r;
        return store__tx_end(s, ticket_insert_in_tx(s, t, ret_id));
}

/* Columns of the ticket query, in order. */
enum {
        T_ID,
        T_KIND,
        T_NUMBER,
        T_YEAR,
        T_SEQ,
        T_VIOLATION,
        T_PARENT,
        T_SITE,
        T_UNIT,
        T_ISSUED,
        T_DEADLINE,
        T_STATE,
        T_CLOSED_AT,
        T_CLOSED_SCAN,
        T_REASON,
        T_RULE,
        T_SUBJECT,
        T_COLUMN,
        T_URL,
        T_DETAIL,
        T_V_KIND,
        T_V_SEVERITY,
        T_V_STATE,
        T_V_FIXED_AT,
        T_V_FIXED_SCAN,
};

/* ?8 and ?9 are the mail kind and role of the "not yet mailed" filter; a mail to another
 * unit does not count when a unit is given. */
static const char tickets_sql[] =
        "SELECT t.id, t.kind, t.number, t.year, t.seq, t.violation_id,"
        " coalesce(t.parent_id, 0), t.site, t.unit, t.issued_at, coalesce(t.deadline, 0),"
        " t.state, coalesce(t.closed_at, 0), coalesce(t.closed_scan, 0), t.reason,"
        " v.rule, v.subject, v.column_name, v.url, v.detail, v.kind, v.severity, v.state,"
        " coalesce(v.fixed_at, 0), coalesce(v.fixed_scan, 0)"
        " FROM tickets t JOIN violations v ON v.id = t.violation_id"
        " WHERE (?1 IS NULL OR t.state = ?1) AND (?2 IS NULL OR t.unit = ?2)"
        " AND (?3 IS NULL OR t.violation_id = ?3) AND (?4 IS NULL OR t.id = ?4)"
        " AND (?5 IS NULL OR t.number = ?5)"
        " AND (?6 IS NULL OR NOT EXISTS (SELECT 1 FROM mail_tickets mt"
        " JOIN mails m ON m.id = mt.mail_id WHERE mt.ticket_id = t.id AND mt.role = ?7"
        " AND m.kind = ?6 AND m.state = 'sent' AND (?2 IS NULL OR m.unit = ?2)))"
        " ORDER BY t.deadline IS NULL, t.deadline, t.kind, t.year, t.seq";

static int ticket_from_row(struct store *s, sqlite3_stmt *st, struct store_ticket *t)
{
        *t = (struct store_ticket){
                .id = sqlite3_column_int64(st, T_ID),
                .number = column_text(st, T_NUMBER),
                .year = sqlite3_column_int(st, T_YEAR),
                .seq = sqlite3_column_int(st, T_SEQ),
                .violation_id = sqlite3_column_int64(st, T_VIOLATION),
                .parent_id = sqlite3_column_int64(st, T_PARENT),
                .site = column_text(st, T_SITE),
                .unit = column_text(st, T_UNIT),
                .issued_at = sqlite3_column_int64(st, T_ISSUED),
                .deadline = sqlite3_column_int64(st, T_DEADLINE),
                .closed_at = sqlite3_column_int64(st, T_CLOSED_AT),
                .closed_scan = sqlite3_column_int64(st, T_CLOSED_SCAN),
                .reason = column_text(st, T_REASON),
                .rule = column_text(st, T_RULE),
                .subject = column_text(st, T_SUBJECT),
                .column = column_text(st, T_COLUMN),
                .url = column_text(st, T_URL),
                .detail = column_text(st, T_DETAIL),
                .v_fixed_at = sqlite3_column_int64(st, T_V_FIXED_AT),
                .v_fixed_scan = sqlite3_column_int64(st, T_V_FIXED_SCAN),
        };
        if (ticket_kind_from_id(column_text(st, T_KIND), &t->kind) < 0 ||
            ticket_state_from_id(column_text(st, T_STATE), &t->state) < 0 ||
            finding_kind_from_id(column_text(st, T_V_KIND), &t->v_kind) < 0 ||
            severity_from_id(column_text(st, T_V_SEVERITY), &t->v_severity) < 0 ||
            violation_state_from_id(column_text(st, T_V_STATE), &t->v_state) < 0)
                return store__set_error(s, -EIO, "ticket %" PRId64 " or its violation has an "
                                                 "unknown kind or state",
                                        t->id);
        return 0;
}

int store_tickets_foreach(struct store *s, const struct store_ticket_filter *filter,
                          store_ticket_fn fn, void *userdata)
{
        static const struct store_ticket_filter all = {.state = -1};
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct binder b;
        int r;

        if (!s || !fn)
                return -EINVAL;
        if (!filter)
                filter = &all;
        if (filter->state < -1 || filter->state > TICKET_ACCEPTED)
                return store__set_error(s, -EINVAL, "invalid ticket state %d in filter",
                                        filter->state);
        if (!filter->not_mailed_kind != !filter->not_mailed_role)
                return store__set_error(s, -EINVAL, "the mail filter needs a kind and a role");
        r = store__prepare(s, tickets_sql, &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, filter->state < 0 ? NULL : ticket_state_id(filter->state));
        bind_text(&b, filter->unit);
        bind_int_or_null(&b, filter->violation_id > 0 ? filter->violation_id : 0);
        bind_int_or_null(&b, filter->id > 0 ? filter->id : 0);
        bind_text(&b, filter->number);
        bind_text(&b, filter->not_mailed_kind);
        bind_text(&b, filter->not_mailed_role);
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        while ((r = store__step_row(s, st)) > 0) {
                struct store_ticket t;

                r = ticket_from_row(s, st, &t);
                if (r < 0)
                        return r;
                r = fn(&t, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

static int ticket_state(struct store *s, int64_t ticket_id, enum ticket_state *ret)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r = store__prepare(s, "SELECT state FROM tickets WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, ticket_id);
        r = store__step_row(s, st);
        if (r < 0)
                return r;
        if (r == 0)
                return store__set_error(s, -ENOENT, "no ticket %" PRId64, ticket_id);
        if (ticket_state_from_id(column_text(st, 0), ret) < 0)
                return store__set_error(s, -EIO, "ticket %" PRId64 " has an unknown state \"%s\"",
                                        ticket_id, column_text(st, 0));
        return 0;
}

static int set_state_in_tx(struct store *s, int64_t ticket_id, enum ticket_state state,
                           int64_t at, int64_t scan_id, const char *who, const char *why)
{
        static const char *const events[] = {
                [TICKET_OPEN] = "reopened",
                [TICKET_CLOSED] = "closed",
                [TICKET_ACCEPTED] = "accepted",
        };
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        enum ticket_state current;
        struct binder b;
        int r;

        r = ticket_state(s, ticket_id, &current);
        if (r < 0)
                return r;
        if (current == state)
                return store__set_error(s, -EALREADY, "ticket %" PRId64 " is already %s",
                                        ticket_id, ticket_state_id(state));
        r = store__prepare(s,
                           "UPDATE tickets SET state = ?, closed_at = ?, closed_scan = ?,"
                           " reason = ? WHERE id = ?",
                           &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, ticket_state_id(state));
        bind_int_or_null(&b, state == TICKET_OPEN ? 0 : at);
        bind_int_or_null(&b, state == TICKET_CLOSED ? scan_id : 0);
        bind_text(&b, state == TICKET_ACCEPTED ? why : NULL);
        bind_int(&b, ticket_id);
        r = bind_done(s, &b);
        if (r >= 0)
                r = store__step_row(s, st);
        if (r < 0)
                return r;
        return ticket_event_add(s, ticket_id, at, events[state], scan_id, who, why);
}

int store_ticket_set_state(struct store *s, int64_t ticket_id, enum ticket_state state,
                           int64_t at, int64_t scan_id, const char *who, const char *why)
{
        int r;

        if (!s)
                return -EINVAL;
        switch (state) {
        case TICKET_CLOSED:
                /* 闭环: only a re-check that no longer finds the problem closes it. */
                if (scan_id <= 0)
                        return store__set_error(s, -EINVAL, "closing a ticket needs the scan "
                                                            "that found the problem fixed");
                break;
        case TICKET_ACCEPTED:
                if (!who || !*who || !why || !*why)
                        return store__set_error(s, -EINVAL, "accepting an exception needs who "
                                                            "and a reason");
                break;
        case TICKET_OPEN:
                if (!who || !*who)
                        return store__set_error(s, -EINVAL, "reopening a ticket needs who");
                break;
        default:
                return store__set_error(s, -EINVAL, "invalid ticket state %d", (int)state);
        }
        r = store__tx_begin(s);
        if (r < 0)
                return r;
        return store__tx_end(s, set_state_in_tx(s, ticket_id, state, at, scan_id, who, why));
}

int store_ticket_history(struct store *s, int64_t ticket_id, store_ticket_event_fn fn,
                         void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        enum ticket_state state;
        int r;

        if (!s || !fn)
                return -EINVAL;
        r = ticket_state(s, ticket_id, &state);
        if (r < 0)
                return r;
        r = store__prepare(s, "SELECT at, coalesce(scan_id, 0), event, who, why FROM ticket_events"
                              " WHERE ticket_id = ? ORDER BY at, id", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, ticket_id);
        while ((r = store__step_row(s, st)) > 0) {
                struct store_ticket_event e = {
                        .at = sqlite3_column_int64(st, 0),
                        .scan_id = sqlite3_column_int64(st, 1),
                        .event = column_text(st, 2),
                        .who = column_text(st, 3),
                        .why = column_text(st, 4),
                };

                r = fn(&e, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

/* ---- mails ----------------------------------------------------------------------------- */

static bool mail_kind_valid(const char *kind)
{
        return kind && (streq(kind, "unit") || streq(kind, "summary"));
}

static int mail_create_in_tx(struct store *s, const struct store_mail *m,
                             const struct store_mail_cover *cover, size_t n_cover,
                             int64_t *ret_id)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL, *cov = NULL;
        struct binder b;
        int64_t id;
        int r;

        r = store__prepare(s,
                           "INSERT INTO mails (day, kind, unit, recipients, subject, message_id,"
                           " message, state, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                           &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, m->day);
        bind_text(&b, m->kind);
        bind_text(&b, m->unit);
        bind_text(&b, m->recipients);
        bind_text(&b, m->subject);
        bind_text(&b, m->message_id);
        bind_blob(&b, m->message, m->message_len);
        bind_int(&b, m->created_at);
        r = bind_done(s, &b);
        if (r >= 0)
                r = store__step_row(s, st);
        if (r < 0)
                return r;
        id = sqlite3_last_insert_rowid(store__db(s));

        r = store__prepare(s, "INSERT OR IGNORE INTO mail_tickets (mail_id, ticket_id, role)"
                              " VALUES (?, ?, ?)", &cov);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_cover; i++) {
                sqlite3_reset(cov);
                b = (struct binder){.stmt = cov};
                bind_int(&b, id);
                bind_int(&b, cover[i].ticket_id);
                bind_text(&b, cover[i].role);
                r = bind_done(s, &b);
                if (r >= 0)
                        r = store__step_row(s, cov);
                if (r < 0)
                        return r;
        }
        if (ret_id)
                *ret_id = id;
        return 0;
}

int store_mail_create(struct store *s, const struct store_mail *m,
                      const struct store_mail_cover *cover, size_t n_cover, int64_t *ret_id)
{
        int r;

        if (!s || !m || (n_cover > 0 && !cover))
                return -EINVAL;
        if (!m->day || !mail_kind_valid(m->kind) || !m->unit || !m->recipients || !m->subject ||
            !m->message_id || !m->message)
                return store__set_error(s, -EINVAL, "a mail needs a day, kind, unit, "
                                                    "recipients, subject, id and message");
        for (size_t i = 0; i < n_cover; i++)
                if (!cover[i].role)
                        return store__set_error(s, -EINVAL, "a covered ticket needs a role");
        r = store__tx_begin(s);
        if (r < 0)
                return r;
        return store__tx_end(s, mail_create_in_tx(s, m, cover, n_cover, ret_id));
}

int store_mails_foreach(struct store *s, const struct store_mail_filter *filter,
                        store_mail_fn fn, void *userdata)
{
        static const struct store_mail_filter all = {.state = -1};
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct binder b;
        int r;

        if (!s || !fn)
                return -EINVAL;
        if (!filter)
                filter = &all;
        if (filter->state < -1 || filter->state > MAIL_SUPERSEDED)
                return store__set_error(s, -EINVAL, "invalid mail state %d in filter",
                                        filter->state);
        r = store__prepare(s,
                           "SELECT id, day, kind, unit, recipients, subject, message_id, message,"
                           " state, attempts, created_at, coalesce(last_attempt_at, 0),"
                           " coalesce(sent_at, 0), error FROM mails"
                           " WHERE (?1 IS NULL OR state = ?1)"
                           " AND (?2 = 0 OR state IN ('pending', 'failed-temporary'))"
                           " AND (?3 IS NULL OR day = ?3) AND (?4 IS NULL OR kind = ?4)"
                           " AND (?5 IS NULL OR unit = ?5) ORDER BY id", &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, filter->state < 0 ? NULL : mail_state_id(filter->state));
        bind_int(&b, filter->unsent);
        bind_text(&b, filter->day);
        bind_text(&b, filter->kind);
        bind_text(&b, filter->unit);
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        while ((r = store__step_row(s, st)) > 0) {
                struct store_mail m = {
                        .id = sqlite3_column_int64(st, 0),
                        .day = column_text(st, 1),
                        .kind = column_text(st, 2),
                        .unit = column_text(st, 3),
                        .recipients = column_text(st, 4),
                        .subject = column_text(st, 5),
                        .message_id = column_text(st, 6),
                        .message = sqlite3_column_blob(st, 7),
                        .message_len = (size_t)sqlite3_column_bytes(st, 7),
                        .attempts = sqlite3_column_int(st, 9),
                        .created_at = sqlite3_column_int64(st, 10),
                        .last_attempt_at = sqlite3_column_int64(st, 11),
                        .sent_at = sqlite3_column_int64(st, 12),
                        .error = column_text(st, 13),
                };

                if (!m.message)
                        m.message = "";
                if (mail_state_from_id(column_text(st, 8), &m.state) < 0)
                        return store__set_error(s, -EIO, "mail %" PRId64 " has an unknown "
                                                         "state \"%s\"",
                                                m.id, column_text(st, 8));
                r = fn(&m, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

/* Runs a bound UPDATE of one unsent mail in a transaction of its own: -ENOENT when no
 * unsent mail has that id. */
static int mail_update(struct store *s, sqlite3_stmt *st, int64_t mail_id)
{
        int r = store__tx_begin(s);

        if (r < 0)
                return r;
        r = store__step_done(s, st);
        if (r >= 0 && sqlite3_changes(store__db(s)) == 0)
                r = store__set_error(s, -ENOENT, "no unsent mail %" PRId64, mail_id);
        return store__tx_end(s, r);
}

int store_mail_attempted(struct store *s, int64_t mail_id, enum mail_state state, int64_t at,
                         const char *error)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct binder b;
        int r;

        if (!s)
                return -EINVAL;
        if (state != MAIL_SENT && state != MAIL_FAILED_TEMPORARY &&
            state != MAIL_FAILED_PERMANENT && state != MAIL_IN_DOUBT)
                return store__set_error(s, -EINVAL, "an attempt ends sent, failed or in doubt");
        r = store__prepare(s,
                           "UPDATE mails SET state = ?, attempts = attempts + 1,"
                           " last_attempt_at = ?,"
                           " sent_at = ?, error = ? WHERE id = ?"
                           " AND state IN ('pending', 'failed-temporary', 'in-doubt')", &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, mail_state_id(state));
        bind_int(&b, at);
        bind_int_or_null(&b, state == MAIL_SENT ? at : 0);
        bind_text(&b, state == MAIL_SENT ? NULL : error);
        bind_int(&b, mail_id);
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        return mail_update(s, st, mail_id);
}

int store_mail_in_doubt(struct store *s, int64_t mail_id, int64_t at)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct binder b;
        int r;

        if (!s)
                return -EINVAL;
        r = store__prepare(s,
                           "UPDATE mails SET state = 'in-doubt', last_attempt_at = ?"
                           " WHERE id = ? AND state IN ('pending', 'failed-temporary')",
                           &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_int(&b, at);
        bind_int(&b, mail_id);
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        return mail_update(s, st, mail_id);
}

int store_mails_supersede(struct store *s, const char *kind, const char *unit, const char *day,
                          int *ret_n)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct binder b;
        int r, n = 0;

        if (!s || !mail_kind_valid(kind) || !unit || !day)
                return -EINVAL;
        r = store__prepare(s, "UPDATE mails SET state = 'superseded' WHERE kind = ? AND unit = ?"
                              " AND day < ? AND state IN ('pending', 'failed-temporary')", &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, kind);
        bind_text(&b, unit);
        bind_text(&b, day);
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        r = store__tx_begin(s);
        if (r < 0)
                return r;
        r = store__step_row(s, st);
        if (r >= 0)
                n = sqlite3_changes(store__db(s));
        r = store__tx_end(s, r);
        if (r >= 0 && ret_n)
                *ret_n = n;
        return r;
}
