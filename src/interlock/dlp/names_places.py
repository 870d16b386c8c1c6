"""LOCATION: places beside what only places have (a region, a postal code, a place noun, a
trip), after phrases of travel and residence, towns of addresses, streets (street words and
endings, house numbers, lead words such as "Rue", "Via"). Used by names.py (NameRecognizer
mixes in PlaceRules)."""

from __future__ import annotations

import re

from interlock.dlp.names_lexicon import CAP_BEFORE, LOCATION, RecognizerState, Token
from interlock.dlp.rules import Finding, words

# the capitalised words of a street before its street word ("Fifth " of "Fifth Avenue")
_STREET_LEAD_BEFORE = re.compile(r"(?<![\w.])(?:[A-Z][\w'’-]*[ \t]){1,2}\Z")
# What ends the street part of an address before ", Town": a street word or apartment number
# ("Farnell Street, ", "Apt. 397, ") or a street name and house number ("Jahu 80, ").
ADDRESS_BEFORE = re.compile(
    r"(?:\b(?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|way|boulevard|blvd|apt|suite|"
    r"box|str)\.?(?: \d{1,6}[A-Za-z]?)?|\b([A-Z][^\W\d_]+) \d{1,5}[A-Za-z]?),[ \t]{1,2}\Z"
)
PLACE_CONTEXT = words(
    "in at from to near city country town live lives living located based moved visit visiting via "
    # the same in the languages people write prompts in ("depuis Lyon", "desde Sevilla", "nach
    # Hamburg", "vanuit Utrecht", "från Göteborg"): a town that is also a name is the town there
    "depuis dans vers desde hacia en nach aus naar vanuit uit från dalla verso"
)
# Phrases before an unknown capitalised word that make it a place: movement and residence.
PLACE_PHRASES = frozenset(
    ["here from", "originally from", "flew to", "fly to", "flying to", "based in", "arrived at",
     "arrived in", "returned to", "lives in", "live in", "living in", "travelling to",
     "traveling to", "located in", "born in", "moved to", "relocated to", "visiting",
     "trip to", "office in", "offices in", "headquartered in"]
)  # fmt: skip

STREET_WORDS = frozenset(
    [
        "street",
        "st",
        "st.",
        "avenue",
        "ave",
        "road",
        "rd",
        "lane",
        "ln",
        "way",
        "drive",
        "dr",
        "boulevard",
        "blvd",
        "court",
        "ct",
        "place",
        "pl",
        "square",
        "sq",
        "creek",
        "crescent",
        "close",
        "terrace",
        "gardens",
        "parkway",
        "highway",
        "hwy",
        "alley",
        "row",
        "hill",
        # more USPS street suffixes
        "bridge", "brook", "brooks", "bypass", "causeway", "circle", "cliffs", "corner",
        "corners", "cove", "coves", "crossing", "crossroad", "estates", "expressway", "falls",
        "ferry", "flat", "flats", "ford", "forge", "fork", "forks", "freeway", "garden", "glen",
        "glens", "grove", "groves", "harbor", "haven", "heights", "hollow", "inlet", "junction",
        "knoll", "knolls", "landing", "loop", "mall", "manor", "meadow", "meadows", "mews",
        "orchard", "oval", "overpass", "park", "parks", "pass", "passage", "path", "pike",
        "plaza", "point", "points", "rapids", "ridge", "route", "shoals", "shore", "shores",
        "spur", "stravenue", "trace", "trail", "turnpike", "underpass", "union", "unions",
        "valley", "viaduct", "vista", "walk", "ways", "vía",
    ]
)  # fmt: skip
STREET_HEADS = frozenset(
    [
        "rua",
        "via",
        "avda",
        "avenida",
        "calle",
        "rue",
        "strasse",
        "straße",
        "ulica",
        "ul",
        "carrer",
        "viale",
        "piazza",
        "largo",
    ]
)
# words before a street's name, lower case ("Boulevard de …", "Avenue …", "Rue …")
STREET_LEADS = STREET_HEADS | frozenset(
    ["boulevard", "avenue", "route", "chemin", "allee", "allée", "plaza", "strada", "plac"]
)
STREET_PARTICLES = frozenset(
    ["de", "del", "della", "dei", "degli", "des", "du", "da", "do", "di", "la", "le", "los", "las"]
)
HOUSE_NUMBER_BEFORE = re.compile(r"\d\s+(?:[a-z]\.?\s+)?\Z")
# a house number before a street, "221B" included
NUMBER_BEFORE = re.compile(r"\d[\d ]*[A-Za-z]?\s$")


# Hungarian and Polish street words after a street's name: "Király u. 15"
_STREET_AFTER = re.compile(r" (?:u\.|utca|ul\.) ?\d")
# words before a street's name ("lives on Jackson Street", "at Oak Hill")
STREET_CONTEXT = frozenset(
    ["on", "at", "in", "near", "off", "along", "via", "to", "from", "of", "and", "corner"]
)
HOUSE_NUMBER_AFTER = re.compile(r" \d{1,5}(?![\d:/-]|\.\d)")
# one-word streets of German, Dutch and Nordic addresses ("Musterstraße", "Kalverstraat",
# "Drottninggatan", "Vesterbrogade"): these endings make a street by themselves; _STREET_ENDINGS_
# NUMBERED only before a house number ("Stationsweg 14"; "Hartweg" is a surname too)
_STREET_ENDINGS = (
    "straße", "strasse", "gasse", "allee", "platz", "straat", "gracht", "gatan", "vägen",
    "gade", "vej", "veien", "gränd",
)  # fmt: skip
_STREET_ENDINGS_NUMBERED = (
    "weg", "laan", "ring", "damm", "ufer", "plein", "kade", "singel", "gate", "vei",
    "väg", "torg", "torget", "stieg", "steig",
)  # fmt: skip
_STREET_TAILS = frozenset(e[-3:] for e in _STREET_ENDINGS + _STREET_ENDINGS_NUMBERED)
# street words after which a run of common words is a street name where "on", "at", … stand
# before it ("on Market St", "at Water Street"; not "on Google Drive", "at Power Point")
_PLAIN_STREET_WORDS = frozenset(
    ["street", "st", "st.", "avenue", "ave", "road", "rd", "lane", "ln", "boulevard", "blvd",
     "terrace", "parkway"]
)  # fmt: skip
# a postal code before a town: "10115 Berlin", "111 21 Stockholm", "1017 CB Amsterdam",
# "D-80331 München", after a comma, a colon, a line start, "in" or "code"
_POSTCODE_BEFORE = re.compile(
    r"(?:^|[,:;(]|\b(?:in|code|zip|plz))[ \t]*(?:[A-Z]{1,2}-)?(\d{4,5}|\d{3} \d{2})"
    r"(?: [A-Z]{2})?[ \t]{1,2}\Z",
    re.M,
)
# the end of an address line before its town's line: a house or flat number ("12 Harbour
# Road" ends in none, "Suite 200", "Flat 2", "Jahu 80", "Apt. 3B" do)
HOUSE_NUMBER_ENDS = re.compile(r"(?:^|\s)\d[\w/-]*[ \t]*\Z")
# what may follow the town on its line: a region code and a postal code ("PA 73161", "43 73313")
TOWN_LINE_TAIL = re.compile(r"(?:[A-Z]{2}|\d{1,3})[ \t]+\d{4,6}(?:-\d{4})?")
# a region after a town: "Austin, Texas", "Phoenix, Arizona", "Springfield, IL 62704"
_REGION_AFTER = re.compile(r", ([A-Z][A-Za-z.]+(?: [A-Z][a-z]+)?)")
_US_STATE_CODES = frozenset(
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
     "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
     "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
     "VA", "WA", "WV", "WI", "WY", "DC"]
)  # fmt: skip
# nouns after a town that make it the place of something ("our Paris office", "the Zurich
# site"; not "team", "branch", "store": "the Orion team", "the Aurora branch")
_PLACE_NOUN_AFTER = re.compile(
    r" (?:office|offices|site|campus|headquarters|hq|airport|warehouse|plant|factory|area|"
    r"hotel|hotels|port|embassy|consulate|region|district|depot|"
    r"data ?cent(?:er|re))\b"
)
# "Boston to Seattle", "from Lyon to Marseille": the place a trip goes to
_TO_PLACE_AFTER = re.compile(r" to ([A-Z][^\W\d_]+(?: [A-Z][^\W\d_]+)?)")


# the last character of a postal code, or of the letters after a Dutch one ("3511 ED")
CODE_ENDS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# STREET_WORDS as the look-up keys of capitalised words ("Parkway", "St"): no lower() per run
STREET_KEYS = frozenset(w.capitalize().rstrip(".") for w in STREET_WORDS)


def _postcode_before(text: str, start: int, known_place: bool, comma: bool = False) -> bool:
    """Whether a postal code stands before the town at `start` ("10115 Berlin"); a year-like
    code ("2024 Jordan") only before a known place; with `comma`, only after a comma or at a
    line start."""
    if start < 5 or (not text[start - 2].isdigit() and not text[start - 2].isupper()):
        return False  # checked first: cheaper than the search
    m = _POSTCODE_BEFORE.search(text, max(0, start - 20), start)
    if m is None:
        return False
    if comma and text[m.start()] != "," and m.start() > 0 and text[m.start() - 1] != "\n":
        return False
    code = m.group(1)
    return known_place or not (len(code) == 4 and code[:2] in ("19", "20"))


def _street_word_ending(word: str, text: str, end: int) -> bool:
    """ "Musterstraße", "Drottninggatan 45", "Stationsweg 14": one word that is a street (the
    caller has looked at its last three letters: _STREET_TAILS)."""
    lower = word.lower()
    if lower.endswith(_STREET_ENDINGS):
        return not lower.startswith(_STREET_ENDINGS)  # "Straße:" alone is a label
    return (
        lower.endswith(_STREET_ENDINGS_NUMBERED)
        and len(lower) > 6
        and HOUSE_NUMBER_AFTER.match(text, end) is not None
    )


def is_street(run: list[Token], text: str, start: int) -> bool:
    """Street names ("Huntly Street", "Rua Mina", "… 52 Farnell Street", "Via Roma 131") are
    not people."""
    if len(run) >= 2 and run[-1].word.lower() in STREET_WORDS:
        return True
    end = run[-1].end
    if (
        len(run) == 1  # "Musterstraße 12": one word (a run of two is a name more often)
        and run[0].word[-3:] in _STREET_TAILS  # keys are not upper case
        and _street_word_ending(run[0].word, text, end)
    ):
        return True
    if run[0].word.lower() in STREET_HEADS or (
        text[end + 1 : end + 2] == "u" and _STREET_AFTER.match(text, end)
    ):
        return True
    if (
        len(run) >= 2
        and HOUSE_NUMBER_AFTER.match(text, run[-1].end)
        and not run[-1].word.endswith(("'s", "’s"))
    ):
        return True
    if (
        start < 2
        or text[start - 1] not in " \t"  # a number ending the line before is no house number
        or not (
            text[start - 2].isdigit()
            or text[start - 2] == " "
            or (start >= 3 and text[start - 3].isdigit() and text[start - 2].isalpha())  # 221B
        )  # checked first: cheaper
        or not NUMBER_BEFORE.search(text[max(0, start - 8) : start])
    ):
        return False
    # "641 Dašická 688", "34151 Nybyvägen 65": one word between numbers is a street too
    return len(run) >= 2 or bool(HOUSE_NUMBER_AFTER.match(text, run[-1].end))


MONTH_ABBREVIATIONS = frozenset(
    ["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]
)
DAY_AFTER = re.compile(r"\.? \d{1,2}\b")
_DAY_BEFORE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\.? $")


def month_in_date(run: list[Token], text: str, start: int, end: int) -> bool:
    """ "closed on 3 Nov.", "Nov 3": a month's abbreviation in a date (Nov is also a town)."""
    return (
        len(run) == 1
        and run[0].word.lower() in MONTH_ABBREVIATIONS
        and (
            _DAY_BEFORE.search(text, max(0, start - 6), start) is not None
            or DAY_AFTER.match(text, end) is not None
        )
    )


def after_comma(text: str, start: int) -> bool:
    """Whether a comma and one or two spaces or tabs end just before `start`, as every
    ADDRESS_BEFORE match does: checked first, the search being costly."""
    head = text[max(0, start - 3) : start]
    if "," not in head:  # most runs: one look at three characters
        return False
    kept = head.rstrip(" \t")
    return kept.endswith(",") and 0 < len(head) - len(kept) <= 2


class PlaceRules(RecognizerState):
    """The LOCATION passes that read the recogniser's gazetteer and context function."""

    def _place_after_skipped_word(
        self, text: str, start: int, end: int, out: list[Finding]
    ) -> bool:
        """A place whose first word is a common one, skipped before this run: "Los Angeles",
        "United Kingdom"."""
        if text[start - 1 : start] != " " or text[start:end].lower() not in self.g.place_tails:
            return False
        head = CAP_BEFORE.search(text, max(0, start - 16), start - 1)
        if head is None or f"{head.group(0)} {text[start:end]}".lower() not in self.g.places:
            return False
        out.append(Finding(LOCATION, head.start(), end, "gazetteer_place", 0.75, "internal"))
        return True

    def _common_place(
        self, text: str, start: int, end: int, last: str, n: int, out: list[Finding]
    ) -> bool:
        """Common words that are a place: a street after a house number or "on" ("1600
        Amphitheatre Parkway", "on Market St"), a town after a phrase of travel or residence
        ("flew to Phoenix"), before its region ("Phoenix, Arizona") or after a postal code
        ("80331 Mitte")."""
        if n >= 2 and last in STREET_WORDS:
            if NUMBER_BEFORE.search(text, max(0, start - 8), start) or (
                last in _PLAIN_STREET_WORDS and self._before(text, start)[0] in STREET_CONTEXT
            ):
                out.append(Finding(LOCATION, start, end, "street_name", 0.6, "internal"))
                return True
            return False
        lower = text[start:end].lower()
        if n == 1 and lower in self.g.places and self._before(text, start)[1] in PLACE_PHRASES:
            # "flew to Phoenix", "moved to Reading", "based in Nice": a town that is a word
            out.append(Finding(LOCATION, start, end, "place_context", 0.6, "internal"))
            return True
        if lower in self.g.places and (
            self._region_after(text, end, out) or _postcode_before(text, start, True)
        ):
            out.append(Finding(LOCATION, start, end, "gazetteer_place", 0.75, "internal"))
            return True
        return False

    def _place_by_neighbours(
        self,
        text: str,
        start: int,
        end: int,
        before: str,
        phrase: str,
        after: str,
        out: list[Finding],
    ) -> bool:
        """A town that is also a name ("Austin", "Dallas", "Milan") is a place beside what
        only places have: its region ("Austin, Texas"), a postal code ("8000 Aarhus"), a
        place's noun ("our Paris office"), another place on a trip ("Boston to Seattle",
        "… Arizona to Dallas") or in a list after a place with a cue ("visiting Milan and
        Florence")."""
        if self._region_after(text, end, out) or _postcode_before(text, start, True):
            return True
        if _PLACE_NOUN_AFTER.match(after):
            return True
        if before == "to" and phrase[:-3] in self.g.places:
            return True  # "Boston to Seattle", "Arizona to Dallas" ("arizona" a region)
        m = _TO_PLACE_AFTER.match(text, end) if after.startswith(" to ") else None
        if m is not None and m.group(1).lower() in self.g.places:
            return True
        if before in ("and", "or") and out and out[-1].entity == LOCATION and out[-1].score >= 0.9:
            # after a place with a cue ("in Milan and Florence"; not "Marrero and Murphy")
            return text[out[-1].end : start].strip(" ,") in ("and", "or")
        return False

    def _postcode_town(self, text: str, run: list[Token], out: list[Finding]) -> bool:
        """ "10115 Berlin", "8000 Aarhus", "111 21 Stockholm": the town of an address after
        its postal code (not a street with its house number, not "44100 Hz"); a town that is
        a name too only after a comma or a line start ("…, 8000 Aarhus"; not "Order: 12345
        Smith")."""
        start, end = run[0].start, run[-1].end
        named = any(t.first or t.last for t in run)
        if (
            end - start > 2
            and _postcode_before(
                text, start, False, named and text[start:end].lower() not in self.g.places
            )
            and not HOUSE_NUMBER_AFTER.match(text, end)
            and not is_street(run, text, start)
        ):
            out.append(Finding(LOCATION, start, end, "address_town", 0.6, "internal"))
            return True
        return False

    @staticmethod
    def _street_start(text: str, run: list[Token]) -> int:
        """Where a street that ends `run` begins when a house number comes before it and
        before skipped common words ("1600 Amphitheatre Parkway"); -1 if none does."""
        start = run[0].start
        head = _STREET_LEAD_BEFORE.search(text, max(0, start - 40), start)
        if head is not None:
            start = head.start()
        elif len(run) < 2 or not run[0].common:
            return -1  # is_street decides the rest
        return start if NUMBER_BEFORE.search(text, max(0, start - 8), start) else -1

    def _street_of_skipped_words(self, text: str, start: int, end: int, out: list[Finding]) -> bool:
        """ "350 Fifth Avenue", "on Market St": a street word after skipped common words."""
        head = _STREET_LEAD_BEFORE.search(text, max(0, start - 40), start)
        if head is None:
            return False
        return self._common_place(text, head.start(), end, text[start:end].lower(), 2, out)

    def _address_block_town(self, text: str, start: int, end: int) -> bool:
        """The town line of an address written over lines: after a line ending in a house or
        flat number ("12 Harbour Road", "Suite 200", "Flat 2"), alone on its line before one
        that starts with a country or region ("United Kingdom", "England PR1 3AB"), or before
        its region code and postal code ("…, PA 73161")."""
        line_start = text.rfind("\n", 0, start) + 1
        if line_start == 0 or text[line_start:start].strip(" \t>"):
            return False
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if line_end - end > 24:  # a sentence goes on: no town line
            return False
        rest = text[end:line_end].strip(" \t,")
        if rest and (
            TOWN_LINE_TAIL.fullmatch(rest) is None
            or (rest[0].isalpha() and rest[:2] not in _US_STATE_CODES)
        ):
            return False
        # the end of the line before (a number ends it within a few characters) and the start
        # of the line after: a paragraph of prose costs no search
        previous = text[
            max(text.rfind("\n", 0, line_start - 1) + 1, line_start - 17) : line_start - 1
        ]
        if HOUSE_NUMBER_ENDS.search(previous) is None:
            return False
        if rest:  # "Archimandrita Pano, PA 73161": its region code and postal code after it
            return True
        words = text[line_end + 1 : line_end + 40].split("\n", 1)[0].strip(" \t>").split()
        regions = self.g.regions
        return any(" ".join(words[:k]).lower().rstrip(",") in regions for k in (1, 2, 3))

    def _region_after(self, text: str, end: int, out: list[Finding] | None = None) -> bool:
        """Whether ", Texas", ", Germany", ", CA 94043" follows `end`; an acronym there ("UK",
        "USA") is added to `out` as the place it is (runs never start with one)."""
        if text[end : end + 1] != ",":
            return False
        m = _REGION_AFTER.match(text, end)
        if m is None:
            return False
        region, region_end = m.group(1), m.end(1)
        if region.endswith(".") and region.lower() not in self.g.regions:
            region, region_end = region[:-1], region_end - 1  # "UK." ends a sentence; "U.S." not
        if region.lower() in self.g.regions:
            if out is not None and region.isupper() and self._loc:
                out.append(Finding(LOCATION, m.start(1), region_end, "gazetteer_place", 0.75,
                                   "internal"))  # fmt: skip
            return True
        if region in _US_STATE_CODES:
            after = text[region_end : region_end + 2]
            return after == "" or after[0] in ".,;)\n" or after[1:2].isdigit()
        head = region.split(" ", 1)[0]
        return head.lower() in self.g.regions
