/* Charts as inline SVG for the reports and the big screen: grouped bars and lines over a
 * few categories, drawn with no script and no external asset so that a report opens
 * anywhere and prints as it shows. Internal to notify/. */
#pragma once

#include <stddef.h>

#include "notify/html.h"

struct notify_chart_series {
        const char *name;               /* for the legend; escaped */
        const double *values;           /* n_labels values, >= 0 */
        const char *color;              /* a CSS colour literal of our own, e.g. "#c00" */
};

struct notify_chart {
        const char *title;              /* escaped; also the chart's accessible name */
        const char *const *labels;      /* the categories along the x axis; escaped */
        size_t n_labels;
        const struct notify_chart_series *series;
        size_t n_series;
        int width, height;              /* the drawing's size in CSS pixels */
        int decimals;                   /* digits after the point in the value labels */
};

/* The smallest "nice" axis maximum (1, 2, 2.5 or 5 times a power of ten) at or above max;
 * 1 when max <= 0. */
double notify_chart_axis_max(double max);

/* Appends an <svg> element: one group of bars per label, one bar per series, each with
 * its value written above it and a <title> for a tooltip. */
void notify_svg_bars(struct notify_html *h, const struct notify_chart *c);
/* Appends an <svg> element: one polyline per series across the labels, each point marked
 * and labelled with its value. */
void notify_svg_lines(struct notify_html *h, const struct notify_chart *c);
