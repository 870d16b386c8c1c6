"""What the name recogniser's passes share: the gazetteer, the words that are never names or
that are titles, a run's tokens, and the words before a position (names.py orchestrates;
names_people.py, names_places.py and names_organisations.py decide per entity)."""

from __future__ import annotations

import json
import lzma
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from interlock.dlp import compiled
from interlock.dlp.rules import words

PERSON, LOCATION, ORGANIZATION = "PERSON", "LOCATION", "ORGANIZATION"
THRESHOLD = 0.5
CAP_BEFORE = re.compile(r"[A-Z][a-z]+\Z")

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
# Capitalised words that are never (part of) a name: weekdays, months, nationalities and
# languages, pronoun contractions, royal titles. They are dropped from runs like common words.
NOT_NAMES = words(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "june july august september october november december i i'm i'll i've i'd i’m ok okay "
    "american british english french german spanish italian dutch polish russian chinese "
    "japanese korean indian canadian australian mexican brazilian swedish norwegian danish "
    "finnish greek turkish irish scottish welsh portuguese croatian serbian slovak "
    "hungarian romanian bulgarian ukrainian austrian swiss belgian african european asian "
    "arabic hebrew latin christmas easter princess prince king queen duke duchess royal "
    "majesty highness lord god what what's how why when where who whom whose which this that "
    "these those there here then yes no not please thanks hello dear all any each every some "
    "our your their his her its my we you they he she it if so but and or also just only "
    "after before during while since until because although though however therefore "
    "in on at to by as of for from with into onto upon about over under via per "
    "the an hi hey cheers regards best sincerely greetings northern southern eastern western "
    "central "
    "north south east west "
    # software a prompt names far more often than a person of that name
    "python perl haskell java javascript typescript rust kotlin scala elixir erlang clojure "
    "fortran cobol lisp bash powershell django flask react angular vue docker kubernetes "
    "linux ubuntu debian windows excel postgres postgresql mysql redis kafka spark hadoop "
    "jenkins github gitlab jira confluence slack terraform ansible nginx apache oracle swift "
    # assistants and models, named in prompts to an AI gateway all the time
    "claude gemini copilot siri alexa cortana llama mistral bard grok "
    # abbreviations of addresses and nationalities the surname lists hold, planets, eras
    "apt suite arab latino norse mercury venus earth mars jupiter saturn uranus neptune pluto "
    "victorian edwardian "
    # payment brands and identity-document words that label a value ("Mastercard: 2223 …",
    # "Aadhaar: 9999 …"): not a speaker
    "mastercard amex maestro unionpay paypal venmo zelle revolut aadhaar medicare "
    "passwort kennwort "
    # e-mail header labels ("Cc: Abella Petges")
    "cc bcc attn fwd "
    # sentence starters of other languages no name list should hold ("Mon numéro", "Ich
    # heiße", "Bitte"): never a name or a place
    "ich wir bitte danke und sehr geehrte geehrter liebe lieber hallo mein meine "
    "je nous vous mais avec pour merci bonjour mon votre chère "
    "yo nosotros usted pero para gracias hola estimado estimada "
    "noi voi grazie ciao ik wij jij maar dank mijn "
    # the labels of an address in those languages ("Adresse: Musterstraße 12", "Indirizzo:")
    "adresse anschrift rechnungsadresse lieferadresse indirizzo adres leveransadress adresa "
    "kontakt "
    # phone labels before a number ("Tel. 089 …", "Fax: …"); "Tel" is also a given name
    "tel tél fax mob mobil telefon tlf "
    # German capitalises its days, months and the polite "you" ("am Dienstag", "Ihren
    # Termin"): words there, never names
    "montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz juni "
    "juli oktober dezember sie ihr ihre ihren ihrem ihrer ihnen unser unsere unseren unserem"
)
# Abbreviations whose period ends no sentence ("St. Louis", "Mt. Hood").
ABBREVIATIONS = frozenset(["st", "mt", "ft", "jr", "no", "vs", "etc", "approx", "apt"])
# Countries and regions GeoNames spells differently.
PLACE_ALIASES = frozenset(
    ["czech republic", "netherlands", "the netherlands", "usa", "u.s.", "uk", "uae",
     "macedonia", "england", "scotland", "wales", "northern ireland", "great britain"]
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Gazetteer:
    first: frozenset[str]
    last: frozenset[str]
    places: frozenset[str]  # lower case
    regions: frozenset[str]  # lower case: countries, US states, continents (never a person)
    common: frozenset[str]  # lower case
    common_first: frozenset[str]  # lower case first names that are not common words
    lower_last: frozenset[str]  # lower case
    # last words of places of several words ("angeles"): what _place_after_skipped_word needs
    place_tails: frozenset[str]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    ref = resources.files("interlock.dlp") / "data" / "gazetteer.json.xz"
    with ref.open("rb") as raw, lzma.open(raw, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    common = frozenset(data["common_words"])
    return Gazetteer(
        frozenset(data["first_names"]),
        frozenset(data["last_names"]),
        frozenset(p.lower() for p in data["places"]),
        frozenset(p.lower() for p in data["regions"]) | PLACE_ALIASES,
        common,
        frozenset(w.lower() for w in data["first_names"]) - common,
        frozenset(w.lower() for w in data["last_names"]),
        frozenset(p.rsplit(" ", 1)[-1].lower() for p in data["places"] if " " in p),
    )


@dataclass(slots=True)
class Token:
    start: int
    end: int
    word: str  # without a trailing period
    title: bool
    first: bool
    last: bool
    common: bool


# a weak PERSON candidate: start, end, whether a word of it is a known name, its words
Maybe = tuple[int, int, bool, list[Token]]


LOWER_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?\.?")
# what precedes a name typed in lower case in mixed-case text (see _lower_names_after_cues)
# capitalised words after which a name typed in lower case may follow (the words between)
CUE_LEADS = {"hi": "", "hello": "", "hey": "", "dear": "", "my": " name is", "call": " me"}
LINE_PUNCT = " \t?!.,:;\"'*-–—()[]<>|#>"
# determiners and possessives: what follows them is a thing ("my iban is")
OWNED = frozenset(["my", "your", "our", "their", "his", "her", "its", "the", "a", "an", "this"])


def is_initial(token: Token) -> bool:
    return len(token.word) == 1 and token.word.isupper()


def opens_sentence(text: str, start: int) -> bool:
    """Whether `start` begins a sentence, a line or a quotation, where every word has a
    capital; elsewhere a capital says "proper noun"."""
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘(*#>-":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;"


DETERMINERS = frozenset(["the", "a", "an", "this", "that", "these", "those", "our", "your"])
# Unicode words ("ich heiße Müller": `heiße` is one word); on ASCII text the same as
# [^a-z0-9_'] and [a-z'] on the lower-cased slice, which _native.context_before implements
_NOT_WORD = re.compile(r"[^\w']+")
_LETTERS = re.compile(r"(?:[^\W\d_]|')+")


def context_before(text: str, start: int) -> tuple[str, str]:
    """The word just before `start` and the two words before it ("name is"), lower case;
    empty where a number or nothing stands there. Splitting a short slice is cheaper than
    an end-anchored regex search, which retries at every position."""
    pieces = _NOT_WORD.split(text[max(0, start - 30) : start].lower())
    if pieces and not pieces[-1]:
        pieces.pop()
    if not pieces or not _LETTERS.fullmatch(pieces[-1]):
        return "", ""
    if len(pieces) < 2 or not _LETTERS.fullmatch(pieces[-2]):
        return pieces[-1], ""
    return pieces[-1], f"{pieces[-2]} {pieces[-1]}"


def adjacent_words(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
    return text[a.end() : b.start()] in (" ", "  ")


def context_before_native(text: str, start: int) -> tuple[str, str]:
    """context_before in C where the 30 characters before `start` are ASCII."""
    assert compiled.native is not None
    found: tuple[str, str] | None = compiled.native.context_before(text, start)
    return context_before(text, start) if found is None else found


class RecognizerState:
    """What the per-entity passes (PeopleRules, PlaceRules, OrganisationRules) read from the
    recogniser they are mixed into; NameRecognizer sets it."""

    g: Gazetteer
    _person: bool
    _loc: bool
    _org: bool
    _before: Callable[[str, int], tuple[str, str]]
    entities: frozenset[str]
