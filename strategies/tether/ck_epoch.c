/* ck-epoch: Concurrency Kit's ck_epoch behind the tether interface (an anchor).
 *
 * Invariant (ck_epoch's, Fraser's EBR): a tether is an epoch section
 * (ck_epoch_begin/end, with a store-load fence on entry); retire defers the
 * free with ck_epoch_call into the record's bucket for the current epoch, and
 * ck_epoch_poll dispatches a bucket only once the global epoch has moved past
 * it twice, i.e. every section open at retirement has ended.  A tethered
 * region cannot be freed while its section is open; a retired one is surely
 * freed: writers poll every `poll` retirements, and a record's pending
 * callbacks are flushed with ck_epoch_barrier when its thread unregisters
 * (which waits for the sections open then).  Unbounded with a stalled reader. */
#include <ck_epoch.h>

#include <stdio.h>
#include <stdlib.h>

#include "strategies/tether/scheme_base.h"
#include "strategies/tether/records.h"
#include "strategies/tether/reader_loop.h"

struct rl_tether_domain {
	ck_epoch_t epoch;
	rl_region_free_fn free_region;
	void *env;
	size_t poll;
	struct rl_rec_list recs;
};

struct rl_tether_thread {
	ck_epoch_record_t rec; /* first: cache-line aligned */
	struct rl_rec_link link;
	struct rl_tether_domain *d;
	size_t since;
};

struct deferred {
	ck_epoch_entry_t entry;
	rl_region *r;
	struct rl_tether_domain *d;
};

enum { OPT_POLL };
static const struct rl_option cke_options[] = {
	[OPT_POLL] = RL_OPTION_INT("poll", "64", 1, 1u << 20, "retirements between a writer's ck_epoch_poll calls"),
	RL_OPTIONS_END,
};

static rl_tether_domain *cke_domain_create(const struct rl_tether_config *cfg, char *err, size_t errlen)
{
	size_t poll = rl_opt_int(cfg->opts, &cke_options[OPT_POLL]);
	rl_tether_domain *d = rl_tether_domain_alloc(sizeof *d, "ck-epoch", err, errlen);
	if (d == NULL)
		return NULL;
	ck_epoch_init(&d->epoch);
	d->free_region = cfg->free_region;
	d->env = cfg->env;
	d->poll = poll;
	return d;
}

static void cke_domain_destroy(rl_tether_domain *d)
{
	/* Every record was flushed at unregister; barrier again anyway (every
	 * record must still be valid: ck_epoch scans them all), then free. */
	for (struct rl_rec_link *l = rl_rec_first(&d->recs); l != NULL; l = l->next)
		ck_epoch_barrier(&rl_container_of(l, rl_tether_thread, link)->rec);
	rl_rec_free_all(&d->recs, offsetof(rl_tether_thread, link));
	free(d);
}

static rl_tether_thread *cke_thread_register(rl_tether_domain *d)
{
	struct rl_rec_link *l = rl_rec_claim(&d->recs);
	if (l != NULL)
		return rl_container_of(l, rl_tether_thread, link);
	rl_tether_thread *t = rl_rec_alloc(sizeof *t);
	if (t == NULL)
		return NULL;
	*t = (rl_tether_thread){ .d = d };
	ck_epoch_register(&d->epoch, &t->rec, NULL);
	rl_rec_push(&d->recs, &t->link);
	return t;
}

static void cke_thread_unregister(rl_tether_thread *t)
{
	ck_epoch_barrier(&t->rec); /* runs this record's deferred frees */
	t->since = 0;
	rl_rec_release(&t->link); /* the ck record stays registered, inactive */
}

static inline rl_region *cke_tether(rl_tether_thread *t, rl_tether_slot *slot)
{
	ck_epoch_begin(&t->rec, NULL);
	/* acquire: pairs with publish's release. */
	rl_region *r = rl_plain_load(slot, memory_order_acquire);
	if (r == NULL)
		ck_epoch_end(&t->rec, NULL);
	return r;
}

static inline void cke_untether(rl_tether_thread *t, rl_region *r)
{
	(void)r;
	ck_epoch_end(&t->rec, NULL);
}

static void cke_free_cb(ck_epoch_entry_t *e)
{
	struct deferred *x = (struct deferred *)(void *)((char *)e - offsetof(struct deferred, entry));
	x->d->free_region(x->r, x->d->env);
	free(x);
}

static void cke_retire(rl_tether_thread *t, rl_region *r)
{
	struct deferred *x = malloc(sizeof *x);
	if (x == NULL) { /* no memory to defer: wait for a grace period here */
		ck_epoch_synchronize(&t->rec);
		t->d->free_region(r, t->d->env);
		return;
	}
	x->r = r;
	x->d = t->d;
	ck_epoch_call(&t->rec, &x->entry, cke_free_cb);
	if (++t->since >= t->d->poll) {
		t->since = 0;
		ck_epoch_poll(&t->rec);
	}
}

static rl_region *cke_tether_op(rl_tether_thread *t, rl_tether_slot *slot) { return cke_tether(t, slot); }
static void cke_untether_op(rl_tether_thread *t, rl_region *r) { cke_untether(t, r); }

static void cke_loop(rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, cke_tether, cke_untether, rl_tether_no_quiesce);
}

const struct rl_tether_scheme rl_tether_ck_epoch = {
	.name = "ck-epoch",
	.summary = "Concurrency Kit ck_epoch: begin/end sections, ck_epoch_call + poll (anchor)",
	.caps = RL_TETHER_ANCHOR | RL_TETHER_OPAQUE,
	.options = cke_options,
	.domain_create = cke_domain_create,
	.domain_destroy = cke_domain_destroy,
	.thread_register = cke_thread_register,
	.thread_unregister = cke_thread_unregister,
	.attach = rl_tether_attach_none,
	.publish = rl_tether_publish_plain,
	.tether = cke_tether_op,
	.untether = cke_untether_op,
	.retire = cke_retire,
	.quiesce = rl_tether_nop,
	.offline = rl_tether_nop,
	.online = rl_tether_nop,
	.loop = cke_loop,
};
