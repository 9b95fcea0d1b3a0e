/* rules.d: the 错敏字 dictionary (top-level key "dictionary": literal wrong texts with their
 * class, severity, suggestions and exceptions) and the structured rules ("patterns": PCRE2
 * patterns behind literal prefilters). Loaded with the rest of rules.d by config.c; the
 * entries of every file are merged here and compiled into one matcher (rules/dict.h). */
#include <errno.h>
#include <stdio.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rules/config_internal.h"
#include "rules/dict.h"

static const char *const class_ids[N_WORD_CLASSES] = {
    [WORD_LEADER] = "leader",
    [WORD_STATE_BODY] = "state_body",
    [WORD_DIVISION] = "division",
    [WORD_POLITICAL_PHRASE] = "political_phrase",
    [WORD_TYPO] = "typo",
    [WORD_SENSITIVE] = "sensitive",
    [WORD_OBSOLETE_NAME] = "obsolete_name",
    [WORD_DISMISSED_OFFICIAL] = "dismissed_official",
};

static const char *const class_labels[N_WORD_CLASSES] = {
    [WORD_LEADER] = "领导人姓名职务",
    [WORD_STATE_BODY] = "国家机构名称",
    [WORD_DIVISION] = "行政区划名称",
    [WORD_POLITICAL_PHRASE] = "时政短语",
    [WORD_TYPO] = "常见错别字",
    [WORD_SENSITIVE] = "敏感词",
    [WORD_OBSOLETE_NAME] = "过时名称",
    [WORD_DISMISSED_OFFICIAL] = "落马官员",
};

/* A class's severity when an entry does not say: errors about the country, its bodies and
 * its leaders are 严重 (DOMAIN.md: more than three on a site was a veto). */
static const enum severity class_severity[N_WORD_CLASSES] = {
    [WORD_LEADER] = SEVERITY_SERIOUS,
    [WORD_STATE_BODY] = SEVERITY_SERIOUS,
    [WORD_DIVISION] = SEVERITY_NORMAL,
    [WORD_POLITICAL_PHRASE] = SEVERITY_SERIOUS,
    [WORD_TYPO] = SEVERITY_NORMAL,
    [WORD_SENSITIVE] = SEVERITY_SERIOUS,
    [WORD_OBSOLETE_NAME] = SEVERITY_NORMAL,
    [WORD_DISMISSED_OFFICIAL] = SEVERITY_SERIOUS,
};

const char *rule_word_class_id(enum rule_word_class c)
{
        return (unsigned)c < N_WORD_CLASSES ? class_ids[c] : "?";
}

const char *rule_word_class_label(enum rule_word_class c)
{
        return (unsigned)c < N_WORD_CLASSES ? class_labels[c] : "?";
}

const char *rule_word_class_rule(enum rule_word_class c)
{
        switch (c) {
        case WORD_OBSOLETE_NAME:
                return "obsolete_name";
        case WORD_SENSITIVE:
        case WORD_DISMISSED_OFFICIAL:
                return "sensitive_word";
        default:
                return "wrong_word";
        }
}

/* Sensitive words and dismissed officials are to be removed, not replaced: they may have
 * no suggestion. */
static bool class_needs_right(enum rule_word_class c)
{
        return c != WORD_SENSITIVE && c != WORD_DISMISSED_OFFICIAL;
}

static void word_clear(struct rule_word *w)
{
        free(w->wrong);
        strv_free(&w->right);
        strv_free(&w->except);
        free(w->note);
        free(w->file);
        *w = (struct rule_word){0};
}

static void pattern_clear(struct rule_pattern *p)
{
        free(p->id);
        free(p->source);
        pcre2_code_free(p->code);
        strv_free(&p->prefilter);
        strv_free(&p->right);
        free(p->message);
        free(p->file);
        *p = (struct rule_pattern){0};
}

void rule_dictionary_clear(struct rule_dictionary *d)
{
        for (size_t i = 0; i < d->n_words; i++)
                word_clear(&d->words[i]);
        free(d->words);
        for (size_t i = 0; i < d->n_patterns; i++)
                pattern_clear(&d->patterns[i]);
        free(d->patterns);
        dict_free(d->matcher);
        *d = (struct rule_dictionary){0};
}

/* ---- values ------------------------------------------------------------------------- */

static bool get_class(struct loader *l, const char *path, const struct ynode *n,
                      enum rule_word_class *ret)
{
        _cleanup_free_ char *s = NULL;

        if (!cfg_get_string(l, path, n, false, &s))
                return false;
        for (int c = 0; c < N_WORD_CLASSES; c++)
                if (streq(s, class_ids[c]) || streq(s, class_labels[c])) {
                        *ret = (enum rule_word_class)c;
                        return true;
                }
        cfg_report(l, n->pos,
               "%s: unknown class '%s' (known: leader, state_body, division, political_phrase, "
               "typo, sensitive, obsolete_name, dismissed_official)",
               path, s);
        return false;
}

static bool get_severity(struct loader *l, const char *path, const struct ynode *n,
                         enum severity *ret)
{
        _cleanup_free_ char *s = NULL;

        if (!cfg_get_string(l, path, n, false, &s))
                return false;
        for (int v = SEVERITY_SERIOUS; v <= SEVERITY_SUSPECT; v++)
                if (streq(s, severity_id((enum severity)v)) ||
                    streq(s, severity_label((enum severity)v))) {
                        *ret = (enum severity)v;
                        return true;
                }
        cfg_report(l, n->pos, "%s: must be 严重, 一般 or 疑似 (or serious, normal, suspect; got '%s')",
               path, s);
        return false;
}

/* "YYYY-MM-DD", a day that exists. */
static bool get_date(struct loader *l, const char *path, const struct ynode *n, xj_day *ret)
{
        _cleanup_free_ char *s = NULL;
        int y, m, d;

        if (!cfg_get_string(l, path, n, false, &s))
                return false;
        if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || strspn(s, "0123456789") != 4 ||
            strspn(s + 5, "0123456789") != 2 || strspn(s + 8, "0123456789") != 2 ||
            sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || !civil_valid(y, m, d) || y < 1900) {
                cfg_report(l, n->pos, "%s: expected a date \"YYYY-MM-DD\" (got '%s')", path, s);
                return false;
        }
        *ret = day_from_civil(y, m, d);
        return true;
}

/* A text the matcher can hold: valid UTF-8 (guaranteed by the loader), at most
 * DICT_WORD_MAX bytes, without leading or trailing white space (which the page text,
 * collapsed, would never match as written). */
static bool check_literal(struct loader *l, const char *path, const struct ynode *n,
                          const char *s)
{
        size_t len = strlen(s);

        if (len > DICT_WORD_MAX) {
                cfg_report(l, n->pos, "%s: longer than %d bytes", path, DICT_WORD_MAX);
                return false;
        }
        if (utf8_space_len(s) || (len && strchr(" \t\r\n", s[len - 1])) ||
            str_endswith(s, "\u3000")) {
                cfg_report(l, n->pos, "%s: must not start or end with white space", path);
                return false;
        }
        return true;
}

/* A list of texts each checked by check_literal. */
static bool get_literals(struct loader *l, const char *path, const struct ynode *n,
                         struct strv *ret)
{
        struct strv v = {0};
        bool ok;

        if (!cfg_get_strv(l, path, n, true, &v))
                return false;
        ok = true;
        for (size_t i = 0; i < v.n; i++) {
                _cleanup_free_ char *sub = xasprintf("%s[%zu]", path, i + 1);
                const struct ynode *item = n->kind == Y_SEQ ? n->kids[i] : n;
                if (!check_literal(l, sub, item, v.items[i]))
                        ok = false;
        }
        if (!ok) {
                strv_free(&v);
                return false;
        }
        for (size_t i = 0; i < v.n; i++)
                strv_push_take(ret, v.items[i]);
        free(v.items);
        return true;
}

/* ---- dictionary --------------------------------------------------------------------- */

/* An entry as read, before the merge; enabled false is a later file turning off an entry
 * of an earlier one. */
struct word_def {
        struct rule_word w;
        bool enabled;
        struct pos at;
        size_t order;
};

/* What the files have defined so far, merged by dictionary_finish(). */
struct dict_pending {
        struct word_def *words;
        size_t n_words;
        struct pattern_def *patterns;
        size_t n_patterns;
};

struct pattern_def {
        struct rule_pattern p;
        bool enabled;
        struct pos at;
        size_t order;
};

static struct dict_pending *pending(struct dict_pending **pd)
{
        if (!*pd)
                *pd = xcalloc(1, sizeof(**pd));
        return *pd;
}

static void load_word(struct loader *l, const char *path, const struct ynode *val,
                      struct word_def *def)
{
        struct field f[] = {
            {.name = "wrong"}, {.name = "right"},      {.name = "class"}, {.name = "severity"},
            {.name = "except"}, {.name = "wrong_from"}, {.name = "note"},  {.name = "enabled"},
        };
        struct field *f_wrong = &f[0], *f_right = &f[1], *f_class = &f[2], *f_sev = &f[3],
                     *f_except = &f[4], *f_from = &f[5], *f_note = &f[6], *f_enabled = &f[7];
        struct rule_word *w = &def->w;
        bool have_class = false;

        def->enabled = true;
        def->at = val->pos;
        if (!cfg_expect_map(l, path, val))
                return;
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));

        if (cfg_require(l, val->pos, path, f_wrong)) {
                _cleanup_free_ char *sub = xasprintf("%s.wrong", path);
                if (cfg_get_string(l, sub, f_wrong->val, false, &w->wrong) &&
                    !check_literal(l, sub, f_wrong->val, w->wrong))
                        free_and_null(&w->wrong);
        }
        if (f_enabled->key) {
                _cleanup_free_ char *sub = xasprintf("%s.enabled", path);
                cfg_get_bool(l, sub, f_enabled->val, &def->enabled);
        }
        /* A disabling entry needs only its wrong text. */
        if (!def->enabled && !f_class->key)
                return;

        if (cfg_require(l, val->pos, path, f_class)) {
                _cleanup_free_ char *sub = xasprintf("%s.class", path);
                have_class = get_class(l, sub, f_class->val, &w->cls);
        }
        if (have_class)
                w->severity = class_severity[w->cls];
        if (f_sev->key) {
                _cleanup_free_ char *sub = xasprintf("%s.severity", path);
                get_severity(l, sub, f_sev->val, &w->severity);
        }
        if (f_right->key) {
                _cleanup_free_ char *sub = xasprintf("%s.right", path);
                if (cfg_get_strv(l, sub, f_right->val, true, &w->right) && w->wrong)
                        for (size_t i = 0; i < w->right.n; i++)
                                if (streq(w->right.items[i], w->wrong))
                                        cfg_report(l, f_right->val->pos,
                                               "%s: '%s' is the wrong text itself", sub,
                                               w->wrong);
        } else if (have_class && class_needs_right(w->cls)) {
                cfg_report(l, val->pos, "%s: missing required key 'right' (the correct text)",
                       path);
        }
        if (f_except->key) {
                _cleanup_free_ char *sub = xasprintf("%s.except", path);
                if (get_literals(l, sub, f_except->val, &w->except) && w->wrong)
                        for (size_t i = 0; i < w->except.n; i++)
                                if (!strstr(w->except.items[i], w->wrong) ||
                                    streq(w->except.items[i], w->wrong))
                                        cfg_report(l,
                                               f_except->val->kind == Y_SEQ
                                                   ? f_except->val->kids[i]->pos
                                                   : f_except->val->pos,
                                               "%s[%zu]: '%s' must be a longer text that "
                                               "contains the wrong text '%s'",
                                               sub, i + 1, w->except.items[i], w->wrong);
        }
        if (f_from->key) {
                _cleanup_free_ char *sub = xasprintf("%s.wrong_from", path);
                if (have_class && w->cls != WORD_OBSOLETE_NAME)
                        cfg_report(l, f_from->key->pos,
                               "%s: only an obsolete_name entry has a date from which it is "
                               "wrong",
                               sub);
                else if (get_date(l, sub, f_from->val, &w->wrong_from))
                        w->has_wrong_from = true;
        } else if (have_class && w->cls == WORD_OBSOLETE_NAME) {
                cfg_report(l, val->pos,
                       "%s: missing required key 'wrong_from' (the day the old name became "
                       "wrong, YYYY-MM-DD)",
                       path);
        }
        if (f_note->key) {
                _cleanup_free_ char *sub = xasprintf("%s.note", path);
                cfg_get_string(l, sub, f_note->val, true, &w->note);
        }
}

static void load_dictionary(struct loader *l, struct dict_pending **pending_defs, const struct ynode *val)
{
        struct dict_pending *pd = pending(pending_defs);

        if (cfg_ynode_is_null(val))
                return;
        if (val->kind != Y_SEQ) {
                cfg_report_type(l, "dictionary", val, "a list of entries");
                return;
        }
        for (size_t i = 0; i < val->n_kids; i++) {
                _cleanup_free_ char *path = xasprintf("dictionary[%zu]", i + 1);
                struct word_def def = {.order = pd->n_words};

                load_word(l, path, val->kids[i], &def);
                if (!def.w.wrong) {
                        word_clear(&def.w);
                        continue;
                }
                def.w.file = xstrdup(def.at.file);
                def.w.line = def.at.line;
                pd->words = xreallocarray(pd->words, pd->n_words + 1, sizeof(*pd->words));
                pd->words[pd->n_words++] = def;
        }
}

/* ---- patterns ----------------------------------------------------------------------- */

/* Compiles a pattern; reports PCRE2's message with the offset in characters. */
static bool compile_pattern(struct loader *l, const char *path, const struct ynode *n,
                            struct rule_pattern *p)
{
        int error;
        PCRE2_SIZE offset;
        pcre2_code *code;

        code = pcre2_compile((PCRE2_SPTR)p->source, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
                             &error, &offset, NULL);
        if (!code) {
                PCRE2_UCHAR msg[256];
                size_t chars = 0;

                if (pcre2_get_error_message(error, msg, sizeof(msg)) < 0)
                        snprintf((char *)msg, sizeof(msg), "error %d", error);
                for (size_t i = 0; i < offset && p->source[i]; i++)
                        if (((unsigned char)p->source[i] & 0xc0) != 0x80)
                                chars++;
                cfg_report(l, n->pos, "%s: invalid PCRE2 pattern at offset %zu: %s", path, chars,
                       (const char *)msg);
                return false;
        }
        /* JIT needs memory that is writable and then executable; where the service's
         * sandbox forbids it (MemoryDenyWriteExecute) the interpreter runs the pattern,
         * under the same limits. */
        p->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
        p->code = code;
        return true;
}

static void load_pattern(struct loader *l, const char *path, const struct ynode *val,
                         struct pattern_def *def)
{
        struct field f[] = {
            {.name = "id"},    {.name = "pattern"},  {.name = "prefilter"}, {.name = "right"},
            {.name = "class"}, {.name = "severity"}, {.name = "message"},   {.name = "enabled"},
        };
        struct field *f_id = &f[0], *f_pat = &f[1], *f_pre = &f[2], *f_right = &f[3],
                     *f_class = &f[4], *f_sev = &f[5], *f_msg = &f[6], *f_enabled = &f[7];
        struct rule_pattern *p = &def->p;
        bool have_class = false;

        def->enabled = true;
        def->at = val->pos;
        if (!cfg_expect_map(l, path, val))
                return;
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));

        if (cfg_require(l, val->pos, path, f_id)) {
                _cleanup_free_ char *sub = xasprintf("%s.id", path);
                cfg_get_string(l, sub, f_id->val, false, &p->id);
        }
        if (f_enabled->key) {
                _cleanup_free_ char *sub = xasprintf("%s.enabled", path);
                cfg_get_bool(l, sub, f_enabled->val, &def->enabled);
        }
        if (!def->enabled && !f_pat->key)
                return;

        if (cfg_require(l, val->pos, path, f_pat)) {
                _cleanup_free_ char *sub = xasprintf("%s.pattern", path);
                if (cfg_get_string(l, sub, f_pat->val, false, &p->source))
                        compile_pattern(l, sub, f_pat->val, p);
        }
        /* Without a literal that every match contains, a pattern would run over every
         * page; the prefilter keeps the regex engine off pages that cannot match. */
        if (f_pre->key) {
                _cleanup_free_ char *sub = xasprintf("%s.prefilter", path);
                get_literals(l, sub, f_pre->val, &p->prefilter);
        } else {
                cfg_report(l, val->pos,
                       "%s: missing required key 'prefilter' (literal text that every match "
                       "contains; the pattern runs only on pages where one occurs)",
                       path);
        }
        if (cfg_require(l, val->pos, path, f_class)) {
                _cleanup_free_ char *sub = xasprintf("%s.class", path);
                have_class = get_class(l, sub, f_class->val, &p->cls);
        }
        if (have_class)
                p->severity = class_severity[p->cls];
        if (f_sev->key) {
                _cleanup_free_ char *sub = xasprintf("%s.severity", path);
                get_severity(l, sub, f_sev->val, &p->severity);
        }
        if (f_right->key) {
                _cleanup_free_ char *sub = xasprintf("%s.right", path);
                cfg_get_strv(l, sub, f_right->val, true, &p->right);
        }
        if (f_msg->key) {
                _cleanup_free_ char *sub = xasprintf("%s.message", path);
                cfg_get_string(l, sub, f_msg->val, false, &p->message);
        }
        if (!f_right->key && !f_msg->key)
                cfg_report(l, val->pos,
                       "%s: needs 'right' (the correct text) or 'message' (what is wrong)",
                       path);
}

static void load_patterns(struct loader *l, struct dict_pending **pending_defs, const struct ynode *val)
{
        struct dict_pending *pd = pending(pending_defs);

        if (cfg_ynode_is_null(val))
                return;
        if (val->kind != Y_SEQ) {
                cfg_report_type(l, "patterns", val, "a list of patterns");
                return;
        }
        for (size_t i = 0; i < val->n_kids; i++) {
                _cleanup_free_ char *path = xasprintf("patterns[%zu]", i + 1);
                struct pattern_def def = {.order = pd->n_patterns};

                load_pattern(l, path, val->kids[i], &def);
                if (!def.p.id) {
                        pattern_clear(&def.p);
                        continue;
                }
                def.p.file = xstrdup(def.at.file);
                def.p.line = def.at.line;
                pd->patterns = xreallocarray(pd->patterns, pd->n_patterns + 1,
                                             sizeof(*pd->patterns));
                pd->patterns[pd->n_patterns++] = def;
        }
}

/* ---- merge and compile -------------------------------------------------------------- */

static int cmp_word_defs(const void *a, const void *b)
{
        const struct word_def *x = a, *y = b;
        int c = strcmp(x->w.wrong, y->w.wrong);

        if (c)
                return c;
        return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_pattern_defs(const void *a, const void *b)
{
        const struct pattern_def *x = a, *y = b;
        int c = strcmp(x->p.id, y->p.id);

        if (c)
                return c;
        return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_word_order(const void *a, const void *b)
{
        const struct word_def *x = a, *y = b;
        return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_pattern_order(const void *a, const void *b)
{
        const struct pattern_def *x = a, *y = b;
        return x->order < y->order ? -1 : x->order > y->order;
}

/* Keeps the last entry of each wrong text (a later file overrides an earlier one; the same
 * text twice in one file is a mistake), drops disabled entries, and restores the order in
 * which the kept entries were read. */
static void merge_words(struct loader *l, struct dict_pending *pd, struct rule_dictionary *d)
{
        size_t n = 0;

        if (pd->n_words)
                qsort(pd->words, pd->n_words, sizeof(*pd->words), cmp_word_defs);
        for (size_t i = 1; i < pd->n_words; i++)
                if (streq(pd->words[i].w.wrong, pd->words[i - 1].w.wrong) &&
                    streq(pd->words[i].at.file, pd->words[i - 1].at.file))
                        cfg_report(l, pd->words[i].at,
                               "dictionary: '%s' is already an entry of this file (line %d)",
                               pd->words[i].w.wrong, pd->words[i - 1].at.line);
        for (size_t i = 0; i < pd->n_words; i++) {
                struct word_def *w = &pd->words[i];
                bool last = i + 1 == pd->n_words || !streq(w->w.wrong, pd->words[i + 1].w.wrong);

                if (!last || !w->enabled) {
                        word_clear(&w->w);
                        continue;
                }
                pd->words[n++] = *w;
        }
        if (n)
                qsort(pd->words, n, sizeof(*pd->words), cmp_word_order);
        d->words = xcalloc(n ? n : 1, sizeof(*d->words));
        for (size_t i = 0; i < n; i++)
                d->words[i] = pd->words[i].w;
        d->n_words = n;
}

static void merge_patterns(struct loader *l, struct dict_pending *pd, struct rule_dictionary *d)
{
        size_t n = 0;

        if (pd->n_patterns)
                qsort(pd->patterns, pd->n_patterns, sizeof(*pd->patterns), cmp_pattern_defs);
        for (size_t i = 1; i < pd->n_patterns; i++)
                if (streq(pd->patterns[i].p.id, pd->patterns[i - 1].p.id) &&
                    streq(pd->patterns[i].at.file, pd->patterns[i - 1].at.file))
                        cfg_report(l, pd->patterns[i].at,
                               "patterns: id '%s' is already used in this file (line %d)",
                               pd->patterns[i].p.id, pd->patterns[i - 1].at.line);
        for (size_t i = 0; i < pd->n_patterns; i++) {
                struct pattern_def *p = &pd->patterns[i];
                bool last = i + 1 == pd->n_patterns || !streq(p->p.id, pd->patterns[i + 1].p.id);

                if (!last || !p->enabled) {
                        pattern_clear(&p->p);
                        continue;
                }
                pd->patterns[n++] = *p;
        }
        if (n)
                qsort(pd->patterns, n, sizeof(*pd->patterns), cmp_pattern_order);
        d->patterns = xcalloc(n ? n : 1, sizeof(*d->patterns));
        for (size_t i = 0; i < n; i++)
                d->patterns[i] = pd->patterns[i].p;
        d->n_patterns = n;
}

static void dictionary_finish(struct loader *l, struct dict_pending **pending_defs,
                       struct rule_config *cfg)
{
        struct rule_dictionary *d = &cfg->dictionary;
        struct dict_pending *pd = pending(pending_defs);
        struct dict *m;
        int r;

        merge_words(l, pd, d);
        merge_patterns(l, pd, d);
        free(pd->words);
        free(pd->patterns);
        free(pd);
        *pending_defs = NULL;

        m = dict_new();
        for (size_t i = 0; i < d->n_words; i++) {
                r = dict_add(m, d->words[i].wrong, strlen(d->words[i].wrong), (uint32_t)i);
                if (r < 0)
                        cfg_report(l, (struct pos){d->words[i].file, d->words[i].line, 1},
                               "dictionary: '%s' cannot be matched: %s", d->words[i].wrong,
                               strerror(-r));
        }
        for (size_t i = 0; i < d->n_patterns; i++)
                for (size_t k = 0; k < d->patterns[i].prefilter.n; k++) {
                        const char *s = d->patterns[i].prefilter.items[k];
                        r = dict_add(m, s, strlen(s), (uint32_t)(d->n_words + i));
                        if (r < 0)
                                cfg_report(l,
                                       (struct pos){d->patterns[i].file, d->patterns[i].line, 1},
                                       "patterns: prefilter '%s' cannot be matched: %s", s,
                                       strerror(-r));
                }
        r = dict_compile(m);
        if (r < 0)
                cfg_report(l, (struct pos){cfg->files.n ? cfg->files.items[0] : "rules.d", 0, 0},
                       "dictionary: cannot build the matcher: %s", strerror(-r));
        d->matcher = m;
}

/* ---- the sections (config.c's table) ------------------------------------------------ */

void cfg_load_dictionary(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        load_dictionary(l, cfg_dict_pending(l), val);
}

void cfg_load_patterns(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        load_patterns(l, cfg_dict_pending(l), val);
}

void cfg_build_dictionary(struct loader *l)
{
        dictionary_finish(l, cfg_dict_pending(l), cfg_config(l));
}

void cfg_release_dictionary(struct rule_config *c)
{
        rule_dictionary_clear(&c->dictionary);
}
