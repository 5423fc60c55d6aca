/* The forwarding side table (see regionlab/fwdmap.h).
 *
 * Invariant: a block of src has a non-NULL scratch exactly when it has been
 * given a slice of the pool, and slices never overlap; a slice's words are
 * zero from when it is handed out until a caller writes a forwarding address
 * into them.  The pool is scratch memory (regionlab/mem.h): each slice is
 * zeroed as it is handed out, so a pool that borrows the kept, pre-faulted
 * scratch mapping takes no page fault (a fresh mapping per call took one per
 * 4 KiB of the slices it touched: 586 on a 10^5 list, ~10 us each in these
 * VMs), and what is never handed out is never written. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "regionlab/fwdmap.h"

#include <string.h>
#include <sys/mman.h>

#include "regionlab/adopt.h"
#include "regionlab/mem.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* A big table is touched all over by a full evacuation: 4 KiB pages would
 * take a fault (about 10 us in the VMs this lab runs on) per 512 entries;
 * transparent huge pages take one per 256 Ki entries.  But the first slices
 * are handed out during the pause, and a first touch of a huge page zeroes
 * 2 MiB: so the first 2 MiB keep small pages, the rest is asked for huge
 * ones (a hint: the kernel may say no, which only costs time). */
static void advise(uintptr_t *pool, size_t bytes)
{
	uintptr_t lo = ((uintptr_t)pool + 2 * HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t hi = ((uintptr_t)pool + bytes) & ~(HUGE_PAGE - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

static size_t slice_words(const rl_block *b)
{
	return (b->flags & RL_BLOCK_LARGE) ? 1 : (rl_block_size - RL_BLOCK_HEADER) / 8;
}

static size_t table_bytes(const rl_fwdmap *f) { return (f->words ? f->words : 1) * sizeof(uintptr_t); }

int rl_fwdmap_init(rl_fwdmap *f, rl_region *src)
{
	f->src = src;
	f->used = 0;
	f->words = 0;
	/* Every block rl_region_contains(src, .) counts, those of src's
	 * sub-regions too: one step per family member, not per block. */
	for (const rl_region *m = src; m != NULL; m = rl_region_family_next(src, m))
		f->words += m->small.count * ((rl_block_size - RL_BLOCK_HEADER) / 8) + m->large.count;
	f->pool = rl_mem_reserve_scratch(table_bytes(f));
	if (f->pool == NULL)
		return -1;
	advise(f->pool, table_bytes(f));
	rl_mem_charge(table_bytes(f));
	return 0;
}

uintptr_t *rl_fwdmap_slice(rl_fwdmap *f, rl_block *b)
{
	size_t n = slice_words(b);
	if (f->words - f->used < n)
		return NULL;
	uintptr_t *s = f->pool + f->used;
	memset(s, 0, n * sizeof *s);
	f->used += n;
	b->scratch = s;
	return s;
}

static void clear_scratch(rl_block *b, void *env)
{
	const rl_fwdmap *f = env;
	uintptr_t s = (uintptr_t)b->scratch, lo = (uintptr_t)f->pool;
	if (s >= lo && s < lo + f->words * sizeof(uintptr_t))
		b->scratch = NULL;
}

void rl_fwdmap_fini(rl_fwdmap *f)
{
	if (f->pool == NULL)
		return;
	if (f->used != 0)
		rl_region_for_each_block(f->src, clear_scratch, f);
	rl_mem_uncharge(table_bytes(f));
	rl_mem_unreserve(f->pool, table_bytes(f));
	f->pool = NULL;
}
