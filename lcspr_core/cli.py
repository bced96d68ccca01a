"""The `lcspr` command: a thin wrapper over the core services.

Errors are one plain line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import stat
import sys
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from lcspr_core import accounts, exchange, partnership, questions, services, storage
from lcspr_core.access import demo_loader, system_actor
from lcspr_core.cli_partnership import add_partnership_commands
from lcspr_core.cli_questions import add_question_commands
from lcspr_core.cli_requests import add_request_commands, show_request_clocks
from lcspr_core.cli_users import add_user_commands
from lcspr_core.clocks import Clock
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.errors import LcsprError
from lcspr_core.model import Review
from lcspr_core.review_clocks import next_clock, review_clocks
from lcspr_core.settings import load_clock_rules
from lcspr_core.stage import derive_stage
from lcspr_core.storage import Database
from lcspr_core.text import english_date
from lcspr_core.validation import plain_problems

# Whoever runs the command can read the database file anyway: the CLI acts as the machine.
CLI_ACTOR = system_actor("lcspr command line")
# An export of the largest real review is a few megabytes; this bounds the memory a mistaken
# or hostile file can take before it is refused.
MAX_IMPORT_BYTES = 200 * 1024 * 1024


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-04"
        ) from None


def _clock_line(clock: Clock) -> str:
    if clock.done_on:
        left = ""
    elif clock.days_left < 0:
        left = f", {-clock.days_left} days overdue"
    else:
        left = f", {clock.days_left} days left"
    done = f", done {english_date(clock.done_on)}" if clock.done_on else ""
    return (
        f"{clock.label}: due {english_date(clock.due)} ({clock.status}{done}{left}) — {clock.rule}"
    )


def cmd_demo(db: Database, args: argparse.Namespace) -> None:
    review = build_demo_review(args.reference)
    # Loaded as the demo loader, so it is marked a demo review: demo accounts see no other.
    services.create_review(db=db, review=review, actor=demo_loader(), replace=args.replace)
    # The demo's fictional letterhead, only into a database with no profile of its own.
    partnership.install_demo_profile(db=db)
    _out(review.reference)
    if args.with_demo_users:
        # Usable only from this machine, without a password, and only while no real account
        # exists (see accounts.sign_in_demo).
        added = accounts.add_demo_users(db=db, reference=review.reference, actor=demo_loader())
        _out("Demo accounts (this machine only, not for real cases): " + ", ".join(added))


def cmd_list(db: Database, args: argparse.Namespace) -> None:
    rules = load_clock_rules()
    reviews = services.list_reviews(db=db, actor=CLI_ACTOR)
    if not reviews:
        _out("No reviews yet. Add the demo with `lcspr demo`, or start one in the app.")
        return
    for review in reviews:
        upcoming = next_clock(review_clocks(review=review, today=services.today(), rules=rules))
        clock = (
            f"{upcoming.label} due {english_date(upcoming.due)} ({upcoming.status})"
            if upcoming
            else "no open clock"
        )
        _out(
            f"{review.reference}\t{review.incident.child.pseudonym}\t"
            f"{derive_stage(review)}\t{clock}"
        )


def _show(review: Review) -> None:
    incident = review.incident
    _out(f"{review.reference} — {incident.child.pseudonym} ({incident.child.age_band})")
    _out(f"Stage: {derive_stage(review)}")
    _out(
        f"Incident: {incident.incident_type}; local authority aware "
        f"{english_date(incident.la_aware_on)}, partners aware "
        f"{english_date(incident.partners_aware_on)}"
    )
    _out(f"Outline: {incident.outline}")
    if review.decision:
        _out(f"Decision: {review.decision.outcome} on {english_date(review.decision.decided_on)}")
    if review.setup and review.setup.reviewers:
        _out("Reviewer: " + ", ".join(person.name for person in review.setup.reviewers))
    _out(
        f"Agencies: {len(incident.agencies)}; chronology entries: {len(review.chronology)}; "
        f"findings: {len(review.findings)}; recommendations: {len(review.recommendations)}"
    )
    _out()
    _out("Clocks:")
    rules = load_clock_rules()
    for clock in review_clocks(review=review, today=services.today(), rules=rules):
        _out(f"  {_clock_line(clock)}")


def cmd_show(db: Database, args: argparse.Namespace) -> None:
    _show(services.load_review(db=db, reference=args.reference, actor=CLI_ACTOR))
    show_request_clocks(db, args.reference)


def cmd_export(db: Database, args: argparse.Namespace) -> None:
    text = json.dumps(
        exchange.export_review(db=db, reference=args.reference, actor=CLI_ACTOR),
        indent=2,
        ensure_ascii=False,
    )
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        _out(f"Exported {args.reference} to {args.output}")
    else:
        _out(text)


def read_import_file(path: Path) -> str:
    """The text of an export file, refusing anything that is not a regular file of at most
    MAX_IMPORT_BYTES: /dev/zero or a pipe would otherwise be read for ever (issue 11, I)."""
    try:
        # O_NONBLOCK: opening a named pipe with no writer would otherwise wait for ever. It
        # has no effect on reading a regular file, the only kind read below.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise LcsprError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    # Checked on the open file, not the name, so the file cannot be swapped in between.
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise LcsprError(f"Cannot read {path}: it is not a regular file.")
    with os.fdopen(descriptor, "rb") as handle:
        if info.st_size > MAX_IMPORT_BYTES:
            raise LcsprError(
                f"Cannot read {path}: it is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB."
            )
        try:
            # One byte more than the limit, in case the file grew after fstat.
            data = handle.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            raise LcsprError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_IMPORT_BYTES:
        raise LcsprError(
            f"Cannot read {path}: it is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LcsprError(f"Cannot read {path}: it is not UTF-8 text ({exc.reason}).") from exc


def cmd_import(db: Database, args: argparse.Namespace) -> None:
    text = read_import_file(Path(args.file))
    review = exchange.import_review(db=db, text=text, actor=CLI_ACTOR, replace=args.replace)
    _out(f"Imported {review.reference}")


def cmd_schema(db: Database | None, args: argparse.Namespace) -> None:
    _out(json.dumps(exchange.export_schema(), indent=2))


def cmd_clocks(db: Database | None, args: argparse.Namespace) -> None:
    from lcspr_core.clocks import what_if_clocks

    clocks = what_if_clocks(
        la_aware=args.la_aware,
        partners_aware=args.partners_aware,
        decided_on=args.decision,
        publication_on=args.publication,
        today=args.today or services.today(),
        rules=load_clock_rules(),
    )
    if args.json:
        _out(
            json.dumps(
                [
                    {
                        "key": c.key,
                        "label": c.label,
                        "due": c.due.isoformat(),
                        "status": str(c.status),
                        "days_left": c.days_left,
                        "rule": c.rule,
                        "source": c.source,
                    }
                    for c in clocks
                ],
                indent=2,
            )
        )
        return
    for clock in clocks:
        _out(_clock_line(clock))


def cmd_render(db: Database, args: argparse.Namespace) -> None:
    from lcspr_core import documents

    if args.list:
        for kind in documents.document_kinds():
            _out(f"{kind.kind}\t{kind.title}")
        return
    if not args.reference or not args.kind:
        raise LcsprError("Give a review reference and a document kind, or --list.")
    review = services.load_review(db=db, reference=args.reference, actor=CLI_ACTOR)
    if args.pdf:
        from lcspr_core.documents.pdf import pdf_unavailable_reason

        # Said before anything is generated, so nothing is recorded for a PDF never made.
        reason = pdf_unavailable_reason()
        if reason:
            raise LcsprError(reason)
    data = documents.generate_document(db=db, kind=args.kind, review=review, actor=CLI_ACTOR)
    suffix = ".pdf" if args.pdf else ".docx"
    if args.pdf:
        from lcspr_core.documents.pdf import convert_to_pdf

        data = convert_to_pdf(data)
    output = Path(args.output or f"{review.reference}-{args.kind}{suffix}")
    # Written whole or not at all: a failed conversion raised above, before any file.
    storage.write_file_atomically(output, data)
    _out(f"Wrote {output}")


def cmd_audit(db: Database, args: argparse.Namespace) -> None:
    from lcspr_core.audit_trail import verify_audit_log

    check = verify_audit_log(db=db, actor=CLI_ACTOR)
    if not check.intact:
        listed = "\n".join(f"- {problem}" for problem in check.problems)
        raise LcsprError(
            f"The audit log is not intact:\n{listed}\n"
            "Restore the latest backup (with its .anchor file) and investigate."
        )
    _out(
        f"The audit log is intact: {check.entries} entries, each chained to the one before "
        f"under this installation's key, matching its anchor; the append-only triggers are in "
        f"place; all {check.records} stored records match their latest audit entry."
    )


def cmd_backup(db: Database, args: argparse.Namespace) -> None:
    target = Path(args.file)
    if target.exists() and not args.force:
        raise LcsprError(f"{target} already exists; choose another name or add --force.")
    storage.backup_to(db, target)
    anchor = storage.anchor_path(target)
    _out(
        f"Backed up to {target}, with its audit anchor {anchor}. To restore: stop the app and "
        "copy both over the database file and its .anchor file."
    )


def cmd_check(db: Database, args: argparse.Namespace) -> None:
    from lcspr_core.publication import safe_candidate_ids
    from lcspr_core.readiness import readiness_problems, recommendation_advice

    review = services.load_review(db=db, reference=args.reference, actor=CLI_ACTOR)
    items = readiness_problems(
        review=review, purpose=args.purpose, today=services.today(), rules=load_clock_rules(),
        safe_candidates=safe_candidate_ids(db=db, reference=review.reference, actor=CLI_ACTOR),
        defined=questions.definitions(db=db),
    )  # fmt: skip
    step = "marked Final" if args.purpose == "final" else "published"
    if not items:
        _out(f"{review.reference} is ready to be {step}.")
    for item in items:
        _out(f"- {item.message} ({item.page} page)")
    for advice in recommendation_advice(review):
        _out(f"Advice (does not block): {advice.message}")
    if not items:
        return
    raise LcsprError(f"{review.reference} is not ready to be {step}: {len(items)} item(s) missing.")


def cmd_release(db: Database, args: argparse.Namespace) -> None:
    from lcspr_core.publication import (
        mark_candidate_safe,
        published_kind,
        release_publication_version,
    )

    if args.mark_safe:
        if args.reason is None:
            raise LcsprError("Give the reason the candidate is safe to publish: --reason TEXT")
        hit = mark_candidate_safe(
            db=db, reference=args.reference, candidate_id=args.mark_safe, reason=args.reason,
            actor=CLI_ACTOR, today=services.today(),
        )  # fmt: skip
        _out(f"Marked candidate {hit.id} safe ({hit.term} in {hit.where}). Release again.")
        return
    if args.reason is not None:
        raise LcsprError("--reason goes with --mark-safe ID.")
    review = services.load_review(db=db, reference=args.reference, actor=CLI_ACTOR)
    data = release_publication_version(
        db=db, reference=args.reference, actor=CLI_ACTOR, today=services.today(),
        expected_version=None,
    )  # fmt: skip
    output = Path(args.output or f"{review.reference}-{published_kind(review=review)}.docx")
    storage.write_file_atomically(output, data)
    _out(f"Released {output}: no restricted name or detail found in it.")


def cmd_action_plan_xlsx(db: Database, args: argparse.Namespace) -> None:
    from lcspr_core.action_plan import action_plan_xlsx

    if args.reference:
        reviews = [services.load_review(db=db, reference=args.reference, actor=CLI_ACTOR)]
    else:
        reviews = services.list_reviews(db=db, actor=CLI_ACTOR)
    data = action_plan_xlsx(reviews=reviews, today=services.today(), rules=load_clock_rules())
    output = Path(args.output or f"{args.reference or 'all-reviews'}-action-plan.xlsx")
    storage.write_file_atomically(output, data)
    _out(f"Wrote {output}")


def cmd_nspcc_export(db: Database, args: argparse.Namespace) -> None:
    from lcspr_core.learning import nspcc_metadata_csv

    text = nspcc_metadata_csv(
        reviews=services.list_reviews(db=db, actor=CLI_ACTOR), published_only=not args.all
    )
    if args.output:
        storage.write_file_atomically(Path(args.output), text.encode("utf-8"))
        _out(f"Wrote {args.output}")
    else:
        sys.stdout.write(text)


def cmd_tracker_export(db: Database, args: argparse.Namespace) -> None:
    from lcspr_core.tracker_export import tracker_csv

    stored = partnership.read_profile(db=db)
    text = tracker_csv(
        reviews=services.list_reviews(db=db, actor=CLI_ACTOR),
        partnership=stored.profile.name if stored else "",
    )
    if args.output:
        storage.write_file_atomically(Path(args.output), text.encode("utf-8"))
        _out(f"Wrote {args.output}")
    else:
        sys.stdout.write(text)


def cmd_learning_report(db: Database, args: argparse.Namespace) -> None:
    from lcspr_core.yearly_report import yearly_learning, yearly_learning_docx

    if not 1900 <= args.year <= 9999:
        raise LcsprError(f"{args.year} is not a year: give one like {services.today().year}.")
    if args.pdf:
        from lcspr_core.documents.pdf import pdf_unavailable_reason

        reason = pdf_unavailable_reason()
        if reason:
            raise LcsprError(reason)
    stored = partnership.read_profile(db=db)
    summary = yearly_learning(
        reviews=services.list_reviews(db=db, actor=CLI_ACTOR), year=args.year,
        today=services.today(),
    )  # fmt: skip
    data = yearly_learning_docx(summary, partnership=stored.profile.name if stored else "")
    if args.pdf:
        from lcspr_core.documents.pdf import convert_to_pdf

        data = convert_to_pdf(data)
    suffix = "pdf" if args.pdf else "docx"
    output = Path(args.output or f"learning-from-reviews-{args.year}.{suffix}")
    storage.write_file_atomically(output, data)
    counts = (
        f"{len(summary.started)} review(s) started and {len(summary.completed)} completed"
        if not summary.empty
        else "no review started or completed"
    )
    _out(f"Wrote {output} ({counts} in {args.year})")


def cmd_search(db: Database, args: argparse.Namespace) -> None:
    from lcspr_core.search import search

    result = search(
        db=db, actor=CLI_ACTOR, query=args.query, reference=args.review, kind=args.kind,
        limit=args.limit, start=args.start,
    )  # fmt: skip
    for hit in result.hits:
        snippet = " ".join(hit.snippet_with("[", "]").split())
        _out(f"{hit.reference}  {hit.kind_label}: {hit.title}\n    {snippet}\n    ({hit.record})")
    if result.message:
        _out(result.message)
    elif result.hits:
        more = f" More: --start {result.start + len(result.hits)}" if result.more else ""
        _out(result.summary() + more)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lcspr",
        description="Local Child Safeguarding Practice Reviews, from the command line.",
    )
    parser.add_argument(
        "--db", help=f"database file (default: ${storage.DB_ENV_VAR} or {storage.DEFAULT_DB_PATH})"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="add the fictional demo review and print its reference")
    p.add_argument("--reference", default=DEMO_REFERENCE, help="reference to give it")
    p.add_argument("--replace", action="store_true", help="replace it if it exists")
    p.add_argument(
        "--with-demo-users", action="store_true",
        help="also add one demo account per role, usable only on this machine, until a real "
        "account exists",
    )  # fmt: skip
    p.set_defaults(func=cmd_demo)

    sub.add_parser("list", help="every review: reference, child, stage, next clock").set_defaults(
        func=cmd_list
    )

    p = sub.add_parser("show", help="a readable summary of one review with all its clocks")
    p.add_argument("reference")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("export", help="export a whole review as JSON")
    p.add_argument("reference")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="import a review exported as JSON")
    p.add_argument("file")
    p.add_argument("--replace", action="store_true", help="replace a review with that reference")
    p.set_defaults(func=cmd_import)

    sub.add_parser("schema", help="print the JSON Schema of an export").set_defaults(
        func=cmd_schema, no_db=True
    )

    p = sub.add_parser("clocks", help="what-if: every clock these dates determine")
    p.add_argument(
        "--la-aware",
        type=_date,
        required=True,
        metavar="DATE",
        help="date the local authority became aware",
    )
    p.add_argument(
        "--partners-aware",
        type=_date,
        required=True,
        metavar="DATE",
        help="date the safeguarding partners became aware",
    )
    p.add_argument("--decision", type=_date, metavar="DATE", help="date of the decision")
    p.add_argument("--publication", type=_date, metavar="DATE", help="(planned) publication date")
    p.add_argument("--today", type=_date, metavar="DATE", help="count days left from this date")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_clocks, no_db=True)

    p = sub.add_parser("audit", help="check the audit log's hash chain")
    p.add_argument("action", choices=["verify"], help="verify: check every entry's hash")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("backup", help="copy the whole database while the app runs")
    p.add_argument("file", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("render", help="render a Word document for a review")
    p.add_argument("reference", nargs="?")
    p.add_argument("kind", nargs="?")
    p.add_argument("-o", "--output", help="file to write")
    p.add_argument("--list", action="store_true", help="list the document kinds")
    p.add_argument(
        "--pdf", action="store_true",
        help="write a tagged, accessible PDF (PDF/UA) instead of Word; needs LibreOffice",
    )  # fmt: skip
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("check", help="readiness: what is still missing before Final or publication")
    p.add_argument("reference")
    p.add_argument(
        "--for", dest="purpose", choices=["final", "publication"], default="publication",
        help="the step to check for (default: publication)",
    )  # fmt: skip
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "release", help="release the publication version, refused if a restricted term remains"
    )
    p.add_argument("reference")
    p.add_argument("-o", "--output", help="file to write")
    p.add_argument(
        "--mark-safe", metavar="ID",
        help="mark one unsure candidate the refusal listed as safe to publish (needs --reason)",
    )  # fmt: skip
    p.add_argument("--reason", help="why the candidate is not a restricted detail (audited)")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("action-plan-xlsx", help="the action plan as a spreadsheet for the board")
    p.add_argument("reference", nargs="?", help="one review (default: every review)")
    p.add_argument("-o", "--output", help="file to write")
    p.set_defaults(func=cmd_action_plan_xlsx)

    p = sub.add_parser("nspcc-export", help="metadata for the NSPCC case review repository (CSV)")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.add_argument("--all", action="store_true", help="include reviews not yet published")
    p.set_defaults(func=cmd_nspcc_export)

    p = sub.add_parser(
        "tracker-export", help="the Safeguarding Case Review Tracker return (CSV)"
    )
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_tracker_export)

    p = sub.add_parser(
        "learning-report",
        help="the yearly report's 'Learning from reviews' section for one year (Word)",
    )
    p.add_argument("year", type=int, help="the year: reviews started or completed in it")
    p.add_argument(
        "-o", "--out", "--output", dest="output",
        help="file to write (default: learning-from-reviews-YEAR.docx, or .pdf)",
    )  # fmt: skip
    p.add_argument("--pdf", action="store_true", help="write a PDF instead; needs LibreOffice")
    p.set_defaults(func=cmd_learning_report)

    p = sub.add_parser("search", help="search every review's findings, recommendations and more")
    p.add_argument("query", help="words to look for (every word must appear)")
    p.add_argument("--review", help="search one review only")
    p.add_argument(
        "--kind",
        help="chronology, findings, recommendations, practitioner_contributions, "
        "family_contributions, meetings or answers (a section's answers to the partnership's "
        "own questions)",
    )
    p.add_argument("--limit", type=int, default=20, help="most results to show (default 20)")
    p.add_argument(
        "--start", type=int, default=0, help="show results from this one on (default 0: the best)"
    )
    p.set_defaults(func=cmd_search)
    add_user_commands(sub)
    add_partnership_commands(sub)
    add_question_commands(sub)
    add_request_commands(sub)
    return parser


def _exit_on_terminate(signum: int, frame: object) -> None:
    # A polite kill (SIGTERM, as a service manager or `timeout` sends) unwinds like Ctrl-C, so
    # a backup deletes its partial copy and a write rolls back before the process ends.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)  # signal handlers can only be set from the main thread
    previous = signal.signal(signal.SIGTERM, _exit_on_terminate)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "no_db", False):
            args.func(None, args)
            return 0
        db = storage.open_db(args.db)
        try:
            args.func(db, args)
        finally:
            db.close()
    except LcsprError as exc:
        # The first line says what happened; any further lines list each problem.
        sys.stderr.write("lcspr: " + str(exc).replace("\n", "\n  ") + "\n")
        return 1
    except ValidationError as exc:
        problems = "; ".join(str(p) for p in plain_problems(exc))
        sys.stderr.write(f"lcspr: {problems}\n")
        return 1
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        sys.stderr.write(f"lcspr: {exc.strerror or exc}{where}\n")
        return 1
    except sqlite3.DatabaseError as exc:
        # open_db names a file that is not a database; this catches damage found later on.
        sys.stderr.write(f"lcspr: The database cannot be used: {exc}.\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
