/* Key=value option lists (see regionlab/options.h). */
#include "regionlab/options.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool rl_parse_size(const char *s, size_t *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > SIZE_MAX)
		return false;
	*out = (size_t)v;
	return true;
}

bool rl_parse_double(const char *s, double *out)
{
	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

int rl_kv_parse(const char *text, rl_kv_list *out, char *err, size_t errlen)
{
	out->count = 0;
	const char *p = text;
	while (p != NULL && *p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq == NULL || eq == p) {
			snprintf(err, errlen, "option '%.*s' is not of the form key=value", (int)len, p);
			return -1;
		}
		if (out->count == RL_KV_MAX) {
			snprintf(err, errlen, "more than %d options", RL_KV_MAX);
			return -1;
		}
		rl_kv *kv = &out->kv[out->count];
		size_t klen = (size_t)(eq - p), vlen = len - klen - 1;
		if (klen >= sizeof kv->key || vlen >= sizeof kv->val) {
			snprintf(err, errlen, "option '%.*s' is too long", (int)len, p);
			return -1;
		}
		memcpy(kv->key, p, klen);
		kv->key[klen] = '\0';
		memcpy(kv->val, eq + 1, vlen);
		kv->val[vlen] = '\0';
		out->count++;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

int rl_kv_split_spec(const char *spec, char *name_out, size_t name_len, rl_kv_list *params, char *err,
		     size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (len == 0 || len >= name_len) {
		snprintf(err, errlen, "'%s' does not start with a module name", spec);
		return -1;
	}
	memcpy(name_out, spec, len);
	name_out[len] = '\0';
	return rl_kv_parse(colon ? colon + 1 : "", params, err, errlen);
}

const char *rl_kv_get(const rl_kv_list *l, const char *key)
{
	if (l == NULL)
		return NULL;
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->kv[i].key, key) == 0)
			return l->kv[i].val;
	return NULL;
}

static bool word_in(const char *word, const char *list)
{
	size_t n = strlen(word);
	for (const char *p = list; p != NULL && *p != '\0';) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

int rl_kv_check_keys(const rl_kv_list *l, const char *allowed, const char *owner, char *err, size_t errlen)
{
	for (size_t i = 0; l != NULL && i < l->count; i++) {
		if (!word_in(l->kv[i].key, allowed)) {
			snprintf(err, errlen, "%s: unknown option '%s' (valid: %s)", owner, l->kv[i].key,
				 allowed[0] ? allowed : "none");
			return -1;
		}
	}
	return 0;
}

int rl_kv_double(const rl_kv_list *l, const char *key, double def, double lo, double hi, double *out,
		 char *err, size_t errlen)
{
	const char *s = rl_kv_get(l, key);
	if (s == NULL) {
		*out = def;
		return 0;
	}
	double v;
	if (!rl_parse_double(s, &v) || v < lo || v > hi) {
		snprintf(err, errlen, "option %s=%s: expected a number in [%g, %g]", key, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int rl_kv_size(const rl_kv_list *l, const char *key, size_t def, size_t lo, size_t hi, size_t *out, char *err,
	       size_t errlen)
{
	const char *s = rl_kv_get(l, key);
	if (s == NULL) {
		*out = def;
		return 0;
	}
	size_t v;
	if (!rl_parse_size(s, &v) || v < lo || v > hi) {
		snprintf(err, errlen, "option %s=%s: expected an integer in [%zu, %zu]", key, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}
