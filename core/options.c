/* Key=value option lists and the declared option tables (see
 * regionlab/options.h).  This file is the only parser of option values:
 * rl_opts_check and the typed getters share parse_value. */
#include "regionlab/options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Strict decimal parsing, read on every call by the modules that take
 * options (adaptive reads eight): plain digits, the common case, are read
 * by a loop of their own, since strtoull and strtod with their locale and
 * errno handling cost a few hundred instructions a value (callgrind:
 * adaptive's eight defaults took 2,500 instructions a traced call, 1,200
 * with these loops; its copy of 10^3 list cells takes about 61,000). */
bool rl_parse_size(const char *s, size_t *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return false;
	size_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (SIZE_MAX - d) / 10)
			return false; /* past SIZE_MAX */
		v = v * 10 + d;
	}
	if (*s != '\0')
		return false;
	*out = v;
	return true;
}

/* "DIGITS" or "DIGITS.DIGITS" with at most 15 significant digits and 15
 * after the point: the mantissa and 10^(digits after the point) are exact
 * doubles, so their quotient is the correctly rounded value, the one strtod
 * gives (Clinger's fast path).  False for anything else (a sign, an
 * exponent, more digits), which strtod reads. */
static bool parse_plain_decimal(const char *s, double *out)
{
	static const double pow10[] = { 1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
					1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	uint64_t mantissa = 0;
	unsigned digits = 0, fraction = 0;
	bool point = false;
	if (*s < '0' || *s > '9')
		return false;
	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (mantissa != 0 || *s != '0')
				digits++; /* leading zeros are not significant */
			if (digits > 15)
				return false;
			mantissa = mantissa * 10 + (uint64_t)(*s - '0');
			fraction += point;
		} else if (*s == '.' && !point) {
			point = true;
		} else {
			break;
		}
	}
	if (*s != '\0' || fraction > 15 || s[-1] == '.')
		return false;
	*out = (double)mantissa / pow10[fraction];
	return true;
}

bool rl_parse_double(const char *s, double *out)
{
	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return false;
	if (parse_plain_decimal(s, out))
		return true;
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* ---- key=value lists ------------------------------------------------------------ */
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

/* ---- one value against one row ------------------------------------------------ */
typedef union opt_value {
	size_t i;
	double r;
	unsigned e;
	const char *t;
} opt_value;

/* The index of word in "a|b|c", or -1. */
static int choice_index(const char *choices, const char *word)
{
	size_t n = strlen(word);
	int i = 0;
	for (const char *p = choices; *p != '\0'; i++) {
		size_t len = strcspn(p, "|");
		if (len == n && strncmp(p, word, n) == 0)
			return i;
		p += len;
		if (*p == '|')
			p++;
	}
	return -1;
}

static bool parse_value(const struct rl_option *o, const char *s, opt_value *v)
{
	switch (o->type) {
	case RL_OPT_INT:
		return rl_parse_size(s, &v->i) && v->i >= o->min && v->i <= o->max;
	case RL_OPT_REAL:
		return rl_parse_double(s, &v->r) && v->r >= o->lo && v->r <= o->hi;
	case RL_OPT_ENUM: {
		int i = choice_index(o->choices, s);
		v->e = (unsigned)i;
		return i >= 0;
	}
	case RL_OPT_TEXT:
		v->t = s;
		return s[0] != '\0';
	}
	return false;
}

void rl_opt_valid(const struct rl_option *o, char *buf, size_t len)
{
	switch (o->type) {
	case RL_OPT_INT:
		if (o->max == SIZE_MAX)
			snprintf(buf, len, "an integer >= %zu", o->min);
		else
			snprintf(buf, len, "an integer in [%zu, %zu]", o->min, o->max);
		return;
	case RL_OPT_REAL:
		snprintf(buf, len, "a number in [%g, %g]", o->lo, o->hi);
		return;
	case RL_OPT_ENUM:
		snprintf(buf, len, "one of %s", o->choices);
		return;
	case RL_OPT_TEXT:
		snprintf(buf, len, "non-empty text");
		return;
	}
	snprintf(buf, len, "nothing");
}

const char *rl_opt_type_name(enum rl_opt_type t)
{
	static const char *const names[] = {
		[RL_OPT_INT] = "integer", [RL_OPT_REAL] = "number", [RL_OPT_ENUM] = "enum", [RL_OPT_TEXT] = "text"
	};
	return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

/* ---- judging a list ------------------------------------------------------------- */
static const struct rl_option *find_row(const struct rl_option *table, const char *key)
{
	for (const struct rl_option *o = table; o != NULL && o->key != NULL; o++)
		if (strcmp(o->key, key) == 0)
			return o;
	return NULL;
}

static size_t append_keys(const struct rl_option *table, char *buf, size_t used, size_t len)
{
	for (const struct rl_option *o = table; o != NULL && o->key != NULL && used < len; o++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", o->key);
	return used;
}

int rl_opts_check(const rl_kv_list *params, const struct rl_option *own, const struct rl_option *shared,
		  const char *owner, char *err, size_t errlen)
{
	for (size_t i = 0; params != NULL && i < params->count; i++) {
		const rl_kv *kv = &params->kv[i];
		const struct rl_option *o = find_row(own, kv->key);
		if (o == NULL)
			o = find_row(shared, kv->key);
		if (o == NULL) {
			char keys[512];
			size_t used = append_keys(shared, keys, append_keys(own, keys, 0, sizeof keys), sizeof keys);
			snprintf(err, errlen, "%s: unknown option '%s' (valid: %s)", owner, kv->key,
				 used ? keys : "none");
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(params->kv[j].key, kv->key) == 0) {
				snprintf(err, errlen, "%s: option '%s' given twice (%s=%s, %s=%s): give it once", owner,
					 kv->key, kv->key, params->kv[j].val, kv->key, kv->val);
				return -1;
			}
		}
		opt_value v;
		if (!parse_value(o, kv->val, &v)) {
			char valid[256];
			rl_opt_valid(o, valid, sizeof valid);
			snprintf(err, errlen, "%s: %s=%s: expected %s", owner, kv->key, kv->val, valid);
			return -1;
		}
	}
	return 0;
}

int rl_opts_check_table(const struct rl_option *table, const char *owner, char *err, size_t errlen)
{
	for (const struct rl_option *o = table; o != NULL && o->key != NULL; o++) {
		opt_value v;
		bool typed = o->type == RL_OPT_INT || o->type == RL_OPT_REAL || o->type == RL_OPT_TEXT ||
			     (o->type == RL_OPT_ENUM && o->choices != NULL && o->choices[0] != '\0');
		if (!typed || o->doc == NULL || o->doc[0] == '\0' || strchr(o->doc, '\n') != NULL) {
			snprintf(err, errlen, "%s: option '%s' needs a type and one line of doc", owner, o->key);
			return -1;
		}
		if (o->def != NULL && !parse_value(o, o->def, &v)) {
			snprintf(err, errlen, "%s: option '%s': its default '%s' is not valid", owner, o->key, o->def);
			return -1;
		}
		if (find_row(o + 1, o->key) != NULL) {
			snprintf(err, errlen, "%s: option '%s' is declared twice", owner, o->key);
			return -1;
		}
	}
	return 0;
}

/* ---- typed getters --------------------------------------------------------------- */
/* The text of o's value in l: given, else its default (NULL: neither). */
static const char *value_text(const rl_kv_list *l, const struct rl_option *o)
{
	const char *s = rl_kv_get(l, o->key);
	return s != NULL ? s : o->def;
}

static opt_value get(const rl_kv_list *l, const struct rl_option *o)
{
	const char *s = value_text(l, o);
	opt_value v;
	if (s == NULL || !parse_value(o, s, &v)) {
		fprintf(stderr, "regionlab: option %s=%s was read without rl_opts_check judging it first\n", o->key,
			s ? s : "(absent, no default)");
		abort();
	}
	return v;
}

size_t rl_opt_int(const rl_kv_list *l, const struct rl_option *o) { return get(l, o).i; }

void rl_opts_read_all(const rl_kv_list *l, const struct rl_option *table)
{
	for (const struct rl_option *o = table; o != NULL && o->key != NULL; o++) {
		const char *s = value_text(l, o);
		opt_value v;
		if (s != NULL && parse_value(o, s, &v))
			__asm__ volatile("" : : "m"(v)); /* the parse is the point: keep it */
	}
}

double rl_opt_real(const rl_kv_list *l, const struct rl_option *o) { return get(l, o).r; }
unsigned rl_opt_enum(const rl_kv_list *l, const struct rl_option *o) { return get(l, o).e; }

const char *rl_opt_text(const rl_kv_list *l, const struct rl_option *o)
{
	if (rl_kv_get(l, o->key) == NULL && o->def == NULL)
		return NULL;
	return get(l, o).t;
}

/* ---- printing -------------------------------------------------------------------- */
void rl_opts_print(FILE *f, const struct rl_option *table)
{
	int wkey = 3, wvalid = 5;
	char valid[256];
	for (const struct rl_option *o = table; o != NULL && o->key != NULL; o++) {
		rl_opt_valid(o, valid, sizeof valid);
		if ((int)strlen(o->key) > wkey)
			wkey = (int)strlen(o->key);
		if ((int)strlen(valid) > wvalid)
			wvalid = (int)strlen(valid);
	}
	if (table == NULL || table->key == NULL) {
		fputs("  (no options)\n", f);
		return;
	}
	fprintf(f, "  %-*s  %-7s  %-10s  %-*s  %s\n", wkey, "key", "type", "default", wvalid, "valid", "doc");
	for (const struct rl_option *o = table; o->key != NULL; o++) {
		rl_opt_valid(o, valid, sizeof valid);
		fprintf(f, "  %-*s  %-7s  %-10s  %-*s  %s\n", wkey, o->key, rl_opt_type_name(o->type),
			o->def ? o->def : "-", wvalid, valid, o->doc);
	}
}

/* Markdown cell text: a '|' would end the cell. */
static void put_cell(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

void rl_opts_print_markdown(FILE *f, const struct rl_option *table)
{
	if (table == NULL || table->key == NULL) {
		fputs("No options.\n", f);
		return;
	}
	char valid[256];
	fputs("| key | type | default | valid | doc |\n|---|---|---|---|---|\n", f);
	for (const struct rl_option *o = table; o->key != NULL; o++) {
		rl_opt_valid(o, valid, sizeof valid);
		fprintf(f, "| `%s` | %s | ", o->key, rl_opt_type_name(o->type));
		fputs(o->def ? "`" : "none", f);
		if (o->def)
			fprintf(f, "%s`", o->def);
		fputs(" | ", f);
		put_cell(f, valid);
		fputs(" | ", f);
		put_cell(f, o->doc);
		fputs(" |\n", f);
	}
}
