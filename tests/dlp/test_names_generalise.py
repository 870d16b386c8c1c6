"""Kinds of names the recogniser reads from general signals (session 6, issue #4): a town after
a preposition of place in the languages prompts are written in, words German capitalises, a
business cue next to a town's name, time spent at an employer, a verb of people before a
colon, a name repeated by the address in the next field of a row, plural nouns of people
before a list; and the look-alikes that must stay no name: products named of two words or led
by an acronym. Names marked "made up" are in no list: they are found by where they stand."""

from __future__ import annotations

import pytest

from interlock.dlp.engine import Engine
from interlock.dlp.names_people import be_noun, brand_compound
from tests.dlp.support import found


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Bonjour Camille, votre colis a été expédié depuis Lyon et arrivera jeudi.", "Lyon"),
        ("Hola Alejandro, te escribo desde Sevilla para confirmar la reunión.", "Sevilla"),
        ("Die Lieferung geht morgen nach Hamburg.", "Hamburg"),
        ("Escalation: a VIP guest could not check in at our Doha hotel.", "Doha"),
    ],
)
def test_a_town_that_is_also_a_name_after_a_preposition_or_before_a_place_noun(
    engine: Engine, text: str, place: str
) -> None:
    assert place in found(engine, text, "LOCATION")
    assert place not in found(engine, text, "PERSON")


def test_words_german_capitalises_are_no_names(engine: Engine) -> None:
    text = "Sehr geehrte Frau Schneider, wir bestätigen Ihren Termin am Dienstag in Düsseldorf."
    assert found(engine, text, "PERSON") == ["Schneider"]


@pytest.mark.parametrize(
    ("text", "org"),
    [
        # a business cue outweighs a town's name, and keeps the firm's common words
        (
            "Our supplier Greenfield Packaging shipped the wrong cartons.",
            "Greenfield Packaging",
        ),
        # time spent at an employer
        (
            "The candidate has eight years of experience at Vodafone Ghana.",
            "Vodafone Ghana",
        ),
        ("Our engineers at Quarnetic will take over level-2 support.", "Quarnetic"),
    ],
)
def test_organisations_after_business_cues(engine: Engine, text: str, org: str) -> None:
    assert found(engine, text, "ORGANIZATION") == [org]


def test_a_business_cue_across_punctuation_is_none(engine: Engine) -> None:
    # "competitor" ends a clause: what follows the semicolon is a person, not the competitor
    text = "We lost the deal to a competitor; Harriet Blake thinks pricing was the reason."
    assert found(engine, text, "ORGANIZATION") == []
    assert found(engine, text, "PERSON") == ["Harriet Blake"]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        # made up: found by the verb of a person before the quoted words
        ('Quilbert Vandrosk wrote: "the new dashboard is confusing"', "Quilbert Vandrosk"),
        # made up: by the verb of a customer in a ticket
        ("Summary: Quilbert Vandrosk filed a complaint about the refund.", "Quilbert Vandrosk"),
        # made up: the address in the next field of the row repeats the name
        ("name,email\nZorvan Pelliak,zorvan.pelliak@example.com", "Zorvan Pelliak"),
        # made up: a plural noun of people before the list
        ("We interviewed three candidates: Quilbert Vandrosk and others.", "Quilbert Vandrosk"),
    ],
)
def test_names_no_list_knows_found_by_where_they_stand(
    engine: Engine, text: str, person: str
) -> None:
    assert person in found(engine, text, "PERSON")


@pytest.mark.parametrize(
    "text",
    [
        "We integrate with Mailchimp for the newsletter.",
        "Our DNS is managed by Cloudflare.",
        "Please ask Freshdesk support why the tickets are duplicated.",
        "Add JSDoc comments to every exported function.",
        "List the SKUs with FAQPage markup.",
    ],
)
def test_products_are_no_people(engine: Engine, text: str) -> None:
    assert found(engine, text, "PERSON") == []


def test_brand_compound_is_two_common_words() -> None:
    assert brand_compound("Mailchimp") and brand_compound("Flightaware")
    # names shaped otherwise, and short words, are not
    assert not brand_compound("Kowalczyk") and not brand_compound("Oyelaran")
    assert brand_compound("Dropbox")  # seven letters, parts of three or more


@pytest.mark.parametrize(
    ("text", "town"),
    [
        (
            "Billing address:\nJohn Carter\n12 Harbour Road\nSuite 200\nWarwick\nUnited Kingdom",
            "Warwick",
        ),
        (
            "Please update:\nChloe Bennett\n88 Kingsway\nFlat 2\nPreston\nEngland PR1 3AB\n",
            "Preston",
        ),
    ],
)
def test_the_town_line_of_a_multi_line_address(engine: Engine, text: str, town: str) -> None:
    # a town that is also a first name, alone on its line between the flat and the country
    assert town in found(engine, text, "LOCATION")
    assert town not in found(engine, text, "PERSON")


def test_a_name_line_before_a_street_stays_a_person(engine: Engine) -> None:
    text = "Deliver to:\nUnit 4\nWarwick Davies\n12 Harbour Road\nLeeds"
    assert found(engine, text, "PERSON") == ["Warwick Davies"]


@pytest.mark.parametrize(
    "text",
    [
        # made up: what is said of the name after "is" is a role
        "Quilbert is our new intern and starts on Monday.",
        "Zorvan and Pelliak are the reviewers for this release.",
    ],
)
def test_a_role_said_of_a_name_makes_a_person(engine: Engine, text: str) -> None:
    assert text.split(" ", 1)[0] in found(engine, text, "PERSON")


@pytest.mark.parametrize(
    "text",
    ["Apollo is the platform we use for deployments.", "Kestrel is a tool for load testing."],
)
def test_a_thing_said_of_a_name_makes_none(engine: Engine, text: str) -> None:
    assert found(engine, text, "PERSON") == []


def test_be_noun_is_the_noun_after_is_and_its_determiners() -> None:
    assert be_noun(" is our new intern and starts on") == "intern"
    assert be_noun(" is a contractor, not an employee") == "contractor"
    assert be_noun(" is from spain") == ""


def test_a_capitalised_particle_begins_the_surname(engine: Engine) -> None:
    text = '"We will fix it next week," says Du Toit.'
    assert found(engine, text, "PERSON") == ["Du Toit"]
    # with the particle a place: a place ("La Paz"), not a person
    assert found(engine, "We flew on to La Paz on Monday.", "PERSON") == []


@pytest.mark.parametrize(
    "text",
    [
        "Rechnung an Frau Katharina Schulz, Lindenstraße 14, 80331 München, Tel. 089 12345678.",
        "Contact: Joan Mabry, Tel 020 7946 0958, Fax: 020 7946 0000",
    ],
)
def test_a_phone_label_is_no_person(engine: Engine, text: str) -> None:
    # "Tel" is in the given-name lists; before a number it labels the number
    people = found(engine, text, "PERSON")
    assert len(people) == 1 and "Tel" not in people and "Fax" not in people
    assert found(engine, "Ring the Tel Aviv office.", "LOCATION") == ["Tel Aviv"]
