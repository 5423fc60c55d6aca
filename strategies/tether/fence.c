/* membarrier, and the fence option (see fence.h). */
#define _GNU_SOURCE /* syscall(2) for membarrier */
#include "strategies/tether/fence.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>


static pthread_once_t membarrier_once = PTHREAD_ONCE_INIT;
static int membarrier_errno = -1; /* 0: registered */

static void membarrier_register(void)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	if (cmds < 0) {
		membarrier_errno = errno;
		return;
	}
	if (!(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) {
		membarrier_errno = ENOSYS;
		return;
	}
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0) {
		membarrier_errno = errno;
		return;
	}
	membarrier_errno = 0;
}

int rl_membarrier_init(char *err, size_t errlen)
{
	pthread_once(&membarrier_once, membarrier_register);
	if (membarrier_errno != 0) {
		snprintf(err, errlen, "membarrier(PRIVATE_EXPEDITED) is not available here: %s",
			 strerror(membarrier_errno));
		return -1;
	}
	return 0;
}

void rl_membarrier(void)
{
	/* Registered in rl_membarrier_init, which every asymmetric domain calls
	 * at creation: the command cannot fail afterwards. */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
		fprintf(stderr, "regionlab: membarrier failed: %s\n", strerror(errno));
		abort();
	}
}

static const struct rl_option fence_option = RL_TETHER_FENCE_OPTION;

int rl_fence_option(const struct rl_tether_config *cfg, const char *scheme, bool *asym, char *err, size_t errlen)
{
	enum { FENCE_AUTO, FENCE_ASYM, FENCE_SYM };
	unsigned fence = rl_opt_enum(cfg->opts, &fence_option); /* indexes "auto|asym|sym" */
	char why[200];
	bool have = fence != FENCE_SYM && rl_membarrier_init(why, sizeof why) == 0;
	if (fence == FENCE_ASYM && !have) {
		snprintf(err, errlen, "tether %s: fence=asym: %s", scheme, why);
		return -1;
	}
	*asym = have;
	return 0;
}
