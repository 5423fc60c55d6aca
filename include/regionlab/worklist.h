/* An explicit stack of objects still to scan: the shared worklist of every
 * tracing strategy (design section 2.1).
 *
 * Its address space is reserved once per call, large enough for every object
 * of the source region, so pushing never allocates and never fails during a
 * traversal; only the pages actually touched count as the strategy's memory. */
#ifndef REGIONLAB_WORKLIST_H
#define REGIONLAB_WORKLIST_H

#include <stddef.h>

#include "regionlab/mem.h"
#include "regionlab/object.h"
#include "regionlab/region.h"

#define RL_WORKLIST_CHARGE_STEP 512u /* entries (one 4 KiB page) charged at a time */

typedef struct rl_worklist {
	rl_obj **base;
	size_t len, cap, charged;
} rl_worklist;

/* Room for `max_entries`; -1 when the reservation fails. */
int rl_worklist_init(rl_worklist *wl, size_t max_entries);
/* A benchmark's warm-up: prewarms the scratch mapping (rl_mem_scratch_prewarm)
 * for the biggest scratch reservation a strategy makes over src: a worklist
 * of one entry per word of src's family's blocks (dfcopy.c; liveness.c's is
 * at most that plus one), or proxy's forwarding table (one word per data
 * word, fwdmap.c). */
void rl_worklist_prewarm(const rl_region *src);
void rl_worklist_fini(rl_worklist *wl);

static inline void rl_worklist_push(rl_worklist *wl, rl_obj *o)
{
	if (wl->len == wl->charged) {
		rl_mem_charge(RL_WORKLIST_CHARGE_STEP * sizeof(rl_obj *));
		wl->charged += RL_WORKLIST_CHARGE_STEP;
	}
	wl->base[wl->len++] = o;
}

static inline rl_obj *rl_worklist_pop(rl_worklist *wl) { return wl->len ? wl->base[--wl->len] : NULL; }

#endif
