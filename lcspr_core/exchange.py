"""Whole-review export and import as JSON, with a versioned schema (SPEC §7: never locked in)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, ValidationError

from lcspr_core import questions, services, storage
from lcspr_core.access import Actor, require
from lcspr_core.errors import FieldProblem, ImportRefusedError, InvalidDataError
from lcspr_core.model import Review
from lcspr_core.model.common import Model
from lcspr_core.model.questions import QuestionDefinition
from lcspr_core.storage import Database, now_iso
from lcspr_core.validation import plain_problems

SCHEMA_NAME = "lcspr-review"
# Bump when an export made by this version could not be read by the previous one, and add a
# step to upgrade older exports in import_review.
SCHEMA_VERSION = 3
# Older versions this one still reads. 2: meeting decisions are entries with an id and version
# (issue 11, finding 9); a version-1 file's plain-text decisions become such entries on import.
# 3: records carry answers to the partnership's own questions (`custom`), and the file the
# definitions of the questions answered (issue 16); older files have neither.
READABLE_VERSIONS = (1, 2, SCHEMA_VERSION)


class ReviewExport(Model):
    """The JSON file a review is exported to and imported from."""

    schema_name: str = Field(
        default=SCHEMA_NAME, alias="schema", description="Always 'lcspr-review'"
    )
    schema_version: int = Field(default=SCHEMA_VERSION, description="Version of this format")
    exported_at: str = Field(default_factory=now_iso, description="When it was exported (UTC)")
    review: Review = Field(description="The whole review")
    questions: list[QuestionDefinition] = Field(
        default_factory=list,
        description="The partnership's own questions this review answers (issue 16)",
    )


def export_review(*, db: Database, reference: str, actor: Actor) -> dict[str, Any]:
    # load_review leaves out restricted answers for a role that may not see them.
    review = services.load_review(db=db, reference=reference, actor=actor)
    used = questions.used_keys(review)
    carried = [q for q in questions.definitions(db=db) if q.key in used]
    return ReviewExport(review=review, questions=carried).model_dump(mode="json", by_alias=True)


def export_schema() -> dict[str, Any]:
    return ReviewExport.model_json_schema(by_alias=True)


def parse_export(text: str) -> Review:
    """The review in an export file's text, or ImportRefusedError listing every problem."""
    return parse_export_file(text).review


def parse_export_file(text: str) -> ReviewExport:
    """The whole export file (review and questions), or ImportRefusedError."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefusedError(
            [FieldProblem((), f"the file is not JSON (line {exc.lineno}, column {exc.colno})")],
            summary="Nothing was imported:",
        ) from exc
    except (RecursionError, ValueError) as exc:
        # Nesting deeper than Python's parser can follow ("[" a hundred thousand times), or a
        # number too long to convert: no export looks like either (issue 11, re-test I).
        raise ImportRefusedError(
            [FieldProblem((), "the file is not a review export (nested too deeply or too long)")],
            summary="Nothing was imported:",
        ) from exc
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_NAME:
        raise ImportRefusedError(
            [
                FieldProblem(
                    ("schema",),
                    f'this is not an LCSPR review export (expected "schema": "{SCHEMA_NAME}")',
                )
            ],
            summary="Nothing was imported:",
        )
    version = document.get("schema_version")
    if version not in READABLE_VERSIONS:
        raise ImportRefusedError(
            [
                FieldProblem(
                    ("schema_version",),
                    f"the file is schema version {version!r}; this "
                    f"version of the tool reads {' and '.join(map(str, READABLE_VERSIONS))}",
                )
            ],
            summary="Nothing was imported:",
        )
    try:
        return ReviewExport.model_validate({**document, "schema_version": SCHEMA_VERSION})
    except ValidationError as exc:
        raise ImportRefusedError(plain_problems(exc), summary="Nothing was imported:") from exc


def import_review(*, db: Database, text: str, actor: Actor, replace: bool = False) -> Review:
    """Import an export file whole, or refuse it whole; the database is untouched on refusal."""
    exported = parse_export_file(text)
    require(actor=actor, action="create_review")
    with storage.write_transaction(db):
        # Questions the file answers that this database lacks are added with the review;
        # an answer to a question in neither is refused, naming its key (issue 16).
        if exported.questions:
            require(actor=actor, action="manage_questions")
            questions.ensure_questions(db=db, carried=exported.questions, actor=actor)
        try:
            return services.create_review(
                db=db, review=exported.review, actor=actor, replace=replace
            )
        except InvalidDataError as exc:
            if isinstance(exc, ImportRefusedError):
                raise
            raise ImportRefusedError(exc.problems, summary="Nothing was imported:") from exc
