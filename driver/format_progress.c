/* The progress line (driver/format.h): one line on stderr, rewritten in place
 * with \r, saying which trial runs, how long the run has taken and about how
 * long it has left.
 *
 * It appears only when stderr is a terminal (a sweep's log, a pipe or a file
 * never sees it) and only for runs expected to take more than a few seconds:
 * by the caller's estimate before the first trial (tether trials have a
 * duration), else by the pace of the trials so far.  It is updated when a
 * trial ends, and taken off the terminal before anything else is printed. */
#include "driver/format.h"

#include <time.h>
#include <unistd.h>

/* "A few seconds": shorter runs print no progress at all. */
#define PROGRESS_MIN_S 2.0

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* "12 s", "3 min 05 s", "1 h 02 min". */
static void format_seconds(char *buf, size_t len, double s)
{
	unsigned long t = (unsigned long)(s + 0.5);
	if (t < 60)
		snprintf(buf, len, "%lu s", t);
	else if (t < 3600)
		snprintf(buf, len, "%lu min %02lu s", t / 60, t % 60);
	else
		snprintf(buf, len, "%lu h %02lu min", t / 3600, t / 60 % 60);
}

/* The whole run's expected length: the caller's estimate until a trial has
 * ended, then the pace so far. */
static double expected_total_s(const struct rl_progress *p, double elapsed)
{
	if (p->done == 0)
		return p->expected_s;
	return elapsed / (double)p->done * (double)p->total;
}

static void draw(struct rl_progress *p)
{
	double elapsed = now_s() - p->start_s;
	double total = expected_total_s(p, elapsed);
	if (p->done >= p->total || (total < PROGRESS_MIN_S && elapsed < PROGRESS_MIN_S))
		return;
	char spent[32], left[32];
	format_seconds(spent, sizeof spent, elapsed);
	if (total > 0)
		format_seconds(left, sizeof left, total > elapsed ? total - elapsed : 0);
	fprintf(stderr, "\rharness: trial %zu of %zu, %s elapsed%s%s\033[K", p->done + 1, p->total, spent,
		total > 0 ? ", ETA " : "", total > 0 ? left : "");
	fflush(stderr);
	p->shown = true;
}

void rl_progress_begin(struct rl_progress *p, size_t trials, double expected_s)
{
	p->enabled = isatty(STDERR_FILENO);
	p->shown = false;
	p->total = trials;
	p->done = 0;
	p->start_s = now_s();
	p->expected_s = expected_s;
	if (p->enabled)
		draw(p);
}

void rl_progress_trial_done(struct rl_progress *p)
{
	p->done++;
	if (!p->enabled)
		return;
	if (p->done >= p->total)
		rl_progress_clear(p);
	else
		draw(p);
}

void rl_progress_clear(struct rl_progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}
