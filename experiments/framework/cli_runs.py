"""`python -m experiments runs ...`: list, show, tag, note, remove and export catalogued runs.

The catalog is `experiments/framework/catalog.py`: SQLite in `$DESCENT_LAB_RESULTS`
(default `results/`), or PostgreSQL at `$DESCENT_LAB_CATALOG_URL`. This module imports
no numpy, pandas or pyarrow, so `runs list` answers in a fraction of a second;
`experiments/__main__.py` sends `runs` here directly, cli.py adds the same verb to the
full parser (and takes its one-line error handling from here).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from experiments.framework.wording import count

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input, reported as one line."""


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)

EXAMPLES = """examples:
  python -m experiments runs list --experiment polynomial --since 2026-11-01
  python -m experiments runs list --tag baseline --json
  python -m experiments runs show ab12cd34
  python -m experiments runs tag ab12cd34 baseline
  python -m experiments runs export ab12cd34 --out run.csv"""


def add_parser(sub) -> None:
    runs = sub.add_parser("runs", help="list, show, tag, note, remove or export saved runs",
                          epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = runs.add_subparsers(dest="runs_verb", required=True, parser_class=type(runs),
                                metavar="{list,show,tag,note,rm,export}")
    listing = verbs.add_parser("list", help="runs, newest first (filters combine)")
    listing.add_argument("--experiment", help="only this experiment's runs")
    listing.add_argument("--tag", help="only runs with this tag")
    listing.add_argument("--since", help="made on or after this date (YYYY-MM-DD) or ISO time")
    listing.add_argument("--until", help="made on or before this date or ISO time")
    listing.add_argument("--text", help="search ids, experiments, tags, notes, authors, commands")
    listing.add_argument("--source", choices=("cli", "dask", "page", "shipped"),
                         help="only runs saved from here")
    listing.add_argument("--limit", type=int, default=None, help="at most this many runs")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    show = verbs.add_parser("show", help="a run's parameters and provenance")
    show.add_argument("id")
    show.add_argument("--json", action="store_true", help="print JSON")
    tag = verbs.add_parser("tag", help="add a tag to a run (--remove takes it off)")
    tag.add_argument("id")
    tag.add_argument("tag")
    tag.add_argument("--remove", action="store_true", help="remove the tag instead")
    note = verbs.add_parser("note", help="set a run's note (an empty text clears it)")
    note.add_argument("id")
    note.add_argument("text")
    remove = verbs.add_parser("rm", help="remove a run and its result (not a shipped one)")
    remove.add_argument("id")
    export = verbs.add_parser("export", help="write a run's result to .parquet or .csv")
    export.add_argument("id")
    export.add_argument("--out", type=Path, required=True, help="file ending in .parquet or .csv")


def _table(records) -> str:
    lines = [f"{'id':<8}  {'created (UTC)':<16}  {'experiment':<19} {'source':<7} "
             f"{'seeds':>5} {'runtime':>8}  tags / note"]
    for r in records:
        extra = " ".join([*(f"#{t}" for t in r.tags), r.note[:60]]).strip()
        lines.append(f"{r.id:<8}  {r.created[:16].replace('T', ' '):<16}  {r.experiment:<19} "
                     f"{r.source:<7} {len(r.seeds):>5} {r.runtime_s:>7.1f}s  {extra}")
    return "\n".join(lines)


def do_runs(args) -> None:
    from experiments.framework.catalog import open_catalog

    with open_catalog() as catalog:
        verb = args.runs_verb
        if verb == "list":
            records = catalog.list(experiment=args.experiment, tag=args.tag, since=args.since,
                                   until=args.until, text=args.text, source=args.source,
                                   limit=args.limit)
            if args.json:
                print(json.dumps([r.to_json() for r in records]))  # dumps: the C encoder
            else:
                print(_table(records))
                print(f"{count(len(records), 'run')} in {catalog.where}", file=sys.stderr)
        elif verb == "show":
            record = catalog.get(args.id)
            provenance = catalog.provenance(args.id)
            shown = {**record.to_json(), "packages": provenance.get("packages", {}),
                     "platform": provenance.get("platform", "")}
            if args.json:
                print(json.dumps(shown, indent=2))
            else:
                width = max(map(len, shown))
                for key, value in shown.items():
                    text = value if isinstance(value, str) else json.dumps(value)
                    print(f"{key:<{width}}  {text}")
        elif verb == "tag":
            (catalog.untag if args.remove else catalog.tag)(args.id, args.tag)
            print(f"run {args.id}: tags {' '.join(catalog.get(args.id).tags) or '(none)'}",
                  file=sys.stderr)
        elif verb == "note":
            catalog.note(args.id, args.text)
        elif verb == "rm":
            catalog.remove(args.id)
            print(f"removed run {args.id}", file=sys.stderr)
        elif verb == "export":
            out = catalog.export(args.id, args.out)
            print(f"wrote run {args.id} to {out}", file=sys.stderr)


def save_run(result, backend: str | None) -> None:
    """Keep a finished `run` in the catalog and say its id (stderr: stdout holds the table)."""
    from experiments.framework.catalog import open_catalog

    with open_catalog() as catalog:
        record = catalog.save(result, source="dask" if backend == "dask" else "cli")
    print(f"saved as run {record.id} (python -m experiments runs show {record.id})",
          file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """`python -m experiments runs ...` alone: one line on stderr and status 2 for bad input."""
    from experiments.framework.catalog import CatalogError

    parser = OneLineParser(prog="python -m experiments")
    add_parser(parser.add_subparsers(dest="verb", required=True, parser_class=OneLineParser))
    try:
        do_runs(parser.parse_args(sys.argv[1:] if argv is None else argv))
    except (UsageError, CatalogError, OSError) as err:
        return one_line_error(err)
    return 0


def one_line_error(err: Exception) -> int:
    """The error as one line on stderr (an OSError with the file it names); the exit code."""
    if isinstance(err, OSError):
        err = f"{err.strerror or err} ({getattr(err, 'filename', '') or ''})"
    print(f"error: {err}", file=sys.stderr)
    return EXIT_USAGE
