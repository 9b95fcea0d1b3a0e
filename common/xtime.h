/* Time and calendar arithmetic. Every check takes "now" as an argument (a Unix time in
 * seconds) that the command line sets from the clock or from --now, so that tests and
 * replays see exactly the same results. Calendar days are counted in China Standard Time
 * (UTC+8, no daylight saving since 1991), the time zone of every page we read, so a date
 * printed on a page and the day of "now" compare without a time-zone database. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define XJ_TZ_OFFSET (8 * 3600)

/* A calendar day as the number of days since 1970-01-01. */
typedef int32_t xj_day;

xj_day day_from_civil(int year, int month, int day);
void civil_from_day(xj_day d, int *ret_year, int *ret_month, int *ret_day);
bool civil_valid(int year, int month, int day);
/* 0 = Sunday ... 6 = Saturday. */
int day_weekday(xj_day d);

/* The China Standard Time calendar day that contains Unix time t. */
xj_day day_of_time(int64_t t);
/* Unix time of 00:00 China Standard Time on day d. */
int64_t time_of_day(xj_day d);

/* Parses an ISO 8601 time: "2026-11-23", "2026-11-23T08:00", "2026-11-23T08:00:00",
 * with an optional "Z" or "+08:00"-style offset; without an offset the time is taken as
 * China Standard Time. Returns 0, or -EINVAL. */
int time_parse_iso8601(const char *s, int64_t *ret);

/* Formats t as "2026-11-23T08:00:00+08:00" into buf (at least 32 bytes); returns buf. */
char *time_format_iso8601(int64_t t, char *buf);
/* Formats day d as "2026-11-23" into buf (at least 16 bytes); returns buf. */
char *day_format(xj_day d, char *buf);

/* The current time from the system clock. Only the program's edges call this. */
int64_t time_now_wall(void);
