/* Key=value options of a module, as written after its name on the command
 * line: `--workload=tree:garbage=0.5,layout=shuffled` or
 * `--strategy=splice:threshold=0.8`.  Every module lists the keys it accepts,
 * so a typo is an error that names the valid keys rather than a silent default. */
#ifndef REGIONLAB_OPTIONS_H
#define REGIONLAB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

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
/* NULL when absent. */
const char *rl_kv_get(const rl_kv_list *l, const char *key);
/* Fails (-1, with err) when a key is not in `allowed` (a space-separated list). */
int rl_kv_check_keys(const rl_kv_list *l, const char *allowed, const char *owner, char *err, size_t errlen);
/* Typed getters: the default when absent; -1 with err when malformed or out of [lo, hi]. */
int rl_kv_double(const rl_kv_list *l, const char *key, double def, double lo, double hi, double *out,
		 char *err, size_t errlen);
int rl_kv_size(const rl_kv_list *l, const char *key, size_t def, size_t lo, size_t hi, size_t *out, char *err,
	       size_t errlen);

/* Strict number parsing shared by the CLI: whole string, no sign surprises. */
bool rl_parse_size(const char *s, size_t *out);
bool rl_parse_double(const char *s, double *out);

#endif
