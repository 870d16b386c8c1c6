"""Names, places and organisations without a model download: gazetteers plus heuristics.

Runs of capitalised words are candidates. A run is a PERSON when its words are known first or
last names (every Faker locale: about 24,000 of each), when a title precedes it ("Dr.", "Ms"),
or when the words around it say so ("Dear …", "Name: …", "… wrote"); a LOCATION when it is a
known place (GeoNames cities over 15,000 inhabitants, countries, US states); an ORGANIZATION
when it ends in a company suffix ("Inc", "GmbH", "Bank") or reads "Smith, Jones and Lee".
Capitalised common words (sentence starts, headings) are dropped using a list of words that
appear mostly in lower case in general English prompts. Everything ships in
data/gazetteer.json.gz (built by scripts/build_dlp_gazetteer.py); nothing is downloaded.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from interlock.dlp.rules import Finding, words

PERSON, LOCATION, ORGANIZATION = "PERSON", "LOCATION", "ORGANIZATION"
THRESHOLD = 0.5

_ASCII_CAP = re.compile(r"[A-Z][A-Za-z]*(?:['’][A-Za-z]+)?\.?")
_UNICODE_CAP = re.compile(r"[^\W\d_a-z][^\W\d_]*(?:['’][^\W\d_]+)?\.?")
_JOINER = re.compile(
    r"[ \t]{1,2}(?:(?:van|von|de|der|den|da|di|del|della|du|la|le|ten|ter|bin|ibn|al|el|y|e|"
    r"st\.)[ \t]{1,2})*|-"
)
_FIRM = re.compile(r"\b([A-Z][a-z]+), ([A-Z][a-z]+),? and ([A-Z][a-z]+)\b")
_BEFORE_WORD = re.compile(r"([a-z']+)\W*$")

TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "lord",
        "lady",
        "herr",
        "frau",
        "mme",
        "mlle",
        "madam",
        "madame",
        "monsieur",
        "señor",
        "senor",
        "señora",
        "senora",
        "sr",
        "sra",
        "dott",
        "ing",
    ]
)
PERSON_CONTEXT = words(
    "name named names dear hi hello hey by from contact customer patient employee manager "
    "sincerely regards thanks thank cc attn signed author user client colleague friend wife "
    "husband son daughter mother father brother sister called am i'm is was ask tell meet "
    "met with cc: to: from: mr mrs ms dr applicant candidate tenant resident member owner "
    "holder cardholder driver passenger guest said says me producer director starring "
    "founder founders singer actor writer"
)
PERSON_AFTER = words(
    "said says wrote writes told asked called replied is was has had began spent explained "
    "just lives lived works worked"
)
PLACE_CONTEXT = words(
    "in at from to near city country town live lives living located based moved visit"
)
ORG_SUFFIXES = frozenset(
    [
        "inc",
        "inc.",
        "corp",
        "corp.",
        "corporation",
        "llc",
        "l.l.c.",
        "ltd",
        "ltd.",
        "limited",
        "gmbh",
        "ag",
        "sa",
        "s.a.",
        "plc",
        "group",
        "holdings",
        "bank",
        "university",
        "institute",
        "foundation",
        "company",
        "co",
        "co.",
        "partners",
        "associates",
        "technologies",
        "systems",
        "solutions",
        "labs",
        "industries",
        "enterprises",
        "ventures",
        "capital",
        "consulting",
        "services",
        "international",
        "bv",
        "nv",
        "oy",
        "ab",
        "kg",
        "srl",
        "spa",
        "pty",
    ]
)
_SURNAME_ENDINGS = (
    "ová", "ova", "ov", "ev", "ski", "ska", "sky", "son", "sen", "sson", "dóttir", "dottir",
    "enko", "escu", "ić", "ovic", "ovich", "wicz", "czyk", "poulos", "akis", "idis", "oglu",
    "yan", "ian", "berg", "stein", "mann", "ini", "elli", "etti",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Gazetteer:
    first: frozenset[str]
    last: frozenset[str]
    places: frozenset[str]  # lower case
    common: frozenset[str]  # lower case


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    ref = resources.files("interlock.dlp") / "data" / "gazetteer.json.gz"
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return Gazetteer(
        frozenset(data["first_names"]),
        frozenset(data["last_names"]),
        frozenset(p.lower() for p in data["places"]),
        frozenset(data["common_words"]),
    )


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    word: str  # without a trailing period
    title: bool
    first: bool
    last: bool
    common: bool


class NameRecognizer:
    def __init__(self, entities: frozenset[str] = frozenset({PERSON, LOCATION, ORGANIZATION})):
        self.entities = entities
        self.g = gazetteer()

    def find(self, text: str) -> list[Finding]:
        pattern = _ASCII_CAP if text.isascii() else _UNICODE_CAP
        out: list[Finding] = []
        run: list[_Token] = []
        prev_end = -1
        common, first = self.g.common, self.g.first
        for m in pattern.finditer(text):
            raw = m.group(0)
            if not raw[0].isupper():
                continue
            start = m.start()
            joined = bool(run) and (
                (start == prev_end + 1 and text[prev_end] == " ")
                or _JOINER.fullmatch(text, prev_end, start) is not None
            )
            if not joined:
                if run:
                    self._classify(text, run, out)
                    run = []
                # Fast path for the usual capitalised word: a sentence start like "The" or
                # "Please" cannot begin a name, so it starts no run.
                bare = raw[:-1] if raw[-1] == "." else raw
                if bare.lower() in common and bare not in first:
                    continue
            token = self._token(start, m.end(), raw)
            if run and (token.title or run[-1].word.endswith(("'s", "’s"))):
                self._classify(text, run, out)
                run = []
            run.append(token)
            prev_end = m.end()
        if run:
            self._classify(text, run, out)
        if ORGANIZATION in self.entities and " and " in text:
            out = self._firms(text, out)
        return out

    def _firms(self, text: str, out: list[Finding]) -> list[Finding]:
        """ "Smith, Jones and Lee" (surnames listed the way law and accounting firms are named)."""
        for m in _FIRM.finditer(text):
            if all(w in self.g.last for w in m.groups()):
                span = (m.start(), m.end())
                out = [f for f in out if f.end <= span[0] or f.start >= span[1]]
                out.append(Finding(ORGANIZATION, *span, "org_firm_name", 0.75, "internal"))
        return out

    def _token(self, start: int, end: int, raw: str) -> _Token:
        word = raw[:-1] if raw.endswith(".") else raw
        key = word if not word.isupper() or len(word) < 2 else word.capitalize()
        lower = word.lower()
        g = self.g
        return _Token(
            start,
            start + len(word),
            key,
            lower in TITLES,
            key in g.first,
            key in g.last,
            lower in g.common or (word.isupper() and len(word) <= 4 and key not in g.first),
        )

    def _classify(self, text: str, run: list[_Token], out: list[Finding]) -> None:
        title = False
        while run and (run[0].title or (run[0].common and not _name_led(run))):
            title = title or run[0].title
            run = run[1:]
        while run and run[-1].common and not (run[-1].last or run[-1].first):
            run = run[:-1]
        if not run:
            return
        if run[-1].word.endswith(("'s", "’s")):
            run[-1].end -= 2
            run[-1].word = run[-1].word[:-2]
        start, end = run[0].start, run[-1].end
        span_text = text[start:end]
        last_word = run[-1].word.lower()
        if _is_street(run, text, start):
            if LOCATION in self.entities:
                out.append(Finding(LOCATION, start, end, "street_name", 0.6, "internal"))
            return
        if ORGANIZATION in self.entities and len(run) == 1 and _company_pair(run[0], self.g):
            out.append(Finding(ORGANIZATION, start, end, "org_pattern", 0.6, "internal"))
            return
        if ORGANIZATION in self.entities and (
            last_word in ORG_SUFFIXES or last_word + "." in ORG_SUFFIXES
        ):
            if len(run) >= 2:
                out.append(
                    Finding(ORGANIZATION, start, _org_end(text, end), "org_suffix", 0.8, "internal")
                )
            return
        before = _word_before(text, start)
        after = text[end : end + 12].lower()
        named = _person_score(run, title, before, after)
        is_place = span_text.lower() in self.g.places
        if LOCATION in self.entities and is_place and not title and named < 0.8:
            score = 0.75 + (0.15 if before in PLACE_CONTEXT else 0.0)
            out.append(Finding(LOCATION, start, end, "gazetteer_place", score, "internal"))
            return
        if PERSON in self.entities and named >= THRESHOLD:
            out.append(
                Finding(
                    PERSON,
                    start,
                    end,
                    "gazetteer_person",
                    round(min(named, 1.0), 2),
                    "confidential",
                )
            )


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
    ]
)
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
_NUMBER_BEFORE = re.compile(r"\d[\d ]*\s$")


def _is_street(run: list[_Token], text: str, start: int) -> bool:
    """Street names ("Huntly Street", "Rua Mina", "… 52 Farnell Street") are not people."""
    if len(run) >= 2 and run[-1].word.lower() in STREET_WORDS:
        return True
    if run[0].word.lower() in STREET_HEADS:
        return True
    return bool(_NUMBER_BEFORE.search(text[max(0, start - 8) : start])) and len(run) >= 2


def _company_pair(token: _Token, g: Gazetteer) -> bool:
    """ "Butler-Peters": two surnames joined by a hyphen, the way firm names are written."""
    parts = token.word.split("-")
    return len(parts) == 2 and all(p in g.last and p not in g.first for p in parts)


def _name_led(run: list[_Token]) -> bool:
    """A common word that is also a first name, followed by a surname: "Will Smith"."""
    return run[0].first and len(run) > 1 and (run[1].last or run[1].first)


def _person_score(run: list[_Token], title: bool, before: str, after: str) -> float:
    n = len(run)
    first, last = run[0], run[-1]
    known = sum(t.first or t.last for t in run)
    if title:
        score = 0.9
    elif n >= 2 and first.first and (last.last or not last.common):
        score = 0.85
    elif n >= 2 and known == n:
        score = 0.8
    elif n >= 2 and (first.first or last.last):
        score = 0.65
    elif n == 1 and first.first and not first.common:
        score = 0.55
    elif n == 1 and first.last and not first.common:
        score = 0.35
    else:
        score = 0.2 if not any(t.common for t in run) else 0.0
    if n >= 2 and any(t.word.lower().endswith(_SURNAME_ENDINGS) for t in run[1:]):
        score += 0.15
    if before in PERSON_CONTEXT:
        score += 0.35
    head = after.lstrip()
    if after.startswith(("'s", "’s")) or head.split(" ", 1)[0].strip(",.") in PERSON_AFTER:
        score += 0.3 if known else 0.15
    if n > 4:
        score -= 0.3  # a title-cased heading, not a name
    return score


def _word_before(text: str, start: int) -> str:
    m = _BEFORE_WORD.search(text[max(0, start - 24) : start].lower())
    return m.group(1) if m else ""


def _org_end(text: str, end: int) -> int:
    return end + 1 if text[end : end + 1] == "." else end
