/* The site verdict; see verdict.h. */
#include "rules/verdict.h"

#include <stdio.h>

#include "common/buf.h"

void rule_verdict_init(struct rule_verdict *v, const struct rule_availability *a)
{
        *v = (struct rule_verdict){.homepage_age = -1};
        if (a)
                v->probes = *a;
}

void rule_verdict_clear(struct rule_verdict *v)
{
        strv_free(&v->reasons);
}

/* "age_days":N in a finding's evidence, or -1. */
static int evidence_age(const char *evidence)
{
        const char *p = evidence ? strstr(evidence, "\"age_days\":") : NULL;

        if (!p)
                return -1;
        long n = strtol(p + strlen("\"age_days\":"), NULL, 10);
        return n >= 0 && n < 100000 ? (int)n : -1;
}

void rule_verdict_add(struct rule_verdict *v, const struct rule_site *site,
                      const struct store_violation *f)
{
        if (f->state == VIOLATION_ACCEPTED)
                return;
        rule_overdue_add(&v->overdue, site, f->rule, f->kind, f->subject);
        if (streq(f->rule, "homepage_stale") || streq(f->rule, "homepage_stale_warning")) {
                v->homepage_age = evidence_age(f->evidence);
                if (f->kind == FINDING_VIOLATION)
                        v->homepage_stale = true;
        } else if (streq(f->rule, "reply_overdue") && f->kind == FINDING_VIOLATION) {
                v->unanswered++;
        } else if (f->severity == SEVERITY_SERIOUS && f->kind == FINDING_VIOLATION) {
                for (const char *const *id = rule_serious_wording_rules; *id; id++)
                        if (streq(*id, f->rule))
                                v->serious_errors++;
        }
}

void rule_verdict_judge(struct rule_verdict *v, const struct rule_config *c)
{
        const struct rule_settings *set = &c->settings;
        const struct rule_overdue *o = &v->overdue;
        const struct rule_availability *a = &v->probes;

        strv_free(&v->reasons);
        if (rule_availability_judge(set, a) == AVAILABILITY_VETO) {
                int64_t tenths = (a->failures * 1000 + a->probes / 2) / a->probes;
                strv_push_take(&v->reasons,
                               xasprintf("站点无法访问：首页近 %d 天探测 %lld 次，失败 %lld 次，"
                                         "失败率 %lld.%lld%%（达到 %d%% 即单项否决）",
                                         a->window_days, (long long)a->probes,
                                         (long long)a->failures, (long long)(tenths / 10),
                                         (long long)(tenths % 10), set->probe_veto_percent));
        }
        if (v->homepage_stale) {
                if (v->homepage_age >= 0)
                        strv_push_take(&v->reasons,
                                       xasprintf("首页不更新：首页已 %d 天未更新（要求：%d 天内）",
                                                 v->homepage_age, set->homepage_max_age_days));
                else
                        strv_push_take(&v->reasons,
                                       xasprintf("首页不更新：首页没有带发布日期的信息（要求：%d "
                                                 "天内有更新）",
                                                 set->homepage_max_age_days));
        }
        if (o->news + o->notice >= set->overdue_news_veto || o->any >= set->overdue_any_veto)
                strv_push_take(&v->reasons,
                               xasprintf("栏目不更新：动态要闻类 %d 个、通知公告和政策文件类 %d 个"
                                         "超期（合计达到 %d 个即单项否决），应更新栏目超期 %d 个"
                                         "（含空白栏目，达到 %d 个即单项否决）",
                                         o->news, o->notice, set->overdue_news_veto, o->any,
                                         set->overdue_any_veto));
        if (o->blank >= set->blank_veto)
                strv_push_take(&v->reasons,
                               xasprintf("空白栏目：%d 个（达到 %d 个即单项否决）", o->blank,
                                         set->blank_veto));
        if (v->serious_errors > set->serious_errors_max)
                strv_push_take(&v->reasons,
                               xasprintf("严重表述错误：%d 处（超过 %d 处即单项否决）",
                                         v->serious_errors, set->serious_errors_max));
        if (v->unanswered > 0)
                strv_push_take(&v->reasons,
                               xasprintf("互动回应差：%d 条有效留言超过 %d 个月未回复",
                                         v->unanswered, set->reply_max_months));
        v->vetoes = (int)v->reasons.n;
        v->qualified = v->vetoes == 0;
}

void rule_verdict_to_store(const struct rule_verdict *v, const char *site, int64_t scan_id,
                           int64_t at, struct store_verdict *ret, char **ret_reasons_joined)
{
        struct buf b;

        buf_init(&b, 64 * 1024);
        for (size_t i = 0; i < v->reasons.n; i++) {
                if (i)
                        buf_appends(&b, "\n");
                buf_appends(&b, v->reasons.items[i]);
        }
        *ret_reasons_joined = buf_steal(&b);
        *ret = (struct store_verdict){
                .scan_id = scan_id,
                .site = site,
                .at = at,
                .qualified = v->qualified,
                .vetoes = v->vetoes,
                .probes = v->probes.probes,
                .probe_failures = v->probes.failures,
                .homepage_age = v->homepage_age,
                .overdue_news = v->overdue.news,
                .overdue_notice = v->overdue.notice,
                .overdue_any = v->overdue.any,
                .blank = v->overdue.blank,
                .serious_errors = v->serious_errors,
                .unanswered = v->unanswered,
                .reasons = *ret_reasons_joined,
        };
}

static int64_t problems(const struct store_verdict *v)
{
        return (int64_t)v->overdue_any + v->serious_errors + v->unanswered + v->probe_failures;
}

enum rule_trend rule_verdict_trend(const struct store_verdict *now,
                                   const struct store_verdict *prev)
{
        if (!prev)
                return TREND_NONE;
        if (now->qualified != prev->qualified)
                return now->qualified ? TREND_BETTER : TREND_WORSE;
        if (now->vetoes != prev->vetoes)
                return now->vetoes < prev->vetoes ? TREND_BETTER : TREND_WORSE;
        if (problems(now) != problems(prev))
                return problems(now) < problems(prev) ? TREND_BETTER : TREND_WORSE;
        return TREND_SAME;
}

const char *rule_trend_id(enum rule_trend t)
{
        static const char *const ids[] = {"none", "better", "same", "worse"};
        return (unsigned)t < ARRAY_SIZE(ids) ? ids[t] : "?";
}

const char *rule_trend_label(enum rule_trend t)
{
        static const char *const labels[] = {"首次评价", "好转", "持平", "变差"};
        return (unsigned)t < ARRAY_SIZE(labels) ? labels[t] : "?";
}
