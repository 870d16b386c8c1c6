"""Organisations in realistic prompts (names.py): each case is one category of cue — a legal
form of some country, an institution's head noun or lead word, a firm joined by "&", a
business relation before the name — and the look-alikes that must stay no organisation."""

from __future__ import annotations

import pytest

from interlock.dlp.engine import Engine
from tests.dlp.support import found


@pytest.mark.parametrize(
    ("text", "org"),
    [
        # legal forms of more countries; the short ones in upper case
        ("Our insurer, Allianz SE, wants the report.", "Allianz SE"),
        ("Please pay Halvorsen Marine AS by Friday.", "Halvorsen Marine AS"),
        ("Translate the offer for Møller Byg ApS into Danish.", "Møller Byg ApS"),
        ("Check the letter from Dunmore Solicitors LLP today.", "Dunmore Solicitors LLP"),
        ("The quote from Groupe Moreau SAS is in EUR.", "Groupe Moreau SAS"),
        # legal forms written with full stops or a slash
        ("Our supplier Fratelli Bonomi S.p.A. raised prices.", "Fratelli Bonomi S.p.A."),
        ("Duarte Construções S.A. missed two milestones.", "Duarte Construções S.A."),
        ("Invoice for Vester Hansen A/S is overdue.", "Vester Hansen A/S"),
        ("A claim against Oceanic Line Shipping Co. today", "Oceanic Line Shipping Co."),
        # an institution's or a trade's head noun, a possessive before it
        ("I'm a nurse at Riverside General Hospital.", "Riverside General Hospital"),
        ("Patient moved to St. Mary's Hospital on 3 May.", "Mary's Hospital"),
        ("Grant application to the Wellcome Trust, please shorten it.", "Wellcome Trust"),
        ("Trelawny Capital's CFO wants the pack.", "Trelawny Capital"),
        ("Our bank, First Citizens Bank, needs a resolution.", "First Citizens Bank"),
        ("Pacific Crest Credit Union cannot download statements.", "Pacific Crest Credit Union"),
        ("The guarantee from Banco Santander arrived.", "Banco Santander"),
        # a lead word and "of"
        ("She did her PhD at the University of Edinburgh.", "University of Edinburgh"),
        ("A letter from the Ministry of Finance about VAT.", "Ministry of Finance"),
        (
            "The Department of Health and Social Care published guidance.",
            "Department of Health and Social Care",
        ),
        # two surnames joined by "&"
        ("I'm a paralegal at Morrison & Foerster.", "Morrison & Foerster"),
        # a business relation before a name no list calls a firm
        ("Onboarding the vendor Redgum next week.", "Redgum"),
        ("Our auditors, Grant Thornton, flagged it.", "Grant Thornton"),
        ("Their lawyers at Clifford Chance replied.", "Clifford Chance"),
        ("Please pay to our account at Handelsbanken instead.", "Handelsbanken"),
        ("Quorvex's CEO resigned on Monday.", "Quorvex"),
    ],
)
def test_organisations(engine: Engine, text: str, org: str) -> None:
    assert found(engine, text, "ORGANIZATION") == [org]
    assert found(engine, text, "PERSON") == []  # not read as a person as well


@pytest.mark.parametrize(
    "text",
    [
        "Java SE and Windows AS well as the Zero Trust model",  # short forms after common words
        "Tone & Style, Arts & Crafts and Romeo & Juliet",  # words and first names joined by &
        "The Bank will call. Meet me at P.O. Box 149 Monika Union",  # a town called Union
        "Explain the Board of Directors and the Terms of Service.",  # no lead of an organisation
        "Our customer Kowalczyk called about the Design System Foundation.",
        "The Hospital. Dave said it was fine.",  # a full stop after a head noun ends the run
    ],
)
def test_no_organisation(engine: Engine, text: str) -> None:
    assert found(engine, text, "ORGANIZATION") == []


def test_person_kept_beside_firm(engine: Engine) -> None:
    text = "Ticket: customer Holmberg & Lind AB reports SSO failures. Contact: Erik Holmberg."
    assert found(engine, text, "ORGANIZATION") == ["Holmberg & Lind AB"]
    assert found(engine, text, "PERSON") == ["Erik Holmberg"]
