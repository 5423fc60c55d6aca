/* Running a program: set up the interpreter, read and compile the file
 * form by form, evaluate each, call (main SIZE) when main is defined, and
 * tear everything down, also after an error (which longjmps here). */
#define _GNU_SOURCE /* pthread_getattr_np */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lisp/internal.h"
#include "regionlab/clock.h"

extern const struct rl_transmigrator rl_tm_bitmap;

#define STACK_WORDS ((size_t)1 << 23) /* 64 MiB of value stack, reserved, touched as used */
#define ARENA_CHUNK (64u * 1024u)

#if defined(__SANITIZE_ADDRESS__)
#define C_STACK_MARGIN (512u * 1024u)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define C_STACK_MARGIN (512u * 1024u)
#endif
#endif
#ifndef C_STACK_MARGIN
#define C_STACK_MARGIN (128u * 1024u)
#endif

const char *rl_lisp_status_name(enum rl_lisp_status s)
{
	static const char *const names[] = {
		[RL_LISP_OK] = "ok",           [RL_LISP_ERROR] = "error",
		[RL_LISP_LOAD] = "load_error", [RL_LISP_DECLINED] = "declined",
		[RL_LISP_VERIFY] = "verify_failed", [RL_LISP_OOM] = "oom",
	};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

void lisp_fail_at(interp *I, const node *site, enum rl_lisp_status st, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (site == NULL)
		site = I->site;
	if (st == RL_LISP_LOAD)
		snprintf(I->message, sizeof I->message, "%s", msg);
	else if (site != NULL && site->line > 0)
		snprintf(I->message, sizeof I->message, "%s:%u:%u: %s", I->path, site->line, site->col, msg);
	else
		snprintf(I->message, sizeof I->message, "%s: %s", I->path, msg);
	I->status = st;
	longjmp(I->fail, 1);
}

void lisp_type_error(interp *I, const char *who, const char *expected, rl_val got)
{
	char shown[64];
	FILE *f = fmemopen(shown, sizeof shown, "w");
	if (f != NULL) {
		lisp_print(I, f, got, true);
		fputc('\0', f);
		fclose(f);
		shown[sizeof shown - 1] = '\0';
	} else {
		snprintf(shown, sizeof shown, "?");
	}
	lisp_error(I, "%s: expected %s, got %s %s", who, expected, lisp_type_name(got), shown);
}

void *arena_alloc(interp *I, size_t bytes)
{
	bytes = (bytes + 7u) & ~(size_t)7u;
	arena_chunk *c = I->arena;
	if (c == NULL || c->cap - c->used < bytes) {
		size_t cap = bytes > ARENA_CHUNK ? bytes : ARENA_CHUNK;
		c = calloc(1, sizeof *c + cap);
		if (c == NULL)
			lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (compiler)");
		c->cap = cap;
		c->next = I->arena;
		I->arena = c;
	}
	void *p = c->data + c->used;
	c->used += bytes;
	return p;
}

static void set_c_stack_limit(interp *I)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;
	I->c_stack_limit = 0;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size > 2 * C_STACK_MARGIN)
		I->c_stack_limit = (uintptr_t)addr + C_STACK_MARGIN;
	pthread_attr_destroy(&attr);
}

static void run_program(interp *I, rl_val forms)
{
	for (rl_val f = forms; is_pair(f); f = cdr(f)) {
		I->cline = I->ccol = 0;
		node *n = lisp_compile(I, car(f), NULL, false);
		I->site = NULL;
		n->ev(I, n, NULL);
	}
	rl_val main_sym = lisp_intern(I, "main", 4);
	global *g = lisp_global(I, main_sym);
	if (g->value != LISP_UNBOUND) {
		I->site = NULL;
		rl_val size = lisp_fixnum_checked(I, I->cfg->size);
		lisp_apply(I, g->value, &size, 1);
	}
}

enum rl_lisp_status rl_lisp_run(const rl_lisp_config *cfg, rl_lisp_result *res)
{
	memset(res, 0, sizeof *res);
	interp *I = calloc(1, sizeof *I);
	if (I == NULL) {
		res->status = RL_LISP_OOM;
		snprintf(res->message, sizeof res->message, "out of memory");
		return res->status;
	}
	I->cfg = cfg;
	I->path = cfg->path;
	I->out = cfg->out != NULL ? cfg->out : stdout;
	I->tm = cfg->tm != NULL ? cfg->tm : &rl_tm_bitmap;
	I->call_regions = cfg->regions == RL_LISP_REGIONS_CALL;
	I->stack_words = STACK_WORDS;
	set_c_stack_limit(I);
	uint64_t t0 = rl_now_ns();

	if (setjmp(I->fail) == 0) {
		I->stack = mmap(NULL, STACK_WORDS * sizeof(rl_val), PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (I->stack == MAP_FAILED) {
			I->stack = NULL;
			lisp_fail_at(I, NULL, RL_LISP_OOM, "cannot map the value stack");
		}
		I->sp = I->peak_sp = I->stack;
		I->stack_end = I->stack + STACK_WORDS;
		lisp_types_init();
		rl_val forms = lisp_read_program(I, cfg->path);
		I->top = rl_region_create("top");
		if (I->top == NULL)
			lisp_fail_at(I, NULL, RL_LISP_OOM, "out of memory (top region)");
		I->cur = I->top;
		lisp_forms_init(I);
		lisp_prims_init(I);
		t0 = rl_now_ns();
		run_program(I, forms);
		I->status = RL_LISP_OK;
	}
	uint64_t t1 = rl_now_ns();
	if (rl_block_bytes_live() > I->es.peak_block_bytes)
		I->es.peak_block_bytes = rl_block_bytes_live();

	res->status = I->status;
	snprintf(res->message, sizeof res->message, "%s", I->message);
	rl_lisp_stats *st = &res->stats;
	st->tm_ns = I->es.tm_ns;
	st->program_ns = t1 - t0 > I->es.overhead_ns ? t1 - t0 - I->es.overhead_ns : 0;
	st->escapes = I->es.escapes;
	st->barrier_moves = I->es.barrier_moves;
	st->objects_moved = I->es.objects;
	st->bytes_moved = I->es.bytes;
	st->regions = I->es.regions;
	st->peak_stack = I->stack != NULL ? (uint64_t)(I->peak_sp - I->stack) : 0;
	st->peak_block_bytes = I->es.peak_block_bytes;

	fflush(I->out);
	lisp_regions_cleanup(I);
	rl_region_destroy(I->top);
	for (size_t i = 0; i < I->ndocs; i++)
		rl_region_destroy(I->docs[i]);
	free(I->docs);
	rl_region_destroy(I->program);
	while (I->arena != NULL) {
		arena_chunk *next = I->arena->next;
		free(I->arena);
		I->arena = next;
	}
	lisp_symbols_free(I);
	free(I->pos);
	if (I->stack != NULL)
		munmap(I->stack, STACK_WORDS * sizeof(rl_val));
	enum rl_lisp_status status = I->status;
	free(I);
	return status;
}
