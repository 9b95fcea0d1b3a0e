/* The 三单联动 engine (DOMAIN.md, seed 000 item 14): from the violations in the store it
 * issues 办理单 (a confirmed violation, with a deadline), 提醒单 (an early warning, or a
 * 办理单 whose deadline is near) and 催办单 (the deadline has passed and the problem is
 * still there; repeated at an interval), and closes the loop: a ticket whose violation a
 * complete re-check found fixed is closed with that scan as evidence, and one whose
 * violation a person accepted as an exception is marked accepted.
 *
 * Everything is a function of the store and "now": running the engine twice at the same
 * now issues nothing the second time. Errors are negative errno values; store_errmsg() or
 * the message returned says what failed. */
#pragma once

#include <stdint.h>

#include "rules/config.h"
#include "store/store.h"

enum notify_change_what {
        NOTIFY_ISSUED = 0,
        NOTIFY_CLOSED = 1,      /* a re-check no longer found the problem */
        NOTIFY_ACCEPTED = 2,    /* a person accepted the problem as an exception */
        NOTIFY_REOPENED = 3,
};

/* One change the engine (or a person) made, for the command line to print. */
struct notify_change {
        enum notify_change_what what;
        enum ticket_kind kind;
        int64_t ticket_id;
        int64_t violation_id;
        char *number;
        char *unit;
        char *detail;           /* the violation's detail, or NULL */
        int64_t deadline;       /* issued tickets: 0 when none */
        int64_t scan_id;        /* closed tickets: the re-check that is the evidence */
};

struct notify_changes {
        struct notify_change *items;
        size_t n;
};

/* Frees the changes' strings and array; the list is left empty. */
void notify_changes_free(struct notify_changes *c);

/* Formats a ticket number in the office's style from config->tickets: with the shipped
 * format, "区政务公开办〔2026〕办理单第0012号". The caller frees the result. */
char *notify_ticket_number(const struct rule_tickets *t, enum ticket_kind kind, int year,
                           int seq);

/* Runs the engine at now: closes or accepts the open tickets whose violation is no longer
 * open, then issues what the open violations call for. Appends every change to *changes
 * (the caller frees them). Run it inside store_begin()/store_commit(), so that a failure
 * half way leaves nothing half issued. */
int notify_tickets_run(struct store *s, const struct rule_config *config, int64_t now,
                       struct notify_changes *changes);

/* By hand: accepts the problem of a ticket (given by id or by number) as an exception —
 * its violation and every open ticket of it — or reopens the ticket's chain (the 办理单
 * and the tickets that follow it) and its violation. who and why are required. Each runs in
 * its own transaction. -ENOENT for an unknown ticket, -EALREADY when there is nothing to
 * change, -EEXIST when reopening would give the problem a second open 办理单; *ret_error
 * (the caller frees it) then says why in Chinese. */
int notify_ticket_accept(struct store *s, const char *id_or_number, int64_t now, const char *who,
                         const char *why, struct notify_changes *changes, char **ret_error);
int notify_ticket_reopen(struct store *s, const char *id_or_number, int64_t now, const char *who,
                         const char *why, struct notify_changes *changes, char **ret_error);
