/* `xunjian daemon`, `xunjian reload` and `xunjian status`: the long-running service and
 * the two commands that talk to it or about it.
 *
 * The daemon is one process and one libuv loop. Its jobs (daemon/schedule.h) run on that
 * loop, one at a time except the homepage probes, which run beside the others so that a
 * long scan does not hold them back — the probe, the scan and the new-media check through
 * their loop-driven cores (cli/probe.c, cli/scan.c, cli/media.c), the ticket engine after
 * each scan, the nightly email on libuv's thread pool with a store connection of its own
 * (libcurl's SMTP is blocking) — so the loop keeps
 * answering systemd's watchdog, signals and the control socket throughout. Each job's slot
 * and last run are kept in the store, so a restart after downtime runs each missed job once.
 *
 * Its clock is the wall clock, or for tests a simulated one: --now starts it elsewhere,
 * --clock-speed N runs it N times faster, and --warp jumps it to the next due job whenever
 * the daemon is idle, so that many simulated days pass in seconds; --until makes the daemon
 * stop by itself once its clock passes a time. */
#pragma once

#include "cli/cli.h"

/* Each returns an exit code. */
int daemon_main(struct cli *cli);
/* Asks the running daemon (over the control socket in the runtime directory) to re-read
 * rules.d; prints its answer. 0 when the new configuration is in use, 2 when it was
 * rejected (its errors printed, the old one kept), 3 when no daemon answered. */
int daemon_reload(struct cli *cli);
/* `xunjian status`: from the store, per site the last and next run of each job, the
 * pages and errors of the last scan, open violations and tickets by unit. */
int daemon_status(struct cli *cli);

/* The status for the metrics file: Prometheus text exposition format (version 0.0.4). */
struct buf;
int daemon_metrics_render(struct store *store, const struct rule_config *config, int64_t now,
                          struct buf *out);
/* Renders and writes the metrics to path atomically (a temporary file in the same
 * directory, then rename()), so the node-exporter textfile collector never reads half a
 * file. Returns 0 or a negative errno. */
int daemon_metrics_write(struct store *store, const struct rule_config *config, int64_t now,
                         const char *path);

/* The control socket: "<runtime dir>/control". The caller frees the result. */
char *daemon_control_path(const struct cli *cli);
