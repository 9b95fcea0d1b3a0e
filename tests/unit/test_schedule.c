/* The daemon's timetable (daemon/schedule.c): probe times spread and reproducible from the
 * seed, daily and weekly slots in China Standard Time, the schedule of the shipped rules.d,
 * and the jobs table that makes a missed run happen once. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/schedule.h"
#include "store/store.h"

static int64_t at(const char *iso)
{
        int64_t t = 0;

        assert_int_equal(time_parse_iso8601(iso, &t), 0);
        return t;
}

static void test_probe_times(void **state)
{
        xj_day d = day_from_civil(2026, 11, 24);
        int64_t prev = time_of_day(d) - 1;

        for (int i = 0; i < 20; i++) {
                int64_t t = schedule_probe_time(42, "demo", 20, d, i);
                int64_t slot_start = time_of_day(d) + i * 4320;

                /* In the middle four fifths of its slot (72 minutes), in order. */
                assert_true(t >= slot_start + 432 && t < slot_start + 4320 - 432);
                assert_true(t > prev);
                prev = t;
                /* The same inputs give the same time. */
                assert_int_equal(t, schedule_probe_time(42, "demo", 20, d, i));
        }
        /* Another seed, site or day moves them. */
        int same_seed = 0, same_site = 0, same_day = 0;
        for (int i = 0; i < 20; i++) {
                int64_t t = schedule_probe_time(42, "demo", 20, d, i);
                same_seed += t == schedule_probe_time(43, "demo", 20, d, i);
                same_site += t == schedule_probe_time(42, "old", 20, d, i);
                same_day += t - time_of_day(d) ==
                            schedule_probe_time(42, "demo", 20, d + 1, i) - time_of_day(d + 1);
        }
        assert_true(same_seed < 3 && same_site < 3 && same_day < 3);
}

static void test_next_probe(void **state)
{
        xj_day d = day_from_civil(2026, 11, 24);
        int64_t t = time_of_day(d) - 1;
        int n = 0;

        /* Walking from slot to slot gives every probe of the day once, then the next day's. */
        for (;;) {
                t = schedule_next_probe(7, "demo", 20, t);
                if (day_of_time(t) != d)
                        break;
                assert_int_equal(t, schedule_probe_time(7, "demo", 20, d, n));
                n++;
        }
        assert_int_equal(n, 20);
        assert_int_equal(t, schedule_probe_time(7, "demo", 20, d + 1, 0));
}

static void test_daily_weekly(void **state)
{
        /* 2026-11-23 is a Monday. Strictly after: at 01:30 itself, the next day's. */
        assert_int_equal(schedule_next_daily(1, 30, at("2026-11-23T00:00:00+08:00")),
                         at("2026-11-23T01:30:00+08:00"));
        assert_int_equal(schedule_next_daily(1, 30, at("2026-11-23T01:30:00+08:00")),
                         at("2026-11-24T01:30:00+08:00"));
        /* CST, not UTC: 20:00 CST is 12:00 UTC. */
        assert_int_equal(schedule_next_daily(20, 0, at("2026-11-23T11:00:00Z")),
                         at("2026-11-23T12:00:00Z"));
        /* Sunday 02:00 after Monday: six days on; after Sunday 02:00, a week on. */
        assert_int_equal(schedule_next_weekly(0, 2, 0, at("2026-11-23T09:00:00+08:00")),
                         at("2026-11-29T02:00:00+08:00"));
        assert_int_equal(schedule_next_weekly(0, 2, 0, at("2026-11-29T02:00:00+08:00")),
                         at("2026-12-06T02:00:00+08:00"));
        assert_int_equal(schedule_next_weekly(1, 2, 0, at("2026-11-23T01:00:00+08:00")),
                         at("2026-11-23T02:00:00+08:00"));
        /* The homepage links of a site scanned on Sundays: every other day. Saturday
         * 2026-11-28 02:00 is followed by Monday 2026-11-30 02:00. */
        assert_int_equal(schedule_next_daily_except(0, 2, 0, at("2026-11-28T02:00:00+08:00")),
                         at("2026-11-30T02:00:00+08:00"));
        assert_int_equal(schedule_next_daily_except(0, 2, 0, at("2026-11-23T01:59:59+08:00")),
                         at("2026-11-23T02:00:00+08:00"));
}

static void test_shipped_schedule(void **state)
{
        struct rule_config *c = NULL;
        struct strv errors = {0};
        int64_t now = at("2026-11-23T09:00:00+08:00");

        assert_int_equal(rule_config_load(XJ_RULES_DIR, &c, &errors), 0);
        const struct rule_site *site = &c->sites[0];
        assert_int_equal(schedule_next(c, JOB_SCAN, site, now), at("2026-11-24T01:30:00+08:00"));
        assert_int_equal(schedule_next(c, JOB_MAIL, NULL, now), at("2026-11-23T20:00:00+08:00"));
        assert_int_equal(schedule_next(c, JOB_MEDIA, NULL, now), at("2026-11-24T07:00:00+08:00"));
        int64_t p = schedule_next(c, JOB_PROBE, site, now);
        assert_true(p > now && p - now <= 2 * 86400 / c->settings.probes_per_day);
        assert_int_equal(c->daemon.stop_timeout_s, 60);
        assert_null(c->daemon.metrics_file);
        rule_config_free(c);
}

/* A missed slot: the stored next_run is in the past; the job is due once, and its run
 * stores the next slot after the time it ended, not the slots it missed. */
static void test_jobs_table(void **state)
{
        char path[] = "/tmp/xj-schedule-XXXXXX";
        int fd = mkstemp(path);
        struct store *s = NULL;
        int64_t next = 0;

        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(store_open(path, &s, NULL), 0);
        assert_int_equal(store_job_next(s, "demo", "scan", &next), -ENOENT);
        assert_int_equal(store_job_schedule(s, "demo", "scan", 1000), 0);
        assert_int_equal(store_job_next(s, "demo", "scan", &next), 0);
        assert_int_equal(next, 1000);
        assert_int_equal(store_job_started(s, "demo", "scan", 5000), 0);
        assert_int_equal(store_job_finished(s, "demo", "scan", 5100, "ok", NULL, 1.5, 9000), 0);
        assert_int_equal(store_job_started(s, "demo", "scan", 9000), 0);
        assert_int_equal(store_job_finished(s, "demo", "scan", 9050, "failed", "boom", 0.5, 12000),
                         0);
        assert_int_equal(store_job_next(s, "demo", "scan", &next), 0);
        assert_int_equal(next, 12000);
        store_close(s);
        unlink(path);
        char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
        unlink(wal);
        unlink(shm);
        free(wal);
        free(shm);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_probe_times),     cmocka_unit_test(test_next_probe),
                cmocka_unit_test(test_daily_weekly),    cmocka_unit_test(test_shipped_schedule),
                cmocka_unit_test(test_jobs_table),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
