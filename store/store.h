/* The store: everything xunjian remembers between runs — scans, the pages and links each
 * scan fetched, the findings each scan made, and the violations those findings add up to.
 *
 * One interface, one SQLite implementation (WAL mode). Every write of one page, or one
 * batch, is one transaction, so a process killed at any moment leaves the database
 * consistent; a scan left "running" by such a kill is marked "interrupted" when the store
 * is next opened, and its findings are never reconciled.
 *
 * Errors: 0 on success, negative errno-style codes on failure (-EIO for SQLite errors,
 * -EINVAL for misuse, -ENOENT for missing rows); store_errmsg() has SQLite's message.
 * Strings passed in are borrowed and copied into the database; strings handed to
 * callbacks are valid only during the callback. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/finding.h"

struct store;

/* Opens (creating if needed) the database at path, sets WAL mode, foreign keys and a busy
 * timeout, and migrates the schema to the current version inside one transaction.
 * A database newer than this program is refused with -EPROTO. On failure *ret_error (if
 * non-NULL) receives a message the caller frees.
 * Scans left running by a process that no longer exists (pid and boot id are recorded by
 * store_scan_begin) become SCAN_INTERRUPTED; a scan whose process still runs, e.g. the
 * daemon's while the command line opens the store, is left alone. A scan begun by this same
 * process counts as dead: use one store per process. */
int store_open(const char *path, struct store **ret, char **ret_error);
/* Accepts NULL. */
void store_close(struct store *s);
/* The last SQLite error message of this connection; valid until the next call. */
const char *store_errmsg(struct store *s);
/* The schema version this program writes. */
int store_schema_version(void);

/* Explicit transactions, for callers that batch several writes (the functions below run
 * in their own transaction when none is open, and in a savepoint inside the caller's, so a
 * failed call undoes only its own writes). Nested store_begin() is -EBUSY. A failed
 * store_commit() has rolled the transaction back. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);
/* store_begin() for a group of writes that is committed or rolled back whole (the crawl
 * commits hundreds of fetches per transaction): the functions below take no savepoint
 * inside it, so a failed call may leave part of its writes behind, and store_commit() of
 * a group in which a call failed rolls it all back and fails (-EIO). */
int store_begin_group(struct store *s);

enum scan_state {
        SCAN_RUNNING = 0,
        SCAN_COMPLETE = 1,     /* every planned fetch finished: its findings may fix violations */
        SCAN_INTERRUPTED = 2,  /* killed, or stopped by a signal */
        SCAN_FAILED = 3,       /* could not run (e.g. the homepage was unreachable) */
};
const char *scan_state_id(enum scan_state s);

struct store_scan_stats {
        int64_t pages;        /* fetched and parsed */
        int64_t checked;      /* links checked without parsing */
        int64_t errors;       /* fetches that failed */
        int64_t bytes;        /* body bytes received */
        int64_t findings;
};

struct store_scan {
        int64_t id;
        const char *site;
        enum scan_state state;
        int64_t started_at, finished_at;   /* finished_at 0 while running */
        struct store_scan_stats stats;
};

/* Records the start of a crawl of site at now. */
int store_scan_begin(struct store *s, const char *site, int64_t now, int64_t *ret_scan_id);
/* The same for a scan of another kind: "probe", "links" (the daily check of the homepage's
 * links). A scan is only ever made stale by a newer one of its own kind. */
int store_scan_begin_kind(struct store *s, const char *site, const char *kind, int64_t now,
                          int64_t *ret_scan_id);
/* Records the end of a scan with its state (not SCAN_RUNNING) and numbers (stats may be
 * NULL). Only a running scan can end: -EINVAL otherwise, -ENOENT for an unknown scan. */
int store_scan_finish(struct store *s, int64_t scan_id, enum scan_state state, int64_t now,
                      const struct store_scan_stats *stats);
/* The most recent crawl of site (any state; probes and other kinds of scan are passed
 * over), or -ENOENT. */
typedef int (*store_scan_fn)(const struct store_scan *scan, void *userdata);
int store_scan_last(struct store *s, const char *site, store_scan_fn fn, void *userdata);

/* One URL fetched in a scan: a page that was parsed, or a link that was only checked. */
struct store_page {
        const char *url;
        const char *final_url;     /* after redirects; NULL when the same */
        const char *kind;          /* "homepage", "list", "article", "resource" */
        const char *column;        /* the column it was reached from, or NULL */
        int depth;
        long status;               /* HTTP status, 0 when no response */
        const char *error;         /* transport error text, or NULL */
        const char *content_type;
        const char *charset;       /* charset the body was decoded from, or NULL */
        int64_t bytes;
        int64_t fetched_at;
        double seconds;
        int attempts;
        bool parsed;
        const char *title;
        const char *pubdate;       /* "YYYY-MM-DD" or NULL */
        const char *etag;
        const char *last_modified;
};
/* Inserts, or replaces the row with the same (scan, url). A replaced page keeps its id and
 * loses the links stored for it: they described the earlier fetch. */
int store_page_put(struct store *s, int64_t scan_id, const struct store_page *p,
                   int64_t *ret_page_id);

/* One link found on a page. */
struct store_link {
        const char *url;
        const char *kind;          /* "a", "img", "script", "link", "iframe", ... */
        const char *text;          /* anchor text or alt, may be NULL */
        const char *scope;         /* "site" (站内), "domain" (域内), "external" (域外) */
};
/* Inserts the page's links in one statement loop (inside the caller's transaction, or its
 * own). The page must belong to scan_id (-EINVAL) and exist (-ENOENT). */
int store_links_put(struct store *s, int64_t scan_id, int64_t page_id,
                    const struct store_link *links, size_t n);

/* What a scan saw. (site, rule, subject) identifies the problem across scans: the subject
 * is the column URL for column rules, the link URL for dead links, the page URL plus the
 * word for dictionary hits, and so on. */
struct store_finding {
        const char *site;
        const char *rule;          /* "dead_link", "column_stale", "column_blank", ... */
        enum finding_kind kind;
        enum severity severity;
        const char *subject;
        const char *unit;          /* 责任单位 name, or NULL */
        const char *column;        /* column name, or NULL */
        const char *url;           /* where to look */
        const char *detail;        /* one Chinese sentence with the number that was broken */
        const char *evidence;      /* JSON text, or NULL */
};
/* Adds a finding to a scan. A second finding with the same (rule, subject) in the same
 * scan replaces the first. f->site may be NULL (the scan's site); another site is -EINVAL. */
int store_finding_add(struct store *s, int64_t scan_id, const struct store_finding *f);

struct store_reconcile_stats {
        int opened;     /* new violations */
        int kept;       /* open and seen again */
        int reopened;   /* were fixed, seen again */
        int fixed;      /* open, not seen by this scan: fixed */
        /* Accepted violations seen again are in none of these. */
};
/* Folds a COMPLETE scan's findings into the violations of its site, in one transaction:
 * a finding with no violation opens one; an open one is kept (last_seen, times_seen,
 * detail updated); a fixed one is reopened; an accepted one stays accepted but is marked
 * seen. Open violations of the scan's site whose rule is one of rules[0..n_rules) and that
 * the scan did not find are marked fixed by this scan. Every state change is written to
 * the violation's history. A scan that is not COMPLETE is refused with -EINVAL, so an
 * interrupted scan never marks anything fixed. Reconciling the same scan twice is a no-op
 * the second time (-EALREADY). A scan older than one of the same site and kind already
 * reconciled is refused with -ESTALE: its findings would undo the newer scan's. Times are
 * now. */
int store_reconcile(struct store *s, int64_t scan_id, const char *const *rules, size_t n_rules,
                    int64_t now, struct store_reconcile_stats *ret_stats);
/* The same for a scan that looked at one page only: it marks fixed only the violations
 * found on that page (violations.url = page), since it did not look anywhere else. */
int store_reconcile_page(struct store *s, int64_t scan_id, const char *const *rules,
                         size_t n_rules, const char *page, int64_t now,
                         struct store_reconcile_stats *ret_stats);

struct store_violation {
        int64_t id;
        const char *site, *rule, *subject;
        enum finding_kind kind;
        enum severity severity;
        enum violation_state state;
        const char *unit, *column, *url, *detail, *evidence;
        int64_t first_seen, last_seen, fixed_at;   /* fixed_at 0 unless fixed */
        int64_t times_seen;
};

struct store_violation_filter {
        int state;              /* an enum violation_state, or -1 for all */
        const char *site;       /* NULL for all */
        const char *rule;       /* NULL for all */
        int64_t scan_id;        /* > 0: only violations the given scan found */
};
typedef int (*store_violation_fn)(const struct store_violation *v, void *userdata);
/* Calls fn for each matching violation ordered by site, unit, rule, subject. A non-zero
 * return from fn stops the walk and is returned. */
int store_violations_foreach(struct store *s, const struct store_violation_filter *filter,
                             store_violation_fn fn, void *userdata);

/* Sets a violation's state by hand (accept an exception, reopen), recording who and why
 * in its history. who is required, and why when accepting. VIOLATION_FIXED is -EINVAL:
 * only a complete re-check closes a problem. Setting the current state again is a no-op. */
int store_violation_set_state(struct store *s, int64_t violation_id, enum violation_state state,
                              int64_t now, const char *who, const char *why);

struct store_violation_event {
        int64_t at;
        int64_t scan_id;        /* 0 when a person made the change */
        const char *event;      /* "opened", "reopened", "fixed", "accepted", ... */
        const char *who, *why;  /* may be NULL */
};
typedef int (*store_event_fn)(const struct store_violation_event *e, void *userdata);
int store_violation_history(struct store *s, int64_t violation_id, store_event_fn fn,
                            void *userdata);

/* ---- availability probes and site verdicts (store_probe.c, store_verdict.c) ------------ */

/* Begins a scan of kind "probe" (one run of the availability probes of a site): like
 * store_scan_begin, but the scan is marked so that store_scan_last_crawl() and the verdicts
 * pass over it. It ends and reconciles as any scan, with the probe rules only. */
int store_probe_scan_begin(struct store *s, const char *site, int64_t now, int64_t *ret_scan_id);

/* One load of a site's homepage within the probe's limit (DOMAIN.md, 站点无法访问). */
struct store_probe {
        const char *site;
        const char *url;
        int64_t at;
        bool ok;                   /* loaded: a 2xx answer with a body, within the limit */
        long status;               /* HTTP status, 0 when none */
        const char *failure;       /* NULL when ok: http_failure_id(), "status" or "empty" */
        const char *error;         /* curl's message or a Chinese reason, may be NULL */
        double seconds;
};
/* Records a probe; scan_id is its probe scan (0 for none). */
int store_probe_add(struct store *s, int64_t scan_id, const struct store_probe *p);

struct store_probe_counts {
        int64_t probes;
        int64_t failures;
        int64_t first_at, last_at;      /* 0 when there is no probe */
};
/* Counts the probes of site made at from <= at <= to. */
int store_probe_counts(struct store *s, const char *site, int64_t from, int64_t to,
                       struct store_probe_counts *ret);

/* The most recent COMPLETE scan of kind "crawl" of site, or -ENOENT. */
int store_scan_last_crawl(struct store *s, const char *site, store_scan_fn fn, void *userdata);

/* The single-veto evaluation of a site at one crawl scan (rules/verdict.c computes it). */
struct store_verdict {
        int64_t id;
        int64_t scan_id;
        const char *site;
        int64_t at;
        bool qualified;            /* 合格 */
        int vetoes;                /* items that failed */
        int64_t probes, probe_failures;    /* in the probe window before the scan */
        int homepage_age;          /* days since the homepage's newest item, -1 unknown */
        int overdue_news, overdue_notice, overdue_any;  /* 栏目不更新: the three counts */
        int blank;                 /* 空白栏目 */
        int serious_errors;        /* 严重表述错误 */
        int unanswered;            /* 互动回应差: messages unanswered too long */
        const char *reasons;       /* one sentence per failed item, "\n" between; may be NULL */
};
/* Stores the verdict of v->scan_id, replacing one stored before for that scan. */
int store_verdict_put(struct store *s, const struct store_verdict *v);
typedef int (*store_verdict_fn)(const struct store_verdict *v, void *userdata);
/* The verdict of a scan, or -ENOENT. */
int store_verdict_get(struct store *s, int64_t scan_id, store_verdict_fn fn, void *userdata);
/* The latest verdict of site from a scan before scan_id (the trend's reference), or
 * -ENOENT when there is none. */
int store_verdict_previous(struct store *s, const char *site, int64_t scan_id,
                           store_verdict_fn fn, void *userdata);
/* ---- new-media accounts (store_media.c) ----------------------------------------------- */

/* One check of one ledger account (the account_checks table): what the reports count as
 * "accounts checked" and "accounts qualified" per unit. status is "ok" or the rule id of
 * what was wrong; type is the Chinese type name ("微信公众号"); unit is the unit's name. */
struct store_account_check {
        int64_t at;
        const char *account;       /* its id in rules.d */
        const char *name;
        const char *type;
        const char *unit;          /* may be NULL */
        const char *status;
        bool has_newest;
        int64_t newest;            /* Unix time of its newest post */
        const char *detail;        /* may be NULL */
};
/* Records one check (its own transaction, or a savepoint in the caller's). -EINVAL when
 * account, name, type or status is missing. */
int store_account_check_put(struct store *s, const struct store_account_check *c);
typedef int (*store_account_check_fn)(const struct store_account_check *c, void *userdata);
/* Calls fn for each check made at time at (one run), ordered by unit then account; a
 * non-zero return from fn stops the walk and is returned. */
int store_account_checks_foreach(struct store *s, int64_t at, store_account_check_fn fn,
                                 void *userdata);
/* ---- tickets and mails: the 三单 chain and the nightly email (store_tickets.c) ---------- */

/* 办理单 (handling order), 提醒单 (reminder), 催办单 (urging order); see DOMAIN.md. */
enum ticket_kind {
        TICKET_HANDLING = 0,
        TICKET_REMINDER = 1,
        TICKET_URGING = 2,
};

/* open; closed (a complete re-check no longer found the problem); accepted (a person
 * accepted an exception). */
enum ticket_state {
        TICKET_OPEN = 0,
        TICKET_CLOSED = 1,
        TICKET_ACCEPTED = 2,
};

/* Ids as stored ("handling", "open") and the Chinese labels ("办理单", "办理中"). */
const char *ticket_kind_id(enum ticket_kind k);
const char *ticket_kind_label(enum ticket_kind k);
const char *ticket_state_id(enum ticket_state s);
const char *ticket_state_label(enum ticket_state s);
int ticket_kind_from_id(const char *s, enum ticket_kind *ret);
int ticket_state_from_id(const char *s, enum ticket_state *ret);

struct store_ticket {
        int64_t id;
        enum ticket_kind kind;
        const char *number;             /* "区政务公开办〔2026〕办理单第0012号" */
        int year, seq;
        int64_t violation_id;
        int64_t parent_id;              /* the 办理单 a reminder or urging order follows; 0 if none */
        const char *site, *unit;
        int64_t issued_at;
        int64_t deadline;               /* end of the deadline day; 0 when none */
        enum ticket_state state;
        int64_t closed_at, closed_scan; /* 0 while open */
        const char *reason;             /* why it was accepted, or NULL */
        /* The violation the ticket is about, as it is now. */
        const char *rule, *subject, *column, *url, *detail;
        enum finding_kind v_kind;
        enum severity v_severity;
        enum violation_state v_state;
        int64_t v_fixed_at, v_fixed_scan;  /* 0 unless the violation is fixed */
};

/* A ticket to issue. number, year and seq come from the caller (the office's numbering is
 * configuration); why says what caused it and goes into its history. */
struct store_ticket_new {
        enum ticket_kind kind;
        const char *number;
        int year, seq;
        int64_t violation_id;
        int64_t parent_id;              /* 0 for none */
        const char *site, *unit;
        int64_t issued_at;
        int64_t deadline;               /* 0 for none */
        const char *why;
};

/* The next free number of the yearly sequence of kind: 1 + the largest used. Call it and
 * store_ticket_insert() in one store_begin() transaction: the UNIQUE (kind, year, seq)
 * constraint turns a race with another process into -EEXIST, never into two tickets with
 * the same number. */
int store_ticket_next_seq(struct store *s, enum ticket_kind kind, int year, int *ret_seq);
/* Inserts an open ticket and its "issued" event. -EEXIST when the number or (kind, year,
 * seq) is taken, -ENOENT when the violation does not exist. */
int store_ticket_insert(struct store *s, const struct store_ticket_new *t, int64_t *ret_id);

struct store_ticket_filter {
        int state;                      /* an enum ticket_state, or -1 for all */
        const char *unit;               /* NULL for all */
        int64_t violation_id;           /* > 0: only this violation's */
        int64_t id;                     /* > 0: only this ticket */
        const char *number;             /* non-NULL: only the ticket with this number */
        /* Non-NULL: only tickets that no sent mail of this kind ("unit", "summary"; to
         * unit when unit is set) has covered in this role ("new", "closed"). */
        const char *not_mailed_kind, *not_mailed_role;
};
typedef int (*store_ticket_fn)(const struct store_ticket *t, void *userdata);
/* Calls fn for each matching ticket, by deadline (tickets without one last), then number.
 * A non-zero return from fn stops the walk and is returned. */
int store_tickets_foreach(struct store *s, const struct store_ticket_filter *filter,
                          store_ticket_fn fn, void *userdata);

/* Changes a ticket's state and records the change ("closed", "accepted", "reopened") in its
 * history. Closing needs the scan that found the problem gone (scan_id > 0, the evidence);
 * accepting needs who and why; reopening needs who. at is the time of the change.
 * Setting the current state again is -EALREADY. */
int store_ticket_set_state(struct store *s, int64_t ticket_id, enum ticket_state state,
                           int64_t at, int64_t scan_id, const char *who, const char *why);

struct store_ticket_event {
        int64_t at;
        int64_t scan_id;                /* 0 unless a scan caused it */
        const char *event;              /* "issued", "closed", "accepted", "reopened" */
        const char *who, *why;          /* may be NULL */
};
typedef int (*store_ticket_event_fn)(const struct store_ticket_event *e, void *userdata);
/* The ticket's history, oldest first; -ENOENT for an unknown ticket. */
int store_ticket_history(struct store *s, int64_t ticket_id, store_ticket_event_fn fn,
                         void *userdata);

enum mail_state {
        MAIL_PENDING = 0,
        MAIL_SENT = 1,
        MAIL_FAILED_TEMPORARY = 2,
        MAIL_FAILED_PERMANENT = 3,
        MAIL_SUPERSEDED = 4,
        /* The whole message went to the server and its answer was not recorded: it may
         * have been delivered. Never sent again automatically (see store_mail_in_doubt). */
        MAIL_IN_DOUBT = 5,
};
const char *mail_state_id(enum mail_state s);   /* "pending", "sent", "failed-temporary"... */

struct store_mail {
        int64_t id;
        const char *day;                /* "2026-11-23", the CST day it is the mail of */
        const char *kind;               /* "unit" or "summary" */
        const char *unit;               /* the unit's name */
        const char *recipients;         /* envelope recipients, comma-separated */
        const char *subject;            /* as the reader sees it (not encoded) */
        const char *message_id;         /* "<...@...>" */
        const char *message;            /* the whole RFC 5322 message */
        size_t message_len;
        enum mail_state state;
        int attempts;
        int64_t created_at, last_attempt_at, sent_at;   /* 0 when not yet */
        const char *error;              /* the last failure, or NULL */
};

/* Which tickets a mail reports and how: "new", "open" or "closed". */
struct store_mail_cover {
        int64_t ticket_id;
        const char *role;
};

/* Records a pending mail with what it covers. -EEXIST when (day, kind, unit) already has
 * one: a rerun the same day must not write a second. */
int store_mail_create(struct store *s, const struct store_mail *m,
                      const struct store_mail_cover *cover, size_t n_cover, int64_t *ret_id);

struct store_mail_filter {
        int state;                      /* an enum mail_state, or -1 for all */
        bool unsent;                    /* only pending and failed-temporary ones */
        const char *day, *kind, *unit;  /* NULL for all */
};
typedef int (*store_mail_fn)(const struct store_mail *m, void *userdata);
/* Calls fn for each matching mail, oldest first. */
int store_mails_foreach(struct store *s, const struct store_mail_filter *filter,
                        store_mail_fn fn, void *userdata);

/* Records an attempt to send mail id: its outcome (sent, failed-temporary,
 * failed-permanent, or in-doubt when the server's answer never came), when, and the error
 * (NULL when sent). The mail must be pending, failed-temporary or in-doubt. */
int store_mail_attempted(struct store *s, int64_t mail_id, enum mail_state state, int64_t at,
                         const char *error);
/* Marks mail id in-doubt, committed, just before the end of its data goes to the server:
 * from then on the server may accept it at any moment, and a process killed before
 * store_mail_attempted() must leave a mail that is not sent again (a duplicate), rather
 * than one that is (RFC 1047). -ENOENT unless it is pending or failed-temporary. */
int store_mail_in_doubt(struct store *s, int64_t mail_id, int64_t at);
/* Marks superseded the unsent mails of kind to unit from days before day: the mail of day
 * reports everything they would have. *ret_n (may be NULL) is how many. */
int store_mails_supersede(struct store *s, const char *kind, const char *unit, const char *day,
                          int *ret_n);
/* ---- reports (store_report.c) ------------------------------------------------------------
 * Read-only aggregates for the quarterly 通报, the monthly key-column roll, the big screen and
 * the printable 单. Periods are half-open [from, to) in Unix time for the times the store
 * records, and inclusive "YYYY-MM-DD" days for publication dates. Rows handed to callbacks
 * are valid only during the call; a non-zero return from fn stops the walk and is returned. */

/* Articles published: pages of kind "article" whose pubdate lies in [first_day, last_day],
 * counted once per (site, URL) over every scan, whatever its state — a list shows only its
 * latest pages, so an item of the period may have left the list by the time the report is
 * made, and an interrupted scan's pages were still really published. A URL is counted under
 * the column of its latest fetch. One row per (site, column, month "YYYY-MM"); pages with no
 * column are left out. */
struct store_report_items {
        const char *site, *column, *month;
        int64_t count;
};
typedef int (*store_report_items_fn)(const struct store_report_items *row, void *userdata);
int store_report_items(struct store *s, const char *first_day, const char *last_day,
                       store_report_items_fn fn, void *userdata);

/* Problems found in a period: violations (not early warnings) first seen in [from, to),
 * whatever their state now, by unit (NULL when none) and rule. */
struct store_report_problems {
        const char *unit, *rule;
        int64_t count;
};
typedef int (*store_report_problems_fn)(const struct store_report_problems *row,
                                        void *userdata);
int store_report_problems(struct store *s, int64_t from, int64_t to, store_report_problems_fn fn,
                          void *userdata);

/* Tickets issued in [from, to) by unit and kind, and how the handling orders among them
 * stand at now: on time (closed at or before the deadline), overdue (closed after it, or
 * open past it), pending (open, deadline not reached) and accepted. Reminders and urging
 * orders follow a handling order, so only handling orders are judged; their on_time,
 * overdue and pending are 0. */
struct store_report_tickets {
        const char *unit, *kind;
        int64_t issued, on_time, overdue, pending, accepted;
};
typedef int (*store_report_tickets_fn)(const struct store_report_tickets *row, void *userdata);
int store_report_tickets(struct store *s, int64_t from, int64_t to, int64_t now,
                         store_report_tickets_fn fn, void *userdata);

/* The new-media accounts checked in [from, to): one row per account, its last check in the
 * period (the latest time, then the latest row). An account is qualified when that check's
 * status is "ok". Ordered by unit, account. */
struct store_report_account {
        const char *account, *name, *type, *unit, *status, *detail;
        int64_t at, newest;     /* newest 0 when no post could be read */
        int64_t checks;         /* rows of this account in the period */
};
typedef int (*store_report_account_fn)(const struct store_report_account *a, void *userdata);
int store_report_accounts(struct store *s, int64_t from, int64_t to, store_report_account_fn fn,
                          void *userdata);

/* A ticket with the violation it is about, for the printable 单. */
struct store_report_ticket {
        int64_t id, year, seq;
        const char *kind, *number, *site, *unit, *state, *reason;
        const char *parent_number;              /* the handling order followed, or NULL */
        int64_t issued_at, deadline, closed_at; /* deadline and closed_at 0 when not set */
        /* the violation */
        int64_t violation_id;
        const char *rule, *subject, *severity, *column, *url, *detail, *evidence;
        int64_t first_seen, last_seen;
};
/* Which tickets: by id (> 0), or by number, or every ticket of a unit (NULL for all) of a
 * kind (NULL for all) in a state (NULL for all). Ordered by issued_at, then id. */
struct store_report_ticket_filter {
        int64_t id;
        const char *number;
        const char *unit, *kind, *state;
};
typedef int (*store_report_ticket_fn)(const struct store_report_ticket *t, void *userdata);
int store_report_ticket_list(struct store *s, const struct store_report_ticket_filter *filter,
                             store_report_ticket_fn fn, void *userdata);

/* Runs fn(userdata) inside one read transaction, so that every query it makes sees the same
 * snapshot while a scan writes (a report's totals then add up). When the caller already has
 * a transaction open, fn runs inside it. fn must only read (the store_report_ functions):
 * a write function would find a transaction it did not open. Returns fn's result, or a
 * negative errno. */
int store_report_snapshot(struct store *s, int (*fn)(void *userdata), void *userdata);

/* ---- the crawl: frontier, resumable scans, page cache (store/store_frontier.c) ---------- */

/* Takes an interrupted scan back into the running state, owned by this process, so that its
 * crawl continues from the stored frontier. Only an interrupted scan that was never
 * reconciled can resume: -EINVAL otherwise, -ENOENT for an unknown scan. */
int store_scan_resume(struct store *s, int64_t scan_id);
/* Gives up an interrupted scan for good (a newer scan of the site begins instead of
 * resuming it): its frontier and staged links are deleted, in one transaction. The scan
 * stays recorded as interrupted. -EINVAL for a scan that is not interrupted. */
int store_scan_abandon(struct store *s, int64_t scan_id);
/* The fingerprint of what a scan crawls (site, columns, caps): recorded at its start and
 * compared before resuming it, because the frontier refers to columns by position.
 * get: -ENOENT when none was recorded; *ret_fingerprint is a copy the caller frees. */
int store_scan_plan_set(struct store *s, int64_t scan_id, const char *fingerprint);
int store_scan_plan_get(struct store *s, int64_t scan_id, char **ret_fingerprint);

/* The frontier of one scan of one site, and that site's page cache, with their statements
 * prepared once. Opened by the crawl, closed (accepts NULL) before store_close(). The
 * crawler's enumerations (kind, link kind, verdict, failure) are passed as its text ids. */
struct store_frontier;
int store_frontier_open(struct store *s, int64_t scan_id, const char *site,
                        struct store_frontier **ret);
void store_frontier_close(struct store_frontier *f);

struct store_frontier_add {
        const char *url, *kind, *link_kind;
        int prio, column, depth;
        int64_t referrer;               /* frontier id of the linking page, 0: none */
};
/* Adds url as queued when the scan has not met it: *ret_added true. Otherwise nothing
 * changes and *ret_added is false. Either way *ret_id is the URL's row. */
int store_frontier_add(struct store_frontier *f, const struct store_frontier_add *a,
                       int64_t *ret_id, bool *ret_added);
/* 1 and *ret_id when the scan has met url, 0 when not. */
int store_frontier_find(struct store_frontier *f, const char *url, int64_t *ret_id);
/* A column's list claims url: its column becomes `column` if it had none and its kind is
 * "article" or "page" (any kind with any_kind). Returns 1 when claimed, 0 when not
 * (unknown URL, already claimed). */
int store_frontier_claim(struct store_frontier *f, const char *url, int column, bool any_kind);
/* Gives url a referrer when it has none (a planned URL met as a link). 1 when set. */
int store_frontier_set_referrer(struct store_frontier *f, const char *url, int64_t referrer,
                                const char *link_kind);

/* A leased row: owned strings, freed by store_frontier_rows_free(). */
struct store_frontier_row {
        int64_t id;
        char *url, *kind, *link_kind;
        int prio, column, depth, attempts;
        int64_t referrer;
        char *history;                  /* JSON array of the attempts so far, or NULL */
};
/* Leases up to max queued rows due at now_ms (not_before <= now_ms), by priority then
 * discovery order; they become "leased" until requeued or done. */
int store_frontier_lease(struct store_frontier *f, int64_t now_ms, size_t max,
                         struct store_frontier_row **ret_rows, size_t *ret_n);
void store_frontier_rows_free(struct store_frontier_row *rows, size_t n);
/* Puts a leased row back in the queue, due at not_before_ms (a retry, a host in backoff). */
int store_frontier_requeue(struct store_frontier *f, int64_t id, int64_t not_before_ms,
                           int attempts, const char *history);
/* The number of queued rows and the soonest not_before among them (0 when none). */
int store_frontier_queued(struct store_frontier *f, int64_t *ret_count, int64_t *ret_next_ms);
/* Leased rows go back to the queue, due at once: a resumed scan's rows that the killed
 * process had in memory or in flight; queued rows that waited for a time of the killed
 * process are due at once too. Returns the number of rows changed. */
int store_frontier_reset(struct store_frontier *f);

struct store_frontier_result {
        int64_t id;
        const char *verdict;            /* "ok", "dead", "suspect", "skipped" */
        long status;
        const char *failure, *error, *final_url, *content_type;
        int attempts;
        const char *history;
        bool parsed;
        bool has_pubdate;
        int32_t pubdate;                /* xj_day */
        const char *soft404;            /* why a 200 answer is an error page, or NULL */
};
int store_frontier_done(struct store_frontier *f, const struct store_frontier_result *r);

/* A finished row, with the URL and column of the page that first linked it. */
struct store_frontier_done_row {
        struct store_frontier_result r;
        const char *url, *kind, *link_kind;
        int column, depth;
        const char *referrer_url;       /* NULL: none */
        int referrer_column;
};
typedef int (*store_frontier_fn)(const struct store_frontier_done_row *row, void *userdata);
/* Calls fn for each done row in discovery order; broken_only: those whose verdict is
 * "dead" or "suspect" and that have a referrer, and pages (kind other than "resource")
 * whose body was over the cap (failure "too_large"). fn must not call the frontier
 * functions above. A non-zero return stops the walk and is returned. */
int store_frontier_foreach_done(struct store_frontier *f, bool broken_only,
                                store_frontier_fn fn, void *userdata);
/* The date a done page showed for itself: 1 and *ret_day, or 0 when none is known. */
int store_frontier_pubdate(struct store_frontier *f, const char *url, int32_t *ret_day);
/* Deletes the rows of a scan; called once it has completed. */
int store_frontier_clear(struct store *s, int64_t scan_id);

/* A page's links during a crawl: appended to an unindexed staging table (the indexes of
 * links cost more than everything else a page needs, written page by page), and moved to
 * links when the scan completes, by store_links_publish(), in one statement. Same
 * arguments and checks as store_links_put() except that the page is not looked up. */
int store_links_stage(struct store *s, int64_t scan_id, int64_t page_id,
                      const struct store_link *links, size_t n);
int store_links_publish(struct store *s, int64_t scan_id);

/* Checkpoints off the writer's thread. A commit on the store's connection copies the WAL
 * back into the database whenever it has grown past 1000 pages, on the committing thread:
 * for the crawl, which writes a page-cache entry, a page and its links per fetch, that was
 * a tenth of its loop thread. store_autocheckpoint(s, false) stops that (true restores
 * it); a checkpointer is a second connection to the store's file, whose
 * store_checkpointer_run() does the copy (PASSIVE: it never waits for the writer, and
 * copies what was committed) from any thread, one call at a time. -ENOTSUP for an
 * in-memory store. A checkpointer outlives neither the file nor the process, and closing
 * it does not touch the store. The WAL starts over only when a transaction begins after a
 * checkpoint has copied all of it, which a writer that begins its next transaction while
 * the checkpointer works never sees: store_checkpoint() runs one on the store's own
 * connection, outside a transaction, so that the next one does. */
struct store_checkpointer;
int store_checkpointer_open(struct store *s, struct store_checkpointer **ret);
int store_checkpointer_run(struct store_checkpointer *cp);
void store_checkpointer_close(struct store_checkpointer *cp);
void store_autocheckpoint(struct store *s, bool on);
int store_checkpoint(struct store *s);

/* The page cache of the frontier's site: what the checks need from a parsed page, with its
 * validators. Strings and the extract are valid only during the callback. */
struct store_cached_page {
        const char *etag, *last_modified, *parse_key, *content_type, *charset;
        const void *extract;
        size_t extract_len;
};
typedef int (*store_cached_page_fn)(const struct store_cached_page *p, void *userdata);
/* Calls fn with the entry for url and returns its result, or -ENOENT. */
int store_page_cache_get(struct store_frontier *f, const char *url, store_cached_page_fn fn,
                         void *userdata);
/* Inserts or replaces the entry for url, as used by the frontier's scan. */
int store_page_cache_put(struct store_frontier *f, const char *url,
                         const struct store_cached_page *p);
/* Marks the entry for url as used by the frontier's scan (a 304 reused it). */
int store_page_cache_touch(struct store_frontier *f, const char *url);
/* Deletes the site's entries no scan since `scan_id` used: pages gone from the site. */
int store_page_cache_prune(struct store *s, const char *site, int64_t scan_id);
/* ---- the daemon's jobs and its status (store_jobs.c) --------------------------------------
 * One row per (site, kind): kind is "probe", "scan" or "mail"; site is "" for a
 * job of no one site. Times are Unix seconds of the daemon's clock (which tests run fast). */
struct store_job {
        const char *site, *kind;
        int64_t next_run;               /* 0 when not scheduled yet */
        int64_t last_start, last_end;   /* 0 when it never ran (or never finished) */
        const char *last_result;        /* "ok", "failed", "interrupted"; NULL when none */
        const char *last_error;         /* NULL when none */
        int64_t last_success;           /* the end of its last "ok" run, or 0 */
        double last_seconds;            /* real seconds of its last run */
        int64_t runs;
};
/* *ret_next is the stored next_run of the job, -ENOENT when the job has no row. */
int store_job_next(struct store *s, const char *site, const char *kind, int64_t *ret_next);
/* Records the slot a job is next due at (creating the row). */
int store_job_schedule(struct store *s, const char *site, const char *kind, int64_t next_run);
/* A run begins at start: counted, last_start set, the previous run's end cleared. */
int store_job_started(struct store *s, const char *site, const char *kind, int64_t start);
/* A run ended: result ("ok", "failed", "interrupted"), error (NULL when none), its real
 * duration, and the slot the job is next due at. */
int store_job_finished(struct store *s, const char *site, const char *kind, int64_t end,
                       const char *result, const char *error, double seconds,
                       int64_t next_run);
typedef int (*store_job_fn)(const struct store_job *j, void *userdata);
/* Every job, by site then kind. */
int store_jobs_foreach(struct store *s, store_job_fn fn, void *userdata);

/* What `xunjian status` and the metrics count: open violations by (site, unit, rule,
 * severity, kind) and open tickets by (unit, kind); unit "" when none. */
struct store_status_count {
        const char *site, *unit, *rule, *severity, *kind;
        int64_t count;
};
typedef int (*store_status_count_fn)(const struct store_status_count *c, void *userdata);
int store_status_violations(struct store *s, store_status_count_fn fn, void *userdata);
int store_status_tickets(struct store *s, store_status_count_fn fn, void *userdata);
/* Mails by state ("sent", "failed-temporary"...), as a count in kind and count. */
int store_status_mails(struct store *s, store_status_count_fn fn, void *userdata);
