/* The site verdict (DOMAIN.md): the single-veto evaluation of a site at one crawl scan,
 * 合格 or 不合格, from the scan's findings and the availability probes of the window before
 * it. Each item that fails is one reason, in Chinese with the numbers:
 *   站点无法访问   probe failures ≥ probe.veto_percent of the window (≥ min_probes probes)
 *   首页不更新     the scan found homepage_stale
 *   栏目不更新     overdue news+notice columns ≥ overdue_news_veto, or overdue 应更新
 *                  columns of any class (blank ones included) ≥ overdue_any_veto
 *   空白栏目       blank columns ≥ blank_veto
 *   严重表述错误   serious findings of the dictionary's rules > serious_errors_max
 *   互动回应差     any valid message unanswered beyond reply_max_months (reply_overdue)
 * A violation a person accepted as an exception does not count. Pure functions: the caller
 * reads the store and keeps the result. */
#pragma once

#include "rules/checks.h"

struct rule_verdict {
        /* What the scan found, gathered by rule_verdict_add(). */
        struct rule_overdue overdue;
        bool homepage_stale;
        int homepage_age;               /* from the homepage finding; -1 when none */
        int serious_errors;
        int unanswered;
        struct rule_availability probes;
        /* Set by rule_verdict_judge(). */
        bool qualified;
        int vetoes;
        struct strv reasons;            /* one sentence per failed item */
};

/* An empty verdict, for the probe window a (copied). */
void rule_verdict_init(struct rule_verdict *v, const struct rule_availability *a);
/* Counts one of the scan's findings (with the state of its violation). */
void rule_verdict_add(struct rule_verdict *v, const struct rule_site *site,
                      const struct store_violation *f);
/* Judges the items against the settings; may be called again (the reasons are rebuilt). */
void rule_verdict_judge(struct rule_verdict *v, const struct rule_config *c);
void rule_verdict_clear(struct rule_verdict *v);

/* The verdict as the store keeps it; borrows reasons_joined, which the caller frees (it
 * gets the reasons joined by "\n"). */
void rule_verdict_to_store(const struct rule_verdict *v, const char *site, int64_t scan_id,
                           int64_t at, struct store_verdict *ret, char **ret_reasons_joined);

enum rule_trend {
        TREND_NONE = 0,                 /* no earlier verdict */
        TREND_BETTER,
        TREND_SAME,
        TREND_WORSE,
};
/* 好转 / 持平 / 变差 against the previous verdict (NULL: none): by 合格 first, then the
 * number of failed items, then the number of problems behind them (overdue columns,
 * serious errors, unanswered messages, probe failures). */
enum rule_trend rule_verdict_trend(const struct store_verdict *now,
                                   const struct store_verdict *prev);
const char *rule_trend_id(enum rule_trend t);          /* "better", "same", ... */
const char *rule_trend_label(enum rule_trend t);       /* "好转", "持平", ... */
