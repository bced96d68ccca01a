"""Unsaved drafts kept on the server (lcspr_core/drafts.py): a reload, a new tab or a crashed
browser loses nothing typed, and nobody but the person who typed it ever reads it."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from lcspr_core import accounts, audit_trail, drafts, services, storage
from lcspr_core.access import Role, actor_for, system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.model import Review
from lcspr_core.model.common import AgencyKind
from lcspr_core.settings import SETTINGS_ENV_VAR

ADMIN = system_actor("tester")
PASSWORD = "a long test password"
SECRET = "Child A told the health visitor about the bruises on 3 March"


def _user(db: Database, name: str, reference: str | None, role: Role = Role.REVIEWER) -> None:
    accounts.add_user(db=db, username=name, display_name=name.title(), password=PASSWORD,
                      actor=ADMIN)  # fmt: skip
    if reference:
        accounts.grant_role(db=db, username=name, reference=reference, role=role, actor=ADMIN)


@pytest.fixture
def reviewer(db: Database, stored_demo: Review) -> str:
    _user(db, "rita", stored_demo.reference)
    return "rita"


def _form(review: Review) -> str:
    return f"{review.reference}:lived_experience"


def test_a_draft_is_kept_and_restored_with_its_types_and_base_version(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    rita = actor_for(db=db, username=reviewer)
    values = {
        ("child_lived_experience",): SECRET,
        ("met",): date(2026, 3, 3),
        ("at",): time(10, 42),
        ("kinds",): [next(iter(AgencyKind))],
        ("agencies",): [{"name": "Eastfield Health", "count": 2, "on": date(2026, 1, 2)}],
        ("custom", "early_help"): True,
    }
    drafts.keep(
        db,
        actor=rita,
        review=stored_demo.reference,
        form=_form(stored_demo),
        base_version=4,
        values=values,
    )

    found = drafts.kept(db, actor=rita, review=stored_demo.reference, form=_form(stored_demo))
    assert found is not None
    assert found.values == values
    assert found.base_version == 4
    assert found.review == stored_demo.reference
    assert isinstance(found.values[("kinds",)][0], AgencyKind)

    # A second edit replaces the kept draft: one row, the latest edits.
    drafts.keep(db, actor=rita, review=stored_demo.reference, form=_form(stored_demo), base_version=4,
                values={("child_lived_experience",): SECRET + " and more"})  # fmt: skip
    assert db.execute("SELECT count(*) FROM form_drafts").fetchone()[0] == 1
    again = drafts.kept(db, actor=rita, review=stored_demo.reference, form=_form(stored_demo))
    assert again is not None and again.values == {("child_lived_experience",): SECRET + " and more"}


def test_restore_and_discard_are_audited_without_the_text(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    rita = actor_for(db=db, username=reviewer)
    form = _form(stored_demo)
    drafts.keep(db, actor=rita, review=stored_demo.reference, form=form, base_version=1,
                values={("child_lived_experience",): SECRET})  # fmt: skip
    assert drafts.restore(db, actor=rita, review=stored_demo.reference, form=form) is not None
    assert drafts.forget(db, actor=rita, review=stored_demo.reference, form=form, discarded=True)
    assert drafts.kept(db, actor=rita, review=stored_demo.reference, form=form) is None
    assert not drafts.forget(db, actor=rita, review=stored_demo.reference, form=form)

    entries = db.execute(
        "SELECT actor, review_reference, target, action, before, after FROM audit_log "
        "WHERE target LIKE 'draft/%' ORDER BY seq"
    ).fetchall()
    assert [(e[0], e[2], e[3]) for e in entries] == [
        (reviewer, f"draft/{form}", "restore_draft"),
        (reviewer, f"draft/{form}", "discard_draft"),
    ]
    assert all(e[1] == stored_demo.reference for e in entries)
    whole_log = json.dumps(db.execute("SELECT * FROM audit_log").fetchall())
    assert "bruises" not in whole_log
    # The entries are part of the chain `lcspr audit verify` checks, like any other.
    assert audit_trail.verify_audit_log(db=db, actor=ADMIN).problems == ()


def test_saving_forgets_the_draft_without_an_audit_entry(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    rita = actor_for(db=db, username=reviewer)
    form = _form(stored_demo)
    drafts.keep(
        db,
        actor=rita,
        review=stored_demo.reference,
        form=form,
        base_version=1,
        values={("x",): "typed"},
    )
    before = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert drafts.forget(db, actor=rita, review=stored_demo.reference, form=form)
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
    assert db.execute("SELECT count(*) FROM form_drafts").fetchone()[0] == 0


def test_only_the_person_who_typed_it_reads_it(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    _user(db, "colin", stored_demo.reference, Role.CHAIR)
    _user(db, "stranger", None)
    accounts.add_user(db=db, username="boss", display_name="Boss", password=PASSWORD,
                      is_admin=True, actor=ADMIN)  # fmt: skip
    rita = actor_for(db=db, username=reviewer)
    form = _form(stored_demo)
    drafts.keep(
        db,
        actor=rita,
        review=stored_demo.reference,
        form=form,
        base_version=1,
        values={("x",): SECRET},
    )
    for other in ("colin", "stranger", "boss"):
        assert (
            drafts.kept(
                db, actor=actor_for(db=db, username=other), review=stored_demo.reference, form=form
            )
            is None
        )
        assert (
            drafts.restore(
                db, actor=actor_for(db=db, username=other), review=stored_demo.reference, form=form
            )
            is None
        )
    # Another person's discard does not touch hers.
    assert not drafts.forget(
        db, actor=actor_for(db=db, username="colin"), review=stored_demo.reference, form=form
    )
    assert drafts.kept(db, actor=rita, review=stored_demo.reference, form=form) is not None
    # The machine (CLI, demo loader) neither keeps nor reads drafts.
    assert drafts.kept(db, actor=ADMIN, review=stored_demo.reference, form=form) is None


def test_a_stranger_cannot_keep_a_draft_of_a_review_they_may_not_read(
    db: Database, stored_demo: Review
) -> None:
    _user(db, "stranger", None)
    stranger = actor_for(db=db, username="stranger")
    drafts.keep(
        db,
        actor=stranger,
        review=stored_demo.reference,
        form=_form(stored_demo),
        base_version=1,
        values={("x",): "y"},
    )
    assert db.execute("SELECT count(*) FROM form_drafts").fetchone()[0] == 0


def test_a_disabled_account_or_a_revoked_role_hides_the_draft(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    form = _form(stored_demo)
    rita = actor_for(db=db, username=reviewer)
    drafts.keep(
        db,
        actor=rita,
        review=stored_demo.reference,
        form=form,
        base_version=1,
        values={("x",): SECRET},
    )
    accounts.set_disabled(db=db, username=reviewer, disabled=True, actor=ADMIN)
    # Even an Actor made before the account was disabled (a page mid-run) reads nothing.
    assert drafts.kept(db, actor=rita, review=stored_demo.reference, form=form) is None
    assert drafts.restore(db, actor=rita, review=stored_demo.reference, form=form) is None
    accounts.set_disabled(db=db, username=reviewer, disabled=False, actor=ADMIN)
    assert (
        drafts.kept(
            db, actor=actor_for(db=db, username=reviewer), review=stored_demo.reference, form=form
        )
        is not None
    )
    accounts.revoke_role(db=db, username=reviewer, reference=stored_demo.reference, actor=ADMIN)
    assert (
        drafts.kept(
            db, actor=actor_for(db=db, username=reviewer), review=stored_demo.reference, form=form
        )
        is None
    )


def test_drafts_older_than_the_keeping_time_are_not_shown_and_are_removed_at_sign_in(
    db: Database, stored_demo: Review, reviewer: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    rita = actor_for(db=db, username=reviewer)
    now = datetime.now(UTC)
    drafts.keep(db, actor=rita, review=stored_demo.reference, form=_form(stored_demo), base_version=1, values={("x",): "old"},
                now=now - timedelta(days=31))  # fmt: skip
    drafts.keep(db, actor=rita, review=stored_demo.reference, form=f"{stored_demo.reference}:findings:f1", base_version=1,
                values={("x",): "recent"}, now=now - timedelta(days=5))  # fmt: skip
    assert (
        drafts.kept(db, actor=rita, review=stored_demo.reference, form=_form(stored_demo)) is None
    )
    assert (
        drafts.kept(
            db,
            actor=rita,
            review=stored_demo.reference,
            form=f"{stored_demo.reference}:findings:f1",
        )
        is not None
    )

    # A partnership that keeps drafts a week: the five-day-old one stays, the old one goes.
    settings = tmp_path / "settings.toml"
    settings.write_text("[drafts]\nkeep_days = 7\n", encoding="utf-8")
    monkeypatch.setenv(SETTINGS_ENV_VAR, str(settings))
    assert drafts.keep_days() == 7
    accounts.sign_in(db=db, username=reviewer, password=PASSWORD)
    assert [r[0] for r in db.execute("SELECT form FROM form_drafts")] == [
        f"{stored_demo.reference}:findings:f1"
    ]
    # A week on, it goes too.
    assert drafts.remove_expired(db, keep_days=7, now=now + timedelta(days=3)) == 1
    assert db.execute("SELECT count(*) FROM form_drafts").fetchone()[0] == 0


def test_a_bad_settings_file_keeps_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("[drafts]\nkeep_days = 0\n", encoding="utf-8")
    monkeypatch.setenv(SETTINGS_ENV_VAR, str(settings))
    assert drafts.keep_days() == drafts.KEEP_DAYS_DEFAULT == 30


def test_deleting_a_review_deletes_its_drafts_and_no_one_elses(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    rita = actor_for(db=db, username=reviewer)
    accounts.add_user(db=db, username="boss", display_name="Boss", password=PASSWORD,
                      is_admin=True, actor=ADMIN)  # fmt: skip
    drafts.keep(
        db,
        actor=rita,
        review=stored_demo.reference,
        form=_form(stored_demo),
        base_version=1,
        values={("x",): SECRET},
    )
    drafts.keep(db, actor=rita, review=stored_demo.reference, form=f"{stored_demo.reference}:findings:__new__", base_version=0,
                values={("x",): SECRET})  # fmt: skip
    drafts.keep(db, actor=actor_for(db=db, username="boss"), review="", form="partnership.logo",
                base_version=2, values={("alt_text",): "Eastshire logo"})  # fmt: skip
    assert {r[0] for r in db.execute("SELECT review_reference FROM form_drafts")} == {
        stored_demo.reference, "",
    }  # fmt: skip

    services.delete_review(db=db, reference=stored_demo.reference, actor=ADMIN)
    assert [r[0] for r in db.execute("SELECT form FROM form_drafts")] == ["partnership.logo"]


def test_a_failed_keep_leaves_the_database_as_it_was(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    rita = actor_for(db=db, username=reviewer)
    form = _form(stored_demo)
    drafts.keep(
        db,
        actor=rita,
        review=stored_demo.reference,
        form=form,
        base_version=1,
        values={("x",): "first"},
    )
    db.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE ON form_drafts BEGIN SELECT RAISE(ABORT, 'full'); END"
    )
    with pytest.raises(storage.StorageError):
        drafts.keep(
            db,
            actor=rita,
            review=stored_demo.reference,
            form=form,
            base_version=1,
            values={("x",): "second"},
        )
    found = drafts.kept(db, actor=rita, review=stored_demo.reference, form=form)
    assert found is not None and found.values == {("x",): "first"}


def test_values_a_draft_cannot_keep_are_left_out_and_odd_json_is_not_shown(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    rita = actor_for(db=db, username=reviewer)
    form = _form(stored_demo)
    drafts.keep(db, actor=rita, review=stored_demo.reference, form=form, base_version=1,
                values={("file",): object(), ("x",): float("nan"), ("y",): "kept"})  # fmt: skip
    found = drafts.kept(db, actor=rita, review=stored_demo.reference, form=form)
    assert found is not None and found.values == {("x",): None, ("y",): "kept"}
    # An enum named outside the core is never imported: the draft is not shown.
    db.execute(
        "UPDATE form_drafts SET data_json = ?",
        [json.dumps([[["x"], {"$enum": "os:system", "value": "ls"}]])],
    )
    assert drafts.kept(db, actor=rita, review=stored_demo.reference, form=form) is None


def test_a_list_page_finds_the_entry_with_a_kept_draft_latest_first(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    rita = actor_for(db=db, username=reviewer)
    prefix = f"{stored_demo.reference}:findings:"
    now = datetime.now(UTC)
    drafts.keep(db, actor=rita, review=stored_demo.reference, form=f"{prefix}f1", base_version=1, values={("x",): "a"},
                now=now - timedelta(hours=2))  # fmt: skip
    drafts.keep(
        db,
        actor=rita,
        review=stored_demo.reference,
        form=f"{prefix}f2",
        base_version=1,
        values={("x",): "b"},
        now=now,
    )
    drafts.keep(
        db,
        actor=rita,
        review=stored_demo.reference,
        form=_form(stored_demo),
        base_version=1,
        values={("x",): "c"},
    )
    assert drafts.kept_forms(db, actor=rita, review=stored_demo.reference, prefix=prefix) == [
        f"{prefix}f2",
        f"{prefix}f1",
    ]
    _user(db, "colin", stored_demo.reference)
    assert (
        drafts.kept_forms(
            db,
            actor=actor_for(db=db, username="colin"),
            review=stored_demo.reference,
            prefix=prefix,
        )
        == []
    )


def test_the_restored_note_names_when_it_was_typed_in_london_time() -> None:
    draft = drafts.KeptDraft(
        form="F:lived_experience", review="F", base_version=1, values={("x",): "y"},
        kept_at=datetime(2026, 6, 4, 9, 30, tzinfo=UTC),
    )  # fmt: skip
    assert drafts.restored_note(draft) == (
        "Restored what you typed on 4 Jun 2026, 10:30 BST and had not saved — Save or Discard."
    )


def test_a_draft_belongs_to_the_review_it_was_typed_on(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    # A form whose key does not name the review (a letter's "Sent to") is kept per review.
    services.create_review(db=db, review=build_demo_review("LCSPR-2026-77"), actor=ADMIN)
    accounts.grant_role(db=db, username=reviewer, reference="LCSPR-2026-77", role=Role.REVIEWER,
                        actor=ADMIN)  # fmt: skip
    rita = actor_for(db=db, username=reviewer)
    form = "documents.family_letter.mother.send"
    drafts.keep(db, actor=rita, review=stored_demo.reference, form=form, base_version=0,
                values={("sent_to",): "typed on the demo"})  # fmt: skip
    assert drafts.kept(db, actor=rita, review="LCSPR-2026-77", form=form) is None
    found = drafts.kept(db, actor=rita, review=stored_demo.reference, form=form)
    assert found is not None and found.values == {("sent_to",): "typed on the demo"}
    # A review that does not exist keeps nothing.
    drafts.keep(db, actor=rita, review="NO-SUCH-REF", form=form, base_version=0,
                values={("sent_to",): "x"})  # fmt: skip
    assert db.execute("SELECT count(*) FROM form_drafts").fetchone()[0] == 1


def test_a_draft_comes_back_only_while_its_person_may_still_save_it(
    db: Database, stored_demo: Review, reviewer: str
) -> None:
    """A reviewer made a viewer no longer sees the real names they typed into the restricted
    details; an administration form's draft is an administrator's alone."""
    reference = stored_demo.reference
    rita = actor_for(db=db, username=reviewer)
    restricted = f"{reference}:restricted"
    drafts.keep(db, actor=rita, review=reference, form=restricted, base_version=1,
                values={("child_name",): "Ada Placeholder"})  # fmt: skip
    drafts.keep(db, actor=rita, review=reference, form=_form(stored_demo), base_version=1,
                values={("child_perspective",): SECRET})  # fmt: skip
    assert drafts.kept(db, actor=rita, review=reference, form=restricted) is not None

    accounts.grant_role(db=db, username=reviewer, reference=reference, role=Role.VIEWER,
                        actor=ADMIN)  # fmt: skip
    viewer = actor_for(db=db, username=reviewer)
    assert drafts.kept(db, actor=viewer, review=reference, form=restricted) is None
    assert drafts.kept(db, actor=viewer, review=reference, form=_form(stored_demo)) is None
    assert drafts.kept_forms(db, actor=viewer, review=reference, prefix=f"{reference}:") == []

    # Typed into the partnership's form while an administrator: not for anyone else.
    accounts.add_user(db=db, username="ann", display_name="Ann", password=PASSWORD,
                      actor=ADMIN, is_admin=True)  # fmt: skip
    ann = actor_for(db=db, username="ann")
    drafts.keep(db, actor=ann, review="", form="partnership.profile", base_version=0,
                values={("name",): "Eastshire"})  # fmt: skip
    assert drafts.kept(db, actor=ann, review="", form="partnership.profile") is not None
    demoted = dataclasses.replace(ann, is_admin=False)
    assert drafts.kept(db, actor=demoted, review="", form="partnership.profile") is None
