/* The shared worklist (see regionlab/worklist.h). */
#include "regionlab/worklist.h"

int rl_worklist_init(rl_worklist *wl, size_t max_entries)
{
	wl->len = wl->charged = 0;
	wl->cap = max_entries ? max_entries : 1;
	wl->base = rl_mem_reserve_scratch(wl->cap * sizeof(rl_obj *)); /* entries are pushed before they are read */
	return wl->base != NULL ? 0 : -1;
}

void rl_worklist_prewarm(const rl_region *src)
{
	rl_mem_scratch_prewarm(rl_region_family_footprint(src) + sizeof(rl_obj *));
}

void rl_worklist_fini(rl_worklist *wl)
{
	rl_mem_unreserve(wl->base, wl->cap * sizeof(rl_obj *));
	rl_mem_uncharge(wl->charged * sizeof(rl_obj *));
	wl->base = NULL;
	wl->len = wl->cap = wl->charged = 0;
}
