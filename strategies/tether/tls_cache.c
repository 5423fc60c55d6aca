/* Thread-local tether caches (see tls_cache.h). */
#include "strategies/tether/tls_cache.h"

#include <stdio.h>
#include <stdlib.h>

rl_region *rl_tls_miss(rl_tether_thread *t, struct rl_tls_cache *c, rl_tether_slot *slot, rl_tls_free_fn fr,
		       bool *marked)
{
	uintptr_t w;
	rl_region *r = rl_sc_tether(slot, &w);
	*marked = (w & RL_SC_MARK) != 0;
	if (r == NULL || *marked) /* a marked word's unit is a stray, dropped by publish */
		return NULL;
	if (rl_tls_hit(c, w) != NULL) {
		/* Cached meanwhile (the slot changed under the fast path's
		 * load): the way counted this tether; drop the new pin, which
		 * cannot be the last (the way pins r). */
		if (rl_sc_release(r))
			fr(t, r);
		return r;
	}
	struct rl_tls_way *way = rl_tls_way_of(c, r);
	if (way->r != NULL && way->local == 0) { /* evict an idle pin */
		rl_region *old = way->r;
		way->r = NULL;
		c->pinned--;
		if (rl_sc_release(old))
			fr(t, old);
	}
	if (way->r != NULL) { /* busy with another held region: overflow */
		if (c->nmore == c->more_cap) {
			unsigned cap = c->more_cap ? 2 * c->more_cap : 8;
			struct rl_tls_way *v = realloc(c->more, cap * sizeof *v);
			if (v == NULL) {
				fprintf(stderr, "regionlab: tether tls: out of memory for the cache\n");
				abort();
			}
			c->more = v;
			c->more_cap = cap;
		}
		way = &c->more[c->nmore++];
	}
	*way = (struct rl_tls_way){ .r = r, .local = 1 };
	c->pinned++;
	return r;
}

static bool tls_drop(const struct rl_tls_way *w, bool all)
{
	return w->local == 0 && (all || rl_sc_is_retired(w->r));
}

void rl_tls_flush(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr, bool all)
{
	if (c->pinned == 0)
		return;
	for (unsigned i = 0; i < RL_TLS_WAYS; i++) {
		struct rl_tls_way *w = &c->way[i];
		if (w->r != NULL && tls_drop(w, all)) {
			rl_region *r = w->r;
			w->r = NULL;
			c->pinned--;
			if (rl_sc_release(r))
				fr(t, r);
		}
	}
	unsigned j = 0;
	for (unsigned i = 0; i < c->nmore; i++) {
		if (tls_drop(&c->more[i], all)) {
			rl_region *r = c->more[i].r;
			c->pinned--;
			if (rl_sc_release(r))
				fr(t, r);
		} else {
			c->more[j++] = c->more[i];
		}
	}
	c->nmore = j;
}

void rl_tls_fini(rl_tether_thread *t, struct rl_tls_cache *c, rl_tls_free_fn fr)
{
	rl_tls_flush(t, c, fr, true);
	free(c->more);
	c->more = NULL;
	c->nmore = c->more_cap = 0;
}
