/* The one clock regionlab times things with: CLOCK_MONOTONIC in ns.  The
 * runner times whole calls with it; strategies that report their phases
 * (rl_tm_report) and the tether schemes use it too. */
#ifndef REGIONLAB_CLOCK_H
#define REGIONLAB_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t rl_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
