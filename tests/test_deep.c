/* Graph depth against the C stack: the naive baseline's recursion really
 * overflows a small stack on a deep list (the failure design 1.1 names),
 * while the bitmap strategy copies a list ten times deeper on the same stack.
 *
 * The overflow runs in a forked child, in a thread with an explicit 256 KiB
 * stack, and the parent asserts that the child died of SIGSEGV.  Under
 * AddressSanitizer a stack overflow is reported and handled differently, so
 * that case is skipped there (the release build runs it). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver/registry.h"
#include "oracle/oracle.h"
#include "regionlab/region.h"
#include "regionlab/transmigrator.h"
#include "regionlab/workload.h"
#include "tests/check.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define SMALL_STACK (256u * 1024u)
#define LARGE_STACK (256u * 1024u * 1024u)
#define NAIVE_DEPTH 100000u
#define BITMAP_DEPTH 1000000u
#define SEED 7u

/* One transmigration, run on a thread of a chosen stack size. */
struct call {
	const struct rl_transmigrator *tm;
	rl_region *src, *dst;
	rl_val root, out;
	int rc;
};

static void *call_thread(void *arg)
{
	struct call *c = arg;
	rl_kv_list no_opts = { 0 };
	rl_tm_ctx ctx = { .opts = &no_opts };
	c->rc = c->tm->transmigrate(&ctx, c->src, c->dst, c->root, &c->out);
	if (c->rc == RL_TM_OK)
		c->rc = c->tm->finish(&ctx);
	return NULL;
}

/* Runs the call on a thread with a `stack`-byte stack: 0, or -1 when the
 * thread cannot be started. */
static int call_on_stack(struct call *c, size_t stack)
{
	pthread_attr_t attr;
	pthread_t thread;
	if (pthread_attr_init(&attr) != 0)
		return -1;
	int err = pthread_attr_setstacksize(&attr, stack);
	if (err == 0)
		err = pthread_create(&thread, &attr, call_thread, c);
	pthread_attr_destroy(&attr);
	if (err != 0)
		return -1;
	return pthread_join(thread, NULL) == 0 ? 0 : -1;
}

static void make_list(rl_graph *g, size_t n)
{
	const struct rl_workload *wl = rl_find_workload("list");
	rl_kv_list defaults = { 0 };
	char err[256];
	CHECK(wl != NULL, "workload list is not registered");
	CHECK(rl_graph_make(wl, n, SEED, &defaults, g, err, sizeof err) == 0, "list of %zu: %s", n, err);
}

/* Copies a list of n cells with strategy `name` on a `stack`-byte stack and
 * judges the result with the oracle. */
static void copy_list_on_stack(const char *name, size_t n, size_t stack)
{
	const struct rl_transmigrator *tm = rl_find_transmigrator(name);
	CHECK(tm != NULL, "strategy %s is not registered", name);
	rl_graph g;
	make_list(&g, n);
	rl_region *dst = rl_region_create("dst");
	CHECK(dst != NULL, "out of memory");
	rl_oracle_before before;
	CHECK(rl_oracle_before_call(&before, g.root, g.src, dst) == 0, "oracle: out of memory");
	struct call c = { .tm = tm, .src = g.src, .dst = dst, .root = g.root, .rc = -1 };
	CHECK(call_on_stack(&c, stack) == 0, "cannot start a thread with a %zu-byte stack", stack);
	CHECK(c.rc == RL_TM_OK, "%s on a %zu-deep list: returned %d (%s)", name, n, c.rc, rl_tm_strerror(c.rc));
	char why[512];
	CHECK(rl_oracle_after_success(&before, g.root, c.out, &g.src, dst, !(tm->caps & RL_TM_CONSUMES_SRC), why,
				      sizeof why) == 0,
	      "%s on a %zu-deep list: %s", name, n, why);
	rl_oracle_before_free(&before);
	rl_region_destroy(dst);
	rl_graph_free(&g);
}

/* naive on a 10^5-deep list, on a 256 KiB stack: the child must die of
 * SIGSEGV.  If the compiler had turned the recursion into a loop, or naive
 * stopped recursing, the child would exit normally and this would fail. */
static void test_naive_overflows_small_stack(void)
{
	if (UNDER_ASAN) {
		printf("skip test_naive_overflows_small_stack: stack overflows are ASan's to report\n");
		return;
	}
	const struct rl_transmigrator *tm = rl_find_transmigrator("naive");
	CHECK(tm != NULL, "strategy naive is not registered");
	CHECK((tm->caps & RL_TM_RECURSIVE) != 0, "naive no longer says RL_TM_RECURSIVE");
	rl_graph g;
	make_list(&g, NAIVE_DEPTH);
	rl_region *dst = rl_region_create("dst");
	CHECK(dst != NULL, "out of memory");
	fflush(NULL);

	pid_t child = fork();
	CHECK(child >= 0, "fork: %s", strerror(errno));
	if (child == 0) {
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		struct call c = { .tm = tm, .src = g.src, .dst = dst, .root = g.root, .rc = -1 };
		if (call_on_stack(&c, SMALL_STACK) != 0)
			_exit(2);
		_exit(c.rc == RL_TM_OK ? 0 : 3);
	}
	int status;
	CHECK(waitpid(child, &status, 0) == child, "waitpid: %s", strerror(errno));
	rl_region_destroy(dst);
	rl_graph_free(&g);
	CHECK(!WIFEXITED(status) || WEXITSTATUS(status) != 2, "the child could not start its thread");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	      "naive on a %u-deep list with a %u KiB stack should die of SIGSEGV; the child %s %d", NAIVE_DEPTH,
	      SMALL_STACK / 1024, WIFEXITED(status) ? "exited with" : "died of signal",
	      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* The control: the same call succeeds on a large stack, so the overflow
 * above is the recursion's depth and nothing else. */
static void test_naive_deep_list_large_stack(void) { copy_list_on_stack("naive", NAIVE_DEPTH, LARGE_STACK); }

/* bitmap on a list ten times deeper, on the small stack. */
static void test_bitmap_deep_list_small_stack(void) { copy_list_on_stack("bitmap", BITMAP_DEPTH, SMALL_STACK); }

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(test_naive_overflows_small_stack);
	RL_RUN(test_naive_deep_list_large_stack);
	RL_RUN(test_bitmap_deep_list_small_stack);
	return rl_test_summary(argv[0]);
}
