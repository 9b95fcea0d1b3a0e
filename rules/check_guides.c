/* 办事指南 (service guides). A guide is an article of a column whose class is named in
 * settings.guides.classes, or any page of the site whose URL matches the site's
 * guide_pages pattern. It must carry every element of settings.guides.elements (seed 002:
 * 事项名称, 设定依据, 申请条件, 办理材料, 办理地点, 办理时间, 联系电话, 办理流程), each as a
 * label with a value: a table row, a dt/dd, a "标签：值" line or a heading with text under
 * it (crawler/html_fields.c). An element is written "办理材料|申请材料": any of the names
 * may be the label, and a label holding the name ("办理材料目录") counts.
 *
 * A value is empty when it is blank, only punctuation ("—", "/"), or one of
 * settings.guides.placeholders ("无", "暂无", "待定"...). "无" is a real answer for some
 * elements — 申请条件 (no condition) and 办理材料 (nothing to bring) by default, listed in
 * none_allowed — and for those the placeholders that say "none" are accepted; "暂无" or
 * "待定" still mean the guide was never filled in. A page found by the URL pattern that
 * holds none of the elements is not taken for a guide: it is an index of guides.
 *
 * Forms (表格) linked from a guide — a link to a document file (.doc, .xls, .pdf...) or
 * whose text holds one of settings.guides.form_words — must download: the crawler checks
 * them as links, and check_guides_end reports those that failed. */
#include <stdio.h>
#include <strings.h>

#include "common/json.h"
#include "rules/checks.h"
#include "rules/content_scan.h"

/* Forms kept per guide. */
#define MAX_FORMS_PER_GUIDE 32
/* The placeholders that mean "none" rather than "not filled in". */
static const char *const none_words[] = {"无", "不涉及", "没有"};

static bool is_guide(const struct page_check_context *ctx)
{
        const struct site_fetch *f = ctx->fetch;
        const struct rule_regex *re = ctx->site->guide_pages;

        if ((f->kind == SITE_FETCH_ARTICLE || f->kind == SITE_FETCH_PAGE) &&
            content_column_in(ctx->site, f->column, &ctx->config->settings.guide_classes))
                return true;
        return re && f->kind != SITE_FETCH_COLUMN && f->kind != SITE_FETCH_LIST &&
               rule_regex_search(re, f->url, strlen(f->url), NULL, NULL) == 1;
}

/* Copies s without white space (so "办 理 材 料" reads as 办理材料). */
static char *squeeze(const char *s)
{
        char *out = xmalloc(strlen(s) + 1), *w = out;

        while (*s) {
                size_t sp = utf8_space_len(s);
                if (sp) {
                        s += sp;
                        continue;
                }
                *w++ = *s++;
        }
        *w = '\0';
        return out;
}

/* True when s holds nothing but punctuation, dashes and slashes. */
static bool only_punctuation(const char *s)
{
        static const char *const marks[] = {"—", "－", "–", "／", "、", "。", "，", "…", "：",
                                            "（", "）"};

        while (*s) {
                size_t n = 0;
                if (strchr("-_/\\.,:;()*~ ", *s))
                        n = 1;
                for (size_t i = 0; !n && i < ARRAY_SIZE(marks); i++)
                        if (str_startswith(s, marks[i]))
                                n = strlen(marks[i]);
                if (!n)
                        return false;
                s += n;
        }
        return true;
}

static bool in_words(const char *s, const char *const *words, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (streq(s, words[i]))
                        return true;
        return false;
}

/* Whether the value of element name (its first spelling) is empty. */
static bool value_empty(const struct rule_settings *set, const char *name, const char *value)
{
        _cleanup_free_ char *v = squeeze(value);
        size_t n = strlen(v);

        /* "无。" reads as "无". */
        while (n >= strlen("。") && str_endswith(v, "。"))
                v[n -= strlen("。")] = '\0';
        if (v[0] == '\0' || only_punctuation(v))
                return true;
        if (!strv_contains(&set->guide_placeholders, v))
                return false;
        return !(strv_contains(&set->guide_none_allowed, name) &&
                 in_words(v, none_words, ARRAY_SIZE(none_words)));
}

/* The field whose label names element (alternatives separated by "|"), or NULL. */
static const struct html_field *find_element(const struct html_page *page, const char *element)
{
        for (size_t i = 0; i < page->n_fields; i++) {
                _cleanup_free_ char *label = squeeze(page->fields[i].label);
                for (const char *p = element; *p;) {
                        const char *bar = strchr(p, '|');
                        size_t len = bar ? (size_t)(bar - p) : strlen(p);
                        _cleanup_free_ char *alt = xstrndup(p, len);
                        if (alt[0] && strstr(label, alt))
                                return &page->fields[i];
                        p += len + (bar != NULL);
                }
        }
        return NULL;
}

static bool looks_like_form(const struct rule_settings *set, const struct html_link *l)
{
        static const char *const exts[] = {".doc", ".docx", ".xls", ".xlsx", ".pdf", ".wps",
                                           ".et", ".zip", ".rar", ".7z", ".ofd", ".odt", ".ods"};
        _cleanup_free_ char *path = xstrdup(l->url);
        char *q = strpbrk(path, "?#");

        if (q)
                *q = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(exts); i++)
                if (strlen(path) > strlen(exts[i]) &&
                    strcasecmp(path + strlen(path) - strlen(exts[i]), exts[i]) == 0)
                        return true;
        return content_find_word(l->text, &set->guide_form_words) != NULL;
}

static void note_forms(const struct page_check_context *ctx, const char *title)
{
        struct content_scan *cs = ctx->content;
        const struct html_page *page = ctx->fetch->page;
        size_t kept = 0;

        for (size_t i = 0; i < page->n_links && kept < MAX_FORMS_PER_GUIDE; i++) {
                const struct html_link *l = &page->links[i];
                if (l->kind != HTML_LINK_A || l->in_template || l->hidden ||
                    !looks_like_form(&ctx->config->settings, l))
                        continue;
                cs->forms = content_grow(cs->forms, cs->n_forms, sizeof(*cs->forms));
                cs->forms[cs->n_forms++] = (struct content_form){
                        .url = xstrdup(l->url),
                        .text = xstrdup(l->text),
                        .guide_url = xstrdup(ctx->fetch->url),
                        .guide_title = xstrdup(title),
                        .column = ctx->fetch->column,
                };
                kept++;
        }
}

void check_guides(const struct page_check_context *ctx)
{
        const struct rule_settings *set = &ctx->config->settings;
        const struct html_page *page = ctx->fetch->page;
        int column = ctx->fetch->column;
        struct buf missing, empty, ev;
        size_t found = 0;

        if (!is_guide(ctx))
                return;
        const char *title = content_page_title(page);
        buf_init(&missing, 4096);
        buf_init(&empty, 4096);
        buf_init(&ev, 8192);
        buf_appends(&ev, "{\"elements\":{");
        for (size_t i = 0; i < set->guide_elements.n; i++) {
                const char *element = set->guide_elements.items[i];
                _cleanup_free_ char *name = xstrndup(element, strcspn(element, "|"));
                const struct html_field *fd = find_element(page, element);
                struct buf *into = NULL;
                if (!fd)
                        into = &missing;
                else if (value_empty(set, name, fd->value))
                        into = &empty;
                found += fd != NULL;
                if (into) {
                        if (into->len)
                                buf_appends(into, "、");
                        buf_appends(into, name);
                }
                if (i)
                        buf_appends(&ev, ",");
                json_append_string(&ev, name);
                buf_appends(&ev, ":");
                json_append_string(&ev, fd ? fd->value : NULL);
        }
        buf_appends(&ev, "}}");

        bool by_class = content_column_in(ctx->site, column, &set->guide_classes);
        if ((missing.len || empty.len) && (found > 0 || by_class)) {
                _cleanup_free_ char *detail = xasprintf(
                        "办事指南「%s」%s%s%s%s%s（要求：%zu 类要素齐全且有内容）", title,
                        missing.len ? "缺少要素：" : "", missing.len ? missing.data : "",
                        missing.len && empty.len ? "；" : "", empty.len ? "要素内容为空：" : "",
                        empty.len ? empty.data : "", set->guide_elements.n);
                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "guide_incomplete",
                                  .kind = FINDING_VIOLATION,
                                  .severity = SEVERITY_NORMAL,
                                  .subject = ctx->fetch->url,
                                  .unit = rule_unit_name(ctx->site, column),
                                  .column = content_column_name(ctx->site, column),
                                  .url = ctx->fetch->url,
                                  .detail = detail,
                                  .evidence = ev.data,
                          },
                          ctx->userdata);
        }
        if (ctx->content && (found > 0 || by_class))
                note_forms(ctx, title);
        buf_free(&missing);
        buf_free(&empty);
        buf_free(&ev);
}

static int form_cmp(const void *a, const void *b)
{
        const struct content_form *x = *(const struct content_form *const *)a;
        const struct content_form *y = *(const struct content_form *const *)b;

        return strcmp(x->url, y->url);
}

void check_guides_end(const struct check_context *ctx)
{
        const struct content_scan *cs = ctx->content;
        const struct site_results *res = ctx->results;

        if (!cs || cs->n_forms == 0)
                return;
        /* Sorted by URL, so each broken link is looked up, not compared with every form. */
        const struct content_form **by_url = xcalloc(cs->n_forms, sizeof(*by_url));
        for (size_t k = 0; k < cs->n_forms; k++)
                by_url[k] = &cs->forms[k];
        qsort(by_url, cs->n_forms, sizeof(*by_url), form_cmp);

        for (size_t i = 0; i < res->n_broken; i++) {
                const struct site_broken_link *b = &res->broken[i];
                struct content_form key = {.url = b->url};
                const struct content_form *kp = &key, *const *hit;
                char what[128];

                hit = bsearch(&kp, by_url, cs->n_forms, sizeof(*by_url), form_cmp);
                if (!hit)
                        continue;
                const struct content_form *form = *hit;
                if (b->status && b->failure == HTTP_OK)
                        snprintf(what, sizeof(what), "HTTP %ld", b->status);
                else
                        snprintf(what, sizeof(what), "%s", b->error ? b->error : "访问失败");
                _cleanup_free_ char *detail = xasprintf(
                        "办事指南「%s」中的表格「%s」%s无法下载：%s（要求：办事指南所列表格可以下载）",
                        form->guide_title, form->text[0] ? form->text : form->url,
                        b->verdict == LINK_DEAD ? "" : "疑似", what);
                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "guide_form_unavailable",
                                  .kind = FINDING_VIOLATION,
                                  .severity = b->verdict == LINK_DEAD ? SEVERITY_NORMAL
                                                                      : SEVERITY_SUSPECT,
                                  .subject = b->url,
                                  .unit = rule_unit_name(ctx->site, form->column),
                                  .column = content_column_name(ctx->site, form->column),
                                  .url = form->guide_url,
                                  .detail = detail,
                          },
                          ctx->userdata);
        }
        free(by_url);
}
