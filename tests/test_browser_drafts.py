"""Never lose a word (issue 10), in the real browser: what a person typed survives leaving the
page, switching review and coming back; a save writes exactly what they edited; nothing shows
a blank where text was saved.

Streamlit forgets a widget's state when its page is not drawn; AppTest cannot see that, only
a browser can. One server serves the module; each test signs in on a tab of its own.

The random walk drives the forms the way people do (type, leave, come back, switch review,
save, discard) and after every step checks that the database holds only what was saved and
that each field on screen shows the saved value or the person's draft. It runs with a fixed
seed and with a new one each run (both printed on failure); LCSPR_WALK_STEPS sets its length.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lcspr_core import accounts, services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from tests.helpers.browser import chromium_tab, require_chromium, settle, streamlit_server

pytestmark = pytest.mark.browser
sync_api = require_chromium()

USER, PASSWORD = "bm", "a long browser-test password"
OTHER = "LCSPR-2026-90"
REFERENCES = (DEMO_REFERENCE, OTHER)
WALK_STEPS = int(os.environ.get("LCSPR_WALK_STEPS", "200"))
FIXED_SEED = 20261130


@dataclass(frozen=True)
class Spot:
    """A text field of a section form: the page and tab it is on, and where it is stored."""

    page: str
    tab: str | None
    section: str  # a section, or a list of items when `item` is set
    field: str
    required: bool = False
    item: str | None = None  # the list entry's id, picked by typing `pick` in the picker
    pick: str = ""

    @property
    def form(self) -> str:
        return f"{self.section}-{self.item}" if self.item else self.section

    def key(self, reference: str) -> str:
        """The start of the field's widget class (Streamlit turns ':' and '.' into '-')."""
        return f"st-key-{reference}-{self.form}-{self.field}-"


SPOTS = [
    Spot("Incident and notification", "The incident and the child", "incident", "outline", True),
    Spot("Rapid Review and decision", "Decision", "decision", "rationale", True),
    Spot("Rapid Review and decision", "Decision", "decision", "family_told_how"),
    Spot("Set-up", "Terms of reference", "terms_of_reference", "purpose"),
    Spot("Set-up", "Terms of reference", "terms_of_reference", "proportionality"),
    Spot("Child and family", None, "lived_experience", "child_perspective"),
    Spot("Child and family", None, "lived_experience", "how_heard"),
    Spot("Child and family", None, "lived_experience", "family_context"),
    Spot("Report and progress", None, "report", "summary_of_improvements"),
    Spot("Findings", None, "findings", "what_happened", item="f1", pick="Information about"),
    Spot("Findings", None, "findings", "systemic_analysis", True, "f1", "Information about"),
    Spot(
        "Recommendations",
        None,
        "recommendations",
        "intended_outcome",
        item="r1",
        pick="Introduce a household",
    ),
    Spot(
        "Recommendations",
        None,
        "recommendations",
        "impact_measure",
        item="r1",
        pick="Introduce a household",
    ),
]
PAGES = sorted({s.page for s in SPOTS} | {"Reviews", "Chronology", "Meeting"})


@pytest.fixture(scope="module")
def module_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("drafts") / "lcspr.db"
    db = storage.open_db(path)
    try:
        actor = system_actor("browser test")
        for reference in REFERENCES:
            services.create_review(db=db, review=build_demo_review(reference), actor=actor)
        accounts.add_user(db=db, username=USER, display_name="Business Manager",
                          password=PASSWORD, is_admin=True, actor=actor)  # fmt: skip
    finally:
        db.close()
    return path


@pytest.fixture(scope="module")
def server(module_db: Path) -> Iterator[str]:
    with streamlit_server(module_db) as url:
        yield url


@pytest.fixture
def page(server: str, module_db: Path) -> Iterator[Any]:
    # Each test is a person starting afresh: drafts an earlier test left unsaved are kept on
    # the server for this account (drafts.py) and would be restored into this one.
    with sqlite3.connect(module_db) as connection:
        connection.execute("DELETE FROM form_drafts WHERE username = ?", [USER])
    with chromium_tab(sync_api, server) as tab:
        tab.get_by_role("heading", name="Sign in").wait_for()
        tab.get_by_label("Username").fill(USER)
        tab.get_by_label("Password", exact=True).first.fill(PASSWORD)
        tab.get_by_role("button", name="Sign in", exact=True).click()
        settle(tab)
        yield tab


def stored(db_path: Path, reference: str, spot: Spot) -> Any:
    """The field's value in the database, read directly (not through the app)."""
    with sqlite3.connect(db_path) as connection:
        if spot.item:
            row = connection.execute(
                "SELECT i.data FROM items i JOIN reviews r ON r.id = i.review_id "
                "WHERE r.reference = ? AND i.kind = ? AND i.id = ?",
                [reference, spot.section, spot.item],
            ).fetchone()
        else:
            row = connection.execute(
                "SELECT s.data FROM sections s JOIN reviews r ON r.id = s.review_id "
                "WHERE r.reference = ? AND s.name = ?",
                [reference, spot.section],
            ).fetchone()
    return json.loads(row[0]).get(spot.field) if row else None


# --- driving the app as a person does ---------------------------------------------------------


def go(page: Any, title: str) -> None:
    link = page.locator(".st-key-nav").get_by_role("link", name=title, exact=True)
    heading = page.get_by_role("heading", level=1).filter(has_text=title).first
    link.click()
    settle(page)
    try:
        heading.wait_for(timeout=8_000)
    except sync_api.TimeoutError:
        # A click that lands while the page is still rerunning can be dropped by Streamlit's
        # router; a person clicks again, and so does the walk (nothing typed depends on it).
        link.click()
        settle(page)
        heading.wait_for()


def open_tab(page: Any, spot: Spot, reference: str) -> None:
    """Open the field's tab, and pick its list entry if it is one."""
    if spot.tab:
        page.get_by_role("tab", name=spot.tab).click()
        settle(page)
    if spot.item and not page.locator(f'[class*="{spot.key(reference)}"]').count():
        picker = page.locator(f".st-key-{reference}-{spot.section}-selected input")
        picker.click()
        picker.press_sequentially(spot.pick)
        picker.press("Enter")
        settle(page)


def box(page: Any, reference: str, spot: Spot) -> Any:
    found = page.locator(f'[class*="{spot.key(reference)}"]').locator("textarea, input")
    found.first.wait_for()
    return found.first


def type_into(page: Any, reference: str, spot: Spot, text: str) -> None:
    open_tab(page, spot, reference)
    field = box(page, reference, spot)
    field.fill(text)
    field.press("Tab")
    settle(page)


def form_button(page: Any, reference: str, spot: Spot, name: str) -> Any:
    """The form's own Save or Discard button (a page holds several forms)."""
    form = f"st-key-{reference}-{spot.form}-"
    wanted = "__save" if name == "Save" else "__discard"
    return page.locator(f'[class*="{form}{wanted}"] button').first


def switch_review(page: Any, reference: str) -> None:
    picker = page.locator(".st-key-review_picker input")
    picker.click()
    picker.press_sequentially(reference)
    picker.press("Enter")
    settle(page)


# --- the plain regressions: one per reproduction in the issue ---------------------------------

REPRODUCTIONS = [
    SPOTS[1],  # the Decision tab
    SPOTS[3],  # Set-up (terms of reference)
    SPOTS[5],  # Child and family
    SPOTS[0],  # Incident
    SPOTS[9],  # a finding (a list entry, picked in its page's picker)
]


@pytest.mark.parametrize("leave_to", ["another page", "the same page"])
@pytest.mark.parametrize("spot", REPRODUCTIONS, ids=lambda s: s.section)
def test_a_draft_survives_leaving_the_page_and_saving_writes_only_it(
    page: Any, module_db: Path, spot: Spot, leave_to: str
) -> None:
    reference = DEMO_REFERENCE
    neighbours = [s for s in SPOTS if s.form == spot.form and s != spot]
    before = {s: stored(module_db, reference, s) for s in neighbours}
    go(page, spot.page)
    typed = f"Typed before leaving ({spot.section}, {leave_to}) {time.monotonic_ns()}"
    type_into(page, reference, spot, typed)

    go(page, "Chronology" if leave_to == "another page" else spot.page)
    go(page, spot.page)
    open_tab(page, spot, reference)
    sync_api.expect(box(page, reference, spot)).to_have_value(typed)
    for other in neighbours:  # untouched fields show what is saved, never a blank
        sync_api.expect(box(page, reference, other)).to_have_value(before[other] or "")
    assert page.get_by_text("Draft, not saved").first.is_visible()

    form_button(page, reference, spot, "Save").click()
    settle(page)
    assert stored(module_db, reference, spot) == typed
    for other in neighbours:
        assert stored(module_db, reference, other) == before[other]


def test_a_cleared_field_is_saved_as_cleared(page: Any, module_db: Path) -> None:
    spot = SPOTS[7]  # the family context: optional
    go(page, spot.page)
    type_into(page, DEMO_REFERENCE, spot, "")
    form_button(page, DEMO_REFERENCE, spot, "Save").click()
    settle(page)
    assert stored(module_db, DEMO_REFERENCE, spot) == ""
    assert stored(module_db, DEMO_REFERENCE, SPOTS[5])  # its neighbours keep their text


def test_a_draft_survives_switching_review_and_back(page: Any, module_db: Path) -> None:
    spot = SPOTS[6]
    go(page, spot.page)
    type_into(page, DEMO_REFERENCE, spot, "Draft kept across reviews")
    shows = sync_api.expect  # waits for the page to finish drawing, as a person looks
    switch_review(page, OTHER)
    shows(box(page, OTHER, spot)).to_have_value(stored(module_db, OTHER, spot) or "")
    switch_review(page, DEMO_REFERENCE)
    shows(box(page, DEMO_REFERENCE, spot)).to_have_value("Draft kept across reviews")
    form_button(page, DEMO_REFERENCE, spot, "Discard").click()
    settle(page)
    saved = stored(module_db, DEMO_REFERENCE, spot) or ""
    shows(page.locator(f'[class*="{spot.key(DEMO_REFERENCE)}"] textarea')).to_have_value(saved)


# --- the random walk ------------------------------------------------------------------------


class Walk:
    """The person's walk and what they should see: saved values and their own drafts."""

    def __init__(self, page: Any, db_path: Path, seed: int) -> None:
        self.page, self.db_path, self.rng = page, db_path, random.Random(seed)
        self.seed = seed
        self.reference = DEMO_REFERENCE
        self.where: str | None = None
        self.saved = {(r, s): stored(db_path, r, s) for r in REFERENCES for s in SPOTS}
        self.drafts: dict[tuple[str, Spot], str] = {}
        self.log: list[str] = []

    # steps ------------------------------------------------------------------------------

    def step(self, number: int) -> None:
        here = [s for s in SPOTS if s.page == self.where]
        choices: list[tuple[str, float]] = [("leave", 2), ("come back", 2), ("switch", 1)]
        if here:
            choices += [("type", 4), ("save", 1.5), ("discard", 0.7), ("same page", 0.5)]
        action = self.rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
        self.log.append(f"{number}: {action} ({self.reference}, {self.where})")
        getattr(self, "do_" + action.replace(" ", "_"))(here)

    def do_leave(self, here: list[Spot]) -> None:
        self.where = self.rng.choice([p for p in PAGES if p != self.where])
        go(self.page, self.where)

    def do_come_back(self, here: list[Spot]) -> None:
        mine = [s for (r, s) in self.drafts if r == self.reference]
        self.where = self.rng.choice(mine or SPOTS).page
        go(self.page, self.where)

    def do_same_page(self, here: list[Spot]) -> None:
        go(self.page, str(self.where))

    def do_switch(self, here: list[Spot]) -> None:
        self.reference = OTHER if self.reference == DEMO_REFERENCE else DEMO_REFERENCE
        switch_review(self.page, self.reference)

    def do_type(self, here: list[Spot]) -> None:
        spot = self.rng.choice(here)
        text = self.rng.choice(
            ["", f"Walk {self.seed} wrote this & <that> 🙂", f"Line one\nline two {len(self.log)}"]
        )
        self.log[-1] += f" {spot.field} = {text!r}"
        type_into(self.page, self.reference, spot, text)
        self.drafts[(self.reference, spot)] = text

    def _form_with(self, here: list[Spot]) -> list[Spot]:
        spot = self.rng.choice(here)
        return [s for s in SPOTS if s.form == spot.form]

    def do_save(self, here: list[Spot]) -> None:
        form = self._form_with(here)
        open_tab(self.page, form[0], self.reference)
        before = box(self.page, self.reference, form[0]).evaluate(
            "e => e.closest('[class*=\"st-key-\"]').className"
        )
        form_button(self.page, self.reference, form[0], "Save").click()
        settle(self.page)
        mine = {
            s: self.drafts[(self.reference, s)] for s in form if (self.reference, s) in self.drafts
        }
        refused = any(s.required and not text.strip() for s, text in mine.items())
        self.log[-1] += f" {form[0].section} {'refused' if refused else 'saved'}"
        differs = any(t != (self.saved[(self.reference, s)] or "") for s, t in mine.items())
        if not refused and differs:
            # A saved form is drawn again with new widgets: wait until the old ones are gone
            # (a person sees the form redrawn; typing into the old one is not what they do).
            old = "." + ".".join(c for c in before.split() if c.startswith("st-key-"))
            self.page.locator(old).first.wait_for(state="detached", timeout=10_000)
        if not refused:
            for spot, text in mine.items():
                self.saved[(self.reference, spot)] = text
                del self.drafts[(self.reference, spot)]

    def do_discard(self, here: list[Spot]) -> None:
        form = self._form_with(here)
        mine = [s for s in form if (self.reference, s) in self.drafts]
        changed = [
            s
            for s in mine
            if self.drafts[(self.reference, s)] != (self.saved[(self.reference, s)] or "")
        ]
        if not changed:
            return  # the Discard button shows only while the draft differs from what is saved
        open_tab(self.page, form[0], self.reference)
        form_button(self.page, self.reference, form[0], "Discard").click()
        settle(self.page)
        for spot in mine:
            del self.drafts[(self.reference, spot)]

    # checks -----------------------------------------------------------------------------

    def check(self) -> None:
        trail = f"seed {self.seed}; last steps:\n" + "\n".join(self.log[-8:])
        for (reference, spot), value in self.saved.items():
            assert stored(self.db_path, reference, spot) == value, (
                f"the database changed {reference} {spot.section}.{spot.field} unasked; {trail}"
            )
        for spot in (s for s in SPOTS if s.page == self.where):
            open_tab(self.page, spot, self.reference)
            expected = self.drafts.get(
                (self.reference, spot), self.saved[(self.reference, spot)] or ""
            )
            field = box(self.page, self.reference, spot)
            try:  # a person looks once the page has finished drawing
                sync_api.expect(field).to_have_value(expected, timeout=5_000)
            except AssertionError:
                shown = field.input_value()
                self.page.screenshot(path=f"/tmp/walk-{self.seed}.png", full_page=True)
                raise AssertionError(
                    f"{spot.section}.{spot.field} shows {shown!r}, not {expected!r}; {trail}"
                ) from None


# LCSPR_WALK_SEED replays a failed walk's seed.
NEW_SEED = int(os.environ.get("LCSPR_WALK_SEED") or random.SystemRandom().randrange(1, 10**9))


@pytest.mark.parametrize("seed", [FIXED_SEED, NEW_SEED], ids=["fixed", "new"])
def test_random_walk_never_loses_a_word(page: Any, module_db: Path, seed: int) -> None:
    print(f"random walk seed {seed}, {WALK_STEPS} steps")  # noqa: T201 - shown on failure
    walk = Walk(page, module_db, seed)
    walk.where = "Reviews"
    for number in range(WALK_STEPS):
        try:
            walk.step(number)
        except Exception as exc:  # a step that cannot be taken: say where, keep a screenshot
            page.screenshot(path=f"/tmp/walk-{seed}.png", full_page=True)
            trail = "; ".join(walk.log[-8:])
            raise AssertionError(f"step failed: {exc}; seed {seed}; {trail}") from exc
        walk.check()


def test_a_table_row_typed_cell_by_cell_keeps_every_cell_across_a_page_switch(
    page: Any, module_db: Path
) -> None:
    """The grid is a canvas: a row is added by clicking under the last one and typed into
    with the keyboard, as people do. Every cell must reach the draft and then the database."""
    go(page, "Set-up")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    box_ = grid.bounding_box()
    reviewers = stored_setup(module_db)["reviewers"]
    header = row = 35  # Streamlit's grid: header and row heights in pixels
    page.mouse.click(box_["x"] + 150, box_["y"] + header + row * len(reviewers) + row / 2)
    page.wait_for_timeout(700)
    for text, key in (("Pat Second", "Tab"), ("Co-reviewer", "Tab"), ("Acme Reviews", "Enter")):
        page.keyboard.type(text, delay=40)
        page.keyboard.press(key)
        settle(page)  # each cell's edit reruns the page (see README, Data and trust)
    go(page, "Chronology")
    go(page, "Set-up")
    page.locator('[class*="st-key-DEMO-2026-01-setup-__save"] button').first.click()
    settle(page)
    assert stored_setup(module_db)["reviewers"] == [
        *reviewers,
        {"name": "Pat Second", "role": "Co-reviewer", "organisation": "Acme Reviews"},
    ]


def stored_setup(db_path: Path) -> dict[str, Any]:
    with sqlite3.connect(db_path) as connection:
        row = connection.execute(
            "SELECT s.data FROM sections s JOIN reviews r ON r.id = s.review_id "
            "WHERE r.reference = ? AND s.name = 'setup'",
            [DEMO_REFERENCE],
        ).fetchone()
    return dict(json.loads(row[0]))
