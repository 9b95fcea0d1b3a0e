/* When the daemon's jobs are due: pure functions of the configuration and a time, so that
 * a restart, a test and `xunjian status` all compute the same slots. Times are Unix
 * seconds; days and clock times are China Standard Time (Asia/Shanghai, UTC+8 without
 * daylight saving), as in common/xtime.h. */
#pragma once

#include <stdint.h>

#include "rules/config.h"

enum job_kind {
        JOB_PROBE = 0,          /* homepage availability probe of one site */
        JOB_SCAN,               /* full scan of one site, then the ticket engine */
        JOB_MAIL,               /* the nightly email (tickets first) */
        JOB_MEDIA,              /* the new-media accounts and matrix pages, then tickets */
        JOB_LINKS,              /* a weekly-scanned site's homepage links, the other days */
        N_JOB_KINDS,
};

/* "probe", "scan", "mail", "media", "links"; and the Chinese label for people. */
const char *job_kind_id(enum job_kind k);
const char *job_kind_label(enum job_kind k);
int job_kind_from_id(const char *s, enum job_kind *ret);

/* The i-th probe time (0 <= i < per_day) of site on day d: the day is cut into per_day
 * equal slots, and the probe falls in the middle four fifths of slot i at an offset drawn
 * from (seed, site, d, i). Consecutive probes are thus never closer than a fifth of a slot,
 * and the same inputs always give the same time. */
int64_t schedule_probe_time(uint64_t seed, const char *site, int per_day, xj_day d, int i);
/* The first probe time of site strictly after t. */
int64_t schedule_next_probe(uint64_t seed, const char *site, int per_day, int64_t after);
/* The first hour:minute (CST) strictly after t; the same on weekday (0 = Sunday). */
int64_t schedule_next_daily(int hour, int minute, int64_t after);
int64_t schedule_next_weekly(int weekday, int hour, int minute, int64_t after);
/* The first hour:minute (CST) strictly after t on a day other than weekday. */
int64_t schedule_next_daily_except(int weekday, int hour, int minute, int64_t after);
/* The first slot of a job strictly after t. site is NULL for the mail and the media. The
 * homepage links of a site scanned weekly are checked at the scan's time on the six other
 * days (the full scan checks them on its own day). */
int64_t schedule_next(const struct rule_config *c, enum job_kind kind, const struct rule_site *site,
                      int64_t after);
