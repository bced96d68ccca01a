"""The partnership's self-assessment against the SCIE/NSPCC case review quality markers."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from lcspr_core.model.common import Model, QualityMarker, QualityRating
from lcspr_core.text import Text


class QualityMarkerRating(Model):
    marker: QualityMarker = Field(description="The quality marker")
    rating: QualityRating = Field(
        default=QualityRating.NOT_ASSESSED, description="How well the review meets it"
    )
    note: Text = Field(
        default="",
        description="The evidence for the rating (where it is found), or what to improve",
    )


class QualityAssessment(Model):
    ratings: list[QualityMarkerRating] = Field(
        default_factory=list, description="One rating per quality marker"
    )
    assessed_on: date | None = Field(default=None, description="Date of the self-assessment")
    assessed_by: Text = Field(default="", description="Who carried out the self-assessment")

    @model_validator(mode="after")
    def _each_marker_once(self) -> QualityAssessment:
        markers = [r.marker for r in self.ratings]
        twice = sorted({m.value for m in markers if markers.count(m) > 1})
        if twice:
            raise ValueError(f"rate each marker once: {', '.join(twice)} appear more than once")
        return self
