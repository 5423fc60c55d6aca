/* The harness judges every trial with the contract judge (oracle/judge.h).
 *
 * The deliberately wrong strategies of tests/wrong_strategies.h run through
 * the runner's own trial path, in this process (rl_trial_run) and forked
 * into a CSV as ./harness runs them (rl_sweep_run), and each row's status
 * must name the clause the strategy broke; correct strategies on the same
 * trials are ok, and --no-verify judges nothing.  The judge running out of
 * memory is verify_oom, never verify_failed.  Every clause is documented in
 * the status column of driver/columns.def. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/format.h"
#include "driver/registry.h"
#include "driver/runner.h"
#include "oracle/oracle.h"
#include "regionlab/adopt.h"
#include "regionlab/workload.h"
#include "tests/check.h"
#include "tests/wrong_strategies.h"

#define LIST_SIZE 1000u
#define OOM_K_LIMIT 1000u

/* ---- a workload with a held sub-region ---------------------------------------
 * n cells in src whose cars are boxed ints in a sub-region of src that this
 * test holds too, so that it outlives src.  The test lets go of it after the
 * trial (in a forked trial the child's copy of it dies with the child). */
static rl_region *held_region;

static rl_val build_held_list(rl_wl_ctx *w, size_t n)
{
	rl_val head = RL_NIL;
	for (size_t i = 0; i < n; i++) {
		rl_obj *box = rl_wl_sub_new(w, RL_T_BOX_INT, sizeof(int64_t));
		rl_obj *cell = box != NULL ? rl_wl_new(w, RL_T_CONS, 2 * sizeof(rl_val)) : NULL;
		if (cell == NULL) {
			rl_wl_fail(w, "out of memory");
			return RL_NIL;
		}
		int64_t value = (int64_t)i;
		memcpy(box->w, &value, sizeof value);
		cell->w[0] = rl_val_of(box);
		cell->w[1] = head;
		head = rl_val_of(cell);
		if (held_region == NULL) {
			held_region = rl_region_of(box);
			rl_region_retain(held_region);
		}
	}
	return head;
}

static const struct rl_workload held_list = {
	.name = "held-list",
	.summary = "test fixture: a list whose cars lie in a held sub-region of src",
	.default_size = LIST_SIZE,
	.options = NULL,
	.build = build_held_list,
};

static void release_held(void)
{
	if (held_region != NULL)
		rl_region_release(held_region);
	held_region = NULL;
}

/* ---- trials through the runner ------------------------------------------------- */

static struct rl_strategy_spec strategy_spec(const struct rl_transmigrator *tm)
{
	struct rl_strategy_spec st = { .tm = tm };
	snprintf(st.label, sizeof st.label, "%s", tm->name);
	return st;
}

static struct rl_workload_spec workload_spec(const struct rl_workload *wl)
{
	struct rl_workload_spec w = { .wl = wl, .size = LIST_SIZE, .layout = "alloc", .garbage = 0 };
	snprintf(w.label, sizeof w.label, "%s", wl->name);
	return w;
}

static struct rl_sweep sweep_of(bool verify, bool fork)
{
	return (struct rl_sweep){
		.reps = 1,
		.seed = 1,
		.block = rl_block_size,
		.stack_bytes = RL_STACK_DEFAULT,
		.verify = verify,
		.fork = fork,
		.cold = true, /* no pre-faulting: nothing here is timed */
	};
}

/* Runs the sweep as ./harness does (into a CSV file through rl_out_open)
 * and returns the file's text, each line ending with ",\n" so that every
 * cell, the last too, is followed by a comma; free() it. */
static char *sweep_rows(const struct rl_sweep *s)
{
	char path[] = "/tmp/test_judge-XXXXXX", err[256];
	int fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	close(fd);
	rl_out out;
	CHECK(rl_out_open(&out, RL_FORMAT_CSV, path, err, sizeof err) == 0, "%s", err);
	int rc = rl_sweep_run(s, &out);
	CHECK(rl_out_close(&out) == 0, "closing the rows");
	FILE *fp = fopen(path, "r");
	unlink(path);
	CHECK(rc == 0 && fp != NULL, "the sweep wrote no readable file (rc %d)", rc);
	size_t cap = 1 << 16, len = 0;
	char *text = malloc(cap), line[4096];
	CHECK(text != NULL, "out of memory");
	while (fgets(line, sizeof line, fp) != NULL && len + strlen(line) + 2 < cap) {
		line[strcspn(line, "\n")] = '\0';
		len += (size_t)snprintf(text + len, cap - len, "%s,\n", line);
	}
	text[len] = '\0';
	fclose(fp);
	return text;
}

/* The line of `rows` whose strategy cell is `name`, cut at its end (in place). */
static char *row_of(char *rows, const char *name)
{
	char cell[96];
	snprintf(cell, sizeof cell, ",transmigrate,%s,", name);
	char *at = strstr(rows, cell);
	CHECK(at != NULL, "no row of %s", name);
	while (at > rows && at[-1] != '\n')
		at--;
	at[strcspn(at, "\n")] = '\0';
	return at;
}

/* One in-process trial of tm on wl; its status is left in *text. */
static void trial(const struct rl_transmigrator *tm, const struct rl_workload *wl, bool verify,
		  struct rl_trial_text *text)
{
	struct rl_sweep s = sweep_of(verify, false);
	struct rl_strategy_spec st = strategy_spec(tm);
	struct rl_workload_spec w = workload_spec(wl);
	char err[128];
	/* A strategy that adopts src whole is legal only when src's sole owner
	 * hands it over (regionlab/knowledge.h), as the harness would insist. */
	if (tm->caps & RL_TM_ADOPTS_SRC)
		CHECK(rl_kv_parse("knows=sole", &w.params, err, sizeof err) == 0, "%s", err);
	rl_row row;
	rl_row_init(&row, "transmigrate");
	memset(text, 0, sizeof *text);
	rl_trial_run(&s, &st, &w, 0, &row, text);
	CHECK(row.status == text->status, "the row's status does not point at the trial's text");
	wrong_strategies_clean_up(false); /* the trial ran on the runner's own thread */
	release_held();
}

static const struct rl_workload *workload_for(const struct wrong_strategy *w)
{
	return w->needs_held ? &held_list : rl_find_workload("list");
}

/* "verify_failed: CLAUSE: " */
static bool names_clause(const char *status, rl_clause clause)
{
	char want[96];
	snprintf(want, sizeof want, "verify_failed: %s: ", rl_clause_name(clause));
	return strncmp(status, want, strlen(want)) == 0;
}

static void test_wrong_strategies_name_their_clause(void)
{
	for (size_t i = 0; i < WRONG_STRATEGY_COUNT; i++) {
		const struct wrong_strategy *w = &wrong_strategies[i];
		struct rl_trial_text text;
		trial(w->tm, workload_for(w), true, &text);
		CHECK(names_clause(text.status, w->clause), "%s: status \"%s\", expected verify_failed: %s", w->tm->name,
		      text.status, rl_clause_name(w->clause));
		printf("     %s: %s\n", w->tm->name, text.status);
	}
}

/* The same trials with correct strategies are ok: the statuses above come
 * from the wrong strategies, not from the workloads or the judge. */
static void test_correct_strategies_pass_the_same_trials(void)
{
	static const char *const names[] = { "naive", "bitmap", "cheney", "splice", "proxy", "linear", "promote" };
	const struct rl_workload *workloads[] = { rl_find_workload("list"), &held_list };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct rl_transmigrator *tm = rl_find_transmigrator(names[i]);
		CHECK(tm != NULL, "%s is not registered", names[i]);
		for (size_t j = 0; j < 2; j++) {
			struct rl_trial_text text;
			trial(tm, workloads[j], true, &text);
			CHECK(strcmp(text.status, "ok") == 0, "%s on %s: %s", names[i], workloads[j]->name, text.status);
		}
	}
}

/* --no-verify: no judge, so the wrong strategies' rows say ok. */
static void test_no_verify_judges_nothing(void)
{
	for (size_t i = 0; i < WRONG_STRATEGY_COUNT; i++) {
		const struct wrong_strategy *w = &wrong_strategies[i];
		struct rl_trial_text text;
		trial(w->tm, workload_for(w), false, &text);
		CHECK(strcmp(text.status, "ok") == 0, "%s with --no-verify: %s", w->tm->name, text.status);
	}
}

/* ./harness's own path: one forked child per trial, rows into a CSV.  On
 * the held list every wrong strategy breaks its clause; naive is ok. */
static void test_forked_rows_name_their_clause(void)
{
	struct rl_strategy_spec specs[WRONG_STRATEGY_COUNT + 1];
	for (size_t i = 0; i < WRONG_STRATEGY_COUNT; i++)
		specs[i] = strategy_spec(wrong_strategies[i].tm);
	specs[WRONG_STRATEGY_COUNT] = strategy_spec(rl_find_transmigrator("naive"));
	struct rl_workload_spec w = workload_spec(&held_list);
	struct rl_sweep s = sweep_of(true, true);
	s.strategies = specs;
	s.nstrategies = WRONG_STRATEGY_COUNT + 1;
	s.workloads = &w;
	s.nworkloads = 1;

	char *rows = sweep_rows(&s), *naive = NULL;
	for (size_t i = 0; i < WRONG_STRATEGY_COUNT; i++) {
		char want[96];
		snprintf(want, sizeof want, "verify_failed: %s: ", rl_clause_name(wrong_strategies[i].clause));
		char *row = row_of(rows, wrong_strategies[i].tm->name);
		CHECK(strstr(row, want) != NULL, "row of %s lacks \"%s\": %s", wrong_strategies[i].tm->name, want, row);
		row[strlen(row)] = '\n'; /* as it was, for the next search */
	}
	naive = row_of(rows, "naive");
	CHECK(strstr(naive, ",ok,") != NULL, "naive's row: %s", naive);
	free(rows);
}

/* Failing the judge's k-th allocation, for k = 1, 2, ... until the trial
 * needs fewer: every status is verify_oom (or ok once k is past the judge's
 * last allocation), never verify_failed, before the call or after it. */
static void test_judge_out_of_memory_is_verify_oom(void)
{
	size_t oom = 0;
	uint64_t k;
	for (k = 1; k <= OOM_K_LIMIT; k++) {
		struct rl_trial_text text;
		rl_oracle_fail_at(k);
		trial(rl_find_transmigrator("bitmap"), &held_list, true, &text);
		rl_oracle_fail_at(0);
		if (strcmp(text.status, "ok") == 0)
			break;
		CHECK(strcmp(text.status, "verify_oom") == 0, "k=%llu: status \"%s\", expected verify_oom",
		      (unsigned long long)k, text.status);
		oom++;
	}
	CHECK(k <= OOM_K_LIMIT, "still verify_oom with the judge's %u-th allocation failing", OOM_K_LIMIT);
	printf("     the judge's allocations 1 to %zu failed one at a time: verify_oom each\n", oom);
	/* The snapshot alone takes a handful; the judgement after the call more. */
	CHECK(oom >= 8, "only %zu of the judge's allocations were failed", oom);
}

/* ---- the strategy's report reaches the row ------------------------------------
 * A strategy that reports a distinct value in every REPORTED field of
 * driver/columns.def: each must arrive in its column, in process and forked,
 * with no column named here. */
#define REPORT_BASE 1000001u
static int reporter_transmigrate(rl_tm_ctx *ctx, rl_region *src, rl_region *dst, rl_val root, rl_val *out)
{
	int rc = wrong_copy(ctx, src, dst, root, out);
	unsigned index = 0;
	(void)index;
#define SET_U64(name) ctx->report.name = REPORT_BASE + index++;
#define SET_F64(name) ctx->report.name = REPORT_BASE + index++ + 0.5;
#define SET_STR(name) ctx->report.name = "reported-" #name;
#define COLUMN(name, type, doc)
#define REPORTED(name, type, zero, doc) SET_##type(name)
#include "driver/columns.def"
#undef REPORTED
#undef COLUMN
	return rc;
}

static const struct rl_transmigrator reporter = {
	.name = "reporter",
	.summary = "test fixture: reports a distinct value in every reported column",
	.caps = RL_TM_RECURSIVE,
	.transmigrate = reporter_transmigrate,
	.finish = rl_tm_finish_nothing,
	.read = rl_tm_read_plain,
};

static void test_report_reaches_the_row(void)
{
	struct rl_sweep s = sweep_of(true, false);
	struct rl_strategy_spec st = strategy_spec(&reporter);
	struct rl_workload_spec w = workload_spec(rl_find_workload("list"));
	struct rl_trial_text text;
	for (int forked = 0; forked <= 1; forked++) {
		rl_row row;
		rl_row_init(&row, "transmigrate");
		memset(&text, 0, sizeof text);
		s.fork = forked;
		if (forked) {
			s.strategies = &st;
			s.nstrategies = 1;
			s.workloads = &w;
			s.nworkloads = 1;
			char *rows = sweep_rows(&s), *got = row_of(rows, "reporter");
			CHECK(strstr(got, ",ok,") != NULL, "forked row: %s", got);
			unsigned index = 0;
			char cell[64];
			(void)index;
			(void)cell;
#define LOOK(fmt, ...)                                                                                 \
	snprintf(cell, sizeof cell, fmt, __VA_ARGS__);                                                 \
	CHECK(strstr(got, cell) != NULL, "forked row lacks %s: %s", cell, got);
#define LOOK_U64(name) LOOK(",%u,", REPORT_BASE + index++)
#define LOOK_F64(name) LOOK(",%.6g,", REPORT_BASE + index++ + 0.5)
#define LOOK_STR(name) LOOK(",%s,", "reported-" #name)
#define COLUMN(name, type, doc)
#define REPORTED(name, type, zero, doc) LOOK_##type(name)
#include "driver/columns.def"
#undef REPORTED
#undef COLUMN
			free(rows);
		} else {
			rl_trial_run(&s, &st, &w, 0, &row, &text);
			CHECK(strcmp(text.status, "ok") == 0, "%s", text.status);
			unsigned index = 0;
			(void)index;
#define SAME_U64(name) CHECK(row.name == REPORT_BASE + index, #name " is %llu", (unsigned long long)row.name); index++;
#define SAME_F64(name) CHECK(row.name == REPORT_BASE + index + 0.5, #name " is %g", row.name); index++;
#define SAME_STR(name) CHECK(row.name != NULL && strcmp(row.name, "reported-" #name) == 0, #name " is %s", row.name);
#define COLUMN(name, type, doc)
#define REPORTED(name, type, zero, doc) SAME_##type(name)
#include "driver/columns.def"
#undef REPORTED
#undef COLUMN
		}
	}
}

/* The schema document (the status column and its Statuses table) names the
 * verify_failed form, every clause with its meaning, and verify_oom. */
static void test_every_clause_is_documented(void)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&doc, &len);
	CHECK(fp != NULL, "open_memstream");
	rl_csv_print_schema_doc(fp);
	fclose(fp);
	CHECK(strstr(doc, "verify_failed: CLAUSE") != NULL, "the schema does not give the verify_failed form");
	CHECK(strstr(doc, "`verify_oom`") != NULL || strstr(doc, "| verify_oom") != NULL, "verify_oom is not documented");
	for (int c = RL_CLAUSE_OK + 1; c < RL_CLAUSE_OOM; c++) {
		char word[64];
		snprintf(word, sizeof word, "`%s` (", rl_clause_name((rl_clause)c));
		CHECK(strstr(doc, word) != NULL, "the schema does not explain %s", rl_clause_name((rl_clause)c));
	}
	free(doc);
}

int main(int argc, char **argv)
{
	(void)argc;
	RL_RUN(test_every_clause_is_documented);
	RL_RUN(test_wrong_strategies_name_their_clause);
	RL_RUN(test_correct_strategies_pass_the_same_trials);
	RL_RUN(test_no_verify_judges_nothing);
	RL_RUN(test_forked_rows_name_their_clause);
	RL_RUN(test_judge_out_of_memory_is_verify_oom);
	RL_RUN(test_report_reaches_the_row);
	return rl_test_summary(argv[0]);
}
