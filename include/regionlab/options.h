/* Key=value options of a module, as written after its name on the command
 * line: `--workload=tree:garbage=0.5,layout=shuffled` or
 * `--strategy=splice:threshold=0.8`.
 *
 * Every module declares the options it takes in ONE table of struct
 * rl_option (key, type, default, valid values, one line of doc).  The same
 * table serves three readers:
 *   - rl_opts_check judges a whole option list before anything runs: an
 *     unknown key, a repeated key, a value of the wrong type or out of range
 *     is one line naming the module, the key, the value and what is valid;
 *   - the module reads its typed values with rl_opt_int / rl_opt_real /
 *     rl_opt_enum / rl_opt_text (the default when the key is absent), with
 *     no parser of its own;
 *   - `harness --describe NAME` and docs/options.md print it.
 * A table ends with RL_OPTIONS_END; a module without options gives NULL. */
#ifndef REGIONLAB_OPTIONS_H
#define REGIONLAB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RL_KV_MAX 16

typedef struct rl_kv {
	char key[32];
	char val[1024];
} rl_kv;

typedef struct rl_kv_list {
	size_t count;
	rl_kv kv[RL_KV_MAX];
} rl_kv_list;

/* Parses "key=val,key=val" (an empty string gives an empty list).  Returns 0,
 * or -1 with a one-line reason in err. */
int rl_kv_parse(const char *text, rl_kv_list *out, char *err, size_t errlen);
/* Splits "name:params" into name (copied into name_out) and parsed params. */
int rl_kv_split_spec(const char *spec, char *name_out, size_t name_len, rl_kv_list *params, char *err,
		     size_t errlen);
/* The raw text of key (NULL when absent): for "was it given?" only; read
 * values through the typed getters below. */
const char *rl_kv_get(const rl_kv_list *l, const char *key);

/* ---- declared options --------------------------------------------------------- */
enum rl_opt_type {
	RL_OPT_INT,  /* a decimal integer in [min, max] */
	RL_OPT_REAL, /* a finite number in [lo, hi] */
	RL_OPT_ENUM, /* one of the words of `choices`, written "a|b|c" */
	RL_OPT_TEXT, /* any non-empty text (a file name) */
};

struct rl_option {
	const char *key;
	enum rl_opt_type type;
	/* The value when the key is absent, written as on the command line.
	 * NULL: no default (the doc says what absence means; read it only after
	 * rl_kv_get says it was given). */
	const char *def;
	size_t min, max;     /* RL_OPT_INT */
	double lo, hi;       /* RL_OPT_REAL */
	const char *choices; /* RL_OPT_ENUM */
	const char *doc;     /* one line */
};

#define RL_OPTION_INT(key, def, min, max, doc) { (key), RL_OPT_INT, (def), (min), (max), 0, 0, NULL, (doc) }
#define RL_OPTION_REAL(key, def, lo, hi, doc) { (key), RL_OPT_REAL, (def), 0, 0, (lo), (hi), NULL, (doc) }
#define RL_OPTION_ENUM(key, def, choices, doc) { (key), RL_OPT_ENUM, (def), 0, 0, 0, 0, (choices), (doc) }
#define RL_OPTION_TEXT(key, def, doc) { (key), RL_OPT_TEXT, (def), 0, 0, 0, 0, NULL, (doc) }
#define RL_OPTIONS_END { NULL, RL_OPT_INT, NULL, 0, 0, 0, 0, NULL, NULL }

/* Judges params against a module's table and a table every module of its
 * kind shares (either may be NULL).  owner names the module in the message
 * ("strategy 'splice'").  0, or -1 with one line in err. */
int rl_opts_check(const rl_kv_list *params, const struct rl_option *own, const struct rl_option *shared,
		  const char *owner, char *err, size_t errlen);
/* Judges a table itself (every row typed, documented, its default valid):
 * 0, or -1 with one line.  The registry runs it on every module at start. */
int rl_opts_check_table(const struct rl_option *table, const char *owner, char *err, size_t errlen);

/* Parses the value every option of table has in l (given, or its default),
 * discarding it.  The harness calls it in a trial's thread before the timed
 * call: the first strtod of a forked trial's thread cost ~3.5 us on the
 * 2-vCPU VMs (no page fault counted), which a module reading a real option
 * inside the call paid in its time (splice's home path at 10^3: 5.4 us,
 * 1.5 us without it). */
void rl_opts_read_all(const rl_kv_list *l, const struct rl_option *table);

/* Typed values of a checked list: the value given, else the row's default.
 * A value rl_opts_check would refuse, or an absent key without a default,
 * is a bug in the caller: it aborts with a message. */
size_t rl_opt_int(const rl_kv_list *l, const struct rl_option *o);
double rl_opt_real(const rl_kv_list *l, const struct rl_option *o);
unsigned rl_opt_enum(const rl_kv_list *l, const struct rl_option *o); /* index in choices */
const char *rl_opt_text(const rl_kv_list *l, const struct rl_option *o); /* NULL: absent, no default */

/* What a row accepts, for messages and docs: "an integer in [1, 64]",
 * "one of auto|asym|sym". */
void rl_opt_valid(const struct rl_option *o, char *buf, size_t len);
const char *rl_opt_type_name(enum rl_opt_type t);
/* One line per row: "  KEY  TYPE  default DEF  VALID  DOC", aligned. */
void rl_opts_print(FILE *f, const struct rl_option *table);
/* A Markdown table of the rows ("no options" when none). */
void rl_opts_print_markdown(FILE *f, const struct rl_option *table);

/* Strict number parsing shared by the CLI: whole string, no sign surprises. */
bool rl_parse_size(const char *s, size_t *out);
bool rl_parse_double(const char *s, double *out);

#endif
