"""Meeting minutes show the chair's sign-off and any addenda recorded after it."""

from __future__ import annotations

from datetime import date

from test_documents_render import all_text, paragraph_texts, render

from lcspr_core.documents import sample_review
from lcspr_core.model.governance import MeetingAddendum


def test_signed_off_minutes_show_the_sign_off_and_each_addendum() -> None:
    review = sample_review()
    meeting = next(m for m in review.meetings if m.id == "m1")
    assert meeting.signed_off_on == date(2026, 6, 29)
    meeting.addenda.append(
        MeetingAddendum(
            added_on=date(2026, 7, 3),
            by="Jo Chairperson",
            text="The police check was returned after the meeting.\nNo change to the decision.",
        )
    )
    data = render("meeting_minutes", review, meeting_id="m1")
    text = all_text(data)
    assert "Signed off by the chair on 29 June 2026" in text
    paras = paragraph_texts(data)
    heading = paras.index("Addenda after sign-off")
    assert paras[heading + 1 : heading + 4] == [
        "Added on 3 July 2026 by Jo Chairperson",
        "The police check was returned after the meeting.",
        "No change to the decision.",
    ]


def test_minutes_without_addenda_have_no_addenda_heading() -> None:
    data = render("meeting_minutes", meeting_id="m1")
    assert "Signed off by the chair on 29 June 2026" in all_text(data)
    assert not any("Addenda" in p for p in paragraph_texts(data))
