/* What the office publishes (DOMAIN.md, "What the office publishes"): the quarterly 通报 per
 * unit with its trend against the previous period, the monthly roll of key columns (seed
 * 000 附件1), the big-screen page for the government building, and the printable 办理单、
 * 提醒单、催办单. Every page is self-contained HTML (inline CSS and SVG, no external asset)
 * and every value in it is escaped; the tables also come as CSV (UTF-8 with a BOM, so that
 * a spreadsheet reads the Chinese).
 *
 * Pages and CSV are returned as one allocated string the caller frees; a page that would
 * pass NOTIFY_PAGE_MAX bytes is refused with -ENOBUFS rather than cut. Store errors are
 * returned as they come (store_errmsg() has the message). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/xtime.h"
#include "rules/config.h"
#include "store/store.h"

#define NOTIFY_PAGE_MAX (32u << 20)

/* ---- periods ---------------------------------------------------------------------------- */

enum notify_period_kind {
        PERIOD_MONTH = 0,
        PERIOD_QUARTER = 1,
        PERIOD_YEAR = 2,
};

struct notify_period {
        enum notify_period_kind kind;
        int year;
        int index;              /* month 1-12, quarter 1-4, 0 for a year */
        xj_day first, last;     /* China Standard Time days, inclusive */
};

/* Parses "2026Q3" (or "2026q3"), "2026-10" or "2026". On failure returns -EINVAL and, when
 * ret_error is non-NULL, a message naming the value that the caller frees. */
int notify_period_parse(const char *s, struct notify_period *ret, char **ret_error);
/* The period of the same kind containing now. */
void notify_period_of(enum notify_period_kind kind, int64_t now, struct notify_period *ret);
/* The period of the same kind just before p. */
void notify_period_previous(const struct notify_period *p, struct notify_period *ret);
/* "2026Q3", "2026-10", "2026" into buf (at least 16 bytes); returns buf. */
char *notify_period_id(const struct notify_period *p, char *buf);
/* "2026年第三季度", "2026年10月", "2026年" into buf (at least 32 bytes); returns buf. */
char *notify_period_label(const struct notify_period *p, char *buf);
/* The period as Unix times [from, to). */
int64_t notify_period_from(const struct notify_period *p);
int64_t notify_period_to(const struct notify_period *p);

/* ---- the quarterly 通报 ----------------------------------------------------------------- */

enum {
        TICKET_KIND_HANDLING = 0,       /* 办理单 */
        TICKET_KIND_REMINDER = 1,       /* 提醒单 */
        TICKET_KIND_URGING = 2,         /* 催办单 */
        TICKET_KINDS = 3,
};
/* "handling" → 办理单...; NULL for an unknown kind. */
const char *notify_ticket_kind_label(const char *kind);

/* The numbers of one unit (or of all) in one period. */
struct notify_counts {
        int64_t items;          /* articles published in the unit's columns */
        int64_t columns;        /* the unit's configured columns in enabled sites */
        int64_t problems;       /* violations first seen in the period */
        int64_t accounts;       /* new-media accounts checked */
        int64_t accounts_ok;    /* ... whose last check in the period passed */
        int64_t issued[TICKET_KINDS];
        int64_t on_time, overdue, pending, accepted;    /* handling orders, see store.h */
};

struct notify_unit_report {
        char *name;
        bool configured;        /* a unit of rules.d (others come from the database) */
        struct notify_counts cur, prev;
        int64_t *problems_by_rule;      /* parallel to notify_report.rules, current period */
};

struct notify_account_row {
        char *unit, *name, *type, *status, *detail;
        int64_t at;
};

struct notify_report {
        struct notify_period period, prev;
        int64_t now;
        /* Units of rules.d in their order, then any other unit named in the data by name;
         * "（未指定单位）" collects rows with no unit. */
        struct notify_unit_report *units;
        size_t n_units;
        struct notify_counts total_cur, total_prev;
        /* The rule ids with problems in the current or previous period, sorted. */
        char **rules;
        size_t n_rules;
        int64_t *rule_cur, *rule_prev;
        /* Accounts whose last check in the current period did not pass. */
        struct notify_account_row *bad_accounts;
        size_t n_bad_accounts;
        /* Articles of columns no longer in rules.d: counted in no unit, said in a note. */
        int64_t unattributed_items;
};

/* Computes the 通报 of period p (and of the period before, for the trend) from the store,
 * reading in one snapshot. The report references nothing in c or s once built. */
int notify_report_build(const struct rule_config *c, struct store *s,
                        const struct notify_period *p, int64_t now, struct notify_report **ret);
/* Accepts NULL. */
void notify_report_free(struct notify_report *r);
/* The row of a unit by name; NULL when none. */
const struct notify_unit_report *notify_report_unit(const struct notify_report *r,
                                                    const char *name);
/* Pass rate in percent of checked accounts; -1 when none was checked. */
double notify_pass_rate(const struct notify_counts *n);

int notify_report_html(const struct notify_report *r, const struct rule_office *office,
                       char **ret, size_t *ret_len);
/* One row per unit: the current numbers, then the previous period's. */
int notify_report_csv(const struct notify_report *r, char **ret, size_t *ret_len);

/* ---- the monthly key-column roll (seed 000 附件1) ---------------------------------------- */

struct notify_roll_row {
        const struct rule_key_column *key;      /* borrowed from the configuration */
        int64_t counts[12];                      /* parallel to the roll's months */
};

struct notify_roll {
        struct notify_period period;
        int year;
        int first_month, n_months;      /* months first_month .. first_month + n_months - 1 */
        /* Months that had not ended at now are not judged: -1 not begun, 0 running, 1 ended. */
        int month_state[12];
        int64_t now;
        struct notify_roll_row *rows;
        size_t n_rows;
};

/* The months shown: a month period shows its year to date (January to that month), a
 * quarter its three months, a year its twelve. The roll borrows the key columns from c:
 * free it before c. -ENOENT when rules.d names no key columns. */
int notify_roll_build(const struct rule_config *c, struct store *s, const struct notify_period *p,
                      int64_t now, struct notify_roll **ret);
void notify_roll_free(struct notify_roll *r);
/* True when the cell is short of the column's monthly minimum in a month that has ended. */
bool notify_roll_short(const struct notify_roll *r, size_t row, int month);

int notify_roll_html(const struct notify_roll *r, const struct rule_office *office, char **ret,
                     size_t *ret_len);
int notify_roll_csv(const struct notify_roll *r, char **ret, size_t *ret_len);

/* ---- the big screen --------------------------------------------------------------------- */

/* The page for the display in the government building: one slide per unit (large type,
 * dark background) advancing every office->screen_seconds by a small inline script, the
 * key-column roll of the current year, and a <meta http-equiv=refresh> so that the browser
 * on the display picks up a new file by itself. report and roll may be NULL. */
int notify_screen_html(const struct notify_report *report, const struct notify_roll *roll,
                       const struct rule_office *office, char **ret, size_t *ret_len);

/* ---- the printable 单 ------------------------------------------------------------------- */

/* Which tickets one document holds: one ticket (by id or number), or every open ticket of
 * one kind for one unit. */
struct notify_document_query {
        int64_t id;
        const char *number;
        const char *unit;
        const char *kind;       /* "handling", "reminder", "urging" */
};

/* Writes the 单 as an HTML page formatted like an official notice (red header, number,
 * addressee, body, the table of problems with evidence, the deadline, the issuing office
 * and date; A4 print stylesheet). -ENOENT when no ticket matches. now dates the document. */
int notify_document_html(struct store *s, const struct rule_office *office,
                         const struct notify_document_query *q, int64_t now, char **ret,
                         size_t *ret_len);

/* Chinese date "2026年10月15日" of Unix time t into buf (at least 32 bytes); returns buf. */
char *notify_date_cn(int64_t t, char *buf);
