/* 政务新媒体: the ledger's accounts against what their feeds show — an account with no
 * post for its period (内容不更新), a closed account (注销) that still publishes, a feed
 * that is gone or unreadable — and the portal's new-media page (政务新媒体矩阵) against
 * the ledger: an account linked there that the ledger lacks was opened without filing
 * (私自开设, seed 000 item 6, seed 004).
 *
 * Ages are whole calendar days in China Standard Time. Unlike a column's period, the
 * national indicator for new media reads "no update for two weeks" (两周内无更新): an
 * account whose newest post is 14 days old has gone 14 days without posting and is stale;
 * at 13 days it is not. So the boundary is age >= max_age_days, where columns use >. */
#include "rules/checks.h"

#include <stdio.h>
#include <string.h>

#include "crawler/url.h"

const char *const rule_account_rules[] = {
        "account_stale",        "account_closed_active", "account_feed_gone",
        "account_feed_invalid", "account_unlisted",      NULL,
};

static void emit_account(const struct account_observation *o, const char *rule,
                         enum severity severity, const char *detail, const char *evidence,
                         void (*emit)(const struct store_finding *f, void *userdata),
                         void *userdata)
{
        const struct rule_account *a = o->account;
        _cleanup_free_ char *subject = xasprintf("account:%s", a->id);

        emit(&(struct store_finding){
                     .site = RULE_MEDIA_SCOPE,
                     .rule = rule,
                     .kind = FINDING_VIOLATION,
                     .severity = severity,
                     .subject = subject,
                     .unit = a->unit ? a->unit->name : NULL,
                     .column = a->name,
                     .url = a->feed_url ? a->feed_url : a->url,
                     .detail = detail,
                     .evidence = evidence,
             },
             userdata);
}

const char *check_account(const struct account_observation *o, int64_t now,
                          void (*emit)(const struct store_finding *f, void *userdata),
                          void *userdata, char *detail, size_t detail_size)
{
        const struct rule_account *a = o->account;
        const char *type = rule_account_type_label(a->type);
        char evidence[512], day[16], closed[16];
        xj_day today = day_of_time(now);
        int age = o->has_newest ? (int)(today - day_of_time(o->newest)) : -1;

        if (o->has_newest)
                day_format(day_of_time(o->newest), day);
        switch (o->state) {
        case ACCOUNT_FEED_GONE:
                /* A closed account's feed going away is what closing it means. */
                if (a->closed) {
                        snprintf(detail, detail_size, "%s「%s」已注销，订阅源已下线", type,
                                 a->name);
                        return "ok";
                }
                snprintf(detail, detail_size, "%s「%s」的订阅源已无法访问：%s", type, a->name,
                         o->error ? o->error : "");
                emit_account(o, "account_feed_gone", SEVERITY_NORMAL, detail, NULL, emit,
                             userdata);
                return "account_feed_gone";
        case ACCOUNT_FEED_INVALID:
                snprintf(detail, detail_size, "%s「%s」的订阅源无法读取：%s", type, a->name,
                         o->error ? o->error : "");
                emit_account(o, "account_feed_invalid", SEVERITY_NORMAL, detail, NULL, emit,
                             userdata);
                return "account_feed_invalid";
        case ACCOUNT_FEED_READ:
                break;
        }

        if (a->closed) {
                bool active;
                if (!o->has_newest)
                        active = false;
                else if (a->has_closed_day)
                        active = day_of_time(o->newest) > a->closed_day;
                else
                        active = age < a->max_age_days;
                if (!active) {
                        snprintf(detail, detail_size, "%s「%s」已注销，无新发布", type, a->name);
                        return "ok";
                }
                if (a->has_closed_day)
                        snprintf(detail, detail_size,
                                 "%s「%s」台账记为已注销（%s），但 %s 仍有发布", type, a->name,
                                 day_format(a->closed_day, closed), day);
                else
                        snprintf(detail, detail_size,
                                 "%s「%s」台账记为已注销，但 %s 仍有发布（%d 天前）", type,
                                 a->name, day, age);
                snprintf(evidence, sizeof(evidence), "{\"newest\":\"%s\",\"closed\":%s%s%s}", day,
                         a->has_closed_day ? "\"" : "",
                         a->has_closed_day ? day_format(a->closed_day, closed) : "null",
                         a->has_closed_day ? "\"" : "");
                emit_account(o, "account_closed_active", SEVERITY_NORMAL, detail, evidence, emit,
                             userdata);
                return "account_closed_active";
        }

        if (o->has_newest && age < a->max_age_days) {
                snprintf(detail, detail_size, "%s「%s」最近发布于 %s（%d 天前）", type, a->name,
                         day, age);
                return "ok";
        }
        if (o->has_newest) {
                snprintf(detail, detail_size, "%s「%s」已 %d 天未更新（要求：%d 天内有更新）",
                         type, a->name, age, a->max_age_days);
                snprintf(evidence, sizeof(evidence),
                         "{\"newest\":\"%s\",\"age_days\":%d,\"max_age_days\":%d,\"posts\":%zu}",
                         day, age, a->max_age_days, o->n_posts);
        } else {
                snprintf(detail, detail_size,
                         "%s「%s」的订阅源中没有任何发布，视为未更新（要求：%d 天内有更新）",
                         type, a->name, a->max_age_days);
                snprintf(evidence, sizeof(evidence),
                         "{\"newest\":null,\"max_age_days\":%d,\"posts\":%zu}", a->max_age_days,
                         o->n_posts);
        }
        emit_account(o, "account_stale", SEVERITY_NORMAL, detail, evidence, emit, userdata);
        return "account_stale";
}

static bool host_is_platform(const struct rule_config *c, const char *host)
{
        const struct strv *hosts = &c->settings.media_platform_hosts;

        for (size_t i = 0; i < hosts->n; i++) {
                const char *h = hosts->items[i];
                size_t hl = strlen(h), nl = strlen(host);
                if (streq(host, h) || (nl > hl && host[nl - hl - 1] == '.' && streq(host + nl - hl, h)))
                        return true;
        }
        return false;
}

static bool in_ledger(const struct rule_config *c, const struct html_link *link)
{
        for (size_t i = 0; i < c->n_accounts; i++) {
                const struct rule_account *a = &c->accounts[i];
                if (streq_ptr(a->url, link->url))
                        return true;
                /* Matrix pages caption the link with the account's name, often with its
                 * platform: "阎良教育（微信公众号）". */
                if (a->name && *a->name && link->text && strstr(link->text, a->name))
                        return true;
        }
        return false;
}

size_t check_media_page(const struct rule_config *c, const struct rule_site *site,
                        const struct html_page *page,
                        void (*emit)(const struct store_finding *f, void *userdata),
                        void *userdata)
{
        size_t accounts = 0;

        for (size_t i = 0; i < page->n_links; i++) {
                const struct html_link *link = &page->links[i];
                _cleanup_free_ char *host = NULL;
                char detail[1024];
                const char *text;

                if (link->kind != HTML_LINK_A && link->kind != HTML_LINK_AREA)
                        continue;
                host = url_host(link->url);
                if (!host || !host_is_platform(c, host))
                        continue;
                accounts++;
                if (in_ledger(c, link))
                        continue;
                text = link->text && *link->text ? link->text : link->url;
                snprintf(detail, sizeof(detail),
                         "政务新媒体矩阵页列出的账号「%s」不在台账中，疑似私自开设（未履行备案程序）",
                         text);
                emit(&(struct store_finding){
                             .site = RULE_MEDIA_SCOPE,
                             .rule = "account_unlisted",
                             .kind = FINDING_VIOLATION,
                             .severity = SEVERITY_SERIOUS,
                             .subject = link->url,
                             .unit = site->unit ? site->unit->name : NULL,
                             .column = text,
                             .url = site->media_page,
                             .detail = detail,
                     },
                     userdata);
        }
        return accounts;
}
