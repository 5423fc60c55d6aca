"""Declared sweeps: experiments/NAME.sweep files expanded into trials.

The format (docs/experiments.md has the full description):

    # comment
    description = one line shown by `scripts/sweep --list`
    reps = 3                  # keys before the first [grid] are defaults for every grid
    [grid-name]
    kind       = transmigrate
    strategies = all -naive   # list keys form a cross product
    workloads  = list tree mixed?
    sizes      = 1e3 1e4 1e5
    layouts    = alloc shuffled
    [other]
    include    = tether:stall # the [stall] grid of experiments/tether.sweep,
    stall_ms   = 0 50         # with these keys overriding its own

Lists are separated by blanks or commas; a comma after a `name:key=val` item
that is followed by another key=val continues that item's options.  A line
that starts with a blank continues the previous value.  `all` names every
module `./harness --list` shows of that kind, `-NAME` removes one, `NAME?`
drops a module that is not registered (yet) instead of failing."""

import math
import os
import re
import shlex

from rows import BadInput, ROOT, placer_garbage, same_value, split_spec

EXPERIMENTS = os.path.join(ROOT, "experiments")

# key -> (canonical key, parser name).  Plural and singular spellings both work.
COMMON_KEYS = {
    "kind": ("kind", "word"),
    "reps": ("reps", "posint1"),
    "seed": ("seed", "int1"),
    "timeout": ("timeout", "float1"),
    "verify": ("verify", "bool"),
    "extra": ("extra", "args"),
}
TM_KEYS = {
    "max_rounds": ("max_rounds", "posint1"),
    "max_seconds": ("max_seconds", "float1"),
    "passes": ("passes", "posint1"),
    "strategies": ("strategies", "modules"), "strategy": ("strategies", "modules"),
    "workloads": ("workloads", "modules"), "workload": ("workloads", "modules"),
    "sizes": ("sizes", "ints"), "size": ("sizes", "ints"),
    "layouts": ("layouts", "tm_layouts"), "layout": ("layouts", "tm_layouts"),
    "garbage": ("garbage", "floats"),
    "live": ("live", "fractions"),
    "knows": ("knows", "knows_classes"),
    "block": ("block", "ints"), "blocks": ("block", "ints"),
    "allocator": ("allocator", "words"), "allocators": ("allocator", "words"),
}
TETHER_KEYS = {
    "max_rounds": ("max_rounds", "posint1"),
    "max_seconds": ("max_seconds", "float1"),
    "tethers": ("tethers", "modules"), "tether": ("tethers", "modules"),
    "threads": ("threads", "ints"),
    "writers": ("writers", "ints0"),
    "read": ("read", "ints0"),
    "slots": ("slots", "ints"),
    "layouts": ("layouts", "tether_layouts"), "layout": ("layouts", "tether_layouts"),
    "stall_ms": ("stall_ms", "ints0"),
    "duration": ("duration", "floats"),
    "update_us": ("update_us", "ints0"),
    "series": ("series", "bool"),
}
KINDS = {"transmigrate": TM_KEYS, "tether": TETHER_KEYS}
REQUIRED = {"transmigrate": ("strategies", "workloads", "sizes"), "tether": ("tethers", "threads")}
MODULE_KIND = {"strategies": "transmigrator", "workloads": "workload", "tethers": "tether"}

# What a trial declares the runtime knows (the graph workloads' knows= key,
# include/regionlab/knowledge.h).  Outside `sole` src has a second owner and
# the strategies that adopt src whole (RL_TM_ADOPTS_SRC: linear, promote) are
# refused by the harness, so a grid never generates those pairs;
# tests/test_knows.sh checks this list against the harness.
KNOWS_CLASSES = ("nothing", "dense", "home", "sole")
ADOPTS_SRC = ("linear", "promote")


def knows_class(workload):
    """The class a workload spec declares: knows=, else home (home=sub), else
    nothing; None for a program (no class)."""
    name, opts = split_spec(workload)
    if name == "program":
        return None
    if "knows" in opts:
        return opts["knows"]
    return "home" if opts.get("home") == "sub" else "nothing"


def legal_strategies(strategies, workload):
    """The strategies of a grid point legal in its workload's class."""
    k = knows_class(workload)
    if k is None or k == "sole":
        return list(strategies)
    return [st for st in strategies if split_spec(st)[0] not in ADOPTS_SRC]


# ---- values ---------------------------------------------------------------------

def split_list(text):
    """Blank/comma separated items; 'mixed:live=0.5,garbage=1' stays one item."""
    items = []
    for tok in text.split():
        for piece in tok.split(","):
            if piece == "":
                continue
            if "=" in piece and ":" not in piece and items and ":" in items[-1] and not items[-1].startswith("-"):
                items[-1] += "," + piece
            else:
                items.append(piece)
    return items


def parse_int(s):
    s = s.replace("_", "")
    m = re.fullmatch(r"(\d+)\^(\d+)", s)
    if m:
        return int(m.group(1)) ** int(m.group(2))
    if re.fullmatch(r"\d+", s):
        return int(s)
    if re.fullmatch(r"\d+(\.\d+)?[eE]\d+", s):
        f = float(s)
        if f == int(f):
            return int(f)
    raise ValueError(s)


def parse_ints(text, lo):
    out = []
    for item in split_list(text):
        m = re.fullmatch(r"(\S+)\.\.(\S+)", item)
        if m:
            a, b = parse_int(m.group(1)), parse_int(m.group(2))
            if b < a:
                raise ValueError(item)
            vals = list(range(a, b + 1))
        else:
            vals = [parse_int(item)]
        for v in vals:
            if v < lo:
                raise ValueError(item)
            out.append(v)
    return out


def parse_value(kind, text):
    """Parses one value; ValueError with the offending text when it does not fit."""
    if kind == "word":
        if not re.fullmatch(r"[\w.-]+", text):
            raise ValueError(text)
        return text
    if kind == "words":
        return split_list(text)
    if kind == "posint1":
        v = parse_int(text)
        if v < 1:
            raise ValueError(text)
        return v
    if kind == "int1":
        return parse_int(text)
    if kind == "float1":
        v = float(text)
        if not math.isfinite(v) or v <= 0:
            raise ValueError(text)
        return v
    if kind == "bool":
        t = text.lower()
        if t in ("yes", "true", "on", "1"):
            return True
        if t in ("no", "false", "off", "0"):
            return False
        raise ValueError(text)
    if kind == "args":
        return shlex.split(text)
    if kind == "modules":
        items = split_list(text)
        for it in items:
            if not re.fullmatch(r"-?[\w.+-]+\??(:.*)?", it):
                raise ValueError(it)
        return items
    if kind == "ints":
        return parse_ints(text, 1)
    if kind == "ints0":
        return parse_ints(text, 0)
    if kind == "floats":
        out = []
        for item in split_list(text):
            v = float(item)
            if not math.isfinite(v) or v < 0:
                raise ValueError(item)
            out.append(v)
        return out
    if kind == "fractions":
        out = []
        for item in split_list(text):
            v = float(item)
            if not (0 < v <= 1):
                raise ValueError(item)
            out.append(v)
        return out
    if kind == "tm_layouts":
        items = split_list(text)
        for it in items:
            if it not in ("alloc", "shuffled"):
                raise ValueError(it)
        return items
    if kind == "knows_classes":
        items = split_list(text)
        for it in items:
            if it not in KNOWS_CLASSES:
                raise ValueError(it)
        return items
    if kind == "tether_layouts":
        items = split_list(text)
        for it in items:
            if it not in ("packed", "padded"):
                raise ValueError(it)
        return items
    raise AssertionError(kind)


VALID_HINT = {
    "word": "a word", "posint1": "an integer >= 1", "int1": "an integer", "float1": "a positive number",
    "bool": "yes or no", "ints": "integers >= 1 (1000, 1e3, 10^3, 1..16)", "ints0": "integers >= 0",
    "floats": "numbers >= 0", "fractions": "numbers in (0, 1]", "tm_layouts": "alloc or shuffled", "knows_classes": "nothing, dense, home or sole", "tether_layouts": "packed or padded",
    "modules": "module names, NAME[:key=val,...], all, -NAME, NAME?", "words": "words", "args": "shell words",
}


# ---- files ----------------------------------------------------------------------

class Section:
    def __init__(self, name, path, line):
        self.name, self.path, self.line = name, path, line
        self.raw = {}  # key -> (text, line)


def read_file(path):
    """(top Section, [grid Sections]) of one sweep file; BadInput on syntax errors."""
    try:
        with open(path, encoding="utf-8") as fp:
            lines = fp.read().splitlines()
    except OSError as e:
        raise BadInput(f"cannot read sweep file {path}: {e.strerror}")
    except UnicodeDecodeError as e:
        raise BadInput(f"sweep file {path} is not UTF-8 text (byte {e.start})")
    rel = os.path.relpath(path)
    if rel.startswith(".."):
        rel = path
    top = Section("", rel, 0)
    grids = []
    cur = top
    last_key = None
    for no, line in enumerate(lines, 1):
        text = re.sub(r"(^|\s)#.*$", "", line).rstrip()
        if not text.strip():
            continue
        if text[0] in " \t" and last_key is not None and "=" not in text.split()[0]:
            t, ln = cur.raw[last_key]
            cur.raw[last_key] = (t + " " + text.strip(), ln)
            continue
        text = text.strip()
        m = re.fullmatch(r"\[([\w.-]+)\]", text)
        if m:
            if any(g.name == m.group(1) for g in grids):
                raise BadInput(f"{rel}:{no}: grid [{m.group(1)}] appears twice")
            cur = Section(m.group(1), rel, no)
            grids.append(cur)
            last_key = None
            continue
        m = re.fullmatch(r"([A-Za-z_][\w]*)\s*=\s*(.*)", text)
        if not m:
            raise BadInput(f"{rel}:{no}: expected 'key = value', '[grid]' or a # comment, got: {text[:60]}")
        key, val = m.group(1), m.group(2).strip()
        if key in cur.raw:
            raise BadInput(f"{rel}:{no}: key '{key}' given twice in {'[' + cur.name + ']' if cur.name else 'the defaults'}")
        cur.raw[key] = (val, no)
        last_key = key
    if not grids:
        raise BadInput(f"{rel}: no [grid] section: a sweep needs at least one (see docs/experiments.md)")
    return top, grids


def sweep_names():
    try:
        return sorted(f[:-6] for f in os.listdir(EXPERIMENTS) if f.endswith(".sweep"))
    except OSError:
        return []


def sweep_path(name):
    """experiments/NAME.sweep, or a path to a .sweep file; BadInput naming the valid sweeps."""
    if name.endswith(".sweep") or os.sep in name:
        if not os.path.isfile(name):
            raise BadInput(f"no sweep file {name}")
        return os.path.abspath(name)
    path = os.path.join(EXPERIMENTS, name + ".sweep")
    if not re.fullmatch(r"[\w.-]+", name) or not os.path.isfile(path):
        raise BadInput(f"unknown sweep '{name}'; valid: {', '.join(sweep_names()) or 'none (experiments/ is empty)'}")
    return path


def description(path):
    try:
        top, _ = read_file(path)
    except BadInput:
        return "(malformed)"
    return top.raw.get("description", ("", 0))[0]


# Keys that say one thing two ways (live = R is garbage = (1-R)/R): a layer
# that sets one of them replaces the other from the layers below it.
ALTERNATIVES = (("garbage", "live"),)


def overlay(merged, layer):
    for group in ALTERNATIVES:
        if any(k in layer for k in group):
            for k in group:
                if k not in layer:
                    merged.pop(k, None)
    merged.update(layer)


def resolve(path, stack=()):
    """The grids of a file with includes expanded: a list of (label, where, {key: (text, line, file)})."""
    if path in stack:
        chain = " -> ".join(os.path.basename(p) for p in stack + (path,))
        raise BadInput(f"include cycle: {chain}")
    top, grids = read_file(path)
    defaults = {k: (t, ln, top.path, True) for k, (t, ln) in top.raw.items() if k != "description"}
    if "include" in defaults:
        raise BadInput(f"{top.path}:{defaults['include'][1]}: include belongs inside a [grid]")
    out = []
    for g in grids:
        own = {k: (t, ln, g.path, False) for k, (t, ln) in g.raw.items()}
        if "include" in own:
            text, ln, _, _ = own.pop("include")
            items = split_list(text)
            if not items:
                raise BadInput(f"{g.path}:{ln}: include needs a sweep name (valid: {', '.join(sweep_names())})")
            for item in items:
                name, _, only = item.partition(":")
                try:
                    sub = sweep_path(name)
                except BadInput as e:
                    raise BadInput(f"{g.path}:{ln}: {e}")
                subgrids = resolve(sub, stack + (path,))
                if only:
                    picked = [s for s in subgrids if s[0].split("/")[-1] == only]
                    if not picked:
                        names = ", ".join(s[0].split("/")[-1] for s in subgrids)
                        raise BadInput(f"{g.path}:{ln}: {name}.sweep has no grid [{only}] (valid: {names})")
                    subgrids = picked
                for label, where, keys in subgrids:
                    merged = dict(keys)
                    overlay(merged, defaults)
                    overlay(merged, own)
                    out.append((f"{g.name}/{label}", where, merged))
        else:
            merged = dict(defaults)
            overlay(merged, own)
            out.append((g.name, f"{g.path}:{g.line}", merged))
    return out


# ---- trials ---------------------------------------------------------------------

class Trial:
    """One harness call: a point of a grid, all its reps, with all its modules,
    which the harness runs in interleaved rounds (issue 12).  Transmigration:
    one grid point (workload spec x size x block x allocator) with all its
    strategies; tether: one reader count and configuration (writers, read,
    slots, layout, stall, update, duration) with all its schemes, which the
    harness runs beside the empty loop and urcu-qsbr, its same-round
    yardsticks.  spec then names no module and `strategies` lists them."""

    series_path = None  # set by the runner: where tether trials of grids with series = yes append

    def __init__(self, kind, spec, reps, seed, timeout, verify, extra, grid, series=False, strategies=(),
                 max_rounds=None, max_seconds=None, pass_index=0, passes=1):
        self.strategies = list(strategies)
        self.max_rounds = max_rounds
        self.max_seconds = max_seconds
        # Pass pass_index of `passes` (a transmigration grid's `passes` key): the
        # grid point's rounds split over that many harness calls, each numbering
        # its rounds from first_round (--first-round) and owning the reps
        # [first_round, first_round + max_rounds).
        self.pass_index = pass_index
        self.passes = passes
        span = max_rounds or reps
        self.first_round = pass_index * span if passes > 1 else 0
        self.owned_reps = range(self.first_round, self.first_round + span) if passes > 1 else None
        self.series = series
        self.kind = kind
        self.spec = spec  # ordered {arg: value} of the identifying options
        self.reps = reps
        self.seed = seed
        self.timeout = timeout
        self.verify = verify
        self.extra = extra
        self.grid = grid

    def key(self):
        parts = [self.kind]
        for k, v in self.spec.items():
            if k in ("strategy", "workload", "tether"):
                name, opts = split_spec(v)
                v = name + ":" + ",".join(f"{a}={b}" for a, b in sorted(opts.items()) if a not in UNIDENTIFYING)
            parts.append(f"{k}={v}")
        for st in self.strategies:
            name, opts = split_spec(st)
            parts.append("strategy=" + name + ":" + ",".join(f"{a}={b}" for a, b in sorted(opts.items())))
        parts.append(f"seed={self.seed}")
        if self.passes > 1:
            parts.append(f"pass={self.pass_index}/{self.passes}")
        return "|".join(parts)

    def args(self):
        s = self.spec
        a = []
        if self.kind == "transmigrate":
            a.extend(f"--strategy={st}" for st in self.strategies)
            a.append(f"--workload={s['workload']}")
            a.append(f"--size={s['size']}")
            if "block" in s:
                a.append(f"--block={s['block']}")
            if "allocator" in s:
                a.append(f"--allocator={s['allocator']}")
        else:
            for tether in self.strategies:
                if self.series and self.series_path:
                    tether += ("," if ":" in tether else ":") + f"series={self.series_path}"
                a.append(f"--tether={tether}")
            a.append(f"--threads={s['threads']}")
            for k, flag in (("writers", "--writers"), ("read", "--read"), ("slots", "--slots"),
                            ("layout", "--layout"), ("stall_ms", "--stall-ms"), ("update_us", "--update-us"),
                            ("duration", "--duration")):
                if k in s:
                    a.append(f"{flag}={fmt_num(s[k])}")
        a.append(f"--reps={self.reps}")
        if self.first_round:
            a.append(f"--first-round={self.first_round}")
        if self.max_rounds is not None:
            a.append(f"--max-rounds={self.max_rounds}")
        if self.max_seconds is not None:
            a.append(f"--max-seconds={fmt_num(self.max_seconds)}")
        if self.seed is not None:
            a.append(f"--seed={self.seed}")
        if self.verify is False:
            a.append("--no-verify")
        a.extend(self.extra)
        return a

    def label(self):
        s = self.spec
        if self.kind == "transmigrate":
            label = f"{s['workload']} n={s['size']} ({' '.join(split_spec(st)[0] for st in self.strategies)})"
            return label + (f" pass {self.pass_index + 1}/{self.passes}" if self.passes > 1 else "")
        bits = [f"{s['threads']}t"]
        if s.get("stall_ms"):
            bits.append(f"stall={s['stall_ms']}ms")
        if "layout" in s:
            bits.append(s["layout"])
        return " ".join(bits) + f" ({' '.join(split_spec(st)[0] for st in self.strategies)})"

    def weight(self):
        """Rough cost, for the ETA: object-steps for transmigration, seconds for tethers
        (the schemes and the two yardsticks, `reps` rounds)."""
        if self.kind == "transmigrate":
            _, opts = split_spec(self.spec["workload"])
            g = placer_garbage(opts) or 0.0
            return len(self.strategies) * self.reps * (self.spec["size"] * (1 + g) + 5000)
        return self.reps * self.round_seconds()

    def round_seconds(self):
        """Tethers: one round, every scheme and the two yardsticks once."""
        return (len(self.strategies) + 2) * (float(self.spec.get("duration", 1.0)) + 0.2)

    # One transmigration trial on a quiet 2-vCPU guest, for bounds: ~1.3 us per object
    # moved (the graph built, warmed, copied and its yardstick timed) and at most ~50 ms
    # besides (a fork, the warm-up, the machine gate's probes; ~16 ms at 10^3 objects since the
    # warm-up writes only the heap the call may need); measured from `make results` rows.
    TRIAL_S_PER_OBJECT = 1.3e-6
    TRIAL_S_FIXED = 0.05

    def bound_seconds(self):
        """At most how long the harness call runs: rounds stop at max_rounds or once
        max_seconds are spent (after the round under way), never before reps."""
        if self.kind == "transmigrate":
            _, opts = split_spec(self.spec["workload"])
            objects = self.spec["size"] * (1 + (placer_garbage(opts) or 0.0))
            one = len(self.strategies) * (objects * self.TRIAL_S_PER_OBJECT + self.TRIAL_S_FIXED)
        else:
            one = self.round_seconds()
        rounds = max(self.max_rounds or self.reps, self.reps)
        bound = one * rounds
        if self.max_seconds is not None:
            bound = min(bound, max(self.max_seconds + one, one * self.reps))
        return bound

    # -- matching rows of a CSV (resume) --
    def owns_rep(self, rep):
        """Whether rep is one of this trial's (every rep, unless it is one pass of several)."""
        return self.owned_reps is None or rep in self.owned_reps

    def matches(self, row):
        """The rep this row is of this trial, or None."""
        if row.get("kind") != self.kind:
            return None
        try:
            rep = int(row.get("rep", ""))
        except ValueError:
            return None
        if not self.owns_rep(rep):
            return None
        s = self.spec
        if self.kind == "transmigrate":
            if self.strategy_of(row) is None:
                return None
            if not workload_equal(row, s["workload"]):
                return None
            if not same_value(row.get("size", ""), s["size"]):
                return None
            if "block" in s and not same_value(row.get("block", ""), s["block"]):
                return None
            if "allocator" in s and row.get("allocator", "") != s["allocator"]:
                return None
        else:
            if self.strategy_of(row) is None:
                return None
            for k in ("threads", "writers", "read", "slots", "stall_ms"):
                if k in s and not same_value(row.get(k, ""), s[k]):
                    return None
            if "layout" in s and row.get("layout", "") != s["layout"]:
                return None
        if self.seed is not None and row.get("seed", "") != "":
            if not (same_value(row["seed"], self.seed + rep) or same_value(row["seed"], self.seed)):
                return None
        return rep


def _strategy_of(self, row):
    """Which of this grid point's modules (strategies, tether schemes) the row is of, or None."""
    col = "strategy" if self.kind == "transmigrate" else "tether"
    return next((st for st in self.strategies if spec_equal(row.get(col, ""), st)), None)


Trial.strategy_of = _strategy_of


# Module options that say where output goes, not what was measured.
UNIDENTIFYING = ("series",)


def spec_equal(a, b):
    na, oa = split_spec(a)
    nb, ob = split_spec(b)
    oa = {k: v for k, v in oa.items() if k not in UNIDENTIFYING}
    ob = {k: v for k, v in ob.items() if k not in UNIDENTIFYING}
    if na != nb or set(oa) != set(ob):
        return False
    return all(same_value(oa[k], ob[k]) for k in oa)


def workload_equal(row, spec):
    """The row's workload (its options, plus the layout and garbage columns) equals spec."""
    name, opts = split_spec(spec)
    rname, ropts = split_spec(row.get("workload", ""))
    if name != rname:
        return False
    rfull = dict(ropts)
    if row.get("layout"):
        rfull.setdefault("layout", row["layout"])
    for k, v in opts.items():
        if k not in rfull or not same_value(rfull[k], v):
            return False
    # options the row names that the trial does not (other than the placer's defaults)
    for k, v in ropts.items():
        if k in opts or (k == "layout" and v == "alloc") or (k == "garbage" and same_value(v, 0)):
            continue
        if not (k == "live" and same_value(v, 1)):
            return False
    return True


def fmt_num(v):
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def expand_modules(items, kind, registry, where):
    """Module names of a list key: all, -NAME, NAME? resolved against --list."""
    known = registry.get(kind, [])
    out, drop, notes = [], set(), []
    for it in items:
        if it == "all":
            out.extend(known)
            continue
        if it.startswith("-"):
            drop.add(it[1:])
            continue
        optional = False
        name, opts = split_spec(it)
        if name.endswith("?"):
            optional, name = True, name[:-1]
            it = it.replace("?", "", 1)
        if name not in known:
            if optional:
                notes.append(f"{kind} '{name}' is not registered yet: skipped")
                continue
            raise BadInput(f"{where}: unknown {kind} '{name}'; valid: {', '.join(known) or 'none registered'} "
                           f"(or all, -NAME, NAME?)")
        out.append(it)
    for d in drop:
        if d not in known:
            raise BadInput(f"{where}: unknown {kind} '-{d}'; valid: {', '.join(known)}")
    res = []
    for it in out:
        if split_spec(it)[0] not in drop and it not in res:
            res.append(it)
    return res, notes


def grid_trials(label, where, keys, registry):
    """Parses and checks one resolved grid; returns (trials, notes)."""
    def loc(key):
        t, ln, f, _ = keys[key]
        return f"{f}:{ln}"

    if "kind" not in keys:
        raise BadInput(f"{where}: grid [{label}] has no 'kind' (valid: transmigrate, tether)")
    kind = keys["kind"][0]
    if kind not in KINDS:
        raise BadInput(f"{loc('kind')}: unknown kind '{kind}'; valid: transmigrate, tether")
    table = dict(COMMON_KEYS)
    table.update(KINDS[kind])
    vals = {}
    for key, (text, ln, f, from_defaults) in keys.items():
        if key not in table:
            # defaults at the top of a file apply only to the grids where they fit
            if from_defaults and any(key in KINDS[k] for k in KINDS):
                continue
            valid = ", ".join(sorted(table))
            raise BadInput(f"{f}:{ln}: unknown key '{key}' for a {kind} grid; valid: {valid}")
        canon, parser = table[key]
        try:
            v = parse_value(parser, text)
        except ValueError as e:
            raise BadInput(f"{f}:{ln}: bad value for {key}: '{e}' (expected {VALID_HINT[parser]})")
        if isinstance(v, list) and not v and parser not in ("args",):
            raise BadInput(f"{f}:{ln}: {key} is empty (expected {VALID_HINT[parser]})")
        vals[canon] = v
    for req in REQUIRED[kind]:
        if req not in vals:
            raise BadInput(f"{where}: grid [{label}] needs '{req}' for kind {kind}")
    notes = []
    for mk, mkind in MODULE_KIND.items():
        if mk in vals:
            vals[mk], n = expand_modules(vals[mk], mkind, registry, loc(mk) if mk in keys else where)
            notes.extend(f"[{label}] {x}" for x in n)
            if not vals[mk]:
                notes.append(f"[{label}] no {mkind} left to run: grid skipped")
                return [], notes

    if "garbage" in vals and "live" in vals:
        raise BadInput(f"{loc('live')}: give garbage or live, not both (garbage at {loc('garbage')})")
    reps = vals.get("reps", 3 if kind == "transmigrate" else 1)
    seed = vals.get("seed")
    timeout = vals.get("timeout")
    verify = vals.get("verify")
    extra = vals.get("extra", [])
    trials = []
    if kind == "transmigrate":
        # passes = P: each grid point's rounds in P harness calls, the sweep running
        # every grid point's first pass before any second one, so that a spell of a
        # slow machine (minutes long on a shared guest) reaches one pass of a cell,
        # not all of it; each call runs its share of reps, max_rounds and max_seconds.
        passes = vals.get("passes", 1)
        pass_reps = -(-reps // passes)
        pass_rounds = -(-vals["max_rounds"] // passes) if "max_rounds" in vals else None
        pass_seconds = vals["max_seconds"] / passes if "max_seconds" in vals else None
        if passes > 1:  # a pass owns the reps [first_round, first_round + pass_rounds)
            pass_rounds = max(pass_rounds or 0, pass_reps)
        for wl in vals["workloads"]:
            for lay, kn in [(la, k) for la in vals.get("layouts", [None]) for k in vals.get("knows", [None])]:
                # garbage = G or live = R: the workload option of that name
                ratio_key = "live" if "live" in vals else "garbage"
                for g in vals.get(ratio_key, [None]):
                    for n in vals["sizes"]:
                        for b in vals.get("block", [None]):
                            for alloc in vals.get("allocator", [None]):
                                name, opts = split_spec(wl)
                                opts = dict(opts)
                                if lay is not None:
                                    opts["layout"] = lay
                                if g is not None:
                                    opts[ratio_key] = fmt_num(g)
                                if kn is not None:
                                    if kn == "dense" and not same_value(placer_garbage(opts), 0):
                                        continue  # dense is garbage=0: the harness refuses the pair
                                    opts["knows"] = kn
                                spec = {"workload": name + (":" + ",".join(f"{k}={v}" for k, v in opts.items()) if opts else ""),
                                        "size": n}
                                if b is not None:
                                    spec["block"] = b
                                if alloc is not None:
                                    spec["allocator"] = alloc
                                legal = legal_strategies(vals["strategies"], spec["workload"])
                                if not legal:
                                    continue
                                for p in range(passes):
                                    trials.append(Trial(kind, spec, pass_reps, seed, timeout, verify, extra, label,
                                                        strategies=legal, max_rounds=pass_rounds,
                                                        max_seconds=pass_seconds, pass_index=p, passes=passes))
    else:
        dims = ["layouts", "stall_ms", "read", "slots", "writers", "update_us", "duration"]
        names = {"layouts": "layout"}

        def rec(i, spec):
            if i == len(dims):
                for t in vals["threads"]:
                    s = {"threads": t}
                    s.update(spec)
                    trials.append(Trial(kind, s, reps, seed, timeout, verify, extra, label,
                                        series=vals.get("series", False), strategies=vals["tethers"],
                                        max_rounds=vals.get("max_rounds"), max_seconds=vals.get("max_seconds")))
                return
            d = dims[i]
            if d not in vals:
                rec(i + 1, spec)
                return
            for v in vals[d]:
                s = dict(spec)
                s[names.get(d, d)] = v
                rec(i + 1, s)
        rec(0, {})
    return trials, notes


def load(name_or_path, registry):
    """All trials of a sweep, deduplicated, in grid order but every grid point's first pass
    before any second one; plus notes for stderr."""
    path = sweep_path(name_or_path)
    grids = resolve(path)
    trials, notes, seen = [], [], set()
    for label, where, keys in grids:
        t, n = grid_trials(label, where, keys, registry)
        notes.extend(n)
        for tr in t:
            k = tr.key()
            if k in seen:
                continue
            seen.add(k)
            trials.append(tr)
    # Every grid point's first pass before any second one (grid order within a pass).
    trials.sort(key=lambda tr: tr.pass_index)
    return path, trials, notes
