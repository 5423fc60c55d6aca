/* The tethering invariant, scheme by scheme, with every step under the
 * test's control: a reader thread (the "puppet") tethers, holds, checks and
 * lets go on command while the main thread retires and drives reclamation.
 *
 *   invariant      a tethered region is not freed by its retirement and by
 *                  hundreds of later retirements and quiescent points; once
 *                  it is untethered and the reader quiesces, it is freed
 *                  (nested tethers of two regions included);
 *   stalled        with a reader stalled inside a tether, schemes with
 *                  RL_TETHER_BOUNDED keep the unreclaimed regions bounded
 *                  while the others (EBR, RCU) let them grow;
 *   hybrid paths   hybrid keeps unmarked regions on its thread-local caches
 *                  (bounded) and marked ones on EBR (grows);
 *   many held      a thread holding 70 regions (63 for hazard schemes) keeps
 *                  them all through their retirement (tls ways shared);
 *   leak check     at domain destroy every retired region has been freed
 *                  and rl_blocks_live() is back where it started.
 * The reader checks a magic word in each region it holds, so a premature
 * free is also a use after free for ASan and a poisoned read in RL_DEBUG. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/registry.h"
#include "regionlab/region.h"
#include "tests/check.h"
#include "tests/tether.h"

#define MAGIC 0x7e7e7e7e12345678ull
#define NSLOTS 3
#define WATCH 2

/* ---- the domain's way out: counts and watches ------------------------------ */
struct env {
	atomic_size_t freed;
	_Atomic uint64_t watch[WATCH]; /* region ids to report */
	atomic_bool watch_freed[WATCH];
};

static void on_free(rl_region *r, void *arg)
{
	struct env *e = arg;
	for (int i = 0; i < WATCH; i++)
		if (atomic_load(&e->watch[i]) == r->id)
			atomic_store(&e->watch_freed[i], true);
	rl_obj *o = rl_block_first_obj(r->small.head);
	o->w[0] = 0; /* a reader still inside would now see a wrong magic */
	rl_region_destroy(r);
	atomic_fetch_add(&e->freed, 1);
}

/* ---- the puppet reader -------------------------------------------------------- */
enum cmd { C_NONE, C_TETHER, C_UNTETHER, C_CHECK, C_QUIESCE, C_OFFLINE, C_ONLINE, C_EXIT };

struct puppet {
	pthread_t th;
	const struct rl_tether_scheme *s;
	rl_tether_domain *d;
	pthread_mutex_t m;
	pthread_cond_t cv;
	enum cmd cmd;
	rl_tether_slot *slot;
	rl_region *held[4];
	size_t nheld;
	bool ok; /* the last command's result */
};

static void *puppet_main(void *arg)
{
	struct puppet *p = arg;
	rl_tether_thread *t = p->s->thread_register(p->d);
	bool ok = t != NULL;
	pthread_mutex_lock(&p->m);
	for (;;) {
		p->ok = ok; /* the last command's result */
		p->cmd = C_NONE;
		pthread_cond_broadcast(&p->cv);
		while (p->cmd == C_NONE)
			pthread_cond_wait(&p->cv, &p->m);
		if (t == NULL || p->cmd == C_EXIT)
			break;
		ok = true;
		switch (p->cmd) {
		case C_TETHER: {
			rl_region *r = p->s->tether(t, p->slot);
			if (r != NULL)
				p->held[p->nheld++] = r;
			ok = r != NULL;
			break;
		}
		case C_UNTETHER:
			p->s->untether(t, p->held[--p->nheld]);
			break;
		case C_CHECK:
			for (size_t i = 0; i < p->nheld; i++)
				ok = ok && rl_block_first_obj(p->held[i]->small.head)->w[0] == MAGIC;
			break;
		case C_QUIESCE:
			p->s->quiesce(t);
			break;
		case C_OFFLINE:
			p->s->offline(t);
			break;
		case C_ONLINE:
			p->s->online(t);
			break;
		default:
			break;
		}
	}
	if (t != NULL)
		p->s->thread_unregister(t);
	p->cmd = C_NONE;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->m);
	return NULL;
}

static bool puppet_do(struct puppet *p, enum cmd c, rl_tether_slot *slot)
{
	pthread_mutex_lock(&p->m);
	while (p->cmd != C_NONE)
		pthread_cond_wait(&p->cv, &p->m);
	p->cmd = c;
	p->slot = slot;
	pthread_cond_broadcast(&p->cv);
	while (p->cmd != C_NONE)
		pthread_cond_wait(&p->cv, &p->m);
	bool ok = p->ok;
	pthread_mutex_unlock(&p->m);
	return ok;
}

static void puppet_start(struct puppet *p, const struct rl_tether_scheme *s, rl_tether_domain *d)
{
	memset(p, 0, sizeof *p);
	p->s = s;
	p->d = d;
	p->cmd = C_TETHER; /* cleared by the thread once registered */
	pthread_mutex_init(&p->m, NULL);
	pthread_cond_init(&p->cv, NULL);
	CHECK(pthread_create(&p->th, NULL, puppet_main, p) == 0, "pthread_create");
	pthread_mutex_lock(&p->m);
	while (p->cmd != C_NONE)
		pthread_cond_wait(&p->cv, &p->m);
	bool ok = p->ok;
	pthread_mutex_unlock(&p->m);
	CHECK(ok, "%s: thread_register failed", s->name);
}

static void puppet_stop(struct puppet *p)
{
	puppet_do(p, C_EXIT, NULL);
	pthread_join(p->th, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->m);
}

/* ---- the main thread: a writer ------------------------------------------------- */
struct world {
	const struct rl_tether_scheme *s;
	rl_tether_domain *d;
	rl_tether_thread *me;
	struct env env;
	rl_tether_slot slots[NSLOTS];
	size_t retired, blocks_before;
	unsigned flags; /* given to attach */
};

static rl_region *make(struct world *w)
{
	rl_region *r = rl_region_create("test");
	CHECK(r != NULL, "rl_region_create");
	rl_obj *o = rl_obj_new(r, RL_T_BOX_INT, 8);
	CHECK(o != NULL, "rl_obj_new");
	o->w[0] = MAGIC;
	CHECK(w->s->attach(w->me, r, w->flags) == 0, "%s: attach", w->s->name);
	return r;
}

/* Publishes a new region into slot i and retires the one it replaces. */
static rl_region *replace(struct world *w, size_t i)
{
	rl_region *old = w->s->publish(w->me, &w->slots[i], make(w));
	if (old != NULL) {
		w->s->retire(w->me, old);
		w->retired++;
	}
	return old;
}

static void world_open(struct world *w, const struct rl_tether_scheme *s, unsigned flags, const char *opts)
{
	memset(w, 0, sizeof *w);
	w->s = s;
	w->flags = flags;
	w->blocks_before = rl_blocks_live();
	rl_kv_list kv;
	char err[256];
	CHECK(rl_kv_parse(opts, &kv, err, sizeof err) == 0, "%s", err);
	struct rl_tether_config cfg = { .opts = &kv, .free_region = on_free, .env = &w->env };
	w->d = s->domain_create(&cfg, err, sizeof err);
	CHECK(w->d != NULL, "%s: domain_create: %s", s->name, err);
	w->me = s->thread_register(w->d);
	CHECK(w->me != NULL, "%s: thread_register", s->name);
	for (size_t i = 0; i < NSLOTS; i++)
		replace(w, i);
}

static size_t unreclaimed(struct world *w) { return w->retired - atomic_load(&w->env.freed); }

static void nap_us(long us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000 };
	nanosleep(&ts, NULL);
}

/* Retires `n` more regions through the churn slot, quiescing after each. */
static void churn(struct world *w, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		replace(w, NSLOTS - 1);
		w->s->quiesce(w->me);
	}
}

/* Churns until cond() holds; false after a generous bound.  Asynchronous
 * schemes (call_rcu threads) get naps so their worker can run. */
static bool churn_until(struct world *w, bool (*cond)(struct world *))
{
	for (size_t k = 0; k < 4000; k++) {
		if (cond(w))
			return true;
		churn(w, 8);
		if (k % 8 == 7)
			nap_us(500);
	}
	return cond(w);
}

/* Empties the slots, retires their regions, destroys the domain and checks
 * that every retired region was freed and every block returned. */
static void world_close(struct world *w)
{
	for (size_t i = 0; i < NSLOTS; i++) {
		rl_region *old = w->s->publish(w->me, &w->slots[i], NULL);
		if (old != NULL) {
			w->s->retire(w->me, old);
			w->retired++;
		}
	}
	w->s->quiesce(w->me);
	w->s->thread_unregister(w->me);
	w->s->domain_destroy(w->d);
	CHECK(atomic_load(&w->env.freed) == w->retired, "%s: %zu of %zu retired regions freed at destroy",
	      w->s->name, atomic_load(&w->env.freed), w->retired);
	CHECK(rl_blocks_live() == w->blocks_before, "%s: %zu blocks live, %zu before", w->s->name, rl_blocks_live(),
	      w->blocks_before);
}

static bool both_freed(struct world *w)
{
	return atomic_load(&w->env.watch_freed[0]) && atomic_load(&w->env.watch_freed[1]);
}

/* ---- the tests ------------------------------------------------------------------ */
static void invariant_one(const struct rl_tether_scheme *s)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct world w;
	world_open(&w, s, 0, "");
	struct puppet p;
	puppet_start(&p, s, w.d);
	/* The reader holds slot 0's and slot 1's regions, nested. */
	rl_region *a = rl_tether_slot_peek(&w.slots[0]), *b = rl_tether_slot_peek(&w.slots[1]);
	atomic_store(&w.env.watch[0], a->id);
	atomic_store(&w.env.watch[1], b->id);
	puppet_do(&p, C_TETHER, &w.slots[0]);
	puppet_do(&p, C_TETHER, &w.slots[1]);
	CHECK(p.nheld == 2 && p.held[0] == a && p.held[1] == b, "%s: tether returned other regions", s->name);
	/* Both retired, then hundreds of retirements and quiescent points. */
	CHECK(replace(&w, 0) == a && replace(&w, 1) == b, "%s: publish returned other regions", s->name);
	churn(&w, 600);
	nap_us(2000);
	churn(&w, 50);
	CHECK(!atomic_load(&w.env.watch_freed[0]) && !atomic_load(&w.env.watch_freed[1]),
	      "%s: a tethered region was freed", s->name);
	CHECK(puppet_do(&p, C_CHECK, NULL), "%s: a tethered region was overwritten", s->name);
	/* Let go of b only: a stays. */
	puppet_do(&p, C_UNTETHER, NULL);
	churn(&w, 300);
	CHECK(!atomic_load(&w.env.watch_freed[0]), "%s: the region still tethered was freed", s->name);
	CHECK(puppet_do(&p, C_CHECK, NULL), "%s: the region still tethered was overwritten", s->name);
	/* Let go of a, pass a quiescent point and sleep (offline): both go. */
	puppet_do(&p, C_UNTETHER, NULL);
	puppet_do(&p, C_QUIESCE, NULL);
	puppet_do(&p, C_OFFLINE, NULL);
	CHECK(churn_until(&w, both_freed), "%s: untethered regions not freed (a %d, b %d)", s->name,
	      atomic_load(&w.env.watch_freed[0]), atomic_load(&w.env.watch_freed[1]));
	puppet_do(&p, C_ONLINE, NULL);
	puppet_stop(&p);
	world_close(&w);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  %-12s invariant holds (%.0f ms)\n", s->name,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}

static void test_invariant_every_scheme(void)
{
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++)
		if (!tether_skipped(rl_tether_schemes[i]))
			invariant_one(rl_tether_schemes[i]);
}

#define STALL_RETIRES 2000
#define STALL_BOUND 300 /* above every bounded scheme's default threshold plus its hazards */

/* A reader stalls inside a tether while STALL_RETIRES regions are retired;
 * returns the unreclaimed count seen then.  Afterwards everything is freed. */
static size_t stalled_one(const struct rl_tether_scheme *s, unsigned flags)
{
	struct world w;
	world_open(&w, s, flags, "");
	struct puppet p;
	puppet_start(&p, s, w.d);
	puppet_do(&p, C_TETHER, &w.slots[0]);
	size_t before = unreclaimed(&w);
	size_t peak = 0;
	for (size_t k = 0; k < STALL_RETIRES; k++) {
		if (k == 0 || k == STALL_RETIRES - 1) /* watch the one about to be retired */
			atomic_store(&w.env.watch[k != 0], rl_tether_slot_peek(&w.slots[1])->id);
		replace(&w, 1);
		s->quiesce(w.me);
		if (unreclaimed(&w) > peak)
			peak = unreclaimed(&w);
		if (k % 256 == 255)
			nap_us(200); /* give asynchronous reclaimers their chance */
	}
	size_t now = unreclaimed(&w);
	CHECK(puppet_do(&p, C_CHECK, NULL), "%s: the stalled reader's region was overwritten", s->name);
	printf("  %-12s flags=%u unreclaimed: before %zu, peak %zu, after %d retirements %zu\n", s->name, flags,
	       before, peak, STALL_RETIRES, now);
	puppet_do(&p, C_UNTETHER, NULL);
	puppet_do(&p, C_QUIESCE, NULL);
	puppet_do(&p, C_OFFLINE, NULL);
	CHECK(churn_until(&w, both_freed), "%s: the regions retired during the stall are not all freed after it "
	      "(first %d, last %d)", s->name, atomic_load(&w.env.watch_freed[0]), atomic_load(&w.env.watch_freed[1]));
	puppet_do(&p, C_ONLINE, NULL);
	puppet_stop(&p);
	world_close(&w);
	return peak;
}

static void test_stalled_reader_bounded_or_growing(void)
{
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++) {
		const struct rl_tether_scheme *s = rl_tether_schemes[i];
		if (tether_skipped(s))
			continue;
		bool bounded = (s->caps & RL_TETHER_BOUNDED) != 0;
		/* Unbounded schemes get marked regions: hybrid then takes EBR. */
		size_t peak = stalled_one(s, bounded ? 0 : RL_TETHER_REGION_CONCURRENT);
		if (bounded)
			CHECK(peak <= STALL_BOUND, "%s: %zu regions unreclaimed behind a stalled reader", s->name, peak);
		else
			CHECK(peak >= STALL_RETIRES / 2, "%s: only %zu unreclaimed behind a stalled reader: not the "
			      "grace-period scheme its caps say", s->name, peak);
	}
}

/* hybrid's two paths, told apart by their behaviour behind a stalled reader. */
static void test_hybrid_paths(void)
{
	const struct rl_tether_scheme *s = rl_find_tether_scheme("hybrid");
	CHECK(s != NULL, "hybrid is not registered");
	size_t cached = stalled_one(s, 0);
	CHECK(cached <= 1, "hybrid, unmarked: %zu unreclaimed (the cache path pins only what it holds)", cached);
	size_t ebr = stalled_one(s, RL_TETHER_REGION_CONCURRENT);
	CHECK(ebr >= STALL_RETIRES / 2, "hybrid, marked: only %zu unreclaimed (not the EBR path)", ebr);
	/* Re-tethering a cached region returns it without a new pin. */
	struct world w;
	world_open(&w, s, 0, "");
	struct puppet p;
	puppet_start(&p, s, w.d);
	puppet_do(&p, C_TETHER, &w.slots[0]);
	puppet_do(&p, C_TETHER, &w.slots[0]);
	CHECK(p.nheld == 2 && p.held[0] == p.held[1], "hybrid: re-tether returned another region");
	replace(&w, 0);
	puppet_do(&p, C_UNTETHER, NULL);
	churn(&w, 100);
	CHECK(puppet_do(&p, C_CHECK, NULL), "hybrid: a region held twice was freed after one untether");
	puppet_do(&p, C_UNTETHER, NULL);
	puppet_do(&p, C_QUIESCE, NULL);
	puppet_stop(&p);
	world_close(&w);
}

/* A thread holding more regions than a tls cache has ways (so windows fill
 * up, and a miss meets a full window while something is held: the
 * overflow), or as many as a hazard scheme's record can, each tethered
 * twice (the second tether of a region finds its pin wherever it went):
 * while anything is held no cached pin or hazard may go, so every held
 * region survives its retirement; let go, they are all freed.  The reader's
 * record is the main thread's second one, so the anchors (which bind
 * records to threads) are left out. */
#define MANY 160 /* more than RL_TLS_WAYS (strategies/tether/tls_cache.h) */

static bool has_option(const struct rl_option *table, const char *key)
{
	for (; table != NULL && table->key != NULL; table++)
		if (strcmp(table->key, key) == 0)
			return true;
	return false;
}

static void many_held_one(const struct rl_tether_scheme *s)
{
	size_t n = has_option(s->options, "hazards") ? 63 : MANY;
	struct world w;
	world_open(&w, s, 0, n == MANY ? "" : "hazards=63");
	rl_tether_slot many[MANY];
	rl_region *held[MANY];
	memset(many, 0, sizeof many);
	for (size_t i = 0; i < n; i++)
		CHECK(s->publish(w.me, &many[i], make(&w)) == NULL, "%s: publish into an empty slot", s->name);
	rl_tether_thread *rd = s->thread_register(w.d);
	CHECK(rd != NULL, "%s: thread_register", s->name);
	for (size_t i = 0; i < n; i++) {
		held[i] = s->tether(rd, &many[i]);
		CHECK(held[i] == rl_tether_slot_peek(&many[i]), "%s: tether %zu returned another region", s->name, i);
	}
	bool nests = !has_option(s->options, "hazards"); /* a hazard record holds one region per hazard */
	for (size_t i = 0; nests && i < n; i++)
		CHECK(s->tether(rd, &many[i]) == held[i], "%s: a second tether of region %zu returned another", s->name,
		      i);
	for (size_t i = 0; i < n; i++) { /* retire every held region */
		s->retire(w.me, s->publish(w.me, &many[i], NULL));
		w.retired++;
	}
	churn(&w, 300);
	for (size_t i = 0; i < n; i++)
		CHECK(rl_block_first_obj(held[i]->small.head)->w[0] == MAGIC, "%s: held region %zu of %zu was freed",
		      s->name, i, n);
	for (size_t i = 0; i < n; i++) {
		s->untether(rd, held[i]);
		if (nests)
			s->untether(rd, held[i]);
	}
	s->quiesce(rd);
	s->thread_unregister(rd);
	world_close(&w);
}

static void test_many_held_regions(void)
{
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++)
		if (!tether_skipped(rl_tether_schemes[i]) && !(rl_tether_schemes[i]->caps & RL_TETHER_ANCHOR))
			many_held_one(rl_tether_schemes[i]);
}

/* An option value a scheme cannot take is a one-line error from its table. */
static void test_bad_scheme_options(void)
{
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++) {
		const struct rl_tether_scheme *s = rl_tether_schemes[i];
		static const char *const bad[] = { "fence=sideways", "threshold=0", "hazards=0", "scan=-1", "batch=0",
						   "poll=0" };
		for (size_t j = 0; j < sizeof bad / sizeof *bad; j++) {
			rl_kv_list kv;
			char err[256] = "";
			CHECK(rl_kv_parse(bad[j], &kv, err, sizeof err) == 0, "%s", err);
			char key[32];
			snprintf(key, sizeof key, "%.*s", (int)strcspn(bad[j], "="), bad[j]);
			bool declared = false; /* only this scheme's keys */
			for (const struct rl_option *o = s->options; o != NULL && o->key != NULL; o++)
				declared |= strcmp(o->key, key) == 0;
			if (!declared)
				continue;
			/* judged by the scheme's option table before any domain exists */
			CHECK(rl_tether_options_check(s, &kv, err, sizeof err) != 0, "%s: %s accepted", s->name, bad[j]);
			CHECK(strchr(err, '\n') == NULL && strstr(err, bad[j]) != NULL, "%s: %s: error '%s'", s->name,
			      bad[j], err);
		}
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	if (tether_test_setup() != 0)
		return 1;
	RL_RUN(test_bad_scheme_options);
	RL_RUN(test_invariant_every_scheme);
	RL_RUN(test_stalled_reader_bounded_or_growing);
	RL_RUN(test_hybrid_paths);
	RL_RUN(test_many_held_regions);
	return rl_test_summary(argv[0]);
}
