/* The tether scheme plug-in interface (design section 3).
 *
 * A tether pins a region alive while a thread reads it.  The shape follows
 * Concurrency Kit: a domain (global object) plus one record per thread, and
 * the same verbs in every scheme:
 *   register/unregister  a thread joins or leaves the domain
 *   tether/untether      pin the region a shared slot names, then let go
 *   retire               the owner let go (external_rc reached 0) and the
 *                        region is no longer reachable from any slot: free it
 *                        once no thread holds it, and then surely
 *   quiesce              a quiescent point: the thread holds no tether
 *
 * A scheme is one file under strategies/tether/ that defines a
 * `const struct rl_tether_scheme` plus one line in driver/registry.c. */
#ifndef REGIONLAB_TETHER_H
#define REGIONLAB_TETHER_H

#include <stdatomic.h>

#include "regionlab/options.h"
#include "regionlab/region.h"

typedef struct rl_tether_domain rl_tether_domain; /* defined by each scheme */
typedef struct rl_tether_thread rl_tether_thread; /* defined by each scheme */
typedef void (*rl_region_free_fn)(rl_region *r, void *env);

#define RL_TETHER_BOUNDED (1u << 0) /* unreclaimed regions stay bounded with a stalled reader */
#define RL_TETHER_ANCHOR (1u << 1)  /* an external library measured for reference */

struct rl_tether_scheme {
	const char *name;
	const char *summary;
	unsigned caps;
	const char *options; /* space-separated keys accepted in opts ("" for none) */
	/* free_region(r, env) is how the scheme finally frees a retired region. */
	rl_tether_domain *(*domain_create)(const rl_kv_list *opts, rl_region_free_fn free_region, void *env);
	/* Every thread has unregistered: frees whatever is still retired. */
	void (*domain_destroy)(rl_tether_domain *d);
	rl_tether_thread *(*thread_register)(rl_tether_domain *d);
	void (*thread_unregister)(rl_tether_thread *t);
	/* Pins the region that *slot names now and returns it; NULL for an empty slot. */
	rl_region *(*tether)(rl_tether_thread *t, rl_region *_Atomic *slot);
	void (*untether)(rl_tether_thread *t, rl_region *r);
	void (*retire)(rl_tether_thread *t, rl_region *r);
	void (*quiesce)(rl_tether_thread *t);
};

#endif
