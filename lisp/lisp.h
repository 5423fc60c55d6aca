/* A small Scheme on regions: the evaluator's interface for the harness, the
 * tests and the command-line runner (lisp/main.c).
 *
 * A program is a plain R7RS-small file (the subset is listed in
 * lisp/README.md), read with the project's S-expression reader and run top
 * to bottom; when it defines `main`, (main SIZE) is called after the last
 * top-level form.  With regions=call every non-tail call runs in a fresh
 * region and every value that escapes one (a call's result, or a store that
 * would make an older region point into a younger one) is moved by the
 * transmigrator under test, judged by the oracle when `verify` is on
 * (lisp/regions.c). */
#ifndef REGIONLAB_LISP_H
#define REGIONLAB_LISP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "regionlab/options.h"
#include "regionlab/transmigrator.h"

enum rl_lisp_regions {
	RL_LISP_REGIONS_CALL, /* a region per non-tail call (the default) */
	RL_LISP_REGIONS_NONE, /* the whole program in one region: the baseline */
};

/* How a run ended. */
enum rl_lisp_status {
	RL_LISP_OK = 0,
	RL_LISP_ERROR,    /* the program stopped on an error: message says which and where */
	RL_LISP_LOAD,     /* the file could not be read or parsed */
	RL_LISP_DECLINED, /* the strategy declined an escape (a precondition it cannot meet) */
	RL_LISP_VERIFY,   /* the oracle rejected a transmigration */
	RL_LISP_OOM,      /* a region or the strategy ran out of memory */
};

/* One escape: a value moved out of a region by the strategy. */
typedef struct rl_lisp_escape {
	bool barrier;     /* a store barrier (else a call's result) */
	uint64_t objects; /* objects moved */
	uint64_t bytes;   /* their bytes, headers included */
	uint64_t ns;      /* the strategy's time (transmigrate + finish) */
} rl_lisp_escape;

typedef struct rl_lisp_stats {
	uint64_t program_ns;   /* wall time of the run, less the oracle's and the census's */
	uint64_t tm_ns;        /* time inside the strategy, both kinds of escape */
	uint64_t escapes;      /* call results moved out of a dying region */
	uint64_t barrier_moves; /* values moved by the store barrier */
	uint64_t objects_moved, bytes_moved;
	uint64_t regions;      /* call regions made */
	uint64_t peak_stack;   /* most value-stack words in use at once */
	uint64_t peak_block_bytes; /* most region block bytes live at once (sampled at region ends) */
} rl_lisp_stats;

typedef struct rl_lisp_config {
	const char *path;          /* the program file */
	long long size;            /* the argument of (main SIZE) */
	enum rl_lisp_regions regions;
	const struct rl_transmigrator *tm; /* regions=call: moves every escape (NULL: bitmap) */
	const rl_kv_list *tm_opts; /* its options (NULL: none) */
	bool verify;               /* the oracle judges every transmigration */
	FILE *out;                 /* where display writes (NULL: stdout) */
	/* Called after every escape (NULL: not called). */
	void (*on_escape)(void *env, const rl_lisp_escape *e);
	void *escape_env;
} rl_lisp_config;

typedef struct rl_lisp_result {
	enum rl_lisp_status status;
	char message[512]; /* one line when status != RL_LISP_OK */
	rl_lisp_stats stats;
} rl_lisp_result;

/* Runs the program; the outcome is in *res (also returned). */
enum rl_lisp_status rl_lisp_run(const rl_lisp_config *cfg, rl_lisp_result *res);

/* "ok", "error", "load_error", "declined", "verify_failed", "oom". */
const char *rl_lisp_status_name(enum rl_lisp_status s);

#endif
