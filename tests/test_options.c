/* Declared option tables (regionlab/options.h): the judge refuses an unknown
 * key, a repeated key, a value of the wrong type or out of range, each with
 * one exact line; the getters give the value or the row's default; the
 * table check refuses a malformed table; every registered module's table
 * passes it (the registry check at startup); and the number parsers give
 * exactly what strtoull and strtod give, on what they accept, and refuse
 * the same text. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/registry.h"
#include "regionlab/options.h"
#include "tests/check.h"

enum { OPT_RATIO, OPT_COUNT, OPT_MODE, OPT_FILE };
static const struct rl_option table[] = {
	[OPT_RATIO] = RL_OPTION_REAL("ratio", "0.5", 0.0, 1.0, "a share"),
	[OPT_COUNT] = RL_OPTION_INT("count", "8", 1, 64, "how many"),
	[OPT_MODE] = RL_OPTION_ENUM("mode", "fast", "fast|slow|off", "which way"),
	[OPT_FILE] = RL_OPTION_TEXT("file", NULL, "a path"),
	RL_OPTIONS_END,
};
static const struct rl_option shared[] = {
	RL_OPTION_INT("verbose", "0", 0, 1, "1: talk"),
	RL_OPTIONS_END,
};

/* The judge's line for "k=v,..." against table + shared; "" when accepted. */
static const char *judge(const char *text)
{
	static char err[512];
	rl_kv_list l;
	CHECK(rl_kv_parse(text, &l, err, sizeof err) == 0, "%s: %s", text, err);
	err[0] = '\0';
	int rc = rl_opts_check(&l, table, shared, "module 'm'", err, sizeof err);
	CHECK((rc == 0) == (err[0] == '\0'), "%s: rc %d with message '%s'", text, rc, err);
	return err;
}

#define EXPECT(text, message) \
	CHECK(strcmp(judge(text), message) == 0, "%s: got '%s', expected '%s'", text, judge(text), message)

static void good_lists_pass(void)
{
	EXPECT("", "");
	EXPECT("ratio=0,count=1,mode=off,file=x,verbose=1", "");
	EXPECT("ratio=1,count=64,mode=slow", "");
	EXPECT("ratio=1e-1", "");
}

static void bad_lists_are_one_exact_line(void)
{
	EXPECT("ratio=abc", "module 'm': ratio=abc: expected a number in [0, 1]");
	EXPECT("ratio=2", "module 'm': ratio=2: expected a number in [0, 1]");
	EXPECT("ratio=nan", "module 'm': ratio=nan: expected a number in [0, 1]");
	EXPECT("ratio=inf", "module 'm': ratio=inf: expected a number in [0, 1]");
	EXPECT("ratio= 0.5", "module 'm': ratio= 0.5: expected a number in [0, 1]");
	EXPECT("ratio=", "module 'm': ratio=: expected a number in [0, 1]");
	EXPECT("count=0", "module 'm': count=0: expected an integer in [1, 64]");
	EXPECT("count=-1", "module 'm': count=-1: expected an integer in [1, 64]");
	EXPECT("count=1.5", "module 'm': count=1.5: expected an integer in [1, 64]");
	EXPECT("count=65", "module 'm': count=65: expected an integer in [1, 64]");
	EXPECT("mode=Fast", "module 'm': mode=Fast: expected one of fast|slow|off");
	EXPECT("mode=fas", "module 'm': mode=fas: expected one of fast|slow|off");
	EXPECT("file=", "module 'm': file=: expected non-empty text");
	EXPECT("verbose=2", "module 'm': verbose=2: expected an integer in [0, 1]");
	EXPECT("colour=red", "module 'm': unknown option 'colour' (valid: ratio, count, mode, file, verbose)");
	EXPECT("count=2,count=2", "module 'm': option 'count' given twice (count=2, count=2): give it once");
	EXPECT("verbose=0,ratio=0.1,verbose=1",
	       "module 'm': option 'verbose' given twice (verbose=0, verbose=1): give it once");
}

static void getters_give_the_value_or_the_default(void)
{
	char err[256];
	rl_kv_list none = { 0 }, l;
	CHECK(rl_opt_real(&none, &table[OPT_RATIO]) == 0.5, "default ratio");
	CHECK(rl_opt_int(&none, &table[OPT_COUNT]) == 8, "default count");
	CHECK(rl_opt_enum(&none, &table[OPT_MODE]) == 0, "default mode");
	CHECK(rl_opt_text(&none, &table[OPT_FILE]) == NULL, "absent text without a default");
	CHECK(rl_opt_int(NULL, &table[OPT_COUNT]) == 8, "no list at all");
	CHECK(rl_kv_parse("ratio=0.25,count=64,mode=off,file=a.json", &l, err, sizeof err) == 0, "%s", err);
	CHECK(rl_opts_check(&l, table, NULL, "m", err, sizeof err) == 0, "%s", err);
	CHECK(rl_opt_real(&l, &table[OPT_RATIO]) == 0.25, "ratio");
	CHECK(rl_opt_int(&l, &table[OPT_COUNT]) == 64, "count");
	CHECK(rl_opt_enum(&l, &table[OPT_MODE]) == 2, "mode=off is choice 2");
	CHECK(strcmp(rl_opt_text(&l, &table[OPT_FILE]), "a.json") == 0, "file");
}

static void malformed_tables_are_refused(void)
{
	char err[256];
	static const struct rl_option bad_default[] = {
		RL_OPTION_INT("n", "0", 1, 4, "a count"),
		RL_OPTIONS_END,
	};
	static const struct rl_option bad_enum_default[] = {
		RL_OPTION_ENUM("m", "medium", "low|high", "a level"),
		RL_OPTIONS_END,
	};
	static const struct rl_option no_doc[] = {
		RL_OPTION_REAL("r", "1", 0.0, 1.0, ""),
		RL_OPTIONS_END,
	};
	static const struct rl_option twice[] = {
		RL_OPTION_REAL("r", "1", 0.0, 1.0, "a share"),
		RL_OPTION_INT("r", "1", 0, 1, "again"),
		RL_OPTIONS_END,
	};
	CHECK(rl_opts_check_table(table, "t", err, sizeof err) == 0, "%s", err);
	CHECK(rl_opts_check_table(NULL, "t", err, sizeof err) == 0, "%s", err);
	CHECK(rl_opts_check_table(bad_default, "t", err, sizeof err) == -1 &&
		      strcmp(err, "t: option 'n': its default '0' is not valid") == 0,
	      "bad default: '%s'", err);
	CHECK(rl_opts_check_table(bad_enum_default, "t", err, sizeof err) == -1 && strstr(err, "'medium'") != NULL,
	      "bad enum default: '%s'", err);
	CHECK(rl_opts_check_table(no_doc, "t", err, sizeof err) == -1 && strstr(err, "one line of doc") != NULL,
	      "no doc: '%s'", err);
	CHECK(rl_opts_check_table(twice, "t", err, sizeof err) == -1 &&
		      strcmp(err, "t: option 'r' is declared twice") == 0,
	      "declared twice: '%s'", err);
}

/* strtod under rl_parse_double's rules: whole string, no leading space,
 * finite, no range error. */
static bool reference_double(const char *t, double *out)
{
	if (t[0] == '\0' || t[0] == ' ')
		return false;
	errno = 0;
	char *end;
	*out = strtod(t, &end);
	return errno == 0 && *end == '\0' && isfinite(*out);
}

/* rl_parse_double reads plain decimals itself (Clinger's fast path) and
 * hands the rest to strtod: the two agree bit for bit on every plain
 * decimal of up to 17 digits with the point anywhere (seeded), and on the
 * edges of the fast path; rl_parse_size agrees with strtoull, overflow
 * included. */
static void number_parsers_agree_with_the_c_library(void)
{
	static const char *const edges[] = { "0", "0.0", "00.5", "1.", ".5", "0.7", "0.9", "1e5", "1e400", "-1",
					     "+1", " 1", "1 ", "", "nan", "inf", "0x10", "123456789012345",
					     "1234567890123456", "0.0000000000000001", "999999999999999.9",
					     "1.7976931348623157e308", "4.9e-324", "1..2", "1.2.3" };
	char text[64];
	uint64_t state = 42;
	for (size_t i = 0; i < sizeof edges / sizeof *edges + 20000; i++) {
		const char *t = text;
		if (i < sizeof edges / sizeof *edges) {
			t = edges[i];
		} else {
			state = state * 6364136223846793005u + 1442695040888963407u;
			unsigned len = 1 + (unsigned)(state >> 59) % 17, point = (unsigned)(state >> 40) % (len + 1);
			char *w = text;
			for (unsigned d = 0; d < len; d++) {
				if (d == point && d != 0)
					*w++ = '.';
				state = state * 6364136223846793005u + 1442695040888963407u;
				*w++ = (char)('0' + (state >> 33) % 10);
			}
			*w = '\0';
		}
		double got = -1, want = -1;
		bool ok = rl_parse_double(t, &got), want_ok = reference_double(t, &want);
		CHECK(ok == want_ok && (!ok || memcmp(&got, &want, sizeof got) == 0), "'%s': %d %.17g, strtod %d %.17g",
		      t, ok, got, want_ok, want);
	}
	static const char *const sizes[] = { "0", "7", "007", "18446744073709551615", "18446744073709551616",
					     "99999999999999999999", "-1", "+1", " 1", "1 ", "", "1.0", "0x10" };
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		size_t got = 0;
		bool ok = rl_parse_size(sizes[i], &got);
		errno = 0;
		char *end;
		unsigned long long want = strtoull(sizes[i], &end, 10);
		bool want_ok = sizes[i][0] >= '0' && sizes[i][0] <= '9' && errno == 0 && *end == '\0' && want <= SIZE_MAX;
		CHECK(ok == want_ok && (!ok || got == want), "'%s': %d %zu, strtoull %d %llu", sizes[i], ok, got, want_ok,
		      want);
	}
}

static void every_registered_table_is_well_formed(void)
{
	char err[512];
	CHECK(rl_registry_check(err, sizeof err) == 0, "%s", err);
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(good_lists_pass);
	RL_RUN(bad_lists_are_one_exact_line);
	RL_RUN(getters_give_the_value_or_the_default);
	RL_RUN(malformed_tables_are_refused);
	RL_RUN(every_registered_table_is_well_formed);
	RL_RUN(number_parsers_agree_with_the_c_library);
	return rl_test_summary(argv[0]);
}
