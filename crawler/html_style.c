/* Which elements a reader of the page does not see. Before anything is extracted, every
 * element hidden by the "hidden" attribute, by its style="" attribute, by a rule of the
 * page's <style> blocks, or by being a tiny <marquee>, is marked with the reason
 * (xmlNode._private points at a static struct html__hiding), so that the text, the links
 * and the lists all agree on what is visible.
 *
 * Hidden means: display:none; visibility:hidden or collapse; opacity:0; a width or
 * height of at most tiny_px with overflow:hidden; a box moved offset_px or more off the
 * page (left, top, text-indent, margin-left or margin-top at -offset_px or less, or right
 * at +offset_px or more); a font size of at most tiny_px; text in the colour of its
 * background (only when both colours are declared in the page: a background set by an
 * external stylesheet is unknown, so nothing is guessed).
 *
 * The CSS understood is a deliberate subset. Selectors: a type or "*", .class and #id
 * parts, joined by the descendant (" ") and child (">") combinators, in "," lists; a
 * selector with anything else (attributes, pseudo-classes, "+", "~") is skipped and the
 * rest of its list still applies. Cascade: !important first, then the style attribute,
 * then specificity (ids, classes, types), then order. @media, @supports and every other
 * at-rule are skipped whole: their rules hold only on some screens or in print, and
 * taking them as always on would hide what most readers see. Linked stylesheets are not
 * fetched. Legacy attributes count too: <font color>, bgcolor, <marquee width/height>. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <threads.h>

#include "common/buf.h"
#include "common/util.h"
#include "crawler/html_internal.h"

#define DEFAULT_OFFSET_PX 500
#define DEFAULT_TINY_PX 3
/* Stylesheets in pages are small; a page with more than this is unusual enough that the
 * rules beyond are dropped (and counted in page->style_rules_dropped). */
#define MAX_RULES 2000
#define MAX_STYLE_BYTES (512 * 1024)
#define MAX_COMPOUNDS 6
#define MAX_CLASSES 4
/* Matching a selector with descendant combinators backtracks; a hostile page (a deep
 * tree and "div div div div...") must not make that exponential. */
#define MATCH_BUDGET 2000
/* libxml2 without HUGE stops at 256 levels; this guards the recursion anyway. */
#define MAX_DEPTH 1024
/* What a link looks like with no colour of its own: browsers draw it blue. */
#define LINK_DEFAULT_RGB 0x0000EE

enum how {
        HOW_DISPLAY = 0,
        HOW_VISIBILITY,
        HOW_OPACITY,
        HOW_SIZE,
        HOW_OFFSCREEN,
        HOW_FONT,
        HOW_COLOUR,
        N_HOWS,
};

#define HIDINGS(by)                                                                    \
        {                                                                              \
                {by, "display:none", false}, {by, "visibility:hidden", false},         \
                {by, "opacity:0", false}, {by, "宽或高接近零且溢出隐藏", false},       \
                {by, "定位到页面可视区域之外", false}, {by, "字号接近零", false},     \
                {by, "文字颜色与背景色相同", true},                                   \
        }

static const struct html__hiding by_inline[N_HOWS] = HIDINGS(HTML_HIDDEN_INLINE);
static const struct html__hiding by_sheet[N_HOWS] = HIDINGS(HTML_HIDDEN_STYLESHEET);
static const struct html__hiding by_attribute = {HTML_HIDDEN_ATTRIBUTE, "hidden 属性", false};
static const struct html__hiding by_marquee = {HTML_HIDDEN_MARQUEE, "极小的滚动区（marquee）",
                                               false};

const char *html_hidden_by_id(enum html_hidden_by h)
{
        switch (h) {
        case HTML_SHOWN:
                return "shown";
        case HTML_HIDDEN_ATTRIBUTE:
                return "attribute";
        case HTML_HIDDEN_INLINE:
                return "inline";
        case HTML_HIDDEN_STYLESHEET:
                return "stylesheet";
        case HTML_HIDDEN_MARQUEE:
                return "marquee";
        case HTML_HIDDEN_SCRIPT:
                return "script";
        }
        return "shown";
}

const char *html_hidden_how_lookup(const char *how)
{
        if (!how)
                return NULL;
        if (!*how)
                return "";
        for (size_t i = 0; i < N_HOWS; i++) {
                if (streq(how, by_inline[i].how))
                        return by_inline[i].how;
                if (streq(how, by_sheet[i].how))
                        return by_sheet[i].how;
        }
        if (streq(how, by_attribute.how))
                return by_attribute.how;
        if (streq(how, by_marquee.how))
                return by_marquee.how;
        return html__script_how_lookup(how);
}

const struct html__hiding *html__hiding_of(const xmlNode *n)
{
        if (!n || n->type != XML_ELEMENT_NODE)
                return NULL;
        return n->_private;
}

/* ---- values ---- */

enum prop {
        P_DISPLAY = 0,
        P_VISIBILITY,
        P_OPACITY,
        P_OVERFLOW,
        P_WIDTH,
        P_HEIGHT,
        P_POSITION,
        P_LEFT,
        P_RIGHT,
        P_TOP,
        P_TEXT_INDENT,
        P_MARGIN_LEFT,
        P_MARGIN_TOP,
        P_FONT_SIZE,
        P_COLOR,
        P_BACKGROUND,
        N_PROPS,
};

enum keyword {
        KW_OTHER = 0,
        KW_NONE,        /* display:none */
        KW_HIDDEN,      /* visibility:hidden/collapse, overflow:hidden/clip */
        KW_VISIBLE,
        KW_MOVED,       /* position absolute, fixed or relative: offsets apply */
        KW_INHERIT,     /* color: inherit / currentcolor */
};

/* A colour: RGB, or one of these. */
#define RGB_NONE (-1L)          /* not given */
#define RGB_UNKNOWN (-2L)       /* an image or a gradient: what shows is unknown */
#define RGB_TRANSPARENT (-3L)

struct value {
        enum keyword kw;
        bool length;            /* px is meaningful */
        double px;
        long rgb;
};

struct decl {
        enum prop prop;
        struct value v;
        bool important;
};

/* The winning declaration of each property for one element. */
struct computed {
        bool set[N_PROPS];
        struct value v[N_PROPS];
        uint64_t prio[N_PROPS];
        bool from_inline[N_PROPS];
};

static char lower(char c)
{
        return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A length: "0", "-9999px", "1.5em", "2pt", "-100vw". Percentages and anything else are
 * not lengths (length stays false). */
static void parse_length(const char *s, struct value *v)
{
        char *end;
        double x = strtod(s, &end);

        if (end == s || !isfinite(x))
                return;
        while (*end == ' ')
                end++;
        if (*end == '\0' && x == 0) {
                v->length = true;
                v->px = 0;
                return;
        }
        static const struct {
                const char *unit;
                double px;
        } units[] = {
                {"px", 1}, {"em", 16}, {"rem", 16}, {"pt", 4.0 / 3}, {"pc", 16}, {"cm", 37.8},
                {"mm", 3.78}, {"in", 96}, {"vw", 10}, {"vh", 10}, {"%", -1},
        };
        for (size_t i = 0; i < ARRAY_SIZE(units); i++)
                if (strncmp(end, units[i].unit, strlen(units[i].unit)) == 0) {
                        if (units[i].px < 0) {
                                /* 0% is nothing whatever it is a percentage of. */
                                if (x == 0) {
                                        v->length = true;
                                        v->px = 0;
                                }
                                return;
                        }
                        v->length = true;
                        v->px = x * units[i].px;
                        return;
                }
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = lower(c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* One colour token (lower case): #rgb, #rrggbb, rgb(r,g,b), rgba(...,0) (transparent),
 * transparent, or one of the basic names. RGB_NONE when it is none of these. */
static long parse_colour(const char *s, size_t n)
{
        static const struct {
                const char *name;
                long rgb;
        } names[] = {
                {"white", 0xFFFFFF}, {"black", 0x000000}, {"red", 0xFF0000},
                {"green", 0x008000}, {"blue", 0x0000FF}, {"yellow", 0xFFFF00},
                {"gray", 0x808080}, {"grey", 0x808080}, {"silver", 0xC0C0C0},
                {"maroon", 0x800000}, {"navy", 0x000080}, {"purple", 0x800080},
                {"orange", 0xFFA500}, {"lime", 0x00FF00}, {"aqua", 0x00FFFF},
                {"fuchsia", 0xFF00FF}, {"teal", 0x008080}, {"olive", 0x808000},
        };

        if (n == 0)
                return RGB_NONE;
        if (s[0] == '#') {
                long rgb = 0;
                if (n == 4 || n == 5) {
                        for (size_t i = 1; i < 4; i++) {
                                int h = hexval(s[i]);
                                if (h < 0)
                                        return RGB_NONE;
                                rgb = rgb << 8 | (h << 4 | h);
                        }
                        /* #rgba with alpha 0 */
                        return n == 5 && s[4] == '0' ? RGB_TRANSPARENT : rgb;
                }
                if (n == 7 || n == 9) {
                        for (size_t i = 1; i < 7; i++) {
                                int h = hexval(s[i]);
                                if (h < 0)
                                        return RGB_NONE;
                                rgb = rgb << 4 | h;
                        }
                        return n == 9 && s[7] == '0' && s[8] == '0' ? RGB_TRANSPARENT : rgb;
                }
                return RGB_NONE;
        }
        if (n > 4 && (strncmp(s, "rgb(", 4) == 0 || strncmp(s, "rgba(", 5) == 0)) {
                const char *p = strchr(s, '(') + 1;
                long c[4] = {0, 0, 0, 1};
                int k = 0;
                while (k < 4 && p < s + n) {
                        char *end;
                        double x = strtod(p, &end);
                        if (end == p)
                                break;
                        if (*end == '%')
                                x = x * (k < 3 ? 255.0 / 100 : 1.0 / 100), end++;
                        c[k++] = x < 0 ? 0 : x > 255 ? 255 : (long)(x + 0.5);
                        if (k == 4)
                                c[3] = x > 0;
                        p = end;
                        while (p < s + n && (*p == ',' || *p == ' ' || *p == '/'))
                                p++;
                }
                if (k < 3)
                        return RGB_NONE;
                if (k == 4 && !c[3])
                        return RGB_TRANSPARENT;
                return c[0] << 16 | c[1] << 8 | c[2];
        }
        if (n == 11 && strncmp(s, "transparent", 11) == 0)
                return RGB_TRANSPARENT;
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strlen(names[i].name) == n && strncmp(s, names[i].name, n) == 0)
                        return names[i].rgb;
        return RGB_NONE;
}

/* The background shorthand: a colour among its tokens, or unknown when it shows an
 * image or a gradient (what the text is drawn on is then not known). */
static long parse_background(const char *s)
{
        long rgb = RGB_NONE;

        if (strstr(s, "url(") || strstr(s, "gradient("))
                return RGB_UNKNOWN;
        for (const char *p = s; *p;) {
                while (*p == ' ' || *p == ',')
                        p++;
                const char *start = p;
                int paren = 0;
                while (*p && (paren || (*p != ' ' && *p != ','))) {
                        paren += *p == '(';
                        paren -= *p == ')' && paren > 0;
                        p++;
                }
                if (p > start) {
                        long c = parse_colour(start, (size_t)(p - start));
                        if (c != RGB_NONE)
                                rgb = c;
                }
        }
        return rgb;
}

static const struct {
        const char *name;
        enum prop prop;
} prop_names[] = {
        {"display", P_DISPLAY},         {"visibility", P_VISIBILITY},
        {"opacity", P_OPACITY},         {"overflow", P_OVERFLOW},
        {"width", P_WIDTH},             {"height", P_HEIGHT},
        {"max-width", P_WIDTH},         {"max-height", P_HEIGHT},
        {"position", P_POSITION},       {"left", P_LEFT},
        {"right", P_RIGHT},             {"top", P_TOP},
        {"text-indent", P_TEXT_INDENT}, {"margin-left", P_MARGIN_LEFT},
        {"margin-top", P_MARGIN_TOP},   {"font-size", P_FONT_SIZE},
        {"color", P_COLOR},             {"background", P_BACKGROUND},
        {"background-color", P_BACKGROUND},
};

/* Parses the value of one declaration (lower case, trimmed) into v. */
static bool parse_value(enum prop prop, const char *val, struct value *v)
{
        *v = (struct value){.rgb = RGB_NONE};
        switch (prop) {
        case P_DISPLAY:
                v->kw = streq(val, "none") ? KW_NONE : KW_OTHER;
                return true;
        case P_VISIBILITY:
                v->kw = streq(val, "hidden") || streq(val, "collapse") ? KW_HIDDEN
                        : streq(val, "visible")                        ? KW_VISIBLE
                                                                       : KW_OTHER;
                return true;
        case P_OVERFLOW:
                v->kw = str_startswith(val, "hidden") || str_startswith(val, "clip") ? KW_HIDDEN
                                                                                     : KW_OTHER;
                return true;
        case P_POSITION:
                v->kw = streq(val, "absolute") || streq(val, "fixed") || streq(val, "relative")
                                ? KW_MOVED
                                : KW_OTHER;
                return true;
        case P_OPACITY: {
                char *end;
                double x = strtod(val, &end);
                if (end == val)
                        return false;
                v->length = true;
                v->px = *end == '%' ? x / 100 : x;
                return true;
        }
        case P_COLOR:
                if (streq(val, "inherit") || streq(val, "currentcolor")) {
                        v->kw = KW_INHERIT;
                        return true;
                }
                v->rgb = parse_colour(val, strlen(val));
                return v->rgb != RGB_NONE;
        case P_BACKGROUND:
                v->rgb = parse_background(val);
                return v->rgb != RGB_NONE;
        default:
                parse_length(val, v);
                return v->length;
        }
}

/* Adds the declarations of one "a: b; c: d !important" block to decls (a buf of struct
 * decl). Only the properties above are kept; shorthand margin is read for its top and
 * left. */
static void parse_declarations(const char *s, size_t n, struct buf *decls)
{
        char text[4096];
        size_t len = 0;

        /* Lower case, comments dropped; a block longer than this is cut (a real one is not). */
        for (size_t i = 0; i < n && len < sizeof(text) - 1; i++) {
                if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
                        const char *close = memmem(s + i + 2, n - i - 2, "*/", 2);
                        i = close ? (size_t)(close - s) + 1 : n;
                        continue;
                }
                text[len++] = lower(s[i]) == '\n' || s[i] == '\t' || s[i] == '\r' ? ' '
                                                                                    : lower(s[i]);
        }
        text[len] = '\0';

        for (char *save = NULL, *d = strtok_r(text, ";", &save); d; d = strtok_r(NULL, ";", &save)) {
                char *colon = strchr(d, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                char *name = str_trim(d), *val = str_trim(colon + 1);
                bool important = false;
                char *bang = strchr(val, '!');
                if (bang) {
                        important = strstr(bang, "important") != NULL;
                        *bang = '\0';
                        str_trim(val);
                }
                if (streq(name, "margin")) {
                        /* top right bottom left: the first is the top, the last the left. */
                        char *tok[4];
                        size_t k = 0;
                        for (char *s2 = NULL, *t = strtok_r(val, " ", &s2); t && k < 4;
                             t = strtok_r(NULL, " ", &s2))
                                tok[k++] = t;
                        if (k == 0)
                                continue;
                        const char *left = tok[k == 4 ? 3 : k >= 2 ? 1 : 0];
                        struct decl top = {.prop = P_MARGIN_TOP, .important = important};
                        struct decl lft = {.prop = P_MARGIN_LEFT, .important = important};
                        if (parse_value(P_MARGIN_TOP, tok[0], &top.v))
                                buf_append(decls, &top, sizeof(top));
                        if (parse_value(P_MARGIN_LEFT, left, &lft.v))
                                buf_append(decls, &lft, sizeof(lft));
                        continue;
                }
                for (size_t i = 0; i < ARRAY_SIZE(prop_names); i++) {
                        if (!streq(name, prop_names[i].name))
                                continue;
                        struct decl dc = {.prop = prop_names[i].prop, .important = important};
                        /* max-width:0 hides like width:0; other max- values say nothing. */
                        if (str_startswith(name, "max-") && !(parse_value(dc.prop, val, &dc.v) &&
                                                              dc.v.px <= 0))
                                break;
                        if (parse_value(dc.prop, val, &dc.v))
                                buf_append(decls, &dc, sizeof(dc));
                        break;
                }
        }
}

/* ---- selectors and rules ---- */

enum combinator {
        COMB_NONE = 0,          /* the first compound */
        COMB_DESCENDANT,
        COMB_CHILD,
};

struct compound {
        enum combinator comb;   /* how it relates to the compound on its left */
        char tag[16];           /* "" for any */
        char id[48];            /* "" for none */
        char classes[MAX_CLASSES][32];
        size_t n_classes;
};

struct rule {
        struct compound parts[MAX_COMPOUNDS];
        size_t n_parts;
        uint32_t specificity;
        uint32_t order;
        struct decl *decls;     /* shared by the selectors of one rule; owned by sheet */
        size_t n_decls;
};

struct html__sheet {
        struct rule *rules;
        size_t n_rules;
        size_t dropped;
        struct decl **blocks;   /* the declaration blocks, freed with the sheet */
        size_t n_blocks;
};

static bool sel_ident_char(char c)
{
        unsigned char u = (unsigned char)c;
        return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
               u == '-' || u == '_' || u >= 0x80;
}

/* Copies an identifier at *p into dst (cap bytes); false when there is none or it does
 * not fit. */
static bool take_name(const char **p, char *dst, size_t cap, bool fold)
{
        size_t n = 0;

        while (sel_ident_char(**p)) {
                if (n + 1 >= cap)
                        return false;
                dst[n++] = fold ? lower(**p) : **p;
                (*p)++;
        }
        dst[n] = '\0';
        return n > 0;
}

/* Parses one complex selector (s, n bytes, no ","); false when it uses anything outside
 * the subset. */
static bool parse_selector(const char *s, size_t n, struct rule *r)
{
        char sel[512];
        const char *p;
        unsigned ids = 0, classes = 0, types = 0;

        if (n >= sizeof(sel))
                return false;
        memcpy(sel, s, n);
        sel[n] = '\0';
        p = sel;
        r->n_parts = 0;
        while (*p == ' ')
                p++;
        enum combinator comb = COMB_NONE;
        while (*p) {
                if (r->n_parts == MAX_COMPOUNDS)
                        return false;
                struct compound *c = &r->parts[r->n_parts++];
                *c = (struct compound){.comb = comb};
                bool any = false;
                if (*p == '*') {
                        p++;
                        any = true;
                } else if (sel_ident_char(*p)) {
                        if (!take_name(&p, c->tag, sizeof(c->tag), true))
                                return false;
                        types++;
                        any = true;
                }
                for (;;) {
                        if (*p == '.') {
                                p++;
                                if (c->n_classes == MAX_CLASSES ||
                                    !take_name(&p, c->classes[c->n_classes], 32, false))
                                        return false;
                                c->n_classes++;
                                classes++;
                        } else if (*p == '#') {
                                p++;
                                if (c->id[0] || !take_name(&p, c->id, sizeof(c->id), false))
                                        return false;
                                ids++;
                        } else {
                                break;
                        }
                        any = true;
                }
                if (!any)
                        return false;
                const char *q = p;
                while (*q == ' ')
                        q++;
                if (*q == '\0')
                        break;
                if (*q == '>') {
                        comb = COMB_CHILD;
                        q++;
                        while (*q == ' ')
                                q++;
                } else if (q != p) {
                        comb = COMB_DESCENDANT;
                } else {
                        return false;   /* ":hover", "[x]", "+", "~"... */
                }
                p = q;
        }
        if (r->n_parts == 0)
                return false;
        r->specificity = (ids > 1023 ? 1023 : ids) << 20 | (classes > 1023 ? 1023 : classes) << 10 |
                         (types > 1023 ? 1023 : types);
        return true;
}

static void sheet_add_rule(struct html__sheet *sh, const char *sel, size_t sel_len,
                           const char *body, size_t body_len)
{
        struct buf decls;

        buf_init(&decls, 256 * sizeof(struct decl));
        parse_declarations(body, body_len, &decls);
        size_t n_decls = decls.len / sizeof(struct decl);
        if (n_decls == 0) {
                buf_free(&decls);
                return;
        }
        struct decl *block = (struct decl *)buf_steal(&decls);
        sh->blocks = html__grow(sh->blocks, sh->n_blocks, sizeof(*sh->blocks));
        sh->blocks[sh->n_blocks++] = block;

        for (const char *p = sel, *end = sel + sel_len; p < end;) {
                const char *comma = memchr(p, ',', (size_t)(end - p));
                const char *stop = comma ? comma : end;
                struct rule r;
                if (sh->n_rules >= MAX_RULES) {
                        sh->dropped++;
                } else if (parse_selector(p, (size_t)(stop - p), &r)) {
                        r.order = (uint32_t)sh->n_rules;
                        r.decls = block;
                        r.n_decls = n_decls;
                        sh->rules = html__grow(sh->rules, sh->n_rules, sizeof(*sh->rules));
                        sh->rules[sh->n_rules++] = r;
                }
                p = comma ? comma + 1 : end;
        }
}

/* The end of the balanced {...} block that starts at open, or end. */
static const char *block_end(const char *open, const char *end)
{
        int depth = 0;

        for (const char *p = open; p < end; p++) {
                if (*p == '{')
                        depth++;
                else if (*p == '}' && --depth == 0)
                        return p;
        }
        return end;
}

/* Adds the rules of one stylesheet (the text of a <style> element). */
static void sheet_parse(struct html__sheet *sh, const char *css, size_t len)
{
        /* The clean copy is never longer than the text (a comment becomes one space), and
         * the caller keeps the text under MAX_STYLE_BYTES. */
        _cleanup_free_ char *clean = xmalloc(len + 1);
        size_t n = 0;

        /* Comments out first, so that a "{" or ";" inside one cannot derail the rest;
         * "<!--" and "-->" (old pages hide their CSS from old browsers) are white space. */
        for (size_t i = 0; i < len; i++) {
                if (css[i] == '/' && i + 1 < len && css[i + 1] == '*') {
                        const char *close = memmem(css + i + 2, len - i - 2, "*/", 2);
                        i = close ? (size_t)(close - css) + 1 : len;
                        clean[n++] = ' ';
                        continue;
                }
                if (css[i] == '<' && i + 4 <= len && memcmp(css + i, "<!--", 4) == 0) {
                        i += 3;
                        continue;
                }
                if (css[i] == '-' && i + 3 <= len && memcmp(css + i, "-->", 3) == 0) {
                        i += 2;
                        continue;
                }
                clean[n++] = css[i] == '\n' || css[i] == '\r' || css[i] == '\t' || css[i] == '\f'
                                     ? ' '
                                     : css[i];
        }
        clean[n] = '\0';

        const char *p = clean, *end = p + n;
        while (p < end) {
                while (p < end && (*p == ' ' || *p == '}' || *p == ';'))
                        p++;
                if (p >= end)
                        break;
                const char *open = memchr(p, '{', (size_t)(end - p));
                if (*p == '@') {
                        const char *semi = memchr(p, ';', (size_t)(end - p));
                        if (semi && (!open || semi < open))
                                p = semi + 1;           /* @import, @charset */
                        else
                                p = open ? block_end(open, end) + 1 : end;
                        continue;
                }
                if (!open)
                        break;
                const char *close = memchr(open, '}', (size_t)(end - open));
                if (!close)
                        close = end;
                sheet_add_rule(sh, p, (size_t)(open - p), open + 1, (size_t)(close - open - 1));
                p = close + 1;
        }
}

static void sheet_free(struct html__sheet *sh)
{
        for (size_t i = 0; i < sh->n_blocks; i++)
                free(sh->blocks[i]);
        free(sh->blocks);
        free(sh->rules);
        *sh = (struct html__sheet){0};
}

/* The text of a <style> element, borrowed from the tree (NULL when it is empty). */
static const char *style_text(const xmlNode *n)
{
        for (const xmlNode *t = n->children; t; t = t->next)
                if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
                        return (const char *)t->content;
        return NULL;
}

/* A <style> for screens: no media attribute, or one that names screen or all. */
static bool style_for_screen(const xmlNode *n)
{
        const char *media = html__attr(n, "media");

        if (!media || !media[0])
                return true;
        return strcasestr(media, "screen") || strcasestr(media, "all");
}

/* ---- matching ---- */

static bool has_class(const xmlNode *n, const char *cls)
{
        const char *v = html__attr(n, "class");
        size_t len = strlen(cls);

        if (!v)
                return false;
        for (const char *p = v; *p;) {
                while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                        p++;
                const char *start = p;
                while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
                        p++;
                if ((size_t)(p - start) == len && memcmp(start, cls, len) == 0)
                        return true;
        }
        return false;
}

static bool compound_matches(const struct compound *c, const xmlNode *n)
{
        if (!n || n->type != XML_ELEMENT_NODE || !n->name)
                return false;
        if (c->tag[0] && strcmp((const char *)n->name, c->tag) != 0)
                return false;
        if (c->id[0]) {
                const char *id = html__attr(n, "id");
                if (!id || strcmp(id, c->id) != 0)
                        return false;
        }
        for (size_t i = 0; i < c->n_classes; i++)
                if (!has_class(n, c->classes[i]))
                        return false;
        return true;
}

static const xmlNode *parent_element(const xmlNode *n)
{
        n = n->parent;
        return n && n->type == XML_ELEMENT_NODE ? n : NULL;
}

/* Whether parts[0..i] match with parts[i] at n; *budget bounds the backtracking. */
static bool match_at(const struct rule *r, size_t i, const xmlNode *n, int *budget)
{
        if (--*budget < 0 || !compound_matches(&r->parts[i], n))
                return false;
        if (i == 0)
                return true;
        const xmlNode *p = parent_element(n);
        if (r->parts[i].comb == COMB_CHILD)
                return p && match_at(r, i - 1, p, budget);
        for (; p && *budget > 0; p = parent_element(p))
                if (match_at(r, i - 1, p, budget))
                        return true;
        return false;
}

static bool rule_matches(const struct rule *r, const xmlNode *n)
{
        int budget = MATCH_BUDGET;

        return match_at(r, r->n_parts - 1, n, &budget);
}

/* ---- the cascade ---- */

static void apply_decls(struct computed *cs, const struct decl *d, size_t n, uint32_t specificity,
                        uint32_t order, bool is_inline)
{
        for (size_t i = 0; i < n; i++) {
                /* !important, then inline, then specificity, then order. */
                uint64_t prio = (uint64_t)d[i].important << 62 | (uint64_t)is_inline << 61 |
                                (uint64_t)specificity << 30 | order;
                enum prop p = d[i].prop;
                if (cs->set[p] && cs->prio[p] > prio)
                        continue;
                cs->set[p] = true;
                cs->prio[p] = prio;
                cs->v[p] = d[i].v;
                cs->from_inline[p] = is_inline;
        }
}

/* Legacy presentational attributes, as the lowest-priority declarations. */
static void apply_attributes(struct computed *cs, const xmlNode *n)
{
        const char *v;

        if (html__is(n, "font") && (v = html__attr(n, "color"))) {
                char c[64];
                size_t len = 0;
                for (; v[len] && len < sizeof(c) - 1; len++)
                        c[len] = lower(v[len]);
                c[len] = '\0';
                long rgb = parse_colour(str_trim(c), strlen(str_trim(c)));
                /* <font color=ffffff>: browsers accept the hash left out. */
                if (rgb == RGB_NONE && strlen(c) == 6) {
                        char h[8] = "#";
                        strcat(h, c);
                        rgb = parse_colour(h, 7);
                }
                if (rgb >= 0) {
                        struct decl d = {.prop = P_COLOR, .v = {.rgb = rgb}};
                        apply_decls(cs, &d, 1, 0, 0, false);
                }
        }
        if ((v = html__attr(n, "bgcolor"))) {
                char c[64];
                size_t len = 0;
                for (; v[len] && len < sizeof(c) - 1; len++)
                        c[len] = lower(v[len]);
                c[len] = '\0';
                long rgb = parse_colour(str_trim(c), strlen(str_trim(c)));
                if (rgb >= 0) {
                        struct decl d = {.prop = P_BACKGROUND, .v = {.rgb = rgb}};
                        apply_decls(cs, &d, 1, 0, 0, false);
                }
        }
        if (html__attr(n, "background")) {
                struct decl d = {.prop = P_BACKGROUND, .v = {.rgb = RGB_UNKNOWN}};
                apply_decls(cs, &d, 1, 0, 0, false);
        }
}

static void compute(const struct html__sheet *sh, const xmlNode *n, struct computed *cs)
{
        const char *style = html__attr(n, "style");

        *cs = (struct computed){0};
        apply_attributes(cs, n);
        for (size_t i = 0; sh && i < sh->n_rules; i++)
                if (rule_matches(&sh->rules[i], n))
                        apply_decls(cs, sh->rules[i].decls, sh->rules[i].n_decls,
                                    sh->rules[i].specificity, sh->rules[i].order, false);
        if (style && style[0]) {
                struct buf decls;
                buf_init(&decls, 256 * sizeof(struct decl));
                parse_declarations(style, strlen(style), &decls);
                apply_decls(cs, (const struct decl *)decls.data, decls.len / sizeof(struct decl),
                            UINT32_C(1023) << 20, 0, true);
                buf_free(&decls);
        }
}

/* What an element passes to its children. */
struct inherited {
        bool invisible;         /* visibility:hidden from an ancestor */
        long color;             /* RGB_NONE: not declared anywhere above */
        long background;        /* the nearest declared background; RGB_NONE: none */
};

struct style_walk {
        const struct html__sheet *sheet;
        double offset_px;
        double tiny_px;
};

static bool has_own_text(const xmlNode *n)
{
        for (const xmlNode *t = n->children; t; t = t->next)
                if (t->type == XML_TEXT_NODE && t->content)
                        for (const char *p = (const char *)t->content; *p;) {
                                size_t sp = utf8_space_len(p);
                                if (!sp)
                                        return true;
                                p += sp;
                        }
        return false;
}

static bool has_image(const xmlNode *root)
{
        for (xmlNode *n = (xmlNode *)root; n; n = html__next(n, root, false))
                if (html__is(n, "img"))
                        return true;
        return false;
}

/* A marquee's size from its attributes (a number, optionally "px"), or -1. */
static double attr_px(const xmlNode *n, const char *name)
{
        const char *v = html__attr(n, name);
        char *end;

        if (!v)
                return -1;
        double x = strtod(v, &end);
        if (end == v || *end == '%')
                return -1;
        return x;
}

static bool length_at_most(const struct computed *cs, enum prop p, double px)
{
        return cs->set[p] && cs->v[p].length && cs->v[p].px <= px;
}

static bool length_at_least(const struct computed *cs, enum prop p, double px)
{
        return cs->set[p] && cs->v[p].length && cs->v[p].px >= px;
}

/* Decides whether n is hidden, given what it computed and inherited; returns the reason
 * and sets *ret_inline when the deciding declaration was the element's own style="". */
static int hidden_how(const struct style_walk *w, const struct computed *cs,
                      const struct inherited *in, bool invisible_now, bool *ret_inline)
{
        double off = -w->offset_px;

#define DECIDED_BY(p) (*ret_inline = cs->from_inline[p], true)
        if (cs->set[P_DISPLAY] && cs->v[P_DISPLAY].kw == KW_NONE && DECIDED_BY(P_DISPLAY))
                return HOW_DISPLAY;
        if (invisible_now && !in->invisible && DECIDED_BY(P_VISIBILITY))
                return HOW_VISIBILITY;
        if (length_at_most(cs, P_OPACITY, 0) && DECIDED_BY(P_OPACITY))
                return HOW_OPACITY;
        if (cs->set[P_OVERFLOW] && cs->v[P_OVERFLOW].kw == KW_HIDDEN) {
                if (length_at_most(cs, P_WIDTH, w->tiny_px) && DECIDED_BY(P_WIDTH))
                        return HOW_SIZE;
                if (length_at_most(cs, P_HEIGHT, w->tiny_px) && DECIDED_BY(P_HEIGHT))
                        return HOW_SIZE;
        }
        if (cs->set[P_POSITION] && cs->v[P_POSITION].kw == KW_MOVED) {
                if (length_at_most(cs, P_LEFT, off) && DECIDED_BY(P_LEFT))
                        return HOW_OFFSCREEN;
                if (length_at_most(cs, P_TOP, off) && DECIDED_BY(P_TOP))
                        return HOW_OFFSCREEN;
                if (length_at_least(cs, P_RIGHT, w->offset_px) && DECIDED_BY(P_RIGHT))
                        return HOW_OFFSCREEN;
        }
        if (length_at_most(cs, P_TEXT_INDENT, off) && DECIDED_BY(P_TEXT_INDENT))
                return HOW_OFFSCREEN;
        if (length_at_most(cs, P_MARGIN_LEFT, off) && DECIDED_BY(P_MARGIN_LEFT))
                return HOW_OFFSCREEN;
        if (length_at_most(cs, P_MARGIN_TOP, off) && DECIDED_BY(P_MARGIN_TOP))
                return HOW_OFFSCREEN;
        if (length_at_most(cs, P_FONT_SIZE, w->tiny_px) && DECIDED_BY(P_FONT_SIZE))
                return HOW_FONT;
#undef DECIDED_BY
        return -1;
}

static void walk(const struct style_walk *w, xmlNode *n, const struct inherited *in, int depth)
{
        struct computed cs;
        struct inherited out = *in;
        bool is_inline = false;
        int how;

        if (n->type != XML_ELEMENT_NODE || !n->name || depth > MAX_DEPTH)
                return;
        n->_private = NULL;
        compute(w->sheet, n, &cs);

        if (cs.set[P_VISIBILITY] && cs.v[P_VISIBILITY].kw != KW_OTHER)
                out.invisible = cs.v[P_VISIBILITY].kw == KW_HIDDEN;
        bool is_link = html__is(n, "a");
        if (cs.set[P_COLOR] && cs.v[P_COLOR].kw != KW_INHERIT)
                out.color = cs.v[P_COLOR].rgb;
        else if (is_link && !cs.set[P_COLOR])
                /* A link keeps the browser's link colour unless told otherwise. */
                out.color = LINK_DEFAULT_RGB;
        if (cs.set[P_BACKGROUND] && cs.v[P_BACKGROUND].rgb != RGB_TRANSPARENT)
                out.background = cs.v[P_BACKGROUND].rgb;

        how = hidden_how(w, &cs, in, out.invisible, &is_inline);
        if (how < 0 && out.color >= 0 && out.background >= 0 && out.color == out.background &&
            (is_link ? n->children && !has_image(n) : has_own_text(n))) {
                how = HOW_COLOUR;
                is_inline = (cs.set[P_COLOR] && cs.from_inline[P_COLOR]) ||
                            (cs.set[P_BACKGROUND] && cs.from_inline[P_BACKGROUND]);
        }
        if (how >= 0) {
                n->_private = (void *)(is_inline ? &by_inline[how] : &by_sheet[how]);
        } else if (html__attr(n, "hidden")) {
                n->_private = (void *)&by_attribute;
        } else if (html__is(n, "marquee")) {
                double wd = cs.set[P_WIDTH] && cs.v[P_WIDTH].length ? cs.v[P_WIDTH].px
                                                                    : attr_px(n, "width");
                double ht = cs.set[P_HEIGHT] && cs.v[P_HEIGHT].length ? cs.v[P_HEIGHT].px
                                                                      : attr_px(n, "height");
                if ((wd >= 0 && wd <= w->tiny_px) || (ht >= 0 && ht <= w->tiny_px))
                        n->_private = (void *)&by_marquee;
        }
        for (xmlNode *ch = n->children; ch; ch = ch->next)
                walk(w, ch, &out, depth + 1);
}

/* The pages of a site share their template, and with it the <style> blocks the CMS
 * inlines into every page: parsing them was a seventh of a page's parse. Each thread keeps
 * the last sheet it parsed, with the exact texts it came from as the key, and the next
 * page with the same texts reads it instead (the sheet is not changed after parsing).
 * Only small sheets are kept, so what stays per thread is bounded. */
#define CACHE_MAX_KEY (64 * 1024)
#define CACHE_MAX_RULES 256

static thread_local struct {
        char *key;              /* each text parsed, after its length (a size_t) */
        size_t key_len;
        struct html__sheet *sheet;
} sheet_cache;

/* Appends one text to the key; false when the key would pass CACHE_MAX_KEY. */
static bool key_add(struct buf *key, const char *css, size_t len)
{
        return buf_append(key, &len, sizeof(len)) == 0 && buf_append(key, css, len) == 0;
}

void html__style_sheet_collect(struct html_ctx *c, xmlNode *root)
{
        const char *texts[64];
        size_t lens[64], n_texts = 0, bytes = 0, over_budget = 0;
        struct buf key;
        bool cacheable = true;

        /* The texts to parse, in order, as the key; a page with more of them than fit in
         * texts is parsed as it goes, without the cache. */
        buf_init(&key, CACHE_MAX_KEY);
        c->sheet = NULL;
        for (xmlNode *n = root; n; n = html__next(n, root, false)) {
                if (!html__is(n, "style") || !style_for_screen(n))
                        continue;
                const char *css = style_text(n);
                if (!css)
                        continue;
                size_t len = strlen(css);
                if (bytes + len > MAX_STYLE_BYTES) {
                        over_budget++;
                        continue;
                }
                bytes += len;
                if (cacheable && n_texts < ARRAY_SIZE(texts) && key_add(&key, css, len)) {
                        texts[n_texts] = css;
                        lens[n_texts++] = len;
                        continue;
                }
                if (cacheable) {
                        /* Too many or too large: parse what was kept, then go on. */
                        cacheable = false;
                        c->sheet = xcalloc(1, sizeof(*c->sheet));
                        for (size_t i = 0; i < n_texts; i++)
                                sheet_parse(c->sheet, texts[i], lens[i]);
                }
                sheet_parse(c->sheet, css, len);
        }
        if (cacheable && sheet_cache.sheet && sheet_cache.key_len == key.len &&
            memcmp(sheet_cache.key, key.data ? key.data : "", key.len) == 0) {
                c->sheet = sheet_cache.sheet;
                c->sheet_shared = true;
        } else if (cacheable) {
                c->sheet = xcalloc(1, sizeof(*c->sheet));
                for (size_t i = 0; i < n_texts; i++)
                        sheet_parse(c->sheet, texts[i], lens[i]);
                if (c->sheet->n_rules <= CACHE_MAX_RULES) {
                        if (sheet_cache.sheet)
                                sheet_free(sheet_cache.sheet);
                        free(sheet_cache.sheet);
                        free(sheet_cache.key);
                        sheet_cache.key_len = key.len;
                        sheet_cache.key = buf_steal(&key);
                        sheet_cache.sheet = c->sheet;
                        c->sheet_shared = true;
                }
        }
        buf_free(&key);
        c->page->style_rules_dropped = c->sheet->dropped + over_budget;
}

void html__style_mark(struct html_ctx *c, xmlNode *root)
{
        struct style_walk w = {
                .sheet = c->sheet,
                .offset_px = c->o->hidden_offset_px > 0 ? c->o->hidden_offset_px
                                                        : DEFAULT_OFFSET_PX,
                .tiny_px = c->o->hidden_tiny_px > 0 ? c->o->hidden_tiny_px : DEFAULT_TINY_PX,
        };
        struct inherited top = {.color = RGB_NONE, .background = RGB_NONE};

        walk(&w, root, &top, 0);
}

void html__style_free(struct html_ctx *c)
{
        if (c->sheet && !c->sheet_shared) {
                sheet_free(c->sheet);
                free(c->sheet);
        }
        c->sheet = NULL;
        c->sheet_shared = false;
}
