/* Bar and line charts as inline SVG; see svg.h. Coordinates are written with one decimal,
 * values with the chart's decimals, both in the C locale's notation that SVG expects. */
#include "notify/svg.h"

#include <math.h>

/* Room around the plot: value axis labels on the left, category labels below, the legend
 * on top. */
#define MARGIN_LEFT 48
#define MARGIN_RIGHT 12
#define MARGIN_TOP 40
#define MARGIN_BOTTOM 56
#define TICKS 5
/* Category labels are cut to this many characters; the full label is in the <title>. */
#define LABEL_CHARS 8

double notify_chart_axis_max(double max)
{
        static const double steps[] = {1, 2, 2.5, 5, 10};
        double p;

        if (!(max > 0))
                return 1;
        p = pow(10, floor(log10(max)));
        for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
                if (steps[i] * p >= max * (1 - 1e-12))
                        return steps[i] * p;
        return 10 * p;
}

struct frame {
        double x0, y0, w, h;    /* the plot area; y grows downwards */
        double max;             /* the value at the top of the plot */
};

static double value_max(const struct notify_chart *c)
{
        double max = 0;

        for (size_t s = 0; s < c->n_series; s++)
                for (size_t i = 0; i < c->n_labels; i++)
                        if (c->series[s].values[i] > max)
                                max = c->series[s].values[i];
        return max;
}

static void open_svg(struct notify_html *h, const struct notify_chart *c, struct frame *f)
{
        f->x0 = MARGIN_LEFT;
        f->y0 = MARGIN_TOP;
        f->w = c->width - MARGIN_LEFT - MARGIN_RIGHT;
        f->h = c->height - MARGIN_TOP - MARGIN_BOTTOM;
        if (f->w < 10)
                f->w = 10;
        if (f->h < 10)
                f->h = 10;
        f->max = notify_chart_axis_max(value_max(c));

        notify_html_rawf(h,
                         "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
                         "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                         "aria-label=\"",
                         c->width, c->height, c->width, c->height);
        notify_html_text(h, c->title);
        notify_html_raw(h, "\"><title>");
        notify_html_text(h, c->title);
        notify_html_raw(h, "</title>\n");

        /* The value axis: grid lines at fifths of the maximum, or at each whole number when
         * the maximum is a small count (1, 2), so that counts never get fractional ticks. */
        int ticks = f->max < TICKS && f->max == floor(f->max) ? (int)f->max : TICKS;
        for (int t = 0; t <= ticks; t++) {
                double v = f->max * t / ticks;
                double y = f->y0 + f->h - f->h * t / ticks;
                notify_html_rawf(h,
                                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                 "stroke=\"#ccc\" stroke-width=\"1\"/>"
                                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                                 "text-anchor=\"end\" fill=\"#555\">%.*f</text>\n",
                                 f->x0, y, f->x0 + f->w, y, f->x0 - 4, y + 4,
                                 v == floor(v) ? 0 : 1, v);
        }

        /* The legend, one swatch and name per series. */
        for (size_t s = 0; s < c->n_series; s++) {
                double x = f->x0 + (double)s * 140;
                notify_html_rawf(h,
                                 "<rect x=\"%.1f\" y=\"8\" width=\"12\" height=\"12\" "
                                 "fill=\"%s\"/><text x=\"%.1f\" y=\"19\" font-size=\"12\">",
                                 x, c->series[s].color, x + 16);
                notify_html_text_cut(h, c->series[s].name, 10);
                notify_html_raw(h, "</text>\n");
        }
}

static void category_label(struct notify_html *h, const struct notify_chart *c, double x,
                           double y, size_t i)
{
        notify_html_rawf(h, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">",
                         x, y);
        notify_html_raw(h, "<title>");
        notify_html_text(h, c->labels[i]);
        notify_html_raw(h, "</title>");
        notify_html_text_cut(h, c->labels[i], LABEL_CHARS);
        notify_html_raw(h, "</text>\n");
}

static double clamp_value(double v)
{
        return v > 0 && isfinite(v) ? v : 0;
}

void notify_svg_bars(struct notify_html *h, const struct notify_chart *c)
{
        struct frame f;
        double group_w, bar_w;

        open_svg(h, c, &f);
        if (c->n_labels > 0 && c->n_series > 0) {
                group_w = f.w / (double)c->n_labels;
                /* A fifth of each group is the gap between groups. */
                bar_w = group_w * 0.8 / (double)c->n_series;
                for (size_t i = 0; i < c->n_labels; i++) {
                        double gx = f.x0 + group_w * (double)i + group_w * 0.1;

                        for (size_t s = 0; s < c->n_series; s++) {
                                double v = clamp_value(c->series[s].values[i]);
                                double bh = f.h * v / f.max;
                                double x = gx + bar_w * (double)s;
                                double y = f.y0 + f.h - bh;

                                notify_html_rawf(h,
                                                 "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
                                                 "width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                                                 "<title>",
                                                 x, y, bar_w * 0.9, bh, c->series[s].color);
                                notify_html_text(h, c->labels[i]);
                                notify_html_raw(h, " ");
                                notify_html_text(h, c->series[s].name);
                                notify_html_rawf(h, ": %.*f</title></rect>"
                                                    "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" "
                                                    "font-size=\"11\" text-anchor=\"middle\">"
                                                    "%.*f</text>\n",
                                                 c->decimals, v, x + bar_w * 0.45, y - 3,
                                                 c->decimals, v);
                        }
                        category_label(h, c, gx + group_w * 0.4, f.y0 + f.h + 16, i);
                }
        }
        notify_html_raw(h, "</svg>\n");
}

void notify_svg_lines(struct notify_html *h, const struct notify_chart *c)
{
        struct frame f;
        double step;

        open_svg(h, c, &f);
        step = c->n_labels > 1 ? f.w / (double)(c->n_labels - 1) : 0;
        for (size_t s = 0; s < c->n_series && c->n_labels > 0; s++) {
                notify_html_rawf(h, "<polyline class=\"line\" fill=\"none\" stroke=\"%s\" "
                                    "stroke-width=\"2\" points=\"",
                                 c->series[s].color);
                for (size_t i = 0; i < c->n_labels; i++) {
                        double v = clamp_value(c->series[s].values[i]);
                        notify_html_rawf(h, "%s%.1f,%.1f", i ? " " : "",
                                         f.x0 + step * (double)i + (c->n_labels > 1 ? 0 : f.w / 2),
                                         f.y0 + f.h - f.h * v / f.max);
                }
                notify_html_raw(h, "\"/>\n");
                for (size_t i = 0; i < c->n_labels; i++) {
                        double v = clamp_value(c->series[s].values[i]);
                        double x = f.x0 + step * (double)i + (c->n_labels > 1 ? 0 : f.w / 2);
                        double y = f.y0 + f.h - f.h * v / f.max;
                        notify_html_rawf(h,
                                         "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>"
                                         "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" "
                                         "font-size=\"11\" text-anchor=\"middle\">%.*f</text>\n",
                                         x, y, c->series[s].color, x, y - 6, c->decimals, v);
                }
        }
        for (size_t i = 0; i < c->n_labels; i++)
                category_label(h, c,
                               f.x0 + step * (double)i + (c->n_labels > 1 ? 0 : f.w / 2),
                               f.y0 + f.h + 16, i);
        notify_html_raw(h, "</svg>\n");
}
