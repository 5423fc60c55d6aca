/* The terminal table (driver/format.h): what a person running ./harness by
 * hand reads.  Rows are kept (deep copies) until the run ends, then printed
 * as aligned columns, one table per kind of trial.
 *
 * - A line is one configuration: the reps of it are folded into one line
 *   (their median, and their range), except that reps with a different status
 *   get a line of their own.  Lines that compare like with like (same
 *   workload, size, layout, ... or same thread count) form a group and are
 *   printed together.
 * - Program trials (workload `program`, driver/program_run.c) have a table of
 *   their own: the whole program's time is their figure, with the time in the
 *   strategy, the escapes and store-barrier moves, what they moved and
 *   whether the program's answer checked.
 * - Only the columns that mean something for the kind are offered, and a
 *   column every line leaves empty is dropped (pause, barrier, spliced and
 *   decision belong to a few strategies only).
 * - Units are chosen per column (ns, µs, ms, s; B, KiB, MiB, GiB) from its
 *   smallest value, and named in the header.
 * - The interval of a line's figure is the rows' own (ci_lo, ci_hi) when the
 *   schema has them, widened to the range of the reps when there are several.
 *   The fastest line of a group is marked only when its interval lies wholly
 *   below the runner-up's: with no interval, or overlapping ones, no mark.
 * - A status other than ok reads "!status" in its cell and is spelt out in
 *   full (the judge's reason) below the table; in red only when the output is
 *   a terminal and NO_COLOR is unset. */
#include "driver/format.h"
#include "driver/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- keeping the rows ------------------------------------------------------------ */

struct table_writer {
	rl_writer base;
	FILE *fp;
	rl_row *rows;
	size_t nrows, cap;
	bool lost; /* a row could not be kept (out of memory): said below the table */
};

static const char *dup_STR(const char *s) { return s != NULL ? strdup(s) : NULL; }
static uint64_t dup_U64(uint64_t v) { return v; }
static double dup_F64(double v) { return v; }

static void free_STR(const char *s) { free((char *)s); }
static void free_U64(uint64_t v) { (void)v; }
static void free_F64(double v) { (void)v; }

static void free_row(rl_row *r)
{
#define COLUMN(name, type, doc) free_##type(r->name);
#include "driver/columns.def"
#undef COLUMN
}

static int table_write(rl_writer *w, rl_row *r)
{
	struct table_writer *t = (struct table_writer *)w;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		rl_row *rows = realloc(t->rows, cap * sizeof *rows);
		if (rows == NULL) {
			t->lost = true;
			return 0;
		}
		t->rows = rows;
		t->cap = cap;
	}
	rl_row *copy = &t->rows[t->nrows++];
#define COLUMN(name, type, doc) copy->name = dup_##type(r->name);
#include "driver/columns.def"
#undef COLUMN
	return 0;
}

/* ---- cells by column name ---------------------------------------------------------- */

static const char *text_STR(const char *s) { return s; }
static const char *text_U64(uint64_t v)
{
	(void)v;
	return NULL;
}
static const char *text_F64(double v)
{
	(void)v;
	return NULL;
}

static const char *row_text(const rl_row *r, const char *column)
{
#define COLUMN(name, type, doc)          \
	if (strcmp(column, #name) == 0)  \
		return text_##type(r->name);
#include "driver/columns.def"
#undef COLUMN
	return NULL;
}

static bool same_cell(const rl_row *a, const rl_row *b, const char *column)
{
	const char *sa = row_text(a, column), *sb = row_text(b, column);
	if (sa != NULL || sb != NULL)
		return sa != NULL && sb != NULL && strcmp(sa, sb) == 0;
	double x = rl_row_number(a, column), y = rl_row_number(b, column);
	return (isnan(x) && isnan(y)) || x == y;
}

static bool same_cells(const rl_row *a, const rl_row *b, const char *const *columns)
{
	for (size_t i = 0; columns[i] != NULL; i++)
		if (!same_cell(a, b, columns[i]))
			return false;
	return true;
}

static bool row_ok(const rl_row *r) { return r->status != NULL && strcmp(r->status, "ok") == 0; }

/* ---- what each kind of trial shows ----------------------------------------------------- */

enum cell_kind {
	CELL_TEXT,    /* the first row's text */
	CELL_COUNT,   /* median, an integer */
	CELL_STATUS,  /* ok, or !status */
	CELL_REPS,    /* rows folded into the line */
	CELL_FIGURE,  /* the line's figure: median time, with the fastest mark */
	CELL_RANGE,   /* the figure's interval, in the figure's unit */
	CELL_TIME,    /* median time in ns */
	CELL_BYTES,   /* median bytes */
	CELL_RATE,    /* median, three significant digits */
	CELL_PERCENT, /* median fraction, as a percentage */
	CELL_SIGNED,  /* median fraction, as a signed percentage */
	CELL_KEPT,    /* per-thread throughput kept against the fewest threads */
	CELL_YES_NO,  /* median of a 0/1 column: yes or no */
};

struct column {
	const char *head;   /* time and byte columns: the unit goes before "/..." or after the name */
	enum cell_kind kind;
	const char *source; /* the columns.def column it shows */
	const char *unless_equal_to; /* empty where source equals this column (pause = ns_total) */
	bool zero_is_empty;          /* bytes_spliced: 0 means the strategy does not splice */
};

struct view {
	const char *kind;                  /* rows of this `kind` */
	bool (*takes)(const rl_row *r);    /* of those, the rows it shows (NULL: every one) */
	const char *const *line_keys;      /* rows equal in these (and status) fold into one line */
	const char *const *group_keys;     /* lines equal in these compare with each other */
	const char *module;                /* the line key that names the module compared */
	const char *scale_key;             /* CELL_KEPT: the line key that grows (threads) */
	const char *figure;                /* the column of the figure (lower is better) */
	const struct column *columns;
};

/* A row of a program trial (its workload is `program`, with or without options). */
static bool is_program(const rl_row *r)
{
	return r->workload != NULL && strncmp(r->workload, "program", 7) == 0 &&
	       (r->workload[7] == '\0' || r->workload[7] == ':');
}

static bool is_not_program(const rl_row *r) { return !is_program(r); }

static const char *const transmigrate_lines[] = { "strategy", "workload", "size", "layout", "garbage", "block",
						  NULL };
static const char *const transmigrate_groups[] = { "workload", "size", "layout", "garbage", "block", NULL };
static const struct column transmigrate_columns[] = {
	{ "strategy", CELL_TEXT, "strategy", NULL, false },
	{ "workload", CELL_TEXT, "workload", NULL, false },
	{ "size", CELL_COUNT, "size", NULL, false },
	{ "layout", CELL_TEXT, "layout", NULL, false },
	{ "status", CELL_STATUS, "status", NULL, false },
	{ "reps", CELL_REPS, NULL, NULL, false },
	{ "/obj", CELL_FIGURE, "ns_per_obj", NULL, false },
	{ "range", CELL_RANGE, NULL, NULL, false },
	{ "MiB/s", CELL_RATE, "mb_per_s", NULL, false },
	{ "memcpy", CELL_PERCENT, "memcpy_frac", NULL, false },
	{ "extra", CELL_BYTES, "extra_bytes", NULL, false },
	{ "mallocs", CELL_COUNT, "mallocs", NULL, false },
	{ "pause", CELL_TIME, "pause_ns", "ns_total", false },
	{ "barrier", CELL_SIGNED, "barrier_overhead", NULL, false },
	{ "spliced", CELL_BYTES, "bytes_spliced", NULL, true },
	{ "decision", CELL_TEXT, "decision", NULL, false },
	{ NULL, 0, NULL, NULL, false },
};

static const char *const program_lines[] = { "strategy", "workload", "size", "block", NULL };
static const char *const program_groups[] = { "workload", "size", "block", NULL };
static const struct column program_columns[] = {
	{ "strategy", CELL_TEXT, "strategy", NULL, false },
	{ "program", CELL_TEXT, "workload", NULL, false },
	{ "status", CELL_STATUS, "status", NULL, false },
	{ "reps", CELL_REPS, NULL, NULL, false },
	{ "time", CELL_FIGURE, "program_ns", NULL, false },
	{ "range", CELL_RANGE, NULL, NULL, false },
	{ "in strategy", CELL_TIME, "tm_ns", NULL, false },
	{ "escapes", CELL_COUNT, "escapes", NULL, false },
	{ "barrier moves", CELL_COUNT, "barrier_moves", NULL, false },
	{ "objects moved", CELL_COUNT, "objects", NULL, false },
	{ "moved", CELL_BYTES, "bytes", NULL, false },
	{ "answer ok", CELL_YES_NO, "answer_ok", NULL, false },
	{ NULL, 0, NULL, NULL, false },
};

static const char *const tether_lines[] = { "tether", "threads", "writers", "read", "slots", "stall_ms", "layout",
					    NULL };
static const char *const tether_groups[] = { "threads", "writers", "read", "slots", "stall_ms", "layout", NULL };
static const struct column tether_columns[] = {
	{ "scheme", CELL_TEXT, "tether", NULL, false },
	{ "threads", CELL_COUNT, "threads", NULL, false },
	{ "status", CELL_STATUS, "status", NULL, false },
	{ "reps", CELL_REPS, NULL, NULL, false },
	{ "/pair", CELL_FIGURE, "ns_per_op", NULL, false },
	{ "range", CELL_RANGE, NULL, NULL, false },
	{ "kept", CELL_KEPT, NULL, NULL, false },
	{ "unreclaimed", CELL_COUNT, "peak_unreclaimed", NULL, false },
	{ "unrecl.", CELL_BYTES, "peak_unreclaimed_bytes", NULL, false },
	{ NULL, 0, NULL, NULL, false },
};

static const struct view views[] = {
	{ "transmigrate", is_not_program, transmigrate_lines, transmigrate_groups, "strategy", NULL, "ns_per_obj",
	  transmigrate_columns },
	{ "transmigrate", is_program, program_lines, program_groups, "strategy", NULL, "program_ns",
	  program_columns },
	{ "tether", NULL, tether_lines, tether_groups, "tether", "threads", "ns_per_op", tether_columns },
};

/* ---- lines and groups ---------------------------------------------------------------- */

struct line {
	size_t first;       /* index of its first row */
	size_t group;       /* lines with the same group number compare */
	size_t nrows;
	size_t members;     /* its rows are member[members .. members + nrows) */
	double figure;      /* median of the figure over its rows (NaN: none) */
	double lo, hi;      /* its interval (NaN: none) */
	bool fastest;
	size_t order;       /* position in print order */
};

struct table {
	const struct view *view;
	const rl_row *rows;
	size_t nrows;
	size_t *line_of; /* per row: its line, or SIZE_MAX when of another kind */
	size_t *member;  /* row indices, line by line (see struct line) */
	struct line *lines;
	size_t nlines;
};

/* Median of `column` over the rows of line `l` (NaN when none has it).
 * `vals` has room for every row. */
static double line_median(const struct table *t, size_t l, const char *column, double *vals)
{
	size_t n = 0;
	for (size_t m = 0; m < t->lines[l].nrows; m++) {
		double v = rl_row_number(&t->rows[t->member[t->lines[l].members + m]], column);
		if (!isnan(v))
			vals[n++] = v;
	}
	return rl_stats_median_in_place(vals, n); /* NaN when n == 0 */
}

/* The figure's interval: the rows' own (ci_lo, ci_hi) where they carry one,
 * widened to every rep's figure; none for one row without an interval. */
static void line_interval(const struct table *t, size_t l)
{
	struct line *line = &t->lines[l];
	double lo = INFINITY, hi = -INFINITY;
	bool own = false;
	size_t n = 0;
	for (size_t m = 0; m < line->nrows; m++) {
		const rl_row *r = &t->rows[t->member[line->members + m]];
		double v = rl_row_number(r, t->view->figure);
		double clo = rl_row_number(r, "ci_lo"), chi = rl_row_number(r, "ci_hi");
		if (isnan(v))
			continue;
		n++;
		if (!isnan(clo) && !isnan(chi)) {
			own = true;
			lo = fmin(lo, clo);
			hi = fmax(hi, chi);
		}
		lo = fmin(lo, v);
		hi = fmax(hi, v);
	}
	line->lo = line->hi = NAN;
	if (own || n >= 2) {
		line->lo = lo;
		line->hi = hi;
	}
}

/* The fastest line of each group (lowest figure among its ok lines), marked
 * only when its interval ends below the start of every other ok line's
 * interval: a line without an interval, or an overlap, leaves it unmarked. */
static void mark_fastest(struct table *t)
{
	for (size_t g = 0; g < t->nlines; g++) {
		size_t best = SIZE_MAX, others = 0;
		bool holds = true;
		for (size_t l = 0; l < t->nlines; l++) {
			const struct line *line = &t->lines[l];
			if (line->group != g || isnan(line->figure) || !row_ok(&t->rows[line->first]))
				continue;
			if (best == SIZE_MAX || line->figure < t->lines[best].figure)
				best = l;
		}
		if (best == SIZE_MAX)
			continue;
		for (size_t l = 0; l < t->nlines; l++) {
			const struct line *line = &t->lines[l];
			if (l == best || line->group != g || isnan(line->figure) || !row_ok(&t->rows[line->first]))
				continue;
			others++;
			if (isnan(t->lines[best].hi) || isnan(line->lo) || !(t->lines[best].hi < line->lo))
				holds = false;
		}
		t->lines[best].fastest = others > 0 && holds;
	}
}

/* Rows fold into one line when equal in the view's line keys and in status. */
static bool same_line(const struct view *view, const rl_row *a, const rl_row *b)
{
	return same_cells(a, b, view->line_keys) && same_cell(a, b, "status");
}

/* Folds the rows of the view's kind into lines, numbers the groups, and
 * orders the lines group by group (each in order of first appearance). */
static int build(struct table *t, const struct view *view, const rl_row *rows, size_t nrows, double *scratch)
{
	t->view = view;
	t->rows = rows;
	t->nrows = nrows;
	t->nlines = 0;
	t->line_of = malloc((nrows ? nrows : 1) * sizeof *t->line_of);
	t->member = malloc((nrows ? nrows : 1) * sizeof *t->member);
	t->lines = calloc(nrows ? nrows : 1, sizeof *t->lines);
	if (t->line_of == NULL || t->member == NULL || t->lines == NULL)
		return -1;
	size_t ngroups = 0;
	for (size_t i = 0; i < nrows; i++) {
		const rl_row *r = &rows[i];
		t->line_of[i] = SIZE_MAX;
		if (r->kind == NULL || strcmp(r->kind, view->kind) != 0 || (view->takes != NULL && !view->takes(r)))
			continue;
		/* The reps of a line usually come one after another: the last row's line first. */
		size_t l = 0, last = i > 0 ? t->line_of[i - 1] : SIZE_MAX;
		if (last != SIZE_MAX && same_line(view, r, &rows[t->lines[last].first]))
			l = last;
		while (l < t->nlines && !same_line(view, r, &rows[t->lines[l].first]))
			l++;
		if (l == t->nlines) {
			struct line *line = &t->lines[t->nlines++];
			line->first = i;
			size_t g = 0;
			while (g < l && !same_cells(r, &rows[t->lines[g].first], view->group_keys))
				g++;
			line->group = g < l ? t->lines[g].group : ngroups++;
		}
		t->line_of[i] = l;
		t->lines[l].nrows++;
	}
	size_t start = 0;
	for (size_t l = 0; l < t->nlines; l++) {
		t->lines[l].members = start;
		start += t->lines[l].nrows;
		t->lines[l].nrows = 0;
	}
	for (size_t i = 0; i < nrows; i++)
		if (t->line_of[i] != SIZE_MAX) {
			struct line *line = &t->lines[t->line_of[i]];
			t->member[line->members + line->nrows++] = i;
		}
	size_t order = 0;
	for (size_t g = 0; g < ngroups; g++)
		for (size_t l = 0; l < t->nlines; l++)
			if (t->lines[l].group == g)
				t->lines[l].order = order++;
	for (size_t l = 0; l < t->nlines; l++) {
		t->lines[l].figure = line_median(t, l, view->figure, scratch);
		line_interval(t, l);
	}
	mark_fastest(t);
	return 0;
}

/* ---- units and numbers ------------------------------------------------------------------- */

struct unit {
	const char *name;
	double scale;
};
static const struct unit time_units[] = { { "ns", 1 }, { "µs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { NULL, 0 } };
static const struct unit byte_units[] = {
	{ "B", 1 }, { "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 }, { NULL, 0 }
};

/* The largest unit in which the column's smallest nonzero value is at least 1. */
static const struct unit *pick_unit(const struct unit *units, double smallest)
{
	const struct unit *u = &units[0];
	for (size_t i = 1; units[i].name != NULL && !(smallest < units[i].scale); i++)
		u = &units[i];
	return u;
}

/* Three significant digits, without exponents: 0.341, 9.90, 11.9, 1189, 0. */
static void fmt_sig(char *buf, size_t len, double v)
{
	double a = fabs(v);
	if (a == 0)
		snprintf(buf, len, "0");
	else if (a >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 1)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

/* ---- the grid of cells ----------------------------------------------------------------------- */

#define CELL_MAX 96

struct cell {
	char text[CELL_MAX];
	bool alert; /* a status other than ok */
};

/* Display width of UTF-8 text: one column per code point (µ and – are one). */
static size_t display_width(const char *s)
{
	size_t w = 0;
	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

struct render {
	const struct table *t;
	double *scratch;
	const struct unit *unit; /* of the current column (time and bytes) */
	const struct unit *figure_unit;
	bool any_fastest;
};

/* The median of the column for line l, NaN when the column is empty there. */
static double column_value(const struct render *rd, const struct column *c, size_t l)
{
	const struct table *t = rd->t;
	double v = line_median(t, l, c->source, rd->scratch);
	if (c->unless_equal_to != NULL && v == line_median(t, l, c->unless_equal_to, rd->scratch))
		return NAN;
	if (c->zero_is_empty && v == 0)
		return NAN;
	return v;
}

/* Per-thread throughput kept: the figure of the same module with the fewest
 * threads (all else equal) over this line's figure; NaN when the module ran
 * at one thread count only. */
static double kept_value(const struct render *rd, size_t l)
{
	const struct table *t = rd->t;
	const struct view *v = t->view;
	const struct line *line = &t->lines[l];
	const rl_row *me = &t->rows[line->first];
	if (v->scale_key == NULL || isnan(line->figure) || !row_ok(me))
		return NAN;
	const struct line *base = NULL;
	size_t alike_lines = 0;
	for (size_t k = 0; k < t->nlines; k++) {
		const struct line *other = &t->lines[k];
		const rl_row *r = &t->rows[other->first];
		if (!row_ok(r) || isnan(other->figure) || !same_cell(r, me, v->module))
			continue;
		bool alike = true;
		for (size_t i = 0; v->group_keys[i] != NULL; i++)
			if (strcmp(v->group_keys[i], v->scale_key) != 0 && !same_cell(r, me, v->group_keys[i]))
				alike = false;
		if (!alike)
			continue;
		alike_lines++;
		if (base == NULL || rl_row_number(r, v->scale_key) < rl_row_number(&t->rows[base->first], v->scale_key))
			base = other;
	}
	if (alike_lines < 2)
		return NAN;
	return base->figure / line->figure;
}

static void fill_cell(const struct render *rd, const struct column *c, size_t l, struct cell *cell)
{
	const struct table *t = rd->t;
	const struct line *line = &t->lines[l];
	const rl_row *first = &t->rows[line->first];
	char num[40], num2[40];
	double v;
	cell->text[0] = '\0';
	cell->alert = false;
	switch (c->kind) {
	case CELL_TEXT: {
		const char *s = row_text(first, c->source);
		snprintf(cell->text, sizeof cell->text, "%s", s != NULL ? s : "");
		break;
	}
	case CELL_STATUS:
		if (row_ok(first)) {
			snprintf(cell->text, sizeof cell->text, "ok");
		} else {
			const char *s = first->status != NULL ? first->status : "no status";
			int len = (int)strcspn(s, " ");
			if (len > 0 && s[len - 1] == ':')
				len--; /* "verify_failed: why" -> "!verify_failed"; the reason goes below */
			snprintf(cell->text, sizeof cell->text, "!%.*s", len, s);
			cell->alert = true;
		}
		break;
	case CELL_REPS:
		snprintf(cell->text, sizeof cell->text, "%zu", line->nrows);
		break;
	case CELL_FIGURE:
		if (isnan(line->figure))
			break;
		fmt_sig(num, sizeof num, line->figure / rd->unit->scale);
		snprintf(cell->text, sizeof cell->text, "%s%s", num,
			 line->fastest ? "*" : rd->any_fastest ? " " : "");
		break;
	case CELL_RANGE:
		if (isnan(line->lo))
			break;
		fmt_sig(num, sizeof num, line->lo / rd->figure_unit->scale);
		fmt_sig(num2, sizeof num2, line->hi / rd->figure_unit->scale);
		snprintf(cell->text, sizeof cell->text, "%s–%s", num, num2);
		break;
	case CELL_COUNT:
		v = column_value(rd, c, l);
		if (!isnan(v))
			snprintf(cell->text, sizeof cell->text, "%.0f", v);
		break;
	case CELL_TIME:
	case CELL_BYTES:
		v = column_value(rd, c, l);
		if (!isnan(v)) {
			fmt_sig(num, sizeof num, v / rd->unit->scale);
			snprintf(cell->text, sizeof cell->text, "%s", num);
		}
		break;
	case CELL_RATE:
		v = column_value(rd, c, l);
		if (!isnan(v))
			fmt_sig(cell->text, sizeof cell->text, v);
		break;
	case CELL_PERCENT:
	case CELL_SIGNED:
		v = column_value(rd, c, l);
		if (!isnan(v)) {
			fmt_sig(num, sizeof num, 100 * v);
			snprintf(cell->text, sizeof cell->text, "%s%s%%", c->kind == CELL_SIGNED && v >= 0 ? "+" : "",
				 num);
		}
		break;
	case CELL_YES_NO:
		v = column_value(rd, c, l);
		if (!isnan(v))
			snprintf(cell->text, sizeof cell->text, "%s", v >= 0.5 ? "yes" : "no");
		break;
	case CELL_KEPT:
		v = kept_value(rd, l);
		if (!isnan(v))
			snprintf(cell->text, sizeof cell->text, "%.0f%%", 100 * v);
		break;
	}
}

/* The unit of a time or byte column: from its smallest nonzero value. */
static const struct unit *column_unit(const struct render *rd, const struct column *c)
{
	if (c->kind != CELL_FIGURE && c->kind != CELL_TIME && c->kind != CELL_BYTES)
		return &time_units[0];
	const struct unit *units = c->kind == CELL_BYTES ? byte_units : time_units;
	double smallest = INFINITY;
	for (size_t l = 0; l < rd->t->nlines; l++) {
		double v = c->kind == CELL_FIGURE ? rd->t->lines[l].figure : column_value(rd, c, l);
		if (!isnan(v) && v > 0 && v < smallest)
			smallest = v;
	}
	return pick_unit(units, isinf(smallest) ? 1 : smallest);
}

static void column_head(const struct column *c, const struct unit *u, char *buf, size_t len)
{
	if (c->kind == CELL_FIGURE && c->head[0] == '/')
		snprintf(buf, len, "%s%s", u->name, c->head); /* ns/obj */
	else if (c->kind == CELL_FIGURE)
		snprintf(buf, len, "%s %s", c->head, u->name); /* time ms */
	else if (c->kind == CELL_TIME || c->kind == CELL_BYTES)
		snprintf(buf, len, "%s %s", c->head, u->name); /* pause µs, extra KiB */
	else
		snprintf(buf, len, "%s", c->head);
}

static bool left_aligned(const struct column *c)
{
	return c->kind == CELL_TEXT || c->kind == CELL_STATUS;
}

/* ---- printing ---------------------------------------------------------------------------------- */

static bool use_colour(FILE *fp)
{
	const char *no_colour = getenv("NO_COLOR");
	return isatty(fileno(fp)) && (no_colour == NULL || no_colour[0] == '\0');
}

static void put_padded(FILE *fp, const struct cell *cell, size_t width, bool left, bool colour)
{
	size_t pad = width - display_width(cell->text);
	if (!left)
		for (size_t i = 0; i < pad; i++)
			fputc(' ', fp);
	if (colour && cell->alert)
		fprintf(fp, "\033[1;31m%s\033[0m", cell->text);
	else
		fputs(cell->text, fp);
	if (left)
		for (size_t i = 0; i < pad; i++)
			fputc(' ', fp);
}

#define MAX_COLUMNS 24

/* One line of the grid, its shown cells two blanks apart, with no blanks at
 * its end (the empty cells of columns only some lines fill). */
static void print_line(FILE *fp, const struct cell *cells, const struct column *cols, const bool *shown,
		       const size_t *width, size_t ncols, bool colour)
{
	size_t last = ncols;
	for (size_t c = 0; c < ncols; c++)
		if (shown[c] && cells[c].text[0] != '\0')
			last = c;
	const char *sep = "";
	for (size_t c = 0; c < ncols && last < ncols && c <= last; c++) {
		if (!shown[c])
			continue;
		fputs(sep, fp);
		sep = "  ";
		bool left = left_aligned(&cols[c]);
		put_padded(fp, &cells[c], c == last && left ? display_width(cells[c].text) : width[c], left, colour);
	}
	fputc('\n', fp);
}

/* Prints one kind's table: the header, the lines group by group (a blank
 * line between groups), then what the marks mean and every failure spelt out. */
/* Under the table: what the marks and ranges mean, and every failure in full. */
static void print_footer(FILE *fp, const struct table *t, const size_t *by_order, bool any_fastest, bool colour)
{
	bool any_range = false, comparable = false;
	for (size_t l = 0; l < t->nlines; l++) {
		any_range |= !isnan(t->lines[l].lo);
		for (size_t k = 0; k < t->nlines; k++)
			comparable |= k != l && t->lines[k].group == t->lines[l].group;
	}
	if (any_fastest)
		fputs("* fastest of its group: its range lies wholly below every other's\n", fp);
	if (any_range)
		fputs("range: min–max of the reps (and of the rows' confidence intervals, where given)\n",
		      fp);
	else if (comparable)
		fputs("one rep each: --reps=3 or more shows ranges and marks the fastest where it holds\n", fp);
	for (size_t o = 0; o < t->nlines; o++) {
		const struct line *line = &t->lines[by_order[o]];
		const rl_row *r = &t->rows[line->first];
		if (row_ok(r) || r->status == NULL || strcspn(r->status, " ") == strlen(r->status))
			continue; /* ok, or the cell already shows the whole status */
		struct cell what = { .alert = true };
		snprintf(what.text, sizeof what.text, "!");
		put_padded(fp, &what, 1, true, colour);
		fputc(' ', fp);
		for (size_t i = 0; t->view->line_keys[i] != NULL; i++) {
			const char *key = t->view->line_keys[i];
			const char *s = row_text(r, key);
			double v = rl_row_number(r, key);
			if (s != NULL)
				fprintf(fp, "%s ", s);
			else if (!isnan(v) && strcmp(key, "block") != 0 && strcmp(key, "garbage") != 0)
				fprintf(fp, "%s=%.0f ", key, v);
		}
		fprintf(fp, "(%zu rep%s): %s\n", line->nrows, line->nrows == 1 ? "" : "s",
			r->status != NULL ? r->status : "no status");
	}
}

static void print_table(FILE *fp, const struct table *t, double *scratch)
{
	struct render rd = { .t = t, .scratch = scratch };
	for (size_t l = 0; l < t->nlines; l++)
		rd.any_fastest |= t->lines[l].fastest;
	const struct column *cols = t->view->columns;
	size_t ncols = 0;
	while (cols[ncols].head != NULL && ncols < MAX_COLUMNS)
		ncols++;
	for (size_t c = 0; c < ncols; c++)
		if (cols[c].kind == CELL_FIGURE)
			rd.figure_unit = column_unit(&rd, &cols[c]);
	if (rd.figure_unit == NULL)
		rd.figure_unit = &time_units[0];

	/* Cells, line by line in print order; row 0 is the header. */
	struct cell *grid = calloc((t->nlines + 1) * ncols, sizeof *grid);
	size_t *by_order = malloc((t->nlines ? t->nlines : 1) * sizeof *by_order);
	if (grid == NULL || by_order == NULL) {
		free(grid);
		free(by_order);
		fputs("(out of memory: no table)\n", fp);
		return;
	}
	for (size_t l = 0; l < t->nlines; l++)
		by_order[t->lines[l].order] = l;
	bool shown[MAX_COLUMNS];
	size_t width[MAX_COLUMNS];
	for (size_t c = 0; c < ncols; c++) {
		rd.unit = cols[c].kind == CELL_RANGE ? rd.figure_unit : column_unit(&rd, &cols[c]);
		column_head(&cols[c], rd.unit, grid[c].text, sizeof grid[c].text);
		shown[c] = false;
		width[c] = display_width(grid[c].text);
		for (size_t o = 0; o < t->nlines; o++) {
			struct cell *cell = &grid[(o + 1) * ncols + c];
			fill_cell(&rd, &cols[c], by_order[o], cell);
			if (cell->text[0] != '\0')
				shown[c] = true;
			size_t w = display_width(cell->text);
			if (w > width[c])
				width[c] = w;
		}
	}

	bool colour = use_colour(fp);
	for (size_t o = 0; o <= t->nlines; o++) {
		if (o > 1 && t->lines[by_order[o - 1]].group != t->lines[by_order[o - 2]].group)
			fputc('\n', fp);
		print_line(fp, &grid[o * ncols], cols, shown, width, ncols, colour);
	}

	print_footer(fp, t, by_order, rd.any_fastest, colour);
	free(grid);
	free(by_order);
}

static int table_close(rl_writer *w)
{
	struct table_writer *tw = (struct table_writer *)w;
	double *scratch = malloc((tw->nrows ? tw->nrows : 1) * sizeof *scratch);
	bool printed = false;
	for (size_t v = 0; v < sizeof views / sizeof views[0] && scratch != NULL; v++) {
		struct table t;
		if (build(&t, &views[v], tw->rows, tw->nrows, scratch) == 0 && t.nlines > 0) {
			if (printed)
				fputc('\n', tw->fp);
			print_table(tw->fp, &t, scratch);
			printed = true;
		}
		free(t.line_of);
		free(t.member);
		free(t.lines);
	}
	if (tw->lost || scratch == NULL)
		fputs("(out of memory: some rows are missing from this table)\n", tw->fp);
	free(scratch);
	for (size_t i = 0; i < tw->nrows; i++)
		free_row(&tw->rows[i]);
	free(tw->rows);
	int rc = fflush(tw->fp) == 0 && !ferror(tw->fp) ? 0 : -1;
	free(tw);
	return rc;
}

static const struct rl_writer_ops table_ops = { .write = table_write, .close = table_close };

rl_writer *rl_table_writer_open(FILE *fp)
{
	struct table_writer *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->base.ops = &table_ops;
	t->fp = fp;
	return &t->base;
}
