"""Command-line pieces scripts/plot.py and scripts/paper.py share: the CSV
arguments (named files, or every result CSV under results/) and the command
line they record next to what they write."""

import os
import shlex
import sys

from rows import BadInput, ROOT, result_csvs, shown_path, sweep_command_for


def help_exit(a, doc):
    """Prints doc and exits when a asks for help."""
    if a in ("-h", "--help"):
        print(doc.strip())
        sys.exit(0)


def csv_arg(a, csvs, usage):
    """An argument no option took: an unknown option, or a CSV file to add to csvs."""
    if a.startswith("-"):
        raise BadInput(f"unknown option {a}; {usage}")
    if not os.path.isfile(a):
        raise BadInput(f"no CSV file {a}")
    csvs.append(a)


def csvs_or_results(csvs):
    """csvs, or when none was named every regionlab CSV under results/."""
    if csvs:
        return csvs
    found = result_csvs(os.path.join(ROOT, "results"))
    if not found:
        raise BadInput("no CSV given and none under results/: run `scripts/sweep default` first, or name CSV files")
    return found


def command_line(script, argv):
    """script and argv as a shell command, files shown relative to the repository."""
    shown = [script] + [shown_path(a) if os.path.isfile(a) else a for a in argv]
    return " ".join(shlex.quote(a) for a in shown)


def sweep_commands(csvs):
    """The sweep commands that produced those of csvs a sweep wrote."""
    return [c for c in (sweep_command_for(p) for p in csvs) if c]
