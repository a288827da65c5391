"""Specialised-industry offers need the customer's approved qualification."""

from __future__ import annotations

import pytest
from checkout_factories import checkout, codes, facts, line, offer, order

from csp_commerce import Qualification, QualificationFact, Segment
from csp_commerce.models import VettingStatus

EDU = offer(id="edu", name="Microsoft 365 A3", segment=Segment.EDUCATION)


@pytest.mark.parametrize(
    ("segment", "qualification"),
    [
        (Segment.EDUCATION, Qualification.EDUCATION),
        (Segment.GOVERNMENT, Qualification.GOVERNMENT_COMMUNITY_CLOUD),
        (Segment.NONPROFIT, Qualification.NONPROFIT),
    ],
)
def test_a_segment_offer_needs_the_matching_qualification(
    segment: Segment, qualification: Qualification
) -> None:
    restricted = order(line(offer(segment=segment)))
    result = checkout().validate(restricted, facts())
    assert codes(result) == ["eligibility.not_qualified"]
    assert result.problems[0].field == "lines.0.offer"
    assert result.problems[0].params["qualification"] == qualification.value
    assert "Apply" in result.problems[0].message

    approved = facts(qualifications=(QualificationFact(qualification=qualification),))
    assert checkout().validate(restricted, approved).ok


def test_another_qualification_does_not_count() -> None:
    nonprofit = facts(qualifications=(QualificationFact(qualification=Qualification.NONPROFIT),))
    assert codes(checkout().validate(order(line(EDU)), nonprofit)) == ["eligibility.not_qualified"]


def test_in_review_says_wait() -> None:
    pending = QualificationFact(
        qualification=Qualification.EDUCATION, vetting_status=VettingStatus.IN_REVIEW
    )
    result = checkout().validate(order(line(EDU)), facts(qualifications=(pending,)))
    assert codes(result) == ["eligibility.in_review"]
    assert "Wait" in result.problems[0].message


def test_denied_says_why_and_to_contact_microsoft() -> None:
    denied = QualificationFact(
        qualification=Qualification.EDUCATION,
        vetting_status=VettingStatus.DENIED,
        vetting_reason="not an accredited school",
    )
    result = checkout().validate(order(line(EDU)), facts(qualifications=(denied,)))
    assert codes(result) == ["eligibility.denied"]
    assert "not an accredited school" in result.problems[0].message
    assert "Contact Microsoft" in result.problems[0].message


def test_an_approved_entry_wins_over_a_denied_one() -> None:
    history = (
        QualificationFact(
            qualification=Qualification.EDUCATION, vetting_status=VettingStatus.DENIED
        ),
        QualificationFact(qualification=Qualification.EDUCATION),
    )
    assert checkout().validate(order(line(EDU)), facts(qualifications=history)).ok


def test_commercial_offers_need_nothing() -> None:
    assert checkout().validate(order(), facts()).ok
