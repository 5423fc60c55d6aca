/* Retired regions (see retired.h). */
#include "strategies/tether/retired.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

static int retired_reserve(struct rl_retired *q, size_t more)
{
	if (q->head + q->len + more <= q->cap)
		return 0;
	if (q->head != 0) { /* slide down first */
		memmove(q->v, q->v + q->head, q->len * sizeof *q->v);
		q->head = 0;
		if (q->len + more <= q->cap)
			return 0;
	}
	size_t cap = q->cap ? q->cap : 64;
	while (cap < q->len + more)
		cap *= 2;
	struct rl_retired_ent *v = realloc(q->v, cap * sizeof *v);
	if (v == NULL)
		return -1;
	q->v = v;
	q->cap = cap;
	return 0;
}

int rl_retired_push(struct rl_retired *q, rl_region *r, uint64_t stamp)
{
	if (retired_reserve(q, 1) != 0)
		return -1;
	q->v[q->head + q->len++] = (struct rl_retired_ent){ .r = r, .stamp = stamp };
	return 0;
}

int rl_retired_append(struct rl_retired *to, struct rl_retired *from)
{
	if (retired_reserve(to, from->len) != 0)
		return -1;
	memcpy(to->v + to->head + to->len, from->v + from->head, from->len * sizeof *from->v);
	to->len += from->len;
	from->head = from->len = 0;
	return 0;
}

void rl_retired_compact(struct rl_retired *q, const bool *keep)
{
	size_t j = 0;
	for (size_t i = 0; i < q->len; i++)
		if (keep[i])
			q->v[q->head + j++] = q->v[q->head + i];
	q->len = j;
}

void rl_retired_fini(struct rl_retired *q)
{
	free(q->v);
	memset(q, 0, sizeof *q);
}

void rl_retired_drain(struct rl_retired *q, rl_region_free_fn fr, void *env)
{
	for (size_t i = 0; i < q->len; i++)
		fr(rl_retired_at(q, i)->r, env);
	rl_retired_fini(q);
}

void rl_orphans_init(struct rl_orphans *o)
{
	memset(&o->q, 0, sizeof o->q);
	pthread_mutex_init(&o->lock, NULL);
	atomic_init(&o->have, false);
}

void rl_orphans_drain(struct rl_orphans *o, rl_region_free_fn fr, void *env)
{
	rl_retired_drain(&o->q, fr, env);
	pthread_mutex_destroy(&o->lock);
}

void rl_orphans_give(struct rl_orphans *o, struct rl_retired *from, void (*retry)(void *), void *env)
{
	if (from->len == 0)
		return;
	pthread_mutex_lock(&o->lock);
	while (rl_retired_append(&o->q, from) != 0) {
		pthread_mutex_unlock(&o->lock);
		sched_yield();
		retry(env);
		pthread_mutex_lock(&o->lock);
	}
	/* relaxed: a hint; the entries are handed over under the lock. */
	atomic_store_explicit(&o->have, o->q.len != 0, memory_order_relaxed);
	pthread_mutex_unlock(&o->lock);
}

struct rl_retired *rl_orphans_trylock(struct rl_orphans *o)
{
	if (!atomic_load_explicit(&o->have, memory_order_relaxed) || pthread_mutex_trylock(&o->lock) != 0)
		return NULL;
	return &o->q;
}

void rl_orphans_unlock(struct rl_orphans *o)
{
	atomic_store_explicit(&o->have, o->q.len != 0, memory_order_relaxed);
	pthread_mutex_unlock(&o->lock);
}
