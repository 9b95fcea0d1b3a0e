/* Shared by the files of notify/ that write pages: the document head, the print look, the
 * red header and CSV fields. Not part of notify's public interface. */
#pragma once

#include "notify/html.h"
#include "notify/report.h"

/* Fonts from the system, as offices have them: SimSun on Windows, Songti on macOS, Noto
 * Serif CJK (Debian's fonts-noto-cjk) on Linux, then any serif. */
#define NOTIFY_SERIF_FONTS \
        "\"FangSong\", \"STFangsong\", \"SimSun\", \"Songti SC\", \"Noto Serif CJK SC\", " \
        "\"Source Han Serif SC\", \"Noto Sans CJK SC\", serif"
#define NOTIFY_SANS_FONTS \
        "\"Microsoft YaHei\", \"PingFang SC\", \"Noto Sans CJK SC\", \"Source Han Sans SC\", " \
        "\"WenQuanYi Micro Hei\", sans-serif"

/* <!DOCTYPE html> up to </head>: charset, viewport, the escaped title, css (our own). */
void notify__page_head(struct notify_html *h, const char *title, const char *css);
/* The issuing office's name in red, as the header of an official document (红头). */
void notify__red_header(struct notify_html *h, const struct rule_office *office);
/* The print stylesheet of the 通报 and the roll. */
extern const char notify__report_css[];
/* The UTF-8 byte-order mark that opens every CSV file. */
extern const char notify__csv_bom[];
/* One CSV field (RFC 4180, formula-safe; see common/json.h) into a sticky builder. */
void notify__csv_field(struct notify_html *h, const char *s);
/* The key-column table of the roll, shared by the roll's page and the big screen. */
void notify__roll_table(struct notify_html *h, const struct notify_roll *r);
