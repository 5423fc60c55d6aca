/* The reference floors of bench/tether_floor.h keep their invariants: a
 * floor that is timed must be a correct tether, or its time bounds nothing.
 *
 *   held        a tethered region survives its retirement and many later
 *               retirements and reclamation attempts; once untethered (and
 *               the reader quiesces) it is freed; at destroy every retired
 *               region has been freed and every block returned;
 *   concurrent  readers tether, check a magic word and untether while a
 *               writer replaces and retires regions: no read of a freed
 *               region (the free clears the magic; ASan and TSan watch too).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/tether_floor.h"
#include "regionlab/region.h"
#include "tests/check.h"
#include "tests/tether.h"

#define MAGIC 0x7e7e7e7e12345678ull
#define NSLOTS 4

struct world {
	const struct rl_tether_scheme *s;
	rl_tether_domain *d;
	rl_tether_thread *w; /* the writer's record */
	rl_tether_slot slots[NSLOTS];
	atomic_size_t freed;
	_Atomic(rl_region *) watch;
	atomic_bool watch_freed;
	size_t retired, blocks_before;
	atomic_bool stop;
	atomic_size_t bad;
};

static void on_free(rl_region *r, void *env)
{
	struct world *w = env;
	if (atomic_load(&w->watch) == r)
		atomic_store(&w->watch_freed, true);
	rl_block_first_obj(r->small.head)->w[0] = 0; /* a reader still inside sees a wrong magic */
	rl_region_destroy(r);
	atomic_fetch_add(&w->freed, 1);
}

static rl_region *make(struct world *w)
{
	rl_region *r = rl_region_create("floor");
	CHECK(r != NULL, "rl_region_create");
	rl_obj *o = rl_obj_new(r, RL_T_BOX_INT, 8);
	CHECK(o != NULL, "rl_obj_new");
	o->w[0] = MAGIC;
	CHECK(w->s->attach(w->w, r, 0) == 0, "%s: attach", w->s->name);
	return r;
}

/* Publishes a new region into slot i and retires the one it replaces. */
static rl_region *replace(struct world *w, size_t i)
{
	rl_region *old = w->s->publish(w->w, &w->slots[i], make(w));
	if (old != NULL) {
		w->s->retire(w->w, old);
		w->retired++;
	}
	w->s->quiesce(w->w);
	return old;
}

static void world_open(struct world *w, const struct rl_tether_scheme *s)
{
	memset(w, 0, sizeof *w);
	w->s = s;
	w->blocks_before = rl_blocks_live();
	struct rl_tether_config cfg = { .opts = NULL, .free_region = on_free, .env = w };
	char err[200];
	w->d = s->domain_create(&cfg, err, sizeof err);
	CHECK(w->d != NULL, "%s: %s", s->name, err);
	w->w = s->thread_register(w->d);
	CHECK(w->w != NULL, "%s: register", s->name);
	for (size_t i = 0; i < NSLOTS; i++)
		replace(w, i);
}

static void world_close(struct world *w)
{
	for (size_t i = 0; i < NSLOTS; i++) {
		rl_region *old = w->s->publish(w->w, &w->slots[i], NULL);
		w->s->retire(w->w, old);
		w->retired++;
	}
	w->s->quiesce(w->w);
	w->s->thread_unregister(w->w);
	w->s->domain_destroy(w->d);
	CHECK(atomic_load(&w->freed) == w->retired, "%s: %zu of %zu retired regions freed", w->s->name,
	      atomic_load(&w->freed), w->retired);
	CHECK(rl_blocks_live() == w->blocks_before, "%s: blocks leaked", w->s->name);
}

static void held_one(const struct rl_tether_scheme *s)
{
	struct world w;
	world_open(&w, s);
	rl_tether_thread *r = s->thread_register(w.d);
	CHECK(r != NULL, "%s: reader register", s->name);
	rl_region *a = s->tether(r, &w.slots[0]);
	CHECK(a != NULL && a == rl_tether_slot_peek(&w.slots[0]), "%s: tether returned another region", s->name);
	atomic_store(&w.watch, a);
	CHECK(replace(&w, 0) == a, "%s: publish returned another region", s->name);
	for (int k = 0; k < 80; k++) /* under the EBR floors' retire-list cap behind one reader */
		replace(&w, NSLOTS - 1);
	CHECK(!atomic_load(&w.watch_freed), "%s: a tethered region was freed", s->name);
	CHECK(rl_block_first_obj(a->small.head)->w[0] == MAGIC, "%s: a tethered region was overwritten", s->name);
	s->untether(r, a);
	s->quiesce(r);
	for (int k = 0; k < 400 && !atomic_load(&w.watch_freed); k++)
		replace(&w, NSLOTS - 1);
	CHECK(atomic_load(&w.watch_freed), "%s: the untethered region was not freed", s->name);
	s->thread_unregister(r);
	world_close(&w);
}

static void test_floor_held_region_survives(void)
{
	for (size_t i = 0; i < RL_TETHER_NFLOORS; i++)
		held_one(&rl_tether_floors[i]);
}

static void *reader_main(void *arg)
{
	struct world *w = arg;
	const struct rl_tether_scheme *s = w->s;
	rl_tether_thread *t = s->thread_register(w->d);
	uint64_t rng = (uint64_t)(uintptr_t)&t | 1;
	for (uint64_t k = 0; !atomic_load_explicit(&w->stop, memory_order_relaxed); k++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		rl_region *r = s->tether(t, &w->slots[rng % (NSLOTS - 1)]);
		if (r != NULL) {
			if (rl_block_first_obj(r->small.head)->w[0] != MAGIC)
				atomic_fetch_add(&w->bad, 1);
			s->untether(t, r);
		}
		if (k % 64 == 63)
			s->quiesce(t);
	}
	s->quiesce(t);
	s->thread_unregister(t);
	return NULL;
}

static void concurrent_one(const struct rl_tether_scheme *s)
{
	struct world w;
	world_open(&w, s);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&th[i], NULL, reader_main, &w) == 0, "pthread_create");
	for (int k = 0; k < 3000; k++)
		replace(&w, (size_t)k % (NSLOTS - 1));
	atomic_store(&w.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(atomic_load(&w.bad) == 0, "%s: %zu reads of a freed region", s->name, atomic_load(&w.bad));
	size_t retired = w.retired;
	world_close(&w);
	printf("  %-14s %zu retired, all freed, no bad read\n", s->name, retired + NSLOTS);
}

static void test_floor_concurrent_readers(void)
{
	for (size_t i = 0; i < RL_TETHER_NFLOORS; i++)
		concurrent_one(&rl_tether_floors[i]);
}

int main(int argc, char **argv)
{
	(void)argc;
	if (tether_test_setup() != 0)
		return 1;
	RL_RUN(test_floor_held_region_survives);
	RL_RUN(test_floor_concurrent_readers);
	return rl_test_summary(argv[0]);
}
