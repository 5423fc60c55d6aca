/* Thread-local tether caches (see tls_cache.h). */
#include "strategies/tether/tls_cache.h"

#include <stdio.h>
#include <stdlib.h>

void rl_tls_init(struct rl_tls_cache *c)
{
	*c = (struct rl_tls_cache){ .held = 0 };
	for (unsigned i = 0; i < RL_TLS_WAYS; i++)
		c->way[i] = RL_TLS_EMPTY;
}

/* Returns one cached pin; frees r when it was the last pin of a retired region. */
static void tls_unpin(rl_tether_thread *t, struct rl_tls_cache *c, rl_region *r, rl_tls_free_fn fr)
{
	c->pinned--;
	if (rl_sc_release(r))
		fr(t, r);
}

/* The way of r's window that holds `want` (r itself, or RL_TLS_EMPTY for a
 * free one), or NULL. */
static rl_region **tls_window_find(struct rl_tls_cache *c, const rl_region *r, const rl_region *want)
{
	unsigned home = rl_tls_home(r);
	for (unsigned k = 0; k < RL_TLS_PROBE; k++) {
		rl_region **way = &c->way[home + k];
		if (*way == want)
			return way;
	}
	return NULL;
}

/* r holds a pin in the cache: in its window, or in the overflow. */
static bool tls_cached(struct rl_tls_cache *c, const rl_region *r)
{
	if (tls_window_find(c, r, r) != NULL)
		return true;
	for (unsigned i = 0; i < c->nmore; i++)
		if (c->more[i] == r)
			return true;
	return false;
}

/* Caches a new pin of r in the first free way of its window; with none
 * free, in its home way after evicting that way's idle pin (nothing held),
 * or else in the overflow (a pin may go only when nothing is held). */
static void tls_cache_pin(rl_tether_thread *t, struct rl_tls_cache *c, rl_region *r, rl_tls_free_fn fr)
{
	rl_region **way = tls_window_find(c, r, RL_TLS_EMPTY);
	if (way == NULL && c->held == 0) { /* evict an idle pin */
		way = rl_tls_way_of(c, r);
		rl_region *old = *way;
		*way = RL_TLS_EMPTY;
		tls_unpin(t, c, old, fr);
	}
	c->pinned++;
	if (way != NULL) {
		*way = r;
		return;
	}
	if (c->nmore == c->more_cap) {
		unsigned cap = c->more_cap ? 2 * c->more_cap : 8;
		rl_region **v = realloc(c->more, cap * sizeof *v);
		if (v == NULL) {
			fprintf(stderr, "regionlab: tether tls: out of memory for the cache\n");
			abort();
		}
		c->more = v;
		c->more_cap = cap;
	}
	c->more[c->nmore++] = r;
}

rl_region *rl_tls_miss(rl_tether_thread *t, struct rl_tls_cache *c, rl_tether_slot *slot, uintptr_t w,
		       rl_tls_free_fn fr, bool *marked)
{
	*marked = false;
	rl_region *r = rl_sc_ptr(w);
	if (r == NULL)
		return NULL;
	if (!(w & RL_SC_MARK) && tls_cached(c, r)) {
		/* Cached, and the word carries units (or r's pin is past the
		 * first two ways of its window, or in the overflow).
		 * The cached pin holds r: move the units into r's counter, so
		 * that the next tethers find the bare address in line. */
		if ((w >> RL_SC_SHIFT) != 0)
			rl_sc_normalize(slot, r, 1);
		c->held++;
		return r;
	}
	r = rl_sc_tether(slot, &w);
	*marked = (w & RL_SC_MARK) != 0;
	if (r == NULL || *marked) /* a marked word's unit is a stray, dropped by publish */
		return NULL;
	if (tls_cached(c, r)) {
		/* Cached meanwhile (the slot changed under the fast path's
		 * load): drop the new pin, which cannot be the last (the cache
		 * pins r). */
		if (rl_sc_release(r))
			fr(t, r);
	} else {
		tls_cache_pin(t, c, r, fr);
	}
	c->held++;
	return r;
}

void rl_tls_flush(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr, bool all)
{
	if (c->pinned == 0 || c->held != 0)
		return;
	for (unsigned i = 0; i < RL_TLS_WAYS; i++) {
		rl_region *r = c->way[i];
		if (r != RL_TLS_EMPTY && (all || rl_sc_is_retired(r))) {
			c->way[i] = RL_TLS_EMPTY;
			tls_unpin(t, c, r, fr);
		}
	}
	while (c->nmore != 0)
		tls_unpin(t, c, c->more[--c->nmore], fr);
}

void rl_tls_fini(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr)
{
	rl_tls_flush(t, c, fr, true);
	free(c->more);
	c->more = NULL;
	c->nmore = c->more_cap = 0;
}
