/* A minimal test framework: each test binary lists its cases in main() with
 * RL_RUN(fn); each case uses CHECK(cond, fmt, ...).  A failed CHECK reports
 * file:line and the message and ends that case; the binary prints
 * "SUMMARY <binary> <passed> <failed>" last and exits non-zero on a failure.
 * tests/run.sh adds the summaries up into "N passed, N failed". */
#ifndef REGIONLAB_TESTS_CHECK_H
#define REGIONLAB_TESTS_CHECK_H

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static int rl_test_passed, rl_test_failed;
static jmp_buf rl_test_abort;
static const char *rl_test_name;

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "FAIL %s (%s:%d): %s: ", rl_test_name, __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
			longjmp(rl_test_abort, 1);                                        \
		}                                                                         \
	} while (0)

static inline void rl_test_run(const char *name, void (*fn)(void))
{
	rl_test_name = name;
	if (setjmp(rl_test_abort) == 0) {
		fn();
		rl_test_passed++;
		printf("ok   %s\n", name);
	} else {
		rl_test_failed++;
	}
	fflush(stdout);
}

#define RL_RUN(fn) rl_test_run(#fn, fn)

static inline int rl_test_summary(const char *binary)
{
	const char *base = strrchr(binary, '/');
	printf("SUMMARY %s %d %d\n", base ? base + 1 : binary, rl_test_passed, rl_test_failed);
	return rl_test_failed ? 1 : 0;
}

#endif
