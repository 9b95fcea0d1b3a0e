/* 公开时限 (DOMAIN.md, [S] 000): a formal document must be on the portal within
 * publish_max_workdays (20) working days of being issued. A page that shows both dates —
 * in the disclosure table of 索引号 / 发文字号 / 成文日期 / 发布日期 that TRS and Hanweb
 * pages carry (label and value cells, flattened into the page text in reading order), or
 * in meta tags — is a document; a finding when the working days from the date issued to
 * the date published are more than the limit. Working days follow the state calendar in
 * rules.d, 调休 weekends included. */
#include "rules/checks.h"

#include <stdio.h>

/* How far past a label its date may start: separators only (colon, spaces). */
#define LABEL_GAP_BYTES 12
/* Labels are looked for in the first part of the text: the table heads the document. */
#define LABEL_WINDOW_BYTES 16384

static const char *const issued_labels[] = {"成文日期", "印发日期", "成文时间", "签发日期"};
static const char *const published_labels[] = {"发布日期", "公开日期", "发布时间"};
static const char *const issued_metas[] = {"WriteDate", "DocDate", "成文日期"};
static const char *const published_metas[] = {"PubDate", "发布日期"};

static bool is_separator(const char *p, size_t *ret_len)
{
        size_t n = utf8_space_len(p);

        if (n == 0 && (*p == ':' || *p == '|'))
                n = 1;
        else if (n == 0 && (str_startswith(p, "：") || str_startswith(p, "】")))
                n = strlen("：");
        *ret_len = n;
        return n > 0;
}

/* The date written right after one of labels in text, or false. */
static bool labelled_date(const char *text, size_t len, const char *const *labels, size_t n,
                          xj_day today, xj_day *ret)
{
        size_t window = len < LABEL_WINDOW_BYTES ? len : LABEL_WINDOW_BYTES;

        for (size_t i = 0; i < n; i++) {
                size_t ll = strlen(labels[i]);
                const char *p = text, *end = text + window;
                while ((p = memmem(p, (size_t)(end - p), labels[i], ll))) {
                        const char *q = p + ll;
                        size_t sep, gap = 0;
                        struct text_date d;

                        while (q < text + len && gap < LABEL_GAP_BYTES && is_separator(q, &sep)) {
                                q += sep;
                                gap += sep;
                        }
                        size_t rest = (size_t)(text + len - q);
                        if (date_find(q, rest < 40 ? rest : 40, today, &d) == 0 && d.start == 0) {
                                *ret = d.day;
                                return true;
                        }
                        p += ll;
                }
        }
        return false;
}

static bool meta_date(const struct html_page *page, const char *const *names, size_t n,
                      xj_day today, xj_day *ret)
{
        struct text_date d;

        for (size_t i = 0; i < n; i++) {
                const char *v = html_page_meta(page, names[i]);
                if (v && date_find(v, strlen(v), today, &d) == 0) {
                        *ret = d.day;
                        return true;
                }
        }
        return false;
}

void check_publication(const struct page_check_context *ctx)
{
        const struct site_fetch *f = ctx->fetch;
        const struct html_page *page = f->page;
        const struct rule_settings *set = &ctx->config->settings;
        size_t len = page->text ? strlen(page->text) : 0;
        char detail[768], evidence[256], d1[16], d2[16];
        xj_day issued, published;

        /* Documents are articles (or other pages of the site), not the lists that link
         * to them. */
        if (f->kind != SITE_FETCH_ARTICLE && f->kind != SITE_FETCH_PAGE)
                return;
        if (!labelled_date(page->text ? page->text : "", len, issued_labels,
                           ARRAY_SIZE(issued_labels), ctx->today, &issued) &&
            !meta_date(page, issued_metas, ARRAY_SIZE(issued_metas), ctx->today, &issued))
                return;
        if (!labelled_date(page->text ? page->text : "", len, published_labels,
                           ARRAY_SIZE(published_labels), ctx->today, &published) &&
            !meta_date(page, published_metas, ARRAY_SIZE(published_metas), ctx->today,
                       &published))
                return;
        /* Published before issued, or in the future: a typo, not a delay to judge. */
        if (published < issued || published > ctx->today)
                return;
        int days = rule_workday_count(ctx->config, issued, published, ctx->warn, ctx->userdata);
        if (days <= set->publish_max_workdays)
                return;

        const char *column = f->column >= 0 ? ctx->site->columns[f->column].name : NULL;
        const char *title = page->title && *page->title ? page->title : f->url;
        snprintf(detail, sizeof(detail),
                 "文件「%.300s」成文日期 %s，发布日期 %s，相隔 %d 个工作日（要求：%d 个工作日内公开）",
                 title, day_format(issued, d1), day_format(published, d2), days,
                 set->publish_max_workdays);
        /* %.300s may cut a character in half: keep the text valid UTF-8. */
        if (!utf8_valid(detail, strlen(detail)))
                snprintf(detail, sizeof(detail),
                         "文件成文日期 %s，发布日期 %s，相隔 %d 个工作日（要求：%d 个工作日内公开）",
                         d1, d2, days, set->publish_max_workdays);
        snprintf(evidence, sizeof(evidence),
                 "{\"issued\":\"%s\",\"published\":\"%s\",\"workdays\":%d,\"max_workdays\":%d}",
                 d1, d2, days, set->publish_max_workdays);
        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = "publish_late",
                          .kind = FINDING_VIOLATION,
                          .severity = SEVERITY_NORMAL,
                          .subject = f->url,
                          .unit = rule_unit_name(ctx->site, f->column),
                          .column = column,
                          .url = f->url,
                          .detail = detail,
                          .evidence = evidence,
                  },
                  ctx->userdata);
}
