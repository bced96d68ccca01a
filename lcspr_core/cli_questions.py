"""`lcspr questions ...`: the partnership's own questions from the command line (issue 16).

A region's partnerships share question sets as JSON packs: `export` writes one, `import`
adds one whole (or nothing, listing each key that clashes). `add` defines one question.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lcspr_core import questions
from lcspr_core.access import system_actor
from lcspr_core.model.questions import QuestionSection, QuestionType
from lcspr_core.storage import Database

CLI_ACTOR = system_actor("lcspr command line")


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def cmd_questions_list(db: Database, args: argparse.Namespace) -> None:
    stored = questions.list_questions(db=db)
    if not stored:
        _out("No questions yet. Add one with `lcspr questions add` or import a pack.")
    for item in stored:
        _out(f"{questions.describe(item.question)} — version {item.version}")


def cmd_questions_add(db: Database, args: argparse.Namespace) -> None:
    data: dict[str, Any] = {
        "key": args.key, "section": args.section, "label": args.label, "type": args.type,
        "help": args.help, "required": args.required, "choices": args.choice or [],
        "order": args.order, "restricted": args.restricted,
        "required_from": args.required_from,
    }  # fmt: skip
    question = questions.parse_question(data)
    version = questions.save_question(db=db, question=question, expected_version=0, actor=CLI_ACTOR)
    _out(f"Added the question '{question.key}' (version {version}).")


def cmd_questions_retire(db: Database, args: argparse.Namespace) -> None:
    questions.retire_question(db=db, key=args.key, actor=CLI_ACTOR)
    _out(f"Retired the question '{args.key}': answers already given are kept.")


def cmd_questions_export(db: Database, args: argparse.Namespace) -> None:
    pack = questions.export_pack(db=db, keys=args.key or None)
    text = json.dumps(pack, ensure_ascii=False, indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        _out(f"Exported {len(pack['questions'])} question(s) to {args.output}.")
    else:
        _out(text)


def cmd_questions_import(db: Database, args: argparse.Namespace) -> None:
    added = questions.import_pack(
        db=db, text=Path(args.file).read_text(encoding="utf-8-sig"), actor=CLI_ACTOR
    )
    _out(f"Imported {len(added)} question(s).")


def add_question_commands(sub: Any) -> None:
    """Register `lcspr questions ...` on the main parser's subparsers."""
    group = sub.add_parser("questions", help="the partnership's own questions: list, add, packs")
    commands = group.add_subparsers(dest="questions_command", required=True, metavar="ACTION")
    commands.add_parser("list", help="every question").set_defaults(func=cmd_questions_list)

    p = commands.add_parser("add", help="define a question")
    p.add_argument("key", help="its name in templates: custom.KEY")
    p.add_argument("--section", required=True, choices=[s.value for s in QuestionSection])
    p.add_argument("--label", required=True)
    p.add_argument("--type", required=True, choices=[t.value for t in QuestionType])
    p.add_argument("--help-text", dest="help", default="")
    p.add_argument("--required", action="store_true")
    p.add_argument("--required-from", default=None, help="the stage from which it is required")
    p.add_argument("--choice", action="append", help="a choice (repeat for each)")
    p.add_argument("--order", type=int, default=0)
    p.add_argument("--restricted", action="store_true")
    p.set_defaults(func=cmd_questions_add)

    p = commands.add_parser("retire", help="retire a question (answers are kept)")
    p.add_argument("key")
    p.set_defaults(func=cmd_questions_retire)

    p = commands.add_parser("export", help="write the questions as a JSON pack")
    p.add_argument("--key", action="append", help="only this question (repeat for each)")
    p.add_argument("-o", "--output", help="the file to write (default: print it)")
    p.set_defaults(func=cmd_questions_export)

    p = commands.add_parser("import", help="add every question of a JSON pack, or none")
    p.add_argument("file")
    p.set_defaults(func=cmd_questions_import)
