/* Shared pieces of the transmigrator interface. */
#include "regionlab/transmigrator.h"

#include <math.h>

const char *rl_tm_strerror(int err)
{
	switch (err) {
	case RL_TM_OK:
		return "ok";
	case RL_TM_ENOMEM:
		return "out of memory";
	case RL_TM_EPRECONDITION:
		return "precondition failed";
	default:
		return "unknown error";
	}
}

int rl_tm_finish_nothing(rl_tm_ctx *ctx)
{
	(void)ctx;
	return RL_TM_OK;
}

double rl_tm_barrier_overhead(const struct rl_transmigrator *tm, rl_region *src, rl_val root, unsigned reps)
{
	return tm->barrier_overhead != NULL ? tm->barrier_overhead(src, root, reps) : NAN;
}

rl_val rl_tm_read_plain(rl_tm_ctx *ctx, rl_val *slot)
{
	(void)ctx;
	return *slot;
}
