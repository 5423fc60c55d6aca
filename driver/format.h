/* Where the harness's rows go: one small interface (rl_out) in front of the
 * writers of the three formats, and the progress line on stderr.
 *
 * Every writer takes the same rl_row the CSV writer takes (driver/csv.h,
 * generated from driver/columns.def):
 *   csv    driver/csv.c itself, behind a thin adapter (driver/format.c)
 *   json   one JSON object per row and per line (driver/format_json.c)
 *   table  aligned columns for a person, printed when the run ends
 *          (driver/format_table.c)
 * The runners call rl_out_write once per trial; main.c picks the writers with
 * rl_out_open.  Which writer gets what:
 *   no --out (or --out=-): stdout gets --format, whose default is table when
 *       stdout is a terminal and csv otherwise;
 *   --out=FILE: FILE gets JSON lines with --format=json and CSV otherwise, and
 *       stdout gets the table as well when it is a terminal or --format=table. */
#ifndef REGIONLAB_FORMAT_H
#define REGIONLAB_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "driver/csv.h"

enum rl_format {
	RL_FORMAT_DEFAULT, /* no --format: chosen from stdout and --out */
	RL_FORMAT_TABLE,
	RL_FORMAT_CSV,
	RL_FORMAT_JSON,
};

/* "table", "csv" or "json"; -1 for anything else. */
int rl_format_parse(const char *name, enum rl_format *format);
#define RL_FORMAT_NAMES "table, csv or json"

/* One writer of rows.  write: 0, or -1 when the output is gone.  close:
 * flushes (the table prints here), frees the writer; 0 or -1. */
typedef struct rl_writer rl_writer;
struct rl_writer_ops {
	int (*write)(rl_writer *w, rl_row *r);
	int (*close)(rl_writer *w);
};
struct rl_writer {
	const struct rl_writer_ops *ops;
};

/* The writers.  csv: driver/csv.c's rules for `path` ("-": stdout; an
 * existing file must have this schema's header).  json: `path` NULL or "-" is
 * stdout, else the file is appended to when it already holds JSON lines.
 * table: prints to `fp` (colour only when fp is a terminal and NO_COLOR is
 * unset).  NULL with a one-line reason in err when the output cannot be had. */
rl_writer *rl_csv_writer_open(const char *path, char *err, size_t errlen);
rl_writer *rl_json_writer_open(const char *path, char *err, size_t errlen);
rl_writer *rl_table_writer_open(FILE *fp);

/* The progress line: "trial n of N, elapsed, ETA" on stderr, rewritten in
 * place, only when stderr is a terminal and the run is expected to take more
 * than a few seconds (driver/format_progress.c). */
struct rl_progress {
	bool enabled;       /* stderr is a terminal */
	bool shown;         /* the line is on the terminal now */
	size_t total, done; /* trials */
	double start_s;     /* monotonic clock at rl_progress_begin */
	double expected_s;  /* the caller's estimate of the whole run (0: unknown) */
};
void rl_progress_begin(struct rl_progress *p, size_t trials, double expected_s);
void rl_progress_trial_done(struct rl_progress *p);
/* Takes the line off the terminal (before other output, and at the end). */
void rl_progress_clear(struct rl_progress *p);

/* The output of one harness run. */
typedef struct rl_out {
	rl_writer *writers[2];
	size_t nwriters;
	struct rl_progress progress;
} rl_out;

/* Opens the writers `format` and `path` (--out, or NULL) call for; -1 with a
 * one-line reason in err when the output cannot be had (nothing written). */
int rl_out_open(rl_out *o, enum rl_format format, const char *path, char *err, size_t errlen);
/* An rl_out with one writer: CSV rows into `fp`, which stays the caller's
 * (tests that read the rows back).  -1 when out of memory. */
int rl_out_csv_stream(rl_out *o, FILE *fp);
/* Announces the number of trials and, when known, how long they will take
 * (seconds; 0 when unknown): the progress line follows from them. */
void rl_out_expect(rl_out *o, size_t trials, double expected_s);
/* One trial's row to every writer; 0, or -1 when an output is gone. */
int rl_out_write(rl_out *o, rl_row *r);
/* Clears the progress line and closes every writer; 0, or -1 when a writer
 * could not finish. */
int rl_out_close(rl_out *o);

/* A number column of `r` by its columns.def name: NaN when the column is a
 * text column, unset in this row, or not in this schema at all (the table
 * asks for columns that other issues add). */
double rl_row_number(const rl_row *r, const char *column);

#endif
