"""Issue 17 in a real browser: a chair asks three agencies for their Rapid Review summaries (the
message typed, the page left and come back to, then sent); a reminder reaches a local SMTP
server; one contributor signs in, sees only their own request, submits a summary and a
chronology; a second agency is late and shows as overdue on the dashboard, then answers late;
the chair accepts both, and the Rapid Review report prints both summaries marked by agency.
Screenshots go to /tmp/shots_requests to be looked at."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from lcspr_core.access import Role
from lcspr_core.demo import CSC, DEMO_REFERENCE, GP, POLICE
from tests.helpers.agency_requests import (
    PASSWORD,
    Mailbox,
    add_member,
    install_profile_with_contacts,
    smtp_server,
)
from tests.helpers.browser import chromium_tab, require_chromium, settle, streamlit_server

SHOTS = Path("/tmp/shots_requests")
pytestmark = pytest.mark.browser
sync_api = require_chromium()

CHAIR, POLICE_USER, CSC_USER = "cara.chair", "pat.police", "sam.social"
MESSAGE = "Please send your agency summary for the Rapid Review meeting."
INVOLVEMENT = "Officers attended the flat twice in January after calls from a neighbour."
LEARNING = "Call handlers did not ask whether children lived at the address."
CSC_INVOLVEMENT = "A social worker visited on 3 February after a referral from the school."


def _seed(db_path: Path) -> None:
    from lcspr_core import agency_requests, services, storage
    from lcspr_core.access import system_actor
    from lcspr_core.demo import build_demo_review
    from lcspr_core.model.agency_requests import RequestKind

    db = storage.open_db(db_path)
    try:
        services.create_review(db=db, review=build_demo_review(), actor=system_actor("setup"))
        install_profile_with_contacts(db)
        add_member(db, CHAIR, DEMO_REFERENCE, Role.CHAIR)
        add_member(db, POLICE_USER, DEMO_REFERENCE, Role.AGENCY_CONTRIBUTOR, POLICE)
        add_member(db, CSC_USER, DEMO_REFERENCE, Role.AGENCY_CONTRIBUTOR, CSC)
        # A second, later police request (not yet due): the contributor moves between the two.
        agency_requests.create_requests(
            db=db, reference=DEMO_REFERENCE, agencies=[POLICE], kind=RequestKind.CHRONOLOGY,
            actor=system_actor("setup"),
        )
    finally:
        db.close()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def server(
    db_path: Path, mailbox: Mailbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'[smtp]\nhost = "{mailbox.host}"\nport = {mailbox.port}\nstarttls = false\n'
        'sender = "safeguarding.partnership@northshire.example"\n'
        'base_url = "http://workbench.northshire.example"\n'
    )
    monkeypatch.setenv("LCSPR_SETTINGS", str(settings))
    _seed(db_path)
    with streamlit_server(db_path) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[object]:
    SHOTS.mkdir(exist_ok=True)
    with chromium_tab(sync_api, server) as tab:
        yield tab


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, username: str, landing: str) -> None:
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    settle(page)
    page.get_by_role("heading", name=landing).first.wait_for()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    settle(page)
    # The last toast ("Emailed a reminder to …") fades by itself: gone before the next person.
    for toast in page.locator('[data-testid="stToast"]').all():
        toast.wait_for(state="detached")


def go(page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    settle(page)
    page.get_by_role("heading", name=re.compile(title)).first.wait_for()


def choose(page, label: str, option: str | re.Pattern[str]) -> None:
    page.get_by_role("combobox", name=re.compile(label)).click()
    if isinstance(option, str):
        page.get_by_role("option", name=option, exact=True).click()
    else:
        page.get_by_role("option", name=option).first.click()
    settle(page)


def test_agency_requests_from_asking_to_the_report(
    page, db_path: Path, mailbox: Mailbox, tmp_path: Path
) -> None:
    from docx import Document

    from lcspr_core import agency_requests, services, storage
    from lcspr_core.access import actor_for
    from lcspr_core.documents import render_document
    from lcspr_core.model.agency_requests import InvolvementSummary

    # 1. The chair asks three agencies. The review's sidebar picker opens it.
    sign_in(page, CHAIR, "Reviews")
    go(page, "Agency requests")
    for agency in (POLICE, CSC, GP):
        choose(page, "Agencies to ask", agency)
    page.keyboard.press("Escape")
    # Requested weeks ago (asked by phone first): all three are due already.
    day = page.get_by_role("spinbutton", name=re.compile("^day, Requested on")).first
    day.click()
    page.keyboard.type("05012026")
    page.keyboard.press("Escape")  # close the calendar that typing opened
    page.keyboard.press("Tab")
    settle(page)
    page.get_by_role("textbox", name="Message to the agency").fill(MESSAGE)
    page.get_by_role("textbox", name="Message to the agency").blur()
    settle(page)
    # Leave the page and come back: nothing typed is lost.
    go(page, "Reviews")
    go(page, "Agency requests")
    assert page.get_by_role("textbox", name="Message to the agency").input_value() == MESSAGE
    shot(page, "01-chair-asks")
    page.get_by_role("button", name="Send the requests").click()
    settle(page)
    late = re.compile(re.escape(GP) + r" — .* — overdue, \d+ working days late")
    page.locator("summary").filter(has_text=late).first.wait_for()

    # 2. The third agency is reminded by email: the local SMTP server receives it.
    page.locator("summary").filter(has_text=late).first.click()
    settle(page)
    page.get_by_role("button", name="Email a reminder").last.click()
    settle(page)
    page.get_by_text(f"Emailed a reminder to {GP}.").first.wait_for()
    assert [m["To"] for m in mailbox.messages] == ["ash.green@riverside.example"]
    body = mailbox.messages[0].get_payload(decode=True).decode()
    assert "http://workbench.northshire.example/agency_requests?request=" in body
    assert MESSAGE in body
    shot(page, "02-chair-reminded")
    sign_out(page)

    # 3. The police contributor sees their request only, and answers it.
    sign_in(page, POLICE_USER, "Agency requests")
    assert page.get_by_text(CSC).count() == 0 and page.get_by_text(GP).count() == 0
    choose(page, "Request to answer", re.compile("Rapid Review agency summary"))
    involvement = page.get_by_role("textbox", name=re.compile("involvement with the child"))
    involvement.fill(INVOLVEMENT)
    involvement.blur()
    settle(page)
    # Over to the other request and back: the summary typed so far is still there.
    choose(page, "Request to answer", re.compile("Chronology"))
    page.get_by_role("textbox", name=re.compile("involvement with the child")).wait_for(
        state="detached"
    )
    choose(page, "Request to answer", re.compile("Rapid Review agency summary"))
    assert involvement.input_value() == INVOLVEMENT
    page.get_by_role("textbox", name=re.compile("already learned")).fill(LEARNING)
    page.get_by_role("textbox", name=re.compile("already learned")).blur()
    settle(page)
    csv = tmp_path / "police-chronology.csv"
    csv.write_text(
        "Date,Event,Source\n12/01/2026,Officers attended after a neighbour's call,Log 881\n"
        "19/01/2026,Second call; no check for children in the household,Log 902\n"
    )
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
    settle(page)
    page.get_by_text(f"Preview: 2 entries, each recorded as {POLICE}'s.").wait_for()
    shot(page, "03-contributor-answers")
    page.get_by_role("button", name="Submit (final for this version)").click()
    settle(page)
    page.get_by_text("was submitted and is with the chair").first.wait_for()
    shot(page, "04-contributor-submitted")
    sign_out(page)

    # 4. The chair's dashboard shows the children's services request overdue, in words.
    sign_in(page, CHAIR, "Reviews")
    words = page.locator('[data-testid="stMarkdownContainer"]')
    words.filter(has_text=re.compile(re.escape(CSC) + r".*overdue, \d+ working days late")).first.wait_for()
    assert page.get_by_text(re.compile(re.escape(POLICE) + ".*overdue")).count() == 0
    shot(page, "05-dashboard-overdue")

    # 5. Children's services answers late (through the core), and the chair accepts both.
    db = storage.open_db(db_path)
    try:
        csc_request = agency_requests.contributor_requests(
            db=db, actor=actor_for(db=db, username=CSC_USER), today=services.today()
        )[0]
        late = agency_requests.submit(
            db=db, request_id=csc_request.request.id, actor=actor_for(db=db, username=CSC_USER),
            today=services.today(), summary=InvolvementSummary(involvement=CSC_INVOLVEMENT),
        )  # fmt: skip
        assert late.late
    finally:
        db.close()
    go(page, "Agency requests")
    for agency in (POLICE, CSC):
        title = re.compile(re.escape(agency) + " — Rapid Review agency summary — received")
        request = page.locator('[data-testid="stExpander"]').filter(
            has=page.locator("summary", has_text=title)
        )
        request.get_by_role("button", name="Accept", exact=True).click()
        settle(page)
        done = re.compile(re.escape(agency) + " — Rapid Review agency summary — accepted")
        page.locator("summary").filter(has_text=done).wait_for()
    shot(page, "06-chair-accepted")
    go(page, "Rapid Review and decision")
    page.get_by_role("heading", name="Agency requests").wait_for()
    shot(page, "07-rapid-review-tracker")

    # 6. The Rapid Review report prints both accepted summaries, each marked by its agency.
    db = storage.open_db(db_path)
    try:
        chair = actor_for(db=db, username=CHAIR)
        review = services.load_review(db=db, reference=DEMO_REFERENCE, actor=chair)
        data = render_document(kind="rapid_review_report", review=review, today=date.today())
    finally:
        db.close()
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert POLICE in text and INVOLVEMENT in text and LEARNING in text
    assert CSC in text and CSC_INVOLVEMENT in text
    sources = [e.source for e in review.chronology if e.agency == POLICE and "Log" in e.source]
    assert sources == [f"{POLICE} return, version 1; Log 881", f"{POLICE} return, version 1; Log 902"]
