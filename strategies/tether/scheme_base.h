/* What every tether scheme uses: its domain allocation and the default
 * verbs for schemes that need no attach, publish or
 * quiescent point.  Internal to strategies/tether/. */
#ifndef REGIONLAB_TETHER_SCHEME_BASE_H
#define REGIONLAB_TETHER_SCHEME_BASE_H

#include <stdatomic.h>
#include <stddef.h>

#include "regionlab/tether.h"

#define rl_container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

/* A zeroed domain of size bytes (calloc), or NULL with "tether SCHEME: out of
 * memory" in err. */
void *rl_tether_domain_alloc(size_t size, const char *scheme, char *err, size_t errlen);

/* A zeroed per-thread record of size bytes, aligned to RL_CACHE_LINE and
 * padded to whole lines, so that no two threads' records share a line (a
 * thread that writes its own record on every tether, such as tls's held
 * count, would otherwise slow the thread whose record calloc put next to
 * it); free() releases it.  NULL when out of memory. */
void *rl_tether_thread_alloc(size_t size);

/* ---- default operations ------------------------------------------------------------ */
int rl_tether_attach_none(rl_tether_thread *t, rl_region *r, unsigned flags);
/* A plain exchange: the slot word is the region's address. */
rl_region *rl_tether_publish_plain(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r);
void rl_tether_nop(rl_tether_thread *t);

/* The region a plain slot (rl_tether_publish_plain's) names. */
static inline rl_region *rl_plain_load(rl_tether_slot *slot, memory_order mo)
{
	return (rl_region *)atomic_load_explicit(&slot->word, mo);
}

#endif
