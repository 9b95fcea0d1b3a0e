/* 错敏字: the dictionary of rules.d over the visible text of each page. Every literal entry is
 * found in one pass of the matcher (rules/dict.c); a hit inside one of the entry's
 * exceptions, or inside a longer hit of another entry, is dropped; an obsolete name counts
 * only from its date. The PCRE2 patterns run only on pages where one of their prefilter
 * literals occurred, each search under the match and depth limits of settings.dictionary,
 * so a hostile page cannot make a pattern run away: a pattern that reaches a limit is
 * reported as an unfinished check (dictionary_limit), not retried. Hits of one entry on one
 * page are one finding, with the first few positions and their sentences as evidence. */
#include "rules/checks.h"

#include <errno.h>
#include <stdio.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/json.h"
#include "rules/content_scan.h"
#include "rules/dict.h"

/* Hits kept from one page before the rest are only counted: a page of a million
 * repetitions of a wrong word needs no more to be reported. */
#define PAGE_HITS_MAX 20000
/* Matches of one pattern on one page. */
#define PATTERN_MATCHES_MAX 1000
/* Evidence of one finding. */
#define EVIDENCE_MAX (64 * 1024)

struct hit {
        uint32_t id;
        uint32_t len;
        size_t start;
        size_t chars;           /* start counted in characters */
};

struct page_hits {
        struct hit *v;
        size_t n, cap;
        size_t dropped;         /* beyond PAGE_HITS_MAX */
        const struct rule_dictionary *dict;
        const char *text;
        size_t text_len;
        bool *fired;            /* per pattern: a prefilter literal occurred */
};

/* A sentence ends after one of these. */
static bool is_sentence_end(const char *p)
{
        static const char *const ends[] = {"。", "！", "？", "；", "!", "?", ";", "…"};

        for (size_t i = 0; i < ARRAY_SIZE(ends); i++)
                if (str_startswith(p, ends[i]))
                        return true;
        return false;
}

static size_t char_back(const char *text, size_t at)
{
        do
                at--;
        while (at > 0 && ((unsigned char)text[at] & 0xc0) == 0x80);
        return at;
}

static size_t char_next(const char *text, size_t len, size_t at)
{
        do
                at++;
        while (at < len && ((unsigned char)text[at] & 0xc0) == 0x80);
        return at;
}

void rule_text_context(const char *text, size_t len, size_t start, size_t end, int max_chars,
                       struct buf *out)
{
        size_t from = start, to = end;
        int n;

        /* Back to the start of the sentence, at most max_chars characters. */
        for (n = 0; from > 0 && n < max_chars; n++) {
                size_t prev = char_back(text, from);
                if (is_sentence_end(text + prev))
                        break;
                from = prev;
        }
        while (from > 0 && from < len && ((unsigned char)text[from] & 0xc0) == 0x80)
                from++;
        /* Forward to its end, the closing mark included. */
        for (n = 0; to < len && n < max_chars; n++) {
                bool end_mark = is_sentence_end(text + to);
                to = char_next(text, len, to);
                if (end_mark)
                        break;
        }
        if (from > 0 && !is_sentence_end(text + char_back(text, from)))
                buf_appends(out, "…");
        buf_append_some(out, text + from, to - from);
        if (to < len && !is_sentence_end(text + char_back(text, to)))
                buf_appends(out, "…");
}

static int on_match(uint32_t id, size_t start, size_t len, void *userdata)
{
        struct page_hits *h = userdata;

        if (id >= h->dict->n_words) {
                h->fired[id - h->dict->n_words] = true;
                return 0;
        }
        if (h->n == PAGE_HITS_MAX) {
                h->dropped++;
                return 0;
        }
        if (h->n == h->cap) {
                h->cap = h->cap ? h->cap * 2 : 64;
                h->v = xreallocarray(h->v, h->cap, sizeof(*h->v));
        }
        h->v[h->n++] = (struct hit){.id = id, .len = (uint32_t)len, .start = start};
        return 0;
}

/* An exception is a longer correct text around the wrong one: the hit is excused when the
 * text around it, placed where the wrong text sits inside the exception, reads as the
 * exception. */
static bool excused(const struct rule_word *w, const char *text, size_t len, const struct hit *h)
{
        for (size_t i = 0; i < w->except.n; i++) {
                const char *e = w->except.items[i];
                size_t e_len = strlen(e);

                for (const char *at = strstr(e, w->wrong); at; at = strstr(at + 1, w->wrong)) {
                        size_t k = (size_t)(at - e);
                        if (h->start >= k && h->start - k + e_len <= len &&
                            memcmp(text + h->start - k, e, e_len) == 0)
                                return true;
                }
        }
        return false;
}

static int cmp_start_longest(const void *a, const void *b)
{
        const struct hit *x = a, *y = b;

        if (x->start != y->start)
                return x->start < y->start ? -1 : 1;
        return x->len > y->len ? -1 : x->len < y->len;
}

static int cmp_entry_start(const void *a, const void *b)
{
        const struct hit *x = a, *y = b;

        if (x->id != y->id)
                return x->id < y->id ? -1 : 1;
        return x->start < y->start ? -1 : x->start > y->start;
}

/* Drops the hits that do not count; counts the start of the others in characters. An
 * obsolete name is wrong on a page published on or after the day it was replaced (a page
 * that shows no date: from the day of the check on); an older page was right when it was
 * written. */
static void filter_hits(struct page_hits *h, xj_day written)
{
        size_t n = 0, chars = 0, counted = 0, cover_end = 0;

        for (size_t i = 0; i < h->n; i++) {
                const struct rule_word *w = &h->dict->words[h->v[i].id];
                if (w->has_wrong_from && written < w->wrong_from)
                        continue;
                if (excused(w, h->text, h->text_len, &h->v[i]))
                        continue;
                h->v[n++] = h->v[i];
        }
        h->n = n;

        /* A hit inside a longer hit is the same error seen twice: by start, longest first,
         * a hit that ends before the furthest end so far lies inside an earlier one. */
        if (h->n)
                qsort(h->v, h->n, sizeof(*h->v), cmp_start_longest);
        n = 0;
        for (size_t i = 0; i < h->n; i++) {
                size_t end = h->v[i].start + h->v[i].len;
                if (i > 0 && end <= cover_end)
                        continue;
                if (end > cover_end)
                        cover_end = end;
                for (; counted < h->v[i].start; counted++)
                        if (((unsigned char)h->text[counted] & 0xc0) != 0x80)
                                chars++;
                h->v[i].chars = chars;
                h->v[n++] = h->v[i];
        }
        h->n = n;
}

static void append_quoted_list(struct buf *b, const struct strv *v)
{
        for (size_t i = 0; i < v->n; i++)
                buf_appendf(b, "%s「%s」", i ? "或" : "", v->items[i]);
}

static void append_json_strv(struct buf *b, const struct strv *v)
{
        buf_appends(b, "[");
        for (size_t i = 0; i < v->n; i++) {
                if (i)
                        buf_appends(b, ",");
                json_append_string(b, v->items[i]);
        }
        buf_appends(b, "]");
}

/* The evidence's "hits": the first of them with their sentence. */
static void append_hits(struct buf *ev, const struct page_check_context *ctx, const char *text,
                        size_t len, const struct hit *hits, size_t n)
{
        size_t keep = (size_t)ctx->config->settings.evidence_hits;
        struct buf sentence;

        buf_appends(ev, "\"hits\":[");
        for (size_t i = 0; i < n && i < keep; i++) {
                buf_init(&sentence, 8192);
                rule_text_context(text, len, hits[i].start, hits[i].start + hits[i].len,
                                  ctx->config->settings.context_chars, &sentence);
                buf_appendf(ev, "%s{\"offset\":%zu,\"char\":%zu,\"sentence\":", i ? "," : "",
                            hits[i].start, hits[i].chars);
                json_append_string(ev, sentence.data ? sentence.data : "");
                buf_appends(ev, "}");
                buf_free(&sentence);
        }
        buf_appends(ev, "]");
}

/* "错别字「攻府」应为「政府」": the word, its class and what to write instead. */
static void word_detail(struct buf *b, const struct rule_word *w)
{
        char day[16];

        buf_appendf(b, "%s「%s」", rule_word_class_label(w->cls), w->wrong);
        if (w->cls == WORD_OBSOLETE_NAME && w->right.n) {
                buf_appends(b, "已更名为");
                append_quoted_list(b, &w->right);
                buf_appendf(b, "（%s 起）", day_format(w->wrong_from, day));
        } else if (w->right.n) {
                buf_appends(b, "应为");
                append_quoted_list(b, &w->right);
        } else {
                buf_appends(b, "应删除");
        }
}

/* The evidence fields every finding of a word carries: class, wrong, right, note, source. */
static void word_evidence(struct buf *ev, const struct rule_word *w)
{
        buf_appendf(ev, "\"class\":\"%s\",\"wrong\":", rule_word_class_id(w->cls));
        json_append_string(ev, w->wrong);
        buf_appends(ev, ",\"right\":");
        append_json_strv(ev, &w->right);
        if (w->note) {
                buf_appends(ev, ",\"note\":");
                json_append_string(ev, w->note);
        }
        _cleanup_free_ char *src = xasprintf("%s:%d", w->file, w->line);
        buf_appends(ev, ",\"source\":");
        json_append_string(ev, src);
}

static size_t count_occurrences(const char *text, const char *s)
{
        size_t n = 0, len = strlen(s);

        for (const char *p = text; len && (p = strstr(p, s)); p += len)
                n++;
        return n;
}

/* A word whose every occurrence on the page lies outside the page's own text (main_text:
 * no template, no link text) is the template's (a footer, a menu) or a link's: it is kept
 * once for the site-wide finding of the end of the scan instead of reported here, so that a
 * wrong word in the footer is one finding, not one per page. Returns true when kept. */
static bool keep_template_word(const struct page_check_context *ctx, const struct page_hits *h,
                               const struct hit *first)
{
        const struct rule_word *w = &h->dict->words[first->id];
        const struct html_page *page = ctx->fetch->page;
        struct content_scan *cs = ctx->content;
        struct content_template_word *t = NULL;

        if (!cs || !page->main_text || count_occurrences(page->main_text, w->wrong) > 0)
                return false;
        for (size_t i = 0; i < cs->n_template_words && !t; i++)
                if (cs->template_words[i].word == first->id)
                        t = &cs->template_words[i];
        if (!t) {
                struct buf sentence;

                buf_init(&sentence, 8192);
                rule_text_context(h->text, h->text_len, first->start, first->start + first->len,
                                  ctx->config->settings.context_chars, &sentence);
                cs->template_words = content_grow(cs->template_words, cs->n_template_words,
                                                  sizeof(*cs->template_words));
                t = &cs->template_words[cs->n_template_words++];
                *t = (struct content_template_word){
                        .word = first->id,
                        .first_url = xstrdup(ctx->fetch->url),
                        .sentence = buf_steal(&sentence),
                };
        }
        t->pages++;
        return true;
}

static void emit_word(const struct page_check_context *ctx, const struct page_hits *h,
                      const struct hit *hits, size_t n)
{
        const struct rule_word *w = &h->dict->words[hits[0].id];
        const struct site_fetch *f = ctx->fetch;
        int column = f->column;
        _cleanup_free_ char *subject = xasprintf("%s 「%s」", f->url, w->wrong);
        struct buf detail, ev;

        buf_init(&detail, 4096);
        word_detail(&detail, w);
        buf_appendf(&detail, "，出现 %zu 次", n);

        buf_init(&ev, EVIDENCE_MAX);
        buf_appends(&ev, "{");
        word_evidence(&ev, w);
        buf_appendf(&ev, ",\"count\":%zu,", n);
        /* Past PAGE_HITS_MAX the page's hits were not kept, so the count may be short. */
        if (h->dropped)
                buf_appendf(&ev, "\"page_hits_dropped\":%zu,", h->dropped);
        append_hits(&ev, ctx, h->text, h->text_len, hits, n);
        buf_appends(&ev, "}");

        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = rule_word_class_rule(w->cls),
                          .kind = FINDING_VIOLATION,
                          .severity = w->severity,
                          .subject = subject,
                          .unit = rule_unit_name(ctx->site, column),
                          .column = column >= 0 ? ctx->site->columns[column].name : NULL,
                          .url = f->url,
                          .detail = detail.data,
                          .evidence = ev.data,
                  },
                  ctx->userdata);
        buf_free(&detail);
        buf_free(&ev);
}

static const char *limit_name(int rc)
{
        switch (rc) {
        case PCRE2_ERROR_MATCHLIMIT:
                return "match_limit";
        case PCRE2_ERROR_DEPTHLIMIT:
                return "depth_limit";
        case PCRE2_ERROR_HEAPLIMIT:
                return "heap_limit";
        case PCRE2_ERROR_JIT_STACKLIMIT:
                return "jit_stack";
        default:
                return "error";
        }
}

static void emit_limit(const struct page_check_context *ctx, const struct rule_pattern *p, int rc,
                       size_t offset)
{
        const struct site_fetch *f = ctx->fetch;
        _cleanup_free_ char *subject = xasprintf("%s 「%s」", f->url, p->id);
        _cleanup_free_ char *detail = NULL;
        PCRE2_UCHAR msg[256];
        struct buf ev;

        if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
                snprintf((char *)msg, sizeof(msg), "error %d", rc);
        if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
                detail = xasprintf("规则「%s」在本页超出匹配上限（match_limit %ld），该规则未完成"
                                   "检查，页面内容可疑",
                                   p->id, ctx->config->settings.regex_match_limit);
        else if (rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
                detail = xasprintf("规则「%s」在本页超出递归深度上限（depth_limit %ld），该规则"
                                   "未完成检查，页面内容可疑",
                                   p->id, ctx->config->settings.regex_depth_limit);
        else
                detail = xasprintf("规则「%s」在本页匹配出错（%s），该规则未完成检查", p->id,
                                   (const char *)msg);

        buf_init(&ev, 4096);
        buf_appends(&ev, "{\"pattern\":");
        json_append_string(&ev, p->id);
        buf_appendf(&ev, ",\"limit\":\"%s\",\"code\":%d,\"offset\":%zu,\"jit\":%s,\"message\":",
                    limit_name(rc), rc, offset, p->jit ? "true" : "false");
        json_append_string(&ev, (const char *)msg);
        buf_appends(&ev, "}");
        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = "dictionary_limit",
                          .kind = FINDING_WARNING,
                          .severity = SEVERITY_SUSPECT,
                          .subject = subject,
                          .unit = rule_unit_name(ctx->site, f->column),
                          .column = f->column >= 0 ? ctx->site->columns[f->column].name : NULL,
                          .url = f->url,
                          .detail = detail,
                          .evidence = ev.data,
                  },
                  ctx->userdata);
        buf_free(&ev);
}

static void report_pattern(const struct page_check_context *ctx, const struct rule_pattern *p,
                           const char *text, size_t len, const struct hit *hits, size_t n,
                           const char *first, const struct strv *right);

/* A suggestion of a pattern with $1...$9 replaced by the groups of its first match. */
static char *expand_right(const char *tmpl, const char *text, const PCRE2_SIZE *ov, int pairs)
{
        struct buf b;

        buf_init(&b, 4096);
        for (const char *c = tmpl; *c; c++) {
                if (c[0] == '$' && c[1] >= '1' && c[1] <= '9') {
                        int g = c[1] - '0';
                        if (g < pairs && ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] >= ov[2 * g])
                                buf_append_some(&b, text + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
                        c++;
                        continue;
                }
                buf_append_some(&b, c, 1);
        }
        return buf_steal(&b);
}

/* Runs one pattern over the text. Matches are reported as one finding; a search that hits
 * a limit ends the pattern on this page with a dictionary_limit warning. */
static void run_pattern(const struct page_check_context *ctx, const struct rule_pattern *p,
                        const char *text, size_t len, pcre2_match_context *mctx)
{
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->code, NULL);
        struct hit hits[PATTERN_MATCHES_MAX];
        size_t n = 0, offset = 0, chars = 0, counted = 0;
        _cleanup_free_ char *first = NULL;
        struct strv right = {0};
        int rc = 0;

        if (!md)
                abort();
        while (offset <= len && n < PATTERN_MATCHES_MAX) {
                PCRE2_SIZE *ov;

                rc = pcre2_match(p->code, (PCRE2_SPTR)text, len, offset, 0, md, mctx);
                if (rc < 0)
                        break;
                ov = pcre2_get_ovector_pointer(md);
                if (ov[1] < ov[0])      /* \K can put the end before the start */
                        break;
                for (; counted < ov[0]; counted++)
                        if (((unsigned char)text[counted] & 0xc0) != 0x80)
                                chars++;
                hits[n++] = (struct hit){.len = (uint32_t)(ov[1] - ov[0]), .start = ov[0],
                                         .chars = chars};
                if (!first) {
                        first = xstrndup(text + ov[0], ov[1] - ov[0]);
                        for (size_t i = 0; i < p->right.n; i++)
                                strv_push_take(&right, expand_right(p->right.items[i], text, ov,
                                                                    rc));
                }
                /* An empty match moves on by one character. */
                offset = ov[1] > ov[0] ? ov[1] : (ov[1] < len ? char_next(text, len, ov[1])
                                                               : len + 1);
        }
        pcre2_match_data_free(md);
        if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
                emit_limit(ctx, p, rc, offset);
        if (n == 0)
                return;
        report_pattern(ctx, p, text, len, hits, n, first, &right);
        strv_free(&right);
}

static void report_pattern(const struct page_check_context *ctx, const struct rule_pattern *p,
                           const char *text, size_t len, const struct hit *hits, size_t n,
                           const char *first, const struct strv *right)
{
        const struct site_fetch *f = ctx->fetch;
        _cleanup_free_ char *subject = xasprintf("%s 「%s」", f->url, p->id);
        struct buf detail, ev;

        buf_init(&detail, 4096);
        buf_appendf(&detail, "%s「%s」", rule_word_class_label(p->cls), first);
        if (right->n) {
                buf_appends(&detail, "应为");
                append_quoted_list(&detail, right);
        }
        if (p->message)
                buf_appendf(&detail, "%s%s", right->n ? "（" : "：", p->message);
        if (p->message && right->n)
                buf_appends(&detail, "）");
        buf_appendf(&detail, "，出现 %zu 次", n);

        buf_init(&ev, EVIDENCE_MAX);
        buf_appendf(&ev, "{\"class\":\"%s\",\"pattern\":", rule_word_class_id(p->cls));
        json_append_string(&ev, p->id);
        buf_appends(&ev, ",\"match\":");
        json_append_string(&ev, first);
        buf_appends(&ev, ",\"right\":");
        append_json_strv(&ev, right);
        buf_appendf(&ev, ",\"count\":%zu,", n);
        append_hits(&ev, ctx, text, len, hits, n);
        buf_appends(&ev, "}");

        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = rule_word_class_rule(p->cls),
                          .kind = FINDING_VIOLATION,
                          .severity = p->severity,
                          .subject = subject,
                          .unit = rule_unit_name(ctx->site, f->column),
                          .column = f->column >= 0 ? ctx->site->columns[f->column].name : NULL,
                          .url = f->url,
                          .detail = detail.data,
                          .evidence = ev.data,
                  },
                  ctx->userdata);
        buf_free(&detail);
        buf_free(&ev);
}

static void run_patterns(const struct page_check_context *ctx, const struct page_hits *h)
{
        const struct rule_dictionary *d = h->dict;
        pcre2_match_context *mctx = NULL;

        for (size_t i = 0; i < d->n_patterns; i++) {
                if (!h->fired[i] || !d->patterns[i].code)
                        continue;
                if (!mctx) {
                        mctx = pcre2_match_context_create(NULL);
                        if (!mctx)
                                abort();
                        pcre2_set_match_limit(mctx,
                                              (uint32_t)ctx->config->settings.regex_match_limit);
                        pcre2_set_depth_limit(mctx,
                                              (uint32_t)ctx->config->settings.regex_depth_limit);
                }
                run_pattern(ctx, &d->patterns[i], h->text, h->text_len, mctx);
        }
        pcre2_match_context_free(mctx);
}

void check_dictionary(const struct page_check_context *ctx)
{
        const struct rule_dictionary *d = &ctx->config->dictionary;
        const struct html_page *page = ctx->fetch->page;
        struct page_hits h = {.dict = d};

        if (!d->matcher || !page->text || (d->n_words == 0 && d->n_patterns == 0))
                return;
        h.text = page->text;
        h.text_len = strlen(page->text);
        h.fired = xcalloc(d->n_patterns ? d->n_patterns : 1, sizeof(*h.fired));

        dict_scan(d->matcher, h.text, h.text_len, on_match, &h);
        filter_hits(&h, ctx->fetch->has_pubdate && ctx->fetch->pubdate <= ctx->today
                                ? ctx->fetch->pubdate
                                : ctx->today);

        /* One finding per entry, its hits in text order. */
        if (h.n)
                qsort(h.v, h.n, sizeof(*h.v), cmp_entry_start);
        for (size_t i = 0, j; i < h.n; i = j) {
                for (j = i + 1; j < h.n && h.v[j].id == h.v[i].id; j++)
                        ;
                if (!keep_template_word(ctx, &h, &h.v[i]))
                        emit_word(ctx, &h, &h.v[i], j - i);
        }
        run_patterns(ctx, &h);

        free(h.v);
        free(h.fired);
}

void check_dictionary_end(const struct check_context *ctx)
{
        const struct rule_dictionary *d = &ctx->config->dictionary;
        const struct content_scan *cs = ctx->content;

        for (size_t i = 0; cs && i < cs->n_template_words; i++) {
                const struct content_template_word *t = &cs->template_words[i];
                const struct rule_word *w = &d->words[t->word];
                /* The homepage's URL keeps the subject the same from scan to scan, wherever
                 * the word was first met. */
                _cleanup_free_ char *subject =
                        xasprintf("%s 「%s」（网站模板或链接文字）", ctx->site->homepage, w->wrong);
                struct buf detail, ev;

                buf_init(&detail, 4096);
                word_detail(&detail, w);
                buf_appendf(&detail, "，出现在网站模板（导航、页头、页脚）或链接文字中，"
                                     "本次巡检共 %zu 个页面",
                            t->pages);
                buf_init(&ev, EVIDENCE_MAX);
                buf_appends(&ev, "{");
                word_evidence(&ev, w);
                buf_appendf(&ev, ",\"pages\":%zu,\"first_url\":", t->pages);
                json_append_string(&ev, t->first_url);
                buf_appends(&ev, ",\"sentence\":");
                json_append_string(&ev, t->sentence ? t->sentence : "");
                buf_appends(&ev, "}");
                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = rule_word_class_rule(w->cls),
                                  .kind = FINDING_VIOLATION,
                                  .severity = w->severity,
                                  .subject = subject,
                                  .unit = rule_unit_name(ctx->site, -1),
                                  .url = t->first_url,
                                  .detail = detail.data,
                                  .evidence = ev.data,
                          },
                          ctx->userdata);
                buf_free(&detail);
                buf_free(&ev);
        }
}
