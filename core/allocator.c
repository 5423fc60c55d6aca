/* System or jemalloc memory (see regionlab/allocator.h). */
#include "regionlab/allocator.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "regionlab/block_pool.h"
#include "regionlab/region.h"

/* The part of jemalloc's API regionlab uses (jemalloc/jemalloc.h). */
struct jemalloc_api {
	void *(*mallocx)(size_t size, int flags);
	void (*sdallocx)(void *ptr, size_t size, int flags);
	int (*mallctl)(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
};

static struct jemalloc_api je;
static const char *current = "system";

#define JE_ARENAS_ALL 4096 /* MALLCTL_ARENAS_ALL */

static int je_lg_align(size_t align) { return __builtin_ctzll(align); } /* MALLOCX_LG_ALIGN */

static void *je_pages_alloc(size_t bytes, size_t align) { return je.mallocx(bytes, je_lg_align(align)); }
static void je_pages_free(void *p, size_t bytes) { je.sdallocx(p, bytes, je_lg_align(rl_block_size)); }

static const rl_page_source pages_jemalloc = {
	.name = "jemalloc",
	.alloc = je_pages_alloc,
	.free = je_pages_free,
};

static int load_jemalloc(char *err, size_t errlen)
{
	if (je.mallocx != NULL)
		return 0;
	void *lib = dlopen("libjemalloc.so.2", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		snprintf(err, errlen, "allocator jemalloc: cannot load libjemalloc.so.2 (%s; install libjemalloc2, "
			 "and start the process with %s)", dlerror(), RL_JEMALLOC_TUNABLES);
		return -1;
	}
	/* POSIX guarantees object-to-function pointer conversion for dlsym. */
	*(void **)&je.mallocx = dlsym(lib, "mallocx");
	*(void **)&je.sdallocx = dlsym(lib, "sdallocx");
	*(void **)&je.mallctl = dlsym(lib, "mallctl");
	if (je.mallocx == NULL || je.sdallocx == NULL || je.mallctl == NULL) {
		memset(&je, 0, sizeof je);
		snprintf(err, errlen, "allocator jemalloc: libjemalloc.so.2 lacks mallocx/sdallocx/mallctl");
		return -1;
	}
	return 0;
}

int rl_allocator_select(const char *name, char *err, size_t errlen)
{
	if (strcmp(name, "system") == 0) {
		rl_block_pool_set_inner(&rl_pages_system);
		current = "system";
		return 0;
	}
	if (strcmp(name, "jemalloc") == 0) {
		if (load_jemalloc(err, errlen) != 0)
			return -1;
		rl_block_pool_set_inner(&pages_jemalloc);
		current = "jemalloc";
		return 0;
	}
	snprintf(err, errlen, "unknown allocator '%s' (valid: system, jemalloc)", name);
	return -1;
}

const char *rl_allocator_name(void) { return current; }

void rl_allocator_reexec_for_jemalloc(char **argv)
{
	const char *tunables = getenv("GLIBC_TUNABLES");
	if (tunables != NULL && strstr(tunables, "optional_static_tls") != NULL)
		return; /* already there (or the user chose their own) */
	if (setenv("GLIBC_TUNABLES", RL_JEMALLOC_TUNABLES + strlen("GLIBC_TUNABLES="), 1) != 0)
		return;
	execv("/proc/self/exe", argv);
	/* exec failed: carry on; rl_allocator_select will report the reason */
}

static bool using_jemalloc(void) { return current[0] == 'j'; }

void *rl_allocator_malloc(size_t bytes)
{
	return using_jemalloc() ? je.mallocx(bytes ? bytes : 1, 0) : malloc(bytes ? bytes : 1);
}

void rl_allocator_free(void *p, size_t bytes)
{
	if (using_jemalloc())
		je.sdallocx(p, bytes ? bytes : 1, 0);
	else
		free(p);
}

static uint64_t je_read_u64(const char *name)
{
	uint64_t v = 0;
	size_t len = sizeof v;
	if (je.mallctl(name, &v, &len, NULL, 0) != 0)
		return 0;
	return v;
}

bool rl_allocator_counters(rl_alloc_counters *out)
{
	if (!using_jemalloc())
		return false;
	/* Requests cached in this thread's tcache reach the arena statistics
	 * only when flushed; a new epoch then refreshes the merged figures. */
	je.mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
	uint64_t epoch = 1;
	je.mallctl("epoch", NULL, NULL, &epoch, sizeof epoch);
	char name[64];
	out->bytes = je_read_u64("thread.allocated");
	out->allocs = 0;
	snprintf(name, sizeof name, "stats.arenas.%d.small.nrequests", JE_ARENAS_ALL);
	out->allocs += je_read_u64(name);
	snprintf(name, sizeof name, "stats.arenas.%d.large.nrequests", JE_ARENAS_ALL);
	out->allocs += je_read_u64(name);
	return true;
}
