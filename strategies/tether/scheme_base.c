/* What every tether scheme uses (see scheme_base.h). */
#include "strategies/tether/scheme_base.h"

#include "regionlab/region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *rl_tether_domain_alloc(size_t size, const char *scheme, char *err, size_t errlen)
{
	void *d = calloc(1, size);
	if (d == NULL)
		snprintf(err, errlen, "tether %s: out of memory", scheme);
	return d;
}

void *rl_tether_thread_alloc(size_t size)
{
	size_t padded = (size + RL_CACHE_LINE - 1) & ~(size_t)(RL_CACHE_LINE - 1);
	void *t = aligned_alloc(RL_CACHE_LINE, padded);
	if (t != NULL)
		memset(t, 0, padded);
	return t;
}

int rl_tether_attach_none(rl_tether_thread *t, rl_region *r, unsigned flags)
{
	(void)t;
	(void)r;
	(void)flags;
	return 0;
}

rl_region *rl_tether_publish_plain(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r)
{
	(void)t;
	/* acq_rel: release publishes r's contents to the tethers' acquire
	 * loads; acquire makes the old region's state visible to its retirer. */
	return (rl_region *)atomic_exchange_explicit(&slot->word, (uintptr_t)r, memory_order_acq_rel);
}

void rl_tether_nop(rl_tether_thread *t) { (void)t; }
