/* tether+untether of one published region, per registered tether scheme,
 * on 1 and 2 threads: the read-side cost of every scheme, anchors included
 * (compare ANCHORS: thread-local ++/-- 0.5 ns, urcu-qsbr 0.26 ns, ck_epoch
 * 9.3 ns, one shared atomic counter 9 ns alone and 95 ns with two threads). */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"
#include "driver/registry.h"

struct tether_env {
	const struct rl_tether_scheme *ops;
	rl_tether_domain *domain;
	rl_tether_slot slot;
};

static void free_region(rl_region *r, void *env)
{
	(void)env;
	rl_region_destroy(r);
}

static void bench_tether(rl_bench_state *s, void *arg)
{
	struct tether_env *env = arg;
	rl_tether_thread *t = env->ops->thread_register(env->domain);
	enum { BATCH = 1024 };
	while (rl_bench_keep_running(s, BATCH)) {
		for (int i = 0; i < BATCH; i++) {
			rl_region *r = env->ops->tether(t, &env->slot);
			env->ops->untether(t, r);
		}
	}
	env->ops->quiesce(t);
	env->ops->thread_unregister(t);
}

void bench_register_tether(void)
{
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++) {
		struct tether_env *env = calloc(1, sizeof *env);
		env->ops = rl_tether_schemes[i];
		static const rl_kv_list no_opts;
		struct rl_tether_config cfg = { .opts = &no_opts, .free_region = free_region };
		char err[256] = "";
		env->domain = env->ops->domain_create(&cfg, err, sizeof err);
		rl_region *r = rl_region_create("bench-tether");
		/* A setup record publishes the region, then leaves: liburcu binds
		 * records to OS threads, and the benchmark threads register their own. */
		rl_tether_thread *setup = env->domain != NULL ? env->ops->thread_register(env->domain) : NULL;
		if (setup == NULL || r == NULL || env->ops->attach(setup, r, 0) != 0) {
			fprintf(stderr, "gbench: cannot set up tether scheme %s %s\n", env->ops->name, err);
			exit(1);
		}
		env->ops->publish(setup, &env->slot, r);
		env->ops->thread_unregister(setup);
		char name[96];
		for (int threads = 1; threads <= 2; threads++) {
			snprintf(name, sizeof name, "tether/%s", env->ops->name);
			rl_bench_register_threads(name, bench_tether, env, threads);
		}
	}
}
