/* The daemon's timetable; see schedule.h. */
#include "daemon/schedule.h"

#include <errno.h>

static const char *const kind_ids[N_JOB_KINDS] = {"probe", "scan", "mail", "media", "links"};
static const char *const kind_labels[N_JOB_KINDS] = {"首页探测", "全站巡检", "每日邮件",
                                                     "新媒体检查", "首页链接检查"};

const char *job_kind_id(enum job_kind k)
{
        return (unsigned)k < N_JOB_KINDS ? kind_ids[k] : "?";
}

const char *job_kind_label(enum job_kind k)
{
        return (unsigned)k < N_JOB_KINDS ? kind_labels[k] : "?";
}

int job_kind_from_id(const char *s, enum job_kind *ret)
{
        int k = str_index(kind_ids, N_JOB_KINDS, s);

        if (k >= 0)
                *ret = (enum job_kind)k;
        return k < 0 ? k : 0;
}

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t mix64(uint64_t x)
{
        x += 0x9e3779b97f4a7c15ULL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
}

static uint64_t hash_string(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ULL;     /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
        return h;
}

int64_t schedule_probe_time(uint64_t seed, const char *site, int per_day, xj_day d, int i)
{
        int64_t slot = 86400 / per_day;
        uint64_t h = mix64(seed ^ mix64(hash_string(site) ^ mix64(((uint64_t)(uint32_t)d << 16) ^
                                                                   (uint64_t)i)));
        int64_t margin = slot / 10;
        int64_t span = slot - 2 * margin;

        return time_of_day(d) + (int64_t)i * slot + margin + (int64_t)(h % (uint64_t)span);
}

int64_t schedule_next_probe(uint64_t seed, const char *site, int per_day, int64_t after)
{
        /* The day of t, then the next: a day always holds per_day >= 1 probes. */
        for (xj_day d = day_of_time(after);; d++)
                for (int i = 0; i < per_day; i++) {
                        int64_t t = schedule_probe_time(seed, site, per_day, d, i);
                        if (t > after)
                                return t;
                }
}

int64_t schedule_next_daily(int hour, int minute, int64_t after)
{
        for (xj_day d = day_of_time(after);; d++) {
                int64_t t = time_of_day(d) + hour * 3600 + minute * 60;
                if (t > after)
                        return t;
        }
}

int64_t schedule_next_weekly(int weekday, int hour, int minute, int64_t after)
{
        for (xj_day d = day_of_time(after);; d++) {
                int64_t t = time_of_day(d) + hour * 3600 + minute * 60;
                if (day_weekday(d) == weekday && t > after)
                        return t;
        }
}

int64_t schedule_next_daily_except(int weekday, int hour, int minute, int64_t after)
{
        for (xj_day d = day_of_time(after);; d++) {
                int64_t t = time_of_day(d) + hour * 3600 + minute * 60;
                if (day_weekday(d) != weekday && t > after)
                        return t;
        }
}

int64_t schedule_next(const struct rule_config *c, enum job_kind kind, const struct rule_site *site,
                      int64_t after)
{
        const struct rule_scan_schedule *s;

        switch (kind) {
        case JOB_PROBE:
                return schedule_next_probe(c->daemon.seed, site->id, c->settings.probes_per_day,
                                           after);
        case JOB_SCAN:
                s = rule_config_scan_schedule(c, site);
                return s->frequency == SCAN_WEEKLY
                               ? schedule_next_weekly(s->weekday, s->hour, s->minute, after)
                               : schedule_next_daily(s->hour, s->minute, after);
        case JOB_MEDIA:
                return schedule_next_daily(c->daemon.media_hour, c->daemon.media_minute, after);
        case JOB_LINKS:
                s = rule_config_scan_schedule(c, site);
                return schedule_next_daily_except(s->weekday, s->hour, s->minute, after);
        case JOB_MAIL:
        default:
                return schedule_next_daily(c->mail.send_hour, c->mail.send_minute, after);
        }
}
