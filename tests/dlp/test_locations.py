"""Places in realistic prompts (names.py, LOCATION): streets with their house numbers in the
address formats of several countries, the town after a postal code or before its region, places
on a trip, and the product, project and people's names that must stay what they are. Each case
is one rule a regression would break; the texts are hand-written."""

from __future__ import annotations

import pytest

from interlock.dlp.engine import Engine


def places(engine: Engine, text: str) -> list[str]:
    return [text[f.start : f.end] for f in engine.scan(text) if f.entity == "LOCATION"]


def people(engine: Engine, text: str) -> list[str]:
    return [text[f.start : f.end] for f in engine.scan(text) if f.entity == "PERSON"]


@pytest.mark.parametrize(
    ("text", "street"),
    [
        # one-word streets of German, Dutch and Nordic addresses
        ("Rechnungsadresse: Musterstraße 12, 10115 Berlin", "Musterstraße"),
        ("Die Lieferung geht an Bahnhofstrasse 10, 8001 Zürich.", "Bahnhofstrasse"),
        ("Kontakt: Lindenallee 3, 50968 Köln", "Lindenallee"),
        ("Anschrift: Goetheplatz 4, 60311 Frankfurt am Main", "Goetheplatz"),
        ("Adres: Kalverstraat 92, 1012 PH Amsterdam", "Kalverstraat"),
        ("Adres: Stationsweg 14, 3511 ED Utrecht", "Stationsweg"),  # -weg: with its number
        ("Leveransadress: Drottninggatan 45, 111 21 Stockholm", "Drottninggatan"),
        ("Adresse: Vesterbrogade 10, 1620 København", "Vesterbrogade"),
        # streets of common words after a house number or "on"
        ("Ship it to 1600 Amphitheatre Parkway, Mountain View, CA 94043.", "Amphitheatre Parkway"),
        ("Deliver to 350 Fifth Avenue, New York, NY 10118.", "Fifth Avenue"),
        ("Send the invoice to 55 Water Street, Brooklyn, NY 11201.", "Water Street"),
        ("Billing address: 742 Evergreen Terrace, Springfield, IL 62704", "Evergreen Terrace"),
        ("Return address: 4059 Mt Lee Drive, Hollywood, CA 90068", "Mt Lee Drive"),
        ("Meet me on Market St in San Francisco at noon.", "Market St"),
    ],
)
def test_street_with_its_whole_name(engine: Engine, text: str, street: str) -> None:
    assert street in places(engine, text)


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Leveransadress: Drottninggatan 45, 111 21 Stockholm", "Stockholm"),
        ("Send the samples to Nørregade 22, 8000 Aarhus.", "Aarhus"),  # a surname too
        ("Adres: Stationsweg 14, 3511 ED Utrecht", "Utrecht"),  # not "ED Utrecht"
        ("Postal code 80331 München is the head office.", "München"),
    ],
)
def test_town_after_postal_code(engine: Engine, text: str, town: str) -> None:
    assert town in places(engine, text)


def test_units_after_a_number_are_no_town(engine: Engine) -> None:
    assert places(engine, "Sample rates: 16000, 24000, 44100 Hz") == []


def test_a_name_after_an_order_number_stays_a_person(engine: Engine) -> None:
    # a town that is a name too needs the address form: a comma or a line before the code
    assert people(engine, "Order: 12345 Smith") == ["Smith"]
    assert "Aarhus" in places(engine, "Nørregade 22\n8000 Aarhus")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a town that is a first name too, beside its region or a place noun
        ("Compare the cost of living in our Austin, Texas office.", ["Austin", "Texas"]),
        ("We are relocating the team from Phoenix, Arizona to Dallas.", ["Phoenix", "Arizona"]),
        ("We're opening a branch in Manchester, UK.", ["Manchester", "UK"]),
        ("Our Paris office closes early on Friday.", ["Paris"]),
        # a town that is a common word, after a phrase of travel ("Project Phoenix" is not)
        ("Mr. Rednjak flew to Phoenix on Tuesday morning.", ["Phoenix"]),
        # a trip, and a list after a place with a cue
        ("Travel request: Boston to Seattle, economy, 12 May.", ["Seattle"]),
        ("Visiting Milan and Florence in June, suggest restaurants.", ["Milan", "Florence"]),
        # a city's own name (GeoNames lists "Frankfurt am Main", "Munich", "Gothenburg")
        ("Flights from Frankfurt to São Paulo are delayed again.", ["Frankfurt", "São Paulo"]),
        ("Please ship to Storgatan 8, 411 38 Göteborg.", ["Göteborg"]),
        ("Write an email to the team in Bangalore about the freeze.", ["Bangalore"]),
    ],
)
def test_place_beside_what_only_places_have(engine: Engine, text: str, expected: list[str]) -> None:
    found = places(engine, text)
    assert all(place in found for place in expected), found


def test_dallas_after_a_region_on_a_trip(engine: Engine) -> None:
    text = "We are relocating the team from Phoenix, Arizona to Dallas."
    assert "Dallas" in places(engine, text)
    assert people(engine, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Project Phoenix is behind schedule; the Atlas migration is blocked.",
        "Book the Everest room for the sprint review with the Orion team.",
        "Merge the Aurora branch into main and deploy to Staging.",
        "Austin Reed approved the budget for Q3.",
        "Paris Hilton was trending on social media yesterday.",
        "Explain the Monte Carlo method for option pricing.",
    ],
)
def test_products_projects_and_people_are_no_places(engine: Engine, text: str) -> None:
    assert places(engine, text) == [], places(engine, text)


def test_no_list_of_places_after_a_place_without_cue(engine: Engine) -> None:
    # "Marrero" alone is a town (a known miss); "Murphy" must not follow it into the list
    text = "Is there a better crafted pop song? Marrero and Murphy were engineers."
    assert "Murphy" not in places(engine, text)


def test_people_named_like_towns_stay_people(engine: Engine) -> None:
    assert people(engine, "Austin Reed approved the budget for Q3.") == ["Austin Reed"]
    assert people(engine, "Paris Hilton was trending on social media yesterday.") == [
        "Paris Hilton"
    ]
    assert people(engine, "Explain the Monte Carlo method for option pricing.") == []


def test_address_labels_are_no_people(engine: Engine) -> None:
    for text in ("Adresse: Vesterbrogade 10, 1620 København", "Indirizzo: Via Roma 131"):
        assert people(engine, text) == [], text
