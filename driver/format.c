/* The output interface (driver/format.h): which writers a run gets, the CSV
 * writer behind it, and the row accessor the other writers share.
 *
 * The CSV adapter only forwards to driver/csv.c, so `--format=csv` and
 * `--out=FILE` write the very same bytes by the very same code. */
#include "driver/format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rl_format_parse(const char *name, enum rl_format *format)
{
	static const struct {
		const char *name;
		enum rl_format format;
	} names[] = { { "table", RL_FORMAT_TABLE }, { "csv", RL_FORMAT_CSV }, { "json", RL_FORMAT_JSON } };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i].name) == 0) {
			*format = names[i].format;
			return 0;
		}
	return -1;
}

/* ---- the CSV writer: driver/csv.c as it is ------------------------------------ */

struct csv_writer {
	rl_writer base;
	rl_csv csv;
};

static int csv_write(rl_writer *w, rl_row *r) { return rl_csv_write(&((struct csv_writer *)w)->csv, r); }

static int csv_close(rl_writer *w)
{
	struct csv_writer *c = (struct csv_writer *)w;
	rl_csv_close(&c->csv);
	free(c);
	return 0;
}

static const struct rl_writer_ops csv_ops = { .write = csv_write, .close = csv_close };

rl_writer *rl_csv_writer_open(const char *path, char *err, size_t errlen)
{
	struct csv_writer *c = calloc(1, sizeof *c);
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->base.ops = &csv_ops;
	if (rl_csv_open(&c->csv, path, err, errlen) != 0) {
		free(c);
		return NULL;
	}
	return &c->base;
}

/* ---- choosing the writers ---------------------------------------------------- */

static bool is_stdout(const char *path) { return path == NULL || strcmp(path, "-") == 0; }

static void close_all(rl_out *o)
{
	for (size_t i = 0; i < o->nwriters; i++)
		o->writers[i]->ops->close(o->writers[i]);
	o->nwriters = 0;
}

int rl_out_open(rl_out *o, enum rl_format format, const char *path, char *err, size_t errlen)
{
	memset(o, 0, sizeof *o);
	bool terminal = isatty(STDOUT_FILENO);
	rl_writer *w;
	if (is_stdout(path)) {
		/* An explicit --out=- keeps meaning CSV on stdout, as before --format. */
		if (format == RL_FORMAT_DEFAULT)
			format = path == NULL && terminal ? RL_FORMAT_TABLE : RL_FORMAT_CSV;
		if (format == RL_FORMAT_TABLE)
			w = rl_table_writer_open(stdout);
		else if (format == RL_FORMAT_JSON)
			w = rl_json_writer_open(NULL, err, errlen);
		else
			w = rl_csv_writer_open(NULL, err, errlen);
		if (w == NULL)
			return -1;
		o->writers[o->nwriters++] = w;
		return 0;
	}
	w = format == RL_FORMAT_JSON ? rl_json_writer_open(path, err, errlen) : rl_csv_writer_open(path, err, errlen);
	if (w == NULL)
		return -1;
	o->writers[o->nwriters++] = w;
	if (terminal || format == RL_FORMAT_TABLE) {
		w = rl_table_writer_open(stdout);
		if (w == NULL) {
			close_all(o);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		o->writers[o->nwriters++] = w;
	}
	return 0;
}

int rl_out_csv_stream(rl_out *o, FILE *fp)
{
	memset(o, 0, sizeof *o);
	struct csv_writer *c = calloc(1, sizeof *c);
	if (c == NULL)
		return -1;
	c->base.ops = &csv_ops;
	c->csv = (rl_csv){ .fp = fp, .fd = -1, .header_done = 0 };
	o->writers[o->nwriters++] = &c->base;
	return 0;
}

void rl_out_expect(rl_out *o, size_t trials, double expected_s) { rl_progress_begin(&o->progress, trials, expected_s); }

int rl_out_write(rl_out *o, rl_row *r)
{
	int rc = 0;
	/* Rows streamed to the same terminal must not land inside the progress line. */
	if (isatty(STDOUT_FILENO))
		rl_progress_clear(&o->progress);
	for (size_t i = 0; i < o->nwriters; i++)
		if (o->writers[i]->ops->write(o->writers[i], r) != 0)
			rc = -1;
	rl_progress_trial_done(&o->progress);
	return rc;
}

int rl_out_close(rl_out *o)
{
	int rc = 0;
	rl_progress_clear(&o->progress);
	for (size_t i = 0; i < o->nwriters; i++)
		if (o->writers[i]->ops->close(o->writers[i]) != 0)
			rc = -1;
	o->nwriters = 0;
	return rc;
}

/* ---- the row, by column name --------------------------------------------------- */

static double number_STR(const char *s)
{
	(void)s;
	return NAN;
}
static double number_U64(uint64_t v) { return v == RL_UNSET_U64 ? NAN : (double)v; }
static double number_F64(double v) { return v; }

double rl_row_number(const rl_row *r, const char *column)
{
#define COLUMN(name, type, doc)              \
	if (strcmp(column, #name) == 0)      \
		return number_##type(r->name);
#include "driver/columns.def"
#undef COLUMN
	return NAN;
}
