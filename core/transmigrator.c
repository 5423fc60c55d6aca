/* Shared pieces of the transmigrator interface. */
#include "regionlab/transmigrator.h"

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

rl_val rl_tm_read_plain(rl_tm_ctx *ctx, rl_val *slot)
{
	(void)ctx;
	return *slot;
}
