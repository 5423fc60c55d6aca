/* The tether workload (`./harness --tether=...`): readers tether the regions
 * of a table of slots while writers replace them, for every scheme x reader
 * count x rep, one CSV row per trial.
 *
 * The table: `slots` slots, each publishing a live region that holds a root
 * vector [sum, list, retired_at] and a list of `read` boxed integers whose sum
 * is the root's first word.  A reader picks a slot at random, tethers its
 * region, walks the list and checks the sum (the scheme's loop, fast path
 * inlined), untethers, and calls quiesce every QUIESCE_EVERY pairs.  A writer
 * builds a new region every update_us, attaches and publishes it, and retires
 * the region it replaced once that region's owning count reaches zero.
 *
 * Use after free shows up as a wrong sum: the scheme frees a region through
 * on_free, which first overwrites every boxed value and the sum with poison
 * (and RL_DEBUG builds poison the blocks again when they are freed, unless
 * the run only times: regionlab/region.h), so a
 * reader that reads a freed region, or one being freed, sees a sum that does
 * not hold and the trial's status is use_after_free.  At the end the slots
 * are emptied, the last regions retired, the domain destroyed, and the trial
 * checks that every retired region was freed and every block returned.
 *
 * With stall_ms, reader 0 sleeps that long inside every tether (the stalled
 * reader); peak_unreclaimed records the most regions retired but not yet
 * freed, and the spec key series=FILE appends the count over time.
 *
 * ns_per_op is each reader's thread CPU time over its pairs, averaged over
 * the readers (the stalled one excluded): on a shared or oversubscribed
 * machine it is the cost of a pair, not the share of the CPU the thread got;
 * ops_per_s is wall-clock throughput of all readers together. */
#include "driver/tether_args.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "driver/registry.h"
#include "driver/runner.h"
#include "driver/stats.h"
#include "strategies/tether/reader_loop.h"
#include "regionlab/clock.h"
#include "regionlab/object.h"
#include "regionlab/region.h"

#define QUIESCE_EVERY 1024u
#define WORKER_STACK_BYTES ((size_t)8 << 20)
#define SAMPLES_CAP ((size_t)1 << 17)
#define POISON_VALUE ((rl_val)0xdbdbdbdbdbdbdbdbull)

struct trial {
	const struct rl_tether_args *a;
	const struct rl_tether_spec *spec;
	const struct rl_tether_scheme *s;
	rl_tether_domain *d;
	size_t readers, rep, marked; /* marked: slots [0, marked) hold marked regions */
	uint64_t seed;
	bool vtable, own; /* own: pick=own */
	char *slots;
	size_t stride;
	atomic_bool stop;
	atomic_size_t readers_done;
	/* The start gate: workers wait for go (they then check stop first). */
	pthread_mutex_t gate;
	pthread_cond_t gate_cv;
	size_t arrived;
	bool go;
	/* Accounting of retirements and frees: writers and reclaimers only. */
	atomic_uint_fast64_t retired, reclaimed, unreclaimed, unreclaimed_bytes;
	atomic_uint_fast64_t peak, peak_bytes, latency_sum;
	atomic_bool oom;
	/* The main thread's side: its record, the workers, the outcome. */
	rl_tether_thread *me;
	pthread_attr_t attr; /* the workers' (workers_start) */
	struct worker *ws;
	size_t nworkers;
	FILE *series;
	uint64_t wall_ns;
	size_t blocks_before;
	const char *status;
	char status_buf[160];
};

struct worker {
	struct trial *tr;
	pthread_t th;
	size_t id;
	bool writer, stalled;
	/* per-thread statistics: plain counters, merged at the end */
	uint64_t ops, bad, empty, ns, cpu_ns; /* wall and thread CPU time of the run */
	uint64_t *samples;
	size_t nsamples;
};

/* ---- regions ---------------------------------------------------------------- */
static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static rl_obj *root_of(rl_region *r) { return rl_block_first_obj(r->small.head); }

/* A region holding `n` boxed integers and their sum; NULL when out of memory. */
static rl_region *build_region(size_t n, uint64_t *rng)
{
	rl_region *r = rl_region_create("tether");
	if (r == NULL)
		return NULL;
	rl_obj *root = rl_obj_new(r, RL_T_VECTOR, 3 * sizeof(rl_val));
	if (root == NULL)
		goto fail;
	int64_t sum = 0;
	rl_val list = RL_NIL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *box = rl_obj_new(r, RL_T_BOX_INT, sizeof(int64_t));
		rl_obj *cell = rl_obj_new(r, RL_T_CONS, 2 * sizeof(rl_val));
		if (box == NULL || cell == NULL)
			goto fail;
		int64_t v = (int64_t)(xorshift(rng) % 1000000u) + 1;
		box->w[0] = (rl_val)v;
		sum += v;
		cell->w[0] = rl_val_of(box);
		cell->w[1] = list;
		list = rl_val_of(cell);
	}
	root->w[0] = rl_fixnum(sum);
	root->w[1] = list;
	root->w[2] = rl_fixnum(0);
	return r;
fail:
	rl_region_destroy(r);
	return NULL;
}

/* 0 when the region's sum holds over exactly `n` boxes. */
static int visit(rl_region *r, void *env)
{
	size_t n = *(const size_t *)env;
	const rl_obj *root = root_of(r);
	if (rl_obj_type(root) != RL_T_VECTOR)
		return 1;
	int64_t sum = 0;
	size_t k = 0;
	for (rl_val v = root->w[1]; v != RL_NIL && k <= n; k++) {
		const rl_obj *cell = rl_ptr(v);
		if (!rl_is_ptr(v) || rl_obj_type(cell) != RL_T_CONS)
			return 1;
		sum += (int64_t)rl_ptr(cell->w[0])->w[0];
		v = cell->w[1];
	}
	return k != n || rl_fixnum_value(root->w[0]) != sum;
}

static int visit_noverify(rl_region *r, void *env)
{
	(void)visit(r, env);
	return 0;
}

static void update_max(atomic_uint_fast64_t *m, uint64_t v)
{
	uint_fast64_t cur = atomic_load_explicit(m, memory_order_relaxed);
	while (cur < v && !atomic_compare_exchange_weak_explicit(m, &cur, v, memory_order_relaxed,
								 memory_order_relaxed))
		;
}

/* The scheme's way out: poison, destroy, count.  Any thread may run it. */
static void on_free(rl_region *r, void *env)
{
	struct trial *tr = env;
	rl_obj *root = root_of(r);
	uint64_t retired_at = (uint64_t)rl_fixnum_value(root->w[2]);
	for (rl_val v = root->w[1]; v != RL_NIL; v = rl_ptr(v)->w[1])
		rl_ptr(rl_ptr(v)->w[0])->w[0] = POISON_VALUE;
	root->w[0] = rl_fixnum(-1);
	size_t bytes = rl_region_footprint(r);
	rl_region_destroy(r);
	uint64_t now = rl_now_ns();
	/* relaxed: statistics; the scheme orders the free itself. */
	atomic_fetch_add_explicit(&tr->latency_sum, now > retired_at ? now - retired_at : 0, memory_order_relaxed);
	atomic_fetch_add_explicit(&tr->reclaimed, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&tr->unreclaimed, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&tr->unreclaimed_bytes, bytes, memory_order_relaxed);
}

/* The slot's owner lets go of `old`: retire it when that was the last owner. */
static void release_region(struct trial *tr, rl_tether_thread *t, rl_region *old)
{
	root_of(old)->w[2] = rl_fixnum((intptr_t)rl_now_ns());
	/* acq_rel: the owners' writes happen before the retirement. */
	if (atomic_fetch_sub_explicit(&old->external_rc, 1, memory_order_acq_rel) != 1)
		return;
	size_t bytes = rl_region_footprint(old);
	atomic_fetch_add_explicit(&tr->retired, 1, memory_order_relaxed);
	/* relaxed: statistics (the peak is approximate by nature). */
	uint64_t u = atomic_fetch_add_explicit(&tr->unreclaimed, 1, memory_order_relaxed) + 1;
	uint64_t ub = atomic_fetch_add_explicit(&tr->unreclaimed_bytes, bytes, memory_order_relaxed) + bytes;
	update_max(&tr->peak, u);
	update_max(&tr->peak_bytes, ub);
	tr->s->retire(t, old);
}

static rl_tether_slot *slot_at(struct trial *tr, size_t i) { return (rl_tether_slot *)(void *)(tr->slots + i * tr->stride); }

/* A new region for slot i, attached; NULL when out of memory. */
static rl_region *new_region(struct trial *tr, rl_tether_thread *t, size_t i, uint64_t *rng)
{
	rl_region *r = build_region(tr->a->read, rng);
	if (r == NULL)
		return NULL;
	if (tr->s->attach(t, r, i < tr->marked ? RL_TETHER_REGION_CONCURRENT : 0) != 0) {
		rl_region_destroy(r);
		return NULL;
	}
	return r;
}

/* ---- threads -------------------------------------------------------------------- */
static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void writer_run(struct worker *w, rl_tether_thread *t)
{
	struct trial *tr = w->tr;
	const struct rl_tether_scheme *s = tr->s;
	uint64_t rng = tr->seed * 0x9e3779b97f4a7c15ull + w->id + 1;
	/* relaxed: a stop request carries no data. */
	while (!atomic_load_explicit(&tr->stop, memory_order_relaxed)) {
		if (tr->a->update_us != 0) {
			s->offline(t);
			sleep_ns(tr->a->update_us * 1000u);
			s->online(t);
		}
		size_t i = (size_t)(xorshift(&rng) % tr->a->slots);
		rl_region *r = new_region(tr, t, i, &rng);
		if (r == NULL) {
			atomic_store_explicit(&tr->oom, true, memory_order_relaxed);
			break;
		}
		rl_region *old = s->publish(t, slot_at(tr, i), r);
		if (old != NULL)
			release_region(tr, t, old);
		s->quiesce(t);
		w->ops++;
	}
}

static void reader_run(struct worker *w, rl_tether_thread *t)
{
	struct trial *tr = w->tr;
	const struct rl_tether_scheme *s = tr->s;
	size_t n = tr->a->read;
	int (*check)(rl_region *, void *) = tr->a->verify ? visit : visit_noverify;
	uint64_t rng = (tr->seed + 0x51ed27) * 0x9e3779b97f4a7c15ull + w->id + 1;
	if (w->stalled) {
		while (!atomic_load_explicit(&tr->stop, memory_order_relaxed)) { /* relaxed: see writer_run */
			rl_region *r = s->tether(t, slot_at(tr, (size_t)(xorshift(&rng) % tr->a->slots)));
			sleep_ns(tr->a->stall_ms * 1000000u);
			if (r != NULL) {
				w->bad += check(r, &n) != 0;
				s->untether(t, r);
			}
			s->quiesce(t);
			w->ops++;
		}
		return;
	}
	struct rl_tether_loop l = {
		.slots = tr->slots,
		.stride = tr->stride,
		.nslots = tr->a->slots,
		.max_ops = tr->a->ops != 0 ? tr->a->ops : UINT64_MAX,
		.stop = &tr->stop,
		.quiesce_every = QUIESCE_EVERY,
		.sample_every = tr->a->ops != 0 && tr->a->ops < (UINT64_C(1) << 22) ? 256 : 4096,
		.samples = w->samples,
		.samples_cap = w->samples != NULL ? SAMPLES_CAP : 0,
		.visit = n != 0 ? check : NULL,
		.visit_env = &n,
		.rng = rng | 1,
	};
	if (tr->own) { /* reader i: slots i, i+R, i+2R... (slot i mod K when K < R) */
		size_t k = tr->a->slots, id = w->id, nr = tr->readers;
		l.slots = tr->slots + (id % k) * tr->stride;
		l.stride = nr * tr->stride;
		l.nslots = k > id ? (k - id + nr - 1) / nr : 1;
	}
	if (tr->vtable)
		rl_tether_loop_vtable(s, t, &l);
	else
		s->loop(t, &l);
	w->ops = l.ops;
	w->bad = l.bad;
	w->empty = l.empty;
	w->nsamples = l.nsamples;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct trial *tr = w->tr;
	const struct rl_tether_scheme *s = tr->s;
	rl_tether_thread *t = s->thread_register(tr->d);
	if (t == NULL)
		atomic_store_explicit(&tr->oom, true, memory_order_relaxed);
	else
		s->offline(t); /* not a reader while it waits */
	pthread_mutex_lock(&tr->gate);
	tr->arrived++;
	pthread_cond_broadcast(&tr->gate_cv);
	while (!tr->go)
		pthread_cond_wait(&tr->gate_cv, &tr->gate);
	pthread_mutex_unlock(&tr->gate);
	if (t == NULL) {
		if (!w->writer && !w->stalled) /* counted as done: --ops waits for the readers */
			atomic_fetch_add_explicit(&tr->readers_done, 1, memory_order_relaxed);
		return NULL;
	}
	s->online(t);
	uint64_t t0 = rl_now_ns(), c0 = cpu_ns();
	if (w->writer)
		writer_run(w, t);
	else
		reader_run(w, t);
	w->ns = rl_now_ns() - t0;
	w->cpu_ns = cpu_ns() - c0;
	if (!w->writer && !w->stalled)
		atomic_fetch_add_explicit(&tr->readers_done, 1, memory_order_relaxed); /* relaxed: a count */
	s->quiesce(t);
	s->thread_unregister(t);
	return NULL;
}

/* ---- one trial ---------------------------------------------------------------------- */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The spec as written, less series=FILE (where the output went says nothing
 * about the trial); quoted when it holds a comma. */
static void series_label(const struct rl_tether_spec *spec, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s", spec->scheme->name);
	const char *sep = ":";
	for (size_t i = 0; i < spec->params.count && used < len; i++) {
		if (strcmp(spec->params.kv[i].key, "series") == 0)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", sep, spec->params.kv[i].key,
					 spec->params.kv[i].val);
		sep = ",";
	}
}

/* One series row, its columns generated from driver/tether_series.def. */
struct series_row {
#define SERIES_STR const char *
#define SERIES_U64 uint64_t
#define SERIES_F64 double
#define SERIES_COLUMN(name, type, doc) SERIES_##type name;
#include "driver/tether_series.def"
#undef SERIES_COLUMN
};

static void series_put_STR(FILE *fp, const char *v)
{
	bool quote = strchr(v, ',') != NULL;
	fprintf(fp, "%s%s%s", quote ? "\"" : "", v, quote ? "\"" : "");
}
static void series_put_U64(FILE *fp, uint64_t v) { fprintf(fp, "%llu", (unsigned long long)v); }
static void series_put_F64(FILE *fp, double v) { fprintf(fp, "%.3f", v); }

static void series_header(FILE *fp)
{
	const char *sep = "";
#define SERIES_COLUMN(name, type, doc) fprintf(fp, "%s%s", sep, #name), sep = ",";
#include "driver/tether_series.def"
#undef SERIES_COLUMN
	fputc('\n', fp);
}

static void series_row(FILE *fp, struct trial *tr, uint64_t t_ns)
{
	if (fp == NULL)
		return;
	char label[RL_SPEC_LABEL_MAX];
	series_label(tr->spec, label, sizeof label);
	struct series_row row = {
		.tether = label,
		.threads = tr->readers,
		.writers = tr->a->writers,
		.stall_ms = tr->a->stall_ms,
		.layout = tr->a->layout_packed ? "packed" : "padded",
		.rep = tr->rep,
		.t_ms = (double)t_ns / 1e6,
		.unreclaimed = atomic_load(&tr->unreclaimed),
		.unreclaimed_bytes = atomic_load(&tr->unreclaimed_bytes),
		.retired = atomic_load(&tr->retired),
		.reclaimed = atomic_load(&tr->reclaimed),
	};
	const char *sep = "";
#define SERIES_COLUMN(name, type, doc) fputs(sep, fp), series_put_##type(fp, row.name), sep = ",";
#include "driver/tether_series.def"
#undef SERIES_COLUMN
	fputc('\n', fp);
}

struct run_keys {
	bool vtable, own;
	double concurrent;
	const char *series;
	rl_kv_list scheme_opts; /* the spec's keys minus these */
};

/* The keys of the tether workload, after any scheme's name (regionlab/tether.h). */
enum { RUN_LOOP, RUN_CONCURRENT, RUN_SERIES, RUN_PICK };
enum { LOOP_INLINE, LOOP_VTABLE };
enum { PICK_RANDOM, PICK_OWN };
const struct rl_option rl_tether_run_options[] = {
	[RUN_LOOP] = RL_OPTION_ENUM("loop", "inline", "inline|vtable",
				    "the reader loop with the scheme's fast path inlined, or through the ops table"),
	[RUN_CONCURRENT] = RL_OPTION_REAL("concurrent", "0", 0.0, 1.0,
					  "the share of slots whose regions are marked high-concurrency"),
	[RUN_SERIES] = RL_OPTION_TEXT("series", NULL, "append the unreclaimed-over-time series to this file"),
	[RUN_PICK] = RL_OPTION_ENUM("pick", "random", "random|own",
				    "readers pick any slot, or each reader its own slots (isolates false sharing)"),
	RL_OPTIONS_END,
};

static int parse_run_keys(const struct rl_tether_spec *spec, struct run_keys *k, char *err, size_t errlen)
{
	const rl_kv_list *p = &spec->params;
	memset(k, 0, sizeof *k);
	if (rl_tether_options_check(spec->scheme, p, err, errlen) != 0)
		return -1;
	k->vtable = rl_opt_enum(p, &rl_tether_run_options[RUN_LOOP]) == LOOP_VTABLE;
	k->concurrent = rl_opt_real(p, &rl_tether_run_options[RUN_CONCURRENT]);
	k->own = rl_opt_enum(p, &rl_tether_run_options[RUN_PICK]) == PICK_OWN;
	k->series = rl_opt_text(p, &rl_tether_run_options[RUN_SERIES]);
	for (size_t i = 0; i < p->count; i++) {
		const char *key = p->kv[i].key;
		if (strcmp(key, "loop") != 0 && strcmp(key, "concurrent") != 0 && strcmp(key, "series") != 0 &&
		    strcmp(key, "pick") != 0)
			k->scheme_opts.kv[k->scheme_opts.count++] = p->kv[i];
	}
	return 0;
}

/* ---- the phases of one trial -------------------------------------------------- */
static void trial_free(struct trial *tr)
{
	if (tr->ws != NULL)
		for (size_t i = 0; i < tr->nworkers; i++)
			free(tr->ws[i].samples);
	free(tr->ws);
	free(tr->slots);
	pthread_cond_destroy(&tr->gate_cv);
	pthread_mutex_destroy(&tr->gate);
	free(tr);
}

/* The trial's state, before its domain exists; NULL when out of memory. */
static struct trial *trial_new(const struct rl_tether_args *a, const struct rl_tether_spec *spec,
			       const struct run_keys *k, FILE *series, size_t readers, size_t rep)
{
	struct trial *tr = calloc(1, sizeof *tr);
	if (tr == NULL)
		return NULL;
	pthread_mutex_init(&tr->gate, NULL);
	pthread_cond_init(&tr->gate_cv, NULL);
	tr->nworkers = readers + a->writers;
	tr->ws = calloc(tr->nworkers, sizeof *tr->ws);
	if (tr->ws == NULL) {
		trial_free(tr);
		return NULL;
	}
	tr->a = a;
	tr->spec = spec;
	tr->s = spec->scheme;
	tr->readers = readers;
	tr->rep = rep;
	tr->seed = a->seed + rep;
	tr->vtable = k->vtable;
	tr->own = k->own;
	tr->marked = (size_t)llround(k->concurrent * (double)a->slots);
	tr->series = series;
	tr->blocks_before = rl_blocks_live();
	tr->status = "ok";
	return tr;
}

/* The row's fixed columns: what the trial is. */
static void row_describe(rl_row *row, const struct trial *tr)
{
	const struct rl_tether_args *a = tr->a;
	rl_row_init(row, "tether");
	row->tether = tr->spec->label;
	row->threads = tr->readers;
	row->writers = a->writers;
	row->read = a->read;
	row->slots = a->slots;
	row->stall_ms = a->stall_ms;
	row->layout = a->layout_packed ? "packed" : "padded";
	row->rep = tr->rep;
	row->seed = tr->seed;
}

/* The scheme's domain with the spec's options; -1 with err for a bad one. */
static int domain_open(struct trial *tr, const struct run_keys *k, char *err, size_t errlen)
{
	struct rl_tether_config cfg = {
		.opts = &k->scheme_opts,
		.free_region = on_free,
		.env = tr,
		.layout = tr->a->layout_packed ? RL_TETHER_PACKED : RL_TETHER_PADDED,
	};
	tr->d = tr->s->domain_create(&cfg, err, errlen);
	return tr->d != NULL ? 0 : -1;
}

/* The main thread's record and the slot table, every slot publishing a
 * region; false (status oom) when out of memory. */
static bool table_fill(struct trial *tr)
{
	const struct rl_tether_scheme *s = tr->s;
	size_t n = tr->a->slots;
	tr->me = s->thread_register(tr->d);
	tr->stride = tr->a->layout_packed ? sizeof(rl_tether_slot) : 64;
	tr->slots = aligned_alloc(64, (n * tr->stride + 63) & ~(size_t)63);
	if (tr->me == NULL || tr->slots == NULL) {
		tr->status = "oom";
		return false;
	}
	memset(tr->slots, 0, n * tr->stride);
	uint64_t rng = tr->seed | 1;
	for (size_t i = 0; i < n; i++) {
		rl_region *r = new_region(tr, tr->me, i, &rng);
		if (r == NULL) {
			tr->status = "oom";
			return false;
		}
		s->publish(tr->me, slot_at(tr, i), r);
	}
	return true;
}

/* Starts every worker and opens the gate; false (status set, the started
 * ones joined) when a thread cannot be created. */
static bool workers_start(struct trial *tr)
{
	size_t started = 0;
	/* A fixed stack size, not glibc's default (RLIMIT_STACK, which the
	 * environment sets): every worker's stack is a mapping of the same size
	 * with its top at the same place in its page, in every run (issue 12). */
	pthread_attr_init(&tr->attr);
	pthread_attr_setstacksize(&tr->attr, WORKER_STACK_BYTES);
	for (size_t i = 0; i < tr->nworkers; i++) {
		struct worker *w = &tr->ws[i];
		w->tr = tr;
		w->id = i;
		w->writer = i >= tr->readers;
		w->stalled = i == 0 && tr->a->stall_ms != 0;
		if (!w->writer && !w->stalled)
			w->samples = malloc(SAMPLES_CAP * sizeof *w->samples);
		if (pthread_create(&w->th, &tr->attr, worker_main, w) != 0)
			break;
		started++;
	}
	if (started != tr->nworkers)
		atomic_store(&tr->stop, true); /* the ones started leave at once */
	tr->s->offline(tr->me);
	pthread_mutex_lock(&tr->gate);
	while (tr->arrived != started)
		pthread_cond_wait(&tr->gate_cv, &tr->gate);
	tr->go = true;
	pthread_cond_broadcast(&tr->gate_cv);
	pthread_mutex_unlock(&tr->gate);
	pthread_attr_destroy(&tr->attr);
	if (started == tr->nworkers)
		return true;
	for (size_t i = 0; i < started; i++)
		pthread_join(tr->ws[i].th, NULL);
	tr->s->online(tr->me);
	tr->status = "error: cannot create threads";
	return false;
}

/* Writes the series until the trial is over (its duration, or every
 * unstalled reader done), then stops and joins the workers. */
static void trial_watch(struct trial *tr)
{
	const struct rl_tether_args *a = tr->a;
	uint64_t t0 = rl_now_ns();
	uint64_t period = a->ops != 0 ? 1000000u : (uint64_t)(a->duration_s * 1e9 / 500);
	if (period < 1000000u)
		period = 1000000u;
	size_t nonstalled = tr->readers - (a->stall_ms != 0);
	for (;;) {
		uint64_t el = rl_now_ns() - t0;
		series_row(tr->series, tr, el);
		if (a->ops != 0 ? atomic_load(&tr->readers_done) == nonstalled : el >= (uint64_t)(a->duration_s * 1e9))
			break;
		sleep_ns(period);
	}
	atomic_store_explicit(&tr->stop, true, memory_order_relaxed); /* relaxed: see writer_run */
	for (size_t i = 0; i < tr->nworkers; i++)
		pthread_join(tr->ws[i].th, NULL);
	tr->wall_ns = rl_now_ns() - t0;
	series_row(tr->series, tr, tr->wall_ns);
	tr->s->online(tr->me);
}

/* p50 and p99 of every reader's sampled pairs (NaN when none). */
static void latency_percentiles(const struct trial *tr, double *p50, double *p99)
{
	size_t nsamples = 0;
	for (size_t i = 0; i < tr->readers; i++)
		nsamples += tr->ws[i].nsamples;
	uint64_t *all = nsamples != 0 ? malloc(nsamples * sizeof *all) : NULL;
	*p50 = *p99 = NAN;
	if (all == NULL)
		return;
	size_t j = 0;
	for (size_t i = 0; i < tr->readers; i++)
		for (size_t m = 0; m < tr->ws[i].nsamples; m++)
			all[j++] = tr->ws[i].samples[m];
	qsort(all, j, sizeof *all, cmp_u64);
	*p50 = (double)all[j / 2];
	*p99 = (double)all[(size_t)((double)(j - 1) * 0.99)];
	free(all);
}

/* The readers' figures into the row, and the status they imply. */
static void row_measure(rl_row *row, struct trial *tr)
{
	uint64_t ops = 0, bad = 0;
	double per_thread = 0;
	size_t counted = 0;
	for (size_t i = 0; i < tr->readers; i++) {
		const struct worker *w = &tr->ws[i];
		ops += w->ops;
		bad += w->bad;
		if (!w->stalled && w->ops != 0) {
			per_thread += (double)w->cpu_ns / (double)w->ops;
			counted++;
		}
	}
	if (bad != 0)
		tr->status = "use_after_free";
	else if (atomic_load(&tr->oom))
		tr->status = "oom";
	row->ops = ops;
	row->ns_per_op = counted != 0 ? per_thread / (double)counted : NAN;
	row->ops_per_s = tr->wall_ns != 0 ? (double)ops * 1e9 / (double)tr->wall_ns : NAN;
	latency_percentiles(tr, &row->p50_ns, &row->p99_ns);
	row->peak_unreclaimed = atomic_load(&tr->peak);
	row->peak_unreclaimed_bytes = atomic_load(&tr->peak_bytes);
}

/* Empties the table, retires what it held, lets the main thread's record
 * go and destroys the domain. */
static void table_empty(struct trial *tr)
{
	const struct rl_tether_scheme *s = tr->s;
	if (tr->me != NULL) {
		for (size_t i = 0; tr->slots != NULL && i < tr->a->slots; i++) {
			rl_region *old = s->publish(tr->me, slot_at(tr, i), NULL);
			if (old != NULL)
				release_region(tr, tr->me, old);
		}
		s->quiesce(tr->me);
		s->thread_unregister(tr->me);
	}
	s->domain_destroy(tr->d);
}

/* The reclamation columns, and status leak unless every retired region was
 * freed and every block returned. */
static void row_reclaim(rl_row *row, struct trial *tr)
{
	uint64_t retired = atomic_load(&tr->retired), reclaimed = atomic_load(&tr->reclaimed);
	if (strcmp(tr->status, "ok") == 0 && (retired != reclaimed || rl_blocks_live() != tr->blocks_before)) {
		snprintf(tr->status_buf, sizeof tr->status_buf,
			 "leak: %llu of %llu retired regions not freed, %lld blocks",
			 (unsigned long long)(retired - reclaimed), (unsigned long long)retired,
			 (long long)rl_blocks_live() - (long long)tr->blocks_before);
		tr->status = tr->status_buf;
	}
	row->retired = retired;
	row->reclaimed = reclaimed;
	row->reclaim_latency_ns = reclaimed != 0 ? (double)atomic_load(&tr->latency_sum) / (double)reclaimed : NAN;
	struct rusage ru;
	row->peak_rss_kb = getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_maxrss : RL_UNSET_U64;
	row->status = tr->status;
}

/* Runs one trial into `row` (its status copied into status[RL_STATUS_LEN],
 * where the row points).  -1 (with err) only for bad input. */
#define RL_STATUS_LEN 160
static int run_trial(const struct rl_tether_args *a, const struct rl_tether_spec *spec, const struct run_keys *k,
		     FILE *series, size_t readers, size_t rep, rl_row *row, char *status, char *err, size_t errlen)
{
	struct trial *tr = trial_new(a, spec, k, series, readers, rep);
	if (tr == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	row_describe(row, tr);
	if (domain_open(tr, k, err, errlen) != 0) {
		trial_free(tr);
		return -1;
	}
	if (table_fill(tr) && workers_start(tr)) {
		trial_watch(tr);
		row_measure(row, tr);
	}
	table_empty(tr);
	row_reclaim(row, tr);
	snprintf(status, RL_STATUS_LEN, "%s", tr->status);
	row->status = status;
	trial_free(tr);
	return 0;
}

/* ---- the yardsticks: the empty loop and urcu-qsbr --------------------------------- */

/* The empty loop: the reader loop of every scheme (slot pick, a relaxed
 * load of the slot's word, the loop's bookkeeping, quiesce between blocks)
 * with no tether: its "tether" names no region, so nothing is visited or
 * untethered.  Its domain, writers and quiesce are the base scheme's
 * (urcu-qsbr, else the first scheme of the command line). */
static const struct rl_tether_scheme *empty_base;

static rl_region *empty_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	(void)t;
	uintptr_t w = atomic_load_explicit(&slot->word, memory_order_relaxed);
	__asm__ volatile("" : : "r"(w));
	return NULL;
}

static void empty_untether(rl_tether_thread *t, rl_region *r)
{
	(void)t;
	(void)r;
}

static void empty_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, empty_tether, empty_untether, empty_base->quiesce);
}

/* Under ThreadSanitizer liburcu (not instrumented) makes every urcu-qsbr
 * trial a report: the yardsticks then do without it (qsbr_ns is empty, the
 * empty loop runs on the first scheme's domain), unless it is given. */
#if defined(__SANITIZE_THREAD__)
#define YARDSTICK_QSBR 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define YARDSTICK_QSBR 0
#endif
#endif
#ifndef YARDSTICK_QSBR
#define YARDSTICK_QSBR 1
#endif

static struct rl_tether_scheme empty_scheme;
static struct rl_tether_spec empty_spec, qsbr_spec;

/* One grid point of the tether sweep: one reader count with the command
 * line's configuration.  Modules: the schemes given, then the yardsticks not
 * among them (the empty loop always; urcu-qsbr unless given as is); round
 * r's row of module i is rows[r * n + i]. */
struct tether_point {
	size_t n, given;             /* modules; the first `given` are the command line's */
	size_t empty, qsbr;          /* module index of each yardstick (qsbr: SIZE_MAX when none) */
	const struct rl_tether_spec *spec[RL_TETHER_MAX_SCHEMES + 2];
	struct run_keys keys[RL_TETHER_MAX_SCHEMES + 2];
	FILE *series[RL_TETHER_MAX_SCHEMES + 2];
	size_t rounds, cap;
	rl_row *rows;
	char (*status)[RL_STATUS_LEN];
	double *sample;
	double medians[RL_TETHER_MAX_SCHEMES + 2];
	struct rl_ci cis[2 * (RL_TETHER_MAX_SCHEMES + 2)];
	bool has_sample[RL_TETHER_MAX_SCHEMES + 2];
};

/* The modules: the schemes given, the empty loop, urcu-qsbr when not given
 * bare (a given urcu-qsbr with options is another module). */
static void point_modules(struct tether_point *p, const struct rl_tether_args *a, const struct run_keys *keys,
			  FILE *const *series)
{
	const struct rl_tether_scheme *qsbr = rl_find_tether_scheme("urcu-qsbr");
	p->n = 0;
	p->qsbr = SIZE_MAX;
	for (size_t i = 0; i < a->nschemes; i++) {
		p->spec[p->n] = &a->schemes[i];
		p->keys[p->n] = keys[i];
		p->series[p->n] = series[i];
		if (qsbr != NULL && a->schemes[i].scheme == qsbr && a->schemes[i].params.count == 0)
			p->qsbr = p->n;
		p->n++;
	}
	p->given = p->n;
	if (!YARDSTICK_QSBR && p->qsbr == SIZE_MAX)
		qsbr = NULL;
	empty_base = qsbr != NULL ? qsbr : a->schemes[0].scheme;
	empty_scheme = *empty_base;
	empty_scheme.name = "empty";
	empty_scheme.tether = empty_tether;
	empty_scheme.untether = empty_untether;
	empty_scheme.loop = empty_loop;
	empty_spec.scheme = &empty_scheme;
	snprintf(empty_spec.label, sizeof empty_spec.label, "empty");
	p->empty = p->n;
	p->spec[p->n] = &empty_spec;
	memset(&p->keys[p->n], 0, sizeof p->keys[p->n]);
	p->series[p->n++] = NULL;
	if (p->qsbr == SIZE_MAX && qsbr != NULL) {
		qsbr_spec.scheme = qsbr;
		snprintf(qsbr_spec.label, sizeof qsbr_spec.label, "urcu-qsbr");
		p->qsbr = p->n;
		p->spec[p->n] = &qsbr_spec;
		memset(&p->keys[p->n], 0, sizeof p->keys[p->n]);
		p->series[p->n++] = NULL;
	}
}

static int point_grow(struct tether_point *p)
{
	if (p->rounds < p->cap)
		return 0;
	size_t cap = p->cap ? 2 * p->cap : 8;
	rl_row *rows = realloc(p->rows, cap * p->n * sizeof *rows);
	if (rows == NULL)
		return -1;
	p->rows = rows;
	char(*status)[RL_STATUS_LEN] = realloc(p->status, cap * p->n * sizeof *status);
	if (status == NULL)
		return -1;
	p->status = status;
	double *sample = realloc(p->sample, cap * sizeof *sample);
	if (sample == NULL)
		return -1;
	p->sample = sample;
	for (size_t k = 0; k < p->rounds * p->n; k++) /* the status array may have moved */
		p->rows[k].status = p->status[k];
	p->cap = cap;
	return 0;
}

/* A trial's figure for the interval: ns_per_op of an ok trial that was not
 * itself disturbed; NaN otherwise. */
static double tether_figure(const rl_row *row)
{
	if (row->status == NULL || strcmp(row->status, "ok") != 0 || row->disturbed > RL_DISTURBED_RETRIES)
		return NAN;
	return row->ns_per_op;
}

static enum rl_stop point_stop(struct tether_point *p, const struct rl_stop_rule *rule, double elapsed_s)
{
	size_t m = 0;
	for (size_t i = 0; i < p->n; i++) {
		size_t k = 0;
		for (size_t r = 0; r < p->rounds; r++) {
			double x = tether_figure(&p->rows[r * p->n + i]);
			if (!isnan(x))
				p->sample[k++] = x;
		}
		p->has_sample[i] = k > 0;
		p->medians[i] = rl_stats_median(p->sample, k);
		if (k < 2 || rl_stats_median_ci(p->sample, k, RL_STATS_RESAMPLES, RL_STATS_SEED, &p->cis[i]) != 0)
			p->cis[i] = (struct rl_ci){ NAN, NAN };
	}
	double meds[RL_TETHER_MAX_SCHEMES + 2];
	for (size_t i = 0; i < p->n; i++)
		if (p->has_sample[i]) {
			meds[m] = p->medians[i];
			p->cis[p->n + m] = p->cis[i];
			m++;
		}
	return rl_stats_stop(rule, p->rounds, elapsed_s, meds, p->cis + p->n, m);
}

/* The trial behind the machine gate (driver/machine_gate.h), retried while
 * the machine was disturbed around it; disturbed counts the attempts thrown
 * away.  A trial of one thread (one reader, no writer) is pinned to a CPU
 * at its usual speed, as a transmigration trial is: its worker inherits the
 * main thread's pin, and the main thread only wakes to write the series
 * (every duration/500, at least 1 ms: off the reader's CPU clock, which
 * ns_per_op reads, but inside ops_per_s's wall time).  A helper thread a
 * library starts during the trial (liburcu's call_rcu worker, at the first
 * retire) inherits the pin too and keeps it for the process's life.
 * Several threads use every CPU: the gate waits a while for all of them. */
static int run_checked_trial(const struct rl_tether_args *a, struct tether_point *p, size_t i, size_t readers,
			     size_t round, char *err, size_t errlen)
{
	size_t slot = round * p->n + i;
	for (uint64_t attempt = 0;; attempt++) {
		struct rl_disturbance before;
		rl_disturbance_begin(&before, readers + a->writers == 1 ? RL_GATE_ONE_CPU : RL_GATE_ALL_CPUS);
		if (run_trial(a, p->spec[i], &p->keys[i], p->series[i], readers, round, &p->rows[slot], p->status[slot],
			      err, errlen) != 0) {
			(void)rl_disturbance_end(&before); /* the affinity back */
			return -1;
		}
		p->rows[slot].probe_ns = before.probe_ns;
		bool disturbed = rl_disturbance_end(&before);
		p->rows[slot].disturbed = attempt + (disturbed ? 1 : 0);
		if (!disturbed || attempt == RL_DISTURBED_RETRIES)
			return 0;
	}
}

/* The given schemes' rows, each with its interval, the point's rounds and
 * stop, and the yardsticks of its own round: round by round, in the command
 * line's order. */
static int point_write(struct tether_point *p, enum rl_stop stop, rl_out *out, char *err, size_t errlen)
{
	for (size_t r = 0; r < p->rounds; r++)
		for (size_t i = 0; i < p->given; i++) {
			rl_row *row = &p->rows[r * p->n + i];
			row->rounds = p->rounds;
			row->ci_lo = p->cis[i].lo;
			row->ci_hi = p->cis[i].hi;
			row->stop = rl_stop_name(stop);
			row->empty_ns = tether_figure(&p->rows[r * p->n + p->empty]);
			row->qsbr_ns = p->qsbr < p->n ? tether_figure(&p->rows[r * p->n + p->qsbr]) : NAN;
			if (rl_out_write(out, row) != 0) {
				snprintf(err, errlen, "cannot write the CSV row");
				return -1;
			}
		}
	return 0;
}

/* The round's order of modules: a Fisher-Yates shuffle seeded by the
 * sweep's seed, the reader count and the round, so a rerun runs the same
 * order. */
static void shuffle_modules(size_t *order, size_t n, uint64_t seed, size_t readers, size_t round)
{
	uint64_t state = (seed * UINT64_C(0x9e3779b97f4a7c15) + readers * UINT64_C(0x51ed27) + round + 1) | 1;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(xorshift(&state) % i);
		size_t tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
}

static int run_point(const struct rl_tether_args *a, struct tether_point *p, size_t readers, rl_out *out, char *err,
		     size_t errlen)
{
	const struct rl_stop_rule rule = {
		.min_rounds = a->reps,
		.max_rounds = a->max_rounds > a->reps ? a->max_rounds : a->reps,
		.max_seconds = a->max_seconds > 0 ? a->max_seconds : INFINITY,
		.half_width = RL_STATS_HALF_WIDTH,
	};
	size_t order[RL_TETHER_MAX_SCHEMES + 2];
	uint64_t start = rl_now_ns();
	enum rl_stop stop = RL_STOP_CONTINUE;
	p->rounds = 0;
	while (stop == RL_STOP_CONTINUE) {
		if (point_grow(p) != 0) {
			snprintf(err, errlen, "out of memory keeping a grid point's rows");
			return -1;
		}
		shuffle_modules(order, p->n, a->seed, readers, p->rounds);
		for (size_t k = 0; k < p->n; k++)
			if (run_checked_trial(a, p, order[k], readers, p->rounds, err, errlen) != 0)
				return -1;
		p->rounds++;
		stop = point_stop(p, &rule, (double)(rl_now_ns() - start) / 1e9);
	}
	return point_write(p, stop, out, err, errlen);
}

static void close_series(FILE **series, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (series[i] != NULL)
			fclose(series[i]);
}

int rl_tether_run(const struct rl_tether_args *args, rl_out *out, char *err, size_t errlen)
{
	struct run_keys keys[RL_TETHER_MAX_SCHEMES];
	FILE *series[RL_TETHER_MAX_SCHEMES] = { 0 };
	/* Check every spec before the first trial: a bad value exits 2 at once. */
	for (size_t i = 0; i < args->nschemes; i++)
		if (parse_run_keys(&args->schemes[i], &keys[i], err, errlen) != 0)
			return -1;
	if (args->slots == 0) {
		snprintf(err, errlen, "--slots must be at least 1");
		return -1;
	}
	for (size_t i = 0; i < args->nschemes; i++) {
		if (keys[i].series == NULL)
			continue;
		series[i] = fopen(keys[i].series, "a");
		if (series[i] == NULL) {
			snprintf(err, errlen, "tether %s: series=%s: cannot open", args->schemes[i].scheme->name,
				 keys[i].series);
			close_series(series, i);
			return -1;
		}
		if (ftell(series[i]) == 0)
			series_header(series[i]);
	}
	struct tether_point *p = calloc(1, sizeof *p);
	int rc = p != NULL ? 0 : -1;
	if (p == NULL)
		snprintf(err, errlen, "out of memory");
	else
		point_modules(p, args, keys, series);
	for (size_t t = 0; t < args->nthreads && rc == 0; t++)
		rc = run_point(args, p, args->threads[t], out, err, errlen);
	close_series(series, args->nschemes);
	if (p != NULL) {
		free(p->rows);
		free(p->status);
		free(p->sample);
		free(p);
	}
	return rc;
}
