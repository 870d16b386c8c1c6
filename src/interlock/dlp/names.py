"""Names, places and organisations without a model download: gazetteers plus heuristics.

Runs of capitalised words are candidates. A run is a PERSON when its words are known first or
last names (Faker and Mimesis locales, US census and baby names, Japanese names: about 83,000
first names and 123,000 surnames), when a title or a middle initial says so ("Dr.", "Janka M.
Szász"), or when the words around it do ("Dear …", "my name is …", "CEO …", "… wrote", "…, the
engineer,"); a weak candidate becomes one when it repeats a surname found in the same text or
is coordinated with a person ("Anna and Quionia"). A LOCATION is a known place (GeoNames cities
over 5,000 inhabitants, countries, US states), an unknown word after "moved here from" / "flew
to", or the town after the street part of an address; an ORGANIZATION ends in a legal form
or head noun ("Inc", "GmbH", "AS", "S.p.A.", "Research", "Hospital"), starts with its kind and
"of" ("University of Edinburgh", "Ministry of Finance"), reads "Smith, Jones and Lee",
"Morrison & Foerster" or "Butler-Peters", or stands where a business does ("I work for …",
"our supplier …", "a nurse at …", "our auditors, …", "…'s CFO", "… is a … company").
Well-known companies named without such a cue ("Deloitte", "Nordea") are not found: there is
no company list, and a prompt names public companies far more often than it leaks a client's
name (ORGANIZATION is classified internal, logged rather than redacted by default). Capitalised common words (sentence starts,
headings; the common-word list holds English words that no name list holds), acronyms and
CamelCase identifiers start no run, and a run ends at a full stop. Two or three unknown
capitalised words in mid-sentence are a name; so is a name ending a list item or a form field
("2. Donalda Paet", "To: Crystallee"). All-lower-case text gets its own pass. Everything ships in data/gazetteer.json.xz (built by scripts/build_dlp_gazetteer.py);
nothing is downloaded.

`NameRecognizer(trained=True)` lets a trained model (name_model.py) take the final "is this
run a person?" decision instead of the hand score. It is off by default: on presidio-research's
held-out `test` templates it did not beat the hand rules (see name_model.py for the numbers).
"""

from __future__ import annotations

import json
import lzma
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import ModuleType

from interlock.dlp import compiled
from interlock.dlp.name_model import NameModel, features, load_model, set_context_kinds
from interlock.dlp.name_shape import name_shape
from interlock.dlp.rules import Finding, words

PERSON, LOCATION, ORGANIZATION = "PERSON", "LOCATION", "ORGANIZATION"
THRESHOLD = 0.5

# Capitalised words, and what joins them into a run. _native.c (name_events) implements these
# three patterns too: a change here needs the same change there (tests/dlp/test_native.py
# compares both on generated texts and fails until they agree).
_ASCII_CAP = re.compile(r"[A-Z][A-Za-z]*(?:['’][A-Za-z]+)?\.?")
_UNICODE_CAP = re.compile(r"[^\W\d_a-z][^\W\d_]*(?:['’][^\W\d_]+)?\.?")
# Particles inside a name ("van der", "bin", "St."), between one or two spaces or tabs.
_JOINER_PARTICLES = frozenset(
    ["van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le", "ten", "ter",
     "bin", "ibn", "al", "el", "y", "e", "st."]
)  # fmt: skip
_JOINER = re.compile(
    r"[ \t]{1,2}(?:(?:" + "|".join(map(re.escape, sorted(_JOINER_PARTICLES))) + r")[ \t]{1,2})*|-"
)
_FIRM = re.compile(r"\b([A-Z][a-z]+), ([A-Z][a-z]+),? and ([A-Z][a-z]+)\b")
# Led by a literal so that `re` skips to candidates quickly; _FIRM then confirms.
_FIRM_HINT = re.compile(r", [A-Z][a-z]+,? and [A-Z]")
_AMPERSAND_FIRM = re.compile(r"\b([A-Z][a-z]+) & ([A-Z][a-z]+)\b")
_CAP_BEFORE = re.compile(r"[A-Z][a-z]+\Z")
# capitalised words (or a number) just before a company suffix: "Civic Impulse " of "… LLC"
_CAPS_BEFORE = re.compile(r"(?<![\w.])(?:(?:[A-Z][\w'’&-]*|\d+)[ \t]){1,3}\Z")
# the capitalised words of a street before its street word ("Fifth " of "Fifth Avenue")
_STREET_LEAD_BEFORE = re.compile(r"(?<![\w.])(?:[A-Z][\w'’-]*[ \t]){1,2}\Z")
_CAMEL = re.compile(r"[a-z][A-Z]")
# What ends the street part of an address before ", Town": a street word or apartment number
# ("Farnell Street, ", "Apt. 397, ") or a street name and house number ("Jahu 80, ").
_ADDRESS_BEFORE = re.compile(
    r"(?:\b(?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|way|boulevard|blvd|apt|suite|"
    r"box|str)\.?(?: \d{1,6}[A-Za-z]?)?|\b([A-Z][^\W\d_]+) \d{1,5}[A-Za-z]?),[ \t]{1,2}\Z"
)
_NAME_PREFIX = re.compile(r"(?:Mc|Mac|O'|D'|De|Di|Da|Du|La|Le|Van|Von)[A-Z][a-z]")
_AND_SONS_WORDS = ("Sons", "Brothers")
_AND_SONS = re.compile(r"\b[A-Z][a-z]+ (?:and|&) (?:" + "|".join(_AND_SONS_WORDS) + r")\b")

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
    "name named names dear hi hello hey by contact customer patient employee manager "
    "sincerely regards thanks thank cc attn signed author user client colleague friend wife "
    "husband son daughter mother father brother sister called am i'm is was ask tell meet "
    "met with cc: to: from: mr mrs ms dr applicant candidate tenant resident member owner "
    "holder cardholder driver passenger guest said says say me producer director starring "
    "founder founders singer actor writer under guardian assistant asks asked replied replies "
    "writes wrote adds added explains explained notes noted told thanked "
    # fields and roles that hold a person
    "beneficiary payee recipient sender signatory attendee attendees participant participants "
    # verbs whose object is a person
    "remind reminded invite invited hire hired email emailed ping pinged notify notified "
    "congratulate congratulated "
    # "my name is" / "I am called" in the languages people write prompts in: heiße (ich heiße
    # Müller), m'appelle, llamo, chiamo, chamo, heet
    "heiße heisse m'appelle llamo chiamo chamo heet"
)
# Role nouns that stand before a name ("CEO Jane Doe", "songwriter …") or after it in an
# apposition ("Jane Doe, the engineer, said").
ROLE_WORDS = words(
    "ceo cto cfo coo vp chairman chairwoman president director engineer developer designer "
    "doctor nurse physician surgeon professor student teacher lawyer attorney agent officer "
    "detective inspector captain colonel sergeant senator minister judge reverend pastor "
    "uncle aunt cousin grandma grandpa grandmother grandfather nephew niece neighbour neighbor "
    "boyfriend girlfriend partner fiancé fiancee spouse assignee reporter requester approver "
    "reviewer maintainer username contractor consultant analyst admin administrator intern "
    "recruiter supervisor coach mentor boss songwriter composer artist author journalist "
    "editor photographer chef coworker co-worker teammate landlord landlady lecturer "
    "spokesperson spokesman spokeswoman accountant secretary treasurer cofounder co-founder "
    "clerk cashier pilot actress musician guitarist drummer bassist vocalist poet novelist "
    "painter sculptor comedian athlete footballer lawmaker mayor governor councillor "
    "councilor therapist dentist pharmacist paramedic technician plumber electrician mechanic "
    "receptionist tutor"
)
PERSON_CONTEXT = PERSON_CONTEXT | ROLE_WORDS
# Roles before "at" whose place of work follows ("a nurse at …", "paralegal at …")
_ROLES_AT = ROLE_WORDS | words(
    "manager paralegal associate employee staff lead head specialist executive scientist "
    "researcher postdoc fellow trainee apprentice worker clerk advisor adviser partner "
    "representative rep owner"
)
# Two words before a run that make it a name ("my name is …", "change it to …").
PERSON_PHRASES = frozenset(
    ["name is", "it to", "assistant to", "email from", "e-mail from", "note from", "message from",
     "call from", "letter from", "reply from", "feedback from", "request from", "me and",
     "shouted at", "yelled at", "screamed at", "smiled at", "laughed at", "stared at", "waved at",
     "named him", "named her", "call him", "call her", "called him", "called her", "calls me", "speak to", "talk to", "said to", "listed by", "sung by",
     "thanks to",
     # who a ticket or an e-mail is about or goes to: "according to Nakamura", "on behalf of
     # …", "assigned to …", "give the keys back to …", "forward this to …"
     "according to", "behalf of", "assigned to", "reassigned to", "escalated to", "back to",
     "forward to", "forwarded to", "spoke to", "spoke with", "talked to", "out to", "loop in",
     "looped in"]
)  # fmt: skip
# the phrases of those after which a town's name is a person's too
_PERSON_NOT_PLACE = frozenset(
    ["according to", "behalf of", "assigned to", "reassigned to", "spoke to", "spoke with",
     "talked to", "name is"]
)  # fmt: skip
# Verbs after a run that say a person did something; the weak ones follow things too.
PERSON_AFTER = words(
    "said says wrote writes told asked called replied began spent explained lives lived works "
    "worked smiled laughed added shouted yelled whispered screamed cried answered responded "
    "nodded agreed argued insisted claimed admitted announced stated "
    # what people, not things, do: die, marry, resign; think, know, feel
    "died married resigned retired apologised apologized confessed sang thinks thought "
    "believes believed knows knew feels felt "
    # what a ticket or a chat says colleagues did or want: "Kowalczyk approved the change",
    # "also Halvorsen wants the logs" (verbs a product or a place rarely has for subject)
    "approved requested promised mentioned suggested recommended confirmed emailed texted "
    "phoned joined quit wants wanted decided refused declined complained noticed forgot "
    "prefers preferred hopes hoped disagreed disagrees agrees complains notices noticed left "
    "loved loves liked likes hated hates booked founded invited edited reviewed"
)
PERSON_AFTER_WEAK = words("is was has had just will would can could")
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
    "kontakt"
)
# Abbreviations whose period ends no sentence ("St. Louis", "Mt. Hood").
ABBREVIATIONS = frozenset(["st", "mt", "ft", "jr", "no", "vs", "etc", "approx", "apt"])
# Countries and regions GeoNames spells differently.
PLACE_ALIASES = frozenset(
    ["czech republic", "netherlands", "the netherlands", "usa", "u.s.", "uk", "uae",
     "macedonia", "england", "scotland", "wales", "northern ireland", "great britain"]
)  # fmt: skip
PLACE_CONTEXT = words(
    "in at from to near city country town live lives living located based moved visit visiting via"
)
# Words before a capitalised word that make it a code name (projects are often named after
# birds, stars or people's names): the organisation's own identifiers, not a person.
CODENAME_BEFORE = words("project projects codename codenamed operation initiative programme")
# Phrases before a capitalised word that make it an employer, and what follows a company.
ORG_PHRASES = frozenset(
    ["work for", "works for", "worked for", "working for", "work at", "works at", "worked at",
     "working at", "employed by", "job at", "year at", "intern at", "ceo of", "cto of",
     "cfo of", "founder of", "joined the", "employee of", "customer of", "shares of",
     # who a business deals with: "our contact at …", "the invoice from …", "acquired by …"
     "contact at", "account at", "accounts at", "team at", "folks at", "people at",
     "colleagues at", "lawyers at", "auditors at", "invoice from", "invoices from",
     "quote from", "shipment from", "acquired by", "merged with", "subsidiary of",
     "division of", "contract with", "agreement with", "partnership with", "tender to"]
)  # fmt: skip
# Words just before a capitalised word that make it a business ("our supplier Brightwater",
# "the vendor Redgum"); no first name may be in it ("client", "customer" name people as often)
ORG_BEFORE = words(
    "vendor vendors supplier suppliers subcontractor subcontractors insurer insurers auditor "
    "auditors lender lenders acquired acquire acquiring competitor competitors distributor "
    "distributors reseller resellers manufacturer carrier wholesaler"
)
# Plural nouns of firms one hires: what follows them is a firm even when its words are a
# person's ("our auditors, Grant Thornton", "their lawyers at Clifford Chance")
_FIRMS_BEFORE = words(
    "auditors lawyers solicitors attorneys accountants insurers bankers consultants "
    "suppliers vendors"
)
# First words of organisations in other languages ("Banco Santander", "Groupe Moreau")
_ORG_FIRST_WORDS = frozenset(
    ["Banco", "Banca", "Banque", "Groupe", "Grupo", "Gruppo", "Universidad", "Université",
     "Universität", "Università", "Universidade", "Hôpital", "Hospital", "Fundación",
     "Fondation", "Stiftung", "Caisse", "Cooperativa", "Compagnie", "Compañía", "Sociedad",
     "Société"]
)  # fmt: skip
_POSSESSIVES = frozenset(["'s", "’s"])
_FIRM_PHRASES = frozenset(f"{w} at" for w in _FIRMS_BEFORE)
# Possessions of a business: "Trelawny Capital's CFO", "Acme's shareholders" (lower case)
_ORG_OWNS = re.compile(
    r"['’]s (?:ceo|cfo|cto|coo|cio|ciso|founders?|shareholders|employees|headquarters|hq|"
    r"stock|shares|share price|subsidiary|subsidiaries|annual report|board of directors)\b"
)
_ORG_AFTER = re.compile(
    r",? (?:is|was) an? (?:[a-z-]+ ){0,3}(?:company|agency|bank|firm|startup|start-up|"
    r"corporation|organi[sz]ation|provider|manufacturer|retailer|group|vendor|consultancy)\b"
)
# the same, when the noun ends the phrase: "Berkshire Hathaway is a design agency based in …"
# is a firm whatever its words' lists say ("… is a company director" is a person)
_ORG_IS = re.compile(_ORG_AFTER.pattern + r"(?=[,.;]| based\b| in\b| that\b| which\b| with\b|$)")
# Phrases before an unknown capitalised word that make it a place: movement and residence.
PLACE_PHRASES = frozenset(
    ["here from", "originally from", "flew to", "fly to", "flying to", "based in", "arrived at",
     "arrived in", "returned to", "lives in", "live in", "living in", "travelling to",
     "traveling to", "located in", "born in", "moved to", "relocated to", "visiting",
     "trip to", "office in", "offices in", "headquartered in"]
)  # fmt: skip
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
        # head nouns of company names
        "research", "lines", "airlines", "media", "software", "networks", "analytics",
        "pharmaceuticals", "insurance", "agency", "motors", "logistics", "energy",
        "electronics", "entertainment", "publishing", "studios", "brands", "hotels",
        "healthcare", "therapeutics", "biosciences", "communications", "telecom", "financial",
        "investments", "securities", "sons", "brothers",
    ]
)  # fmt: skip
# Legal forms: they make a company of common words too ("Civic Impulse LLC"); a head noun does
# not ("Keyword Research", "Distributed Systems" are headings).
LEGAL_FORMS = frozenset(
    ["inc", "inc.", "corp", "corp.", "corporation", "llc", "l.l.c.", "ltd", "ltd.", "limited",
     "gmbh", "ag", "plc", "bv", "nv", "oy", "kg", "srl", "spa", "pty", "co."]
)  # fmt: skip
# More ends of an organisation's name, for classifying runs only (ORG_SUFFIXES also says which
# words end no sentence with their full stop: "Hospital." does). Legal forms of more countries
# ("Allianz SE", "Møller Byg ApS", "Dunmore Solicitors LLP"), the uppercase short ones only
# written so (_SHORT_FORMS: "as", "se" are words), and heads of institutions and trades
# ("Riverside General Hospital", "Wellcome Trust", "Astoria Textiles").
_SHORT_FORMS = frozenset(["AS", "SE", "SAS", "KK", "LP", "ASA", "AB", "SA", "NV", "BV", "AG", "KG"])
ORG_TAILS = (ORG_SUFFIXES - {w.lower() for w in _SHORT_FORMS}) | frozenset(
    ["incorporated", "llp", "sarl", "aps", "oyj", "lda", "ltda", "kgaa", "gmbh", "spa",
     "hospital", "clinic", "infirmary", "council", "trust", "academy", "college", "solicitors",
     "lawyers", "attorneys", "accountants", "architects", "textiles", "plumbing", "roofing",
     "construction", "construções", "construcciones", "builders", "brewery", "bakery",
     "pharmacy", "foods", "trading", "shipping", "freight", "staffing", "biotech", "robotics",
     "semiconductor", "semiconductors", "chemicals", "airways", "mining", "realty",
     "properties", "mutual", "bancorp", "bancshares", "markets", "stores", "outfitters"]
)  # fmt: skip
# Heads that make an organisation of capitalised common words too, after one that is not a
# determiner ("First Citizens Bank", "Coastal Community Bank"; "The Bank" is none)
_COMMON_ORG_HEADS = frozenset(["bank", "hospital", "university", "council", "infirmary"])
# Words that lead an organisation before "of" ("University of Edinburgh", "Ministry of
# Finance", "Bank of America"); their look-up keys, as the scan of capitalised words has them
_ORG_OF_LEADS = frozenset(
    ["University", "Ministry", "Department", "Bank", "Institute", "College", "Bureau",
     "Federation", "Association", "Society", "Academy", "Chamber", "Commonwealth"]
)  # fmt: skip
_ORG_OF_TAIL = re.compile(
    r" of (?:the )?[A-Z][\w-]*(?:(?: | and | & | of | for | of the )[A-Z][\w-]*)*"
)
# legal forms written with full stops or a slash after a run that ends in their first letter
# ("Fratelli Bonomi S.p.A.", "Duarte Construções S.A.", "Van Dijk B.V.", "Møller A/S")
_DOTTED_FORM = re.compile(
    r"(?:S\.p\.A\.|S\.r\.l\.|S\.A\.S\.|S\.A\.|S\.L\.|B\.V\.|N\.V\.|K\.K\.|L\.L\.C\.|L\.P\.|"
    r"A/S|S\.à r\.l\.|S\.A\.R\.L\.)"
)
_DOTTED_FORM_LEADS = frozenset("SBNKLA")


def _org_tail(word: str, before: str = "") -> bool:
    """Whether a run's last word as written ends an organisation's name: "Inc", "GmbH", "AS"
    (upper case only), "Hospital", "Capital's", "Union" after "Credit" (alone a town)."""
    if word in _SHORT_FORMS:
        return True
    if word == "Union":
        return before == "Credit"
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    return word.lower().rstrip(".") in ORG_TAILS


# ORG_TAILS and _SHORT_FORMS as the look-up keys of capitalised words ("Inc", "As", "GmbH",
# "Capital's"): one set look-up per run before _org_tail looks at the word as written
_ORG_TAIL_KEYS = frozenset(
    k + s
    for k in {w.capitalize().rstrip(".") for w in ORG_TAILS | _SHORT_FORMS}
    | {"GmbH", "ApS", "KGaA", "SpA", "Union"}
    for s in ("", "'s", "’s")
)
# what ends an organisation of common words: a legal form or an institution's head
_COMMON_ORG_ENDS = frozenset(w.rstrip(".") for w in LEGAL_FORMS) | _COMMON_ORG_HEADS
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


# (lookup key, length without a final ".", title, first name, last name, common word,
#  cannot start a run, ends a sentence ("Holmes." but not "Dr.", "J.", "Inc."),
#  a company's legal form, a cue for a name in lower case: "Hi", "My (name is)",
#  a word _AND_SONS ends with: "Sons", "Brothers")
_Facts = tuple[str, int, bool, bool, bool, bool, bool, bool, bool, bool, bool]
# what the scan of capitalised words returns: runs, skipped words that matter (see _events),
# and whether a word _AND_SONS ends with occurred (the "Thomas and Sons" pass runs only then)
_Events = tuple[list[list[tuple[int, _Facts]] | tuple[int, _Facts, bool]], bool]


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    word: str  # without a trailing period
    title: bool
    first: bool
    last: bool
    common: bool


# a weak PERSON candidate: start, end, whether a word of it is a known name, its words
_Maybe = tuple[int, int, bool, list[_Token]]


class NameRecognizer:
    def __init__(
        self,
        entities: frozenset[str] = frozenset({PERSON, LOCATION, ORGANIZATION}),
        trained: bool = False,
    ):
        self.entities = entities  # sets _person, _loc, _org
        self.g = gazetteer()
        self._facts: dict[str, _Facts] = {}
        self.native: ModuleType | None = None
        self._before: Callable[[str, int], tuple[str, str]] = _context_before
        self.use_native(True)
        # the trained PERSON decision (name_model.py, opt-in); the hand score decides without it
        self.model: NameModel | None = load_model() if trained else None
        # scripts/train_dlp_names.py collects (start, end, features) of every decision here
        self.harvest: list[tuple[int, int, list[str]]] | None = None

    @property
    def entities(self) -> frozenset[str]:
        return self._entities

    @entities.setter
    def entities(self, value: frozenset[str]) -> None:
        # the types as flags: _classify asks for each run (a set look-up costs more)
        self._entities = value
        self._person, self._loc, self._org = (
            PERSON in value,
            LOCATION in value,
            ORGANIZATION in value,
        )

    def use_native(self, on: bool) -> bool:
        """Scan capitalised words and read the words before a run with the compiled code
        (_native.c) when `on` and it is installed, else in Python (the same findings:
        tests/dlp/test_native.py compares them); returns whether it is used."""
        self.native = compiled.native if on else None
        self._before = _context_before if self.native is None else _context_before_native
        return self.native is not None

    def find(self, text: str) -> list[Finding]:
        out: list[Finding] = []
        places = self.g.places if LOCATION in self.entities else None
        org = ORGANIZATION in self.entities
        person = PERSON in self.entities
        # weak candidates (start, end, a known name?), per call: scans may run in threads
        maybe: list[_Maybe] = []
        native = self.native
        if native is not None:
            events, and_sons = native.name_events(
                text, self._facts, self._remember, _JOINER_PARTICLES
            )
        else:
            events, and_sons = self._events(text)
        led: list[Finding] = []  # organisations found from their lead ("University of …")
        for event in events:
            if event.__class__ is list:  # a run of capitalised words
                last = event[-1][1]
                if last[5] and not event[0][1][2] and all(f[5] for _, f in event):
                    # common words only, no title ("IBAN ES", "Can"), no _Token; a first name
                    # among them with a cue is a person ("Hi Mark,", "Jack White said")
                    self._common_event(text, event, out)
                    continue
                run = [_Token(s, s + f[1], f[0], f[2], f[3], f[4], f[5]) for s, f in event]
                self._classify(text, run, out, maybe)
                continue
            # A capitalised word that starts no run ("The", "Please"), after another such
            # word or a cue for a lower-case name.
            start, facts, adjacent = event
            end = start + facts[1]
            if adjacent and places is not None:
                adjacent = not self._place_after_skipped_word(text, start, end, out)
                if adjacent and facts[0] in _STREET_KEYS:
                    adjacent = not self._street_of_skipped_words(text, start, end, out)
            if adjacent and facts[8] and org:  # "Factoring Inc": all common words
                self._org_of_words(text, start, end, out)
            if facts[9]:
                if facts[0] in _ORG_OF_LEADS:
                    if org:
                        self._org_of_lead(text, start, end, out, led)
                elif person:
                    self._lower_name_after(text, end, facts[0].lower(), out)
        if led:  # the words inside are no person or place: "University of Edinburgh"
            out = [f for f in out if f in led or not any(o.start <= f.start < o.end for o in led)]
            maybe = [m for m in maybe if not any(o.start <= m[0] < o.end for o in led)]
        if maybe:
            out = _same_name(text, out, maybe)
        if not out and text.islower() and (PERSON in self.entities or LOCATION in self.entities):
            out = self._lower_case_names(text)
        if " and " in text and (ORGANIZATION in self.entities or PERSON in self.entities):
            out = self._name_lists(text, out)
        if org and " & " in text:
            out = self._ampersand_firms(text, out)
        if ORGANIZATION in self.entities and and_sons:
            for m in _AND_SONS.finditer(text):  # "Thomas and Sons"
                out = [f for f in out if f.end <= m.start() or f.start >= m.end()]
                out.append(Finding(ORGANIZATION, m.start(), m.end(), "org_suffix", 0.8, "internal"))
        return out

    def _events(self, text: str) -> _Events:
        """The capitalised words of `text` in order, as `find` reads them: a run of words that
        may be a name as a list of (start, facts); a word that starts no run (a common word at
        a sentence start: "The", "Please") as (start, facts, adjacent to the previous such
        word), only where that matters: after another one ("United Kingdom") or as a cue for a
        lower-case name ("Hi anna"). Runs join words separated by one space, a hyphen or
        particles ("van der") and end at a full stop or before a title. Also whether a word
        _AND_SONS ends with occurred. The reference for _native.name_events, which does the
        same in C (tests/dlp/test_native.py)."""
        ascii_text = text.isascii()
        pattern = _ASCII_CAP if ascii_text else _UNICODE_CAP
        events: list[list[tuple[int, _Facts]] | tuple[int, _Facts, bool]] = []
        run: list[tuple[int, _Facts]] = []
        prev_end = -1
        prev_stop = False  # the last word of the run ends a sentence: "Holmes. Detect"
        facts_of = self._facts.get
        skipped_end = -2  # end of the last common word skipped ("United" of "United Kingdom")
        and_sons = False
        for m in pattern.finditer(text):
            start, end = m.span()
            raw = text[start:end]
            if not ascii_text and not raw[0].isupper():
                continue
            joined = False
            if run and not prev_stop:
                gap = start - prev_end
                if gap == 1:
                    joined = text[prev_end] in " -"
                elif gap <= 12:  # "van der", two spaces
                    joined = _JOINER.fullmatch(text, prev_end, start) is not None
            facts = facts_of(raw) or self._remember(raw)
            and_sons = and_sons or facts[10]
            if not joined:
                if run:
                    events.append(run)
                    run = []
                # A sentence start like "The" or "Please" cannot begin a name: no run.
                if facts[6]:
                    adjacent = start == skipped_end + 1
                    if adjacent or facts[9]:
                        events.append((start, facts, adjacent))
                    skipped_end = start + facts[1]
                    continue
            if run and (facts[2] or run[-1][1][0].endswith(("'s", "’s"))):  # a title, "Ann's"
                events.append(run)
                run = []
            run.append((start, facts))
            prev_stop = facts[7]
            prev_end = end
        if run:
            events.append(run)
        return events, and_sons

    def _name_lists(self, text: str, out: list[Finding]) -> list[Finding]:
        """ "Smith, Jones and Lee": a firm after "at"/"from"/"for" (the way law and accounting
        firms are named), otherwise three people ("our founders: Smith, Jones and Lee")."""
        g = self.g
        for hint in _FIRM_HINT.finditer(text):
            lo = max(0, hint.start() - 30)
            head = _CAP_BEFORE.search(text[lo : hint.start()])
            m = _FIRM.match(text, lo + head.start()) if head else None
            if m is None or not all(w in g.last or w in g.first for w in m.groups()):
                continue
            span = (m.start(), m.end())
            out = [f for f in out if f.end <= span[0] or f.start >= span[1]]
            before = text[max(0, m.start() - 3) : m.start()].rstrip()
            if not before.endswith(":") and self._before(text, m.start())[0] not in PERSON_CONTEXT:
                if ORGANIZATION in self.entities and all(w in g.last for w in m.groups()):
                    out.append(Finding(ORGANIZATION, *span, "org_firm_name", 0.75, "internal"))
            elif PERSON in self.entities:
                for i in (1, 2, 3):
                    out.append(
                        Finding(PERSON, m.start(i), m.end(i), "name_list", 0.7, "confidential")
                    )
        return out

    def _ampersand_firms(self, text: str, out: list[Finding]) -> list[Finding]:
        """ "Morrison & Foerster", "Holmberg & Lind AB": two surnames joined by "&" are a firm
        (people are joined by "and"; "Romeo & Juliet" are two first names)."""
        g = self.g
        for m in _AMPERSAND_FIRM.finditer(text):
            a, b = m.group(1), m.group(2)
            if (
                a not in g.last
                or b not in g.last
                or (a in g.first and b in g.first)
                or a.lower() in g.common  # "Tone & Style", "Arts & Crafts": the lists' words
                or b.lower() in g.common
            ):
                continue
            start, end = m.span()
            inside = [f for f in out if f.start < end and start < f.end]
            for f in inside:
                if f.entity == ORGANIZATION:
                    start, end = min(start, f.start), max(end, f.end)
            out = [f for f in out if f not in inside]
            out.append(Finding(ORGANIZATION, start, end, "org_firm_name", 0.75, "internal"))
        return out

    def _lower_case_names(self, text: str) -> list[Finding]:
        """All-lower-case text ("my name is lena andersson"): a known first name that is not a
        common word, or a word no list knows where the words before say a name follows ("call
        me višeslav") or a middle initial follows ("emidio p lombardo"); then an optional
        initial and a surname."""
        g, out = self.g, []
        tokens = list(_LOWER_WORD.finditer(text))
        i = 0
        while i < len(tokens):
            word = tokens[i].group(0).rstrip(".")
            if word in g.regions and LOCATION in self.entities:  # "from tunisia"
                out.append(
                    Finding(
                        LOCATION, tokens[i].start(), tokens[i].start() + len(word),
                        "gazetteer_place", 0.75, "internal",
                    )
                )  # fmt: skip
                i += 1
                continue
            if PERSON not in self.entities:
                i += 1
                continue
            if word in TITLES and i + 1 < len(tokens):  # "dr vaci", "mrs. aveni"
                name = tokens[i + 1].group(0).rstrip(".")
                if len(name) > 1 and name not in g.common and name not in NOT_NAMES:
                    out.append(
                        Finding(
                            PERSON, tokens[i].start(), tokens[i + 1].start() + len(name),
                            "lower_case_name", 0.8, "confidential",
                        )
                    )  # fmt: skip
                    i += 2
                    continue
            plain = len(word) > 1 and word not in g.common and word not in g.places
            start = tokens[i].start()
            if (
                (word not in g.common_first and not plain)
                or word in NOT_NAMES
                or _HOUSE_NUMBER_BEFORE.search(text, max(0, start - 8), start)
            ):  # "5670 r josé a madeira": a street after its house number
                i += 1
                continue
            j = i + 1
            initial = (
                j < len(tokens)
                and len(tokens[j].group(0).rstrip(".")) == 1
                and _adjacent(text, tokens[i], tokens[j])  # not across a line
            )
            if initial:
                j += 1
            end_token = tokens[i]
            if j < len(tokens) and _adjacent(text, tokens[j - 1], tokens[j]):
                last = tokens[j].group(0).rstrip(".")
                if (last in g.lower_last and last not in NOT_NAMES) or (
                    len(last) > 1 and last not in g.common and last not in g.places
                ):  # not "iban to": "to" is a surname too
                    end_token = tokens[j]
            before, phrase = self._before(text, tokens[i].start())
            full = end_token is not tokens[i]
            if word in g.common_first:
                score = 0.7 if full else 0.4
            else:
                score = 0.7 if full and initial else 0.4 if full else 0.2
            if before in PERSON_CONTEXT or phrase in PERSON_PHRASES:
                score += 0.35
            after = text[end_token.end() : end_token.end() + 12]
            head = after.lstrip().split(" ", 1)[0].strip(",.!?")
            if after.startswith(("'s", "’s")) or head in PERSON_AFTER:
                score += 0.3  # "selma said", "samoylova's verses"
            elif head in PERSON_AFTER_WEAK and word in g.common_first and before not in _OWNED:
                score += 0.3  # "selma is from …" (not "my iban is")
            line_start = text.rfind("\n", 0, tokens[i].start()) + 1
            line_end = text.find("\n", end_token.end())
            line_end = len(text) if line_end < 0 else line_end
            if (
                full
                and not text[line_start : tokens[i].start()].strip(_LINE_PUNCT)
                and not text[end_token.end() : line_end].strip(_LINE_PUNCT)
            ):
                score += 0.3  # a line holding only the name
            elif (
                word in g.common_first
                and after.startswith(":")
                and not text[line_start : tokens[i].start()].strip(_LINE_PUNCT)
            ):
                score += 0.3  # "mika: who are you?"
            if score >= THRESHOLD:
                out.append(
                    Finding(
                        PERSON,
                        tokens[i].start(),
                        end_token.end(),
                        "lower_case_name",
                        round(min(score, 1.0), 2),
                        "confidential",
                    )
                )
                i = tokens.index(end_token) + 1
                continue
            i += 1
        return out

    def _org_of_words(
        self, text: str, start: int, end: int, out: list[Finding], named: bool = False
    ) -> bool:
        """A company suffix or head noun ends an organisation whose first words may be common
        ones skipped before it ("Tableau Software", "48 Factoring Inc"); alone it is none."""
        head = _CAPS_BEFORE.search(text, max(0, start - 40), start)
        first = start
        if head is not None:
            at = head.start()
            for word in head.group(0).split():
                if word.lower() not in NOT_NAMES:  # not "The Software", "Our Group"
                    first = at
                    break
                at += len(word) + 1  # one space or tab between the words
        if first == start and not named:
            return False
        while out and out[-1].end > first and out[-1].entity != ORGANIZATION:
            out.pop()  # "St. Mary's" read as a person before its "Hospital"
        out.append(Finding(ORGANIZATION, first, _org_end(text, end), "org_suffix", 0.8, "internal"))
        return True

    def _org_of_lead(
        self, text: str, start: int, end: int, out: list[Finding], led: list[Finding]
    ) -> None:
        """ "University of Edinburgh", "Ministry of Finance", "Royal Bank of Scotland", "the
        Department of Health and Social Care": an organisation led by its kind and "of",
        added to `out` and `led` (find drops what was found inside it)."""
        m = _ORG_OF_TAIL.match(text, end)
        if m is None:
            return
        first = start
        head = _CAPS_BEFORE.search(text, max(0, start - 40), start)
        if head is not None:  # "Royal Bank of …", not "The University of …"
            at = head.start()
            for word in head.group(0).split():
                if word.lower() not in _OWNED:
                    first = at
                    break
                at += len(word) + 1
        while out and out[-1].end > first:
            out.pop()  # "Royal Brompton" read as a person before its "Hospital"
        found = Finding(ORGANIZATION, first, m.end(), "org_lead", 0.75, "internal")
        out.append(found)
        led.append(found)

    def _org_by_form(self, text: str, run: list[_Token], out: list[Finding]) -> bool:
        """A run that ends in a legal form or an organisation's head noun ("Drake PLC",
        "Acme AG", "Civic Impulse LLC", "Allianz SE", "Trelawny Capital's") or before a legal
        form with full stops ("Fratelli Bonomi S.p.A.", "Møller A/S"); checked before the
        run's trailing common words go."""
        last = run[-1]
        if len(last.word) == 1 and last.word in _DOTTED_FORM_LEADS and len(run) >= 2:
            m = _DOTTED_FORM.match(text, last.start)
            if m is None:
                return False
            out.append(Finding(ORGANIZATION, run[0].start, m.end(), "org_suffix", 0.8, "internal"))
            return True
        if not _org_tail(text[last.start : last.end], run[-2].word if len(run) >= 2 else ""):
            if len(run) >= 2 and run[0].word in _ORG_FIRST_WORDS and not run[1].common:
                out.append(Finding(ORGANIZATION, run[0].start, last.end, "org_suffix", 0.8,
                                   "internal"))  # fmt: skip
                return True
            return False
        end = last.end - 2 if last.word.endswith(("'s", "’s")) else last.end
        return self._org_of_words(text, run[0].start, end, out, len(run) >= 2)

    def _lower_name_after(self, text: str, end: int, cue: str, out: list[Finding]) -> None:
        """A name typed in lower case after a capitalised cue in a text that is not all lower
        case: "Hi anna,", "Dear mr smith", "My name is john smith", "Call me ishmael"."""
        lead = _CUE_LEADS.get(cue, "")
        if lead:
            if not text.startswith(lead, end):
                return
            end += len(lead)
        start = end + 1
        m = _LOWER_WORD.match(text, start) if text[end : end + 1] == " " else None
        if m is None or not text[start].islower():
            return
        word = m.group(0).rstrip(".")
        if word not in self.g.common_first or word in NOT_NAMES:
            return
        stop = start + len(word)
        nxt = _LOWER_WORD.match(text, stop + 1) if text[stop : stop + 1] == " " else None
        if nxt is not None and text[stop + 1].islower():
            last = nxt.group(0).rstrip(".")
            if last in self.g.lower_last and last not in self.g.common:
                stop = stop + 1 + len(last)
        out.append(Finding(PERSON, start, stop, "lower_case_name", 0.8, "confidential"))

    def _place_after_skipped_word(
        self, text: str, start: int, end: int, out: list[Finding]
    ) -> bool:
        """A place whose first word is a common one, skipped before this run: "Los Angeles",
        "United Kingdom"."""
        if text[start - 1 : start] != " " or text[start:end].lower() not in self.g.place_tails:
            return False
        head = _CAP_BEFORE.search(text, max(0, start - 16), start - 1)
        if head is None or f"{head.group(0)} {text[start:end]}".lower() not in self.g.places:
            return False
        out.append(Finding(LOCATION, head.start(), end, "gazetteer_place", 0.75, "internal"))
        return True

    def _remember(self, raw: str) -> _Facts:
        """What the lists say about a capitalised word, cached (bounded: word facts, not
        texts) because the same words recur in every prompt."""
        if len(self._facts) > 50_000:
            self._facts.clear()
        facts = self._facts[raw] = self._lookup(raw)
        return facts

    def _lookup(self, raw: str) -> _Facts:
        word = raw[:-1] if raw.endswith(".") else raw
        key = word if not word.isupper() or len(word) < 2 else word.capitalize()
        base = key[:-2] if key.endswith(("'s", "’s")) else key  # "What's" is looked up as "What"
        lower = base.lower()
        g = self.g
        bare = word[:-2] if word.endswith(("'s", "’s")) else word
        org_word = lower in LEGAL_FORMS or lower + "." in LEGAL_FORMS or lower in _COMMON_ORG_HEADS
        and_sons = raw.startswith(_AND_SONS_WORDS)
        if _CAMEL.search(bare) and not _NAME_PREFIX.match(bare):
            # "WhatsApp", "NextAuth", "ConsoleModel": a product or an identifier, no name
            return (key, len(word), False, False, False, True, True, False, False, False, and_sons)
        title = lower in TITLES
        if len(word) == 1 and raw.endswith(".") and word.isupper():
            # an initial ("J. Pemberton"): it may start a name, though "j" is a word
            return (key, 1, False, False, False, False, False, False, False, False, False)
        return (
            key,
            len(word),
            title,
            base in g.first,
            base in g.last,
            lower in g.common
            or lower in NOT_NAMES
            or (word.isupper() and len(word) <= 4),  # an acronym: IBAN, JSON, HTTP
            # cannot start a run: a common word that is not also a first name or a title
            not title and ((lower in g.common and bare not in g.first) or lower in NOT_NAMES),
            # a full stop, not an initial or an abbreviation
            raw.endswith(".")
            and len(word) > 1
            and not title
            and lower not in ORG_SUFFIXES
            and lower not in ABBREVIATIONS,
            org_word,
            lower in _CUE_LEADS or key in _ORG_OF_LEADS,
            and_sons,
        )

    def _person_with_street_word(self, text: str, run: list[_Token]) -> bool:
        """ "Dear Sun-Hee Park", "Emily Ford said": a first name and a surname that is also a
        street word, with no house number and no place word before it."""
        return (
            len(run) >= 2
            and run[0].first
            and not run[0].common
            and run[-1].last
            and not _NUMBER_BEFORE.search(text[max(0, run[0].start - 8) : run[0].start])
            and not _HOUSE_NUMBER_AFTER.match(text, run[-1].end)
            and self._before(text, run[0].start)[0] not in _STREET_CONTEXT
        )

    def _dotted_surname(self, text: str, start: int) -> float:
        """ "user=Lorina.Doom": a surname joined by a full stop to a first name, the way user
        names and addresses write people."""
        head = _CAP_BEFORE.search(text, max(0, start - 24), start - 1)
        if head is None or (head.start() > 0 and text[head.start() - 1].isalnum()):
            return 0.0
        word = head.group(0)
        return 0.35 if word in self.g.first and word.lower() not in self.g.common else 0.0

    def _common_event(self, text: str, event: list[tuple[int, _Facts]], out: list[Finding]) -> None:
        """A run of common words without a title: a first name that is also a word ("Mark",
        "Mark Brown") where the words around say person (_cued), else _common_run."""
        start, (last_start, last) = event[0][0], event[-1]
        end = last_start + last[1]
        first = event[0][1]
        if (
            first[3]
            and (len(event) == 1 or (len(event) == 2 and last[4]))
            and self._person
            and self._cued(text, start, end)
        ):
            out.append(Finding(PERSON, start, end, "cued_name", 0.6, "confidential"))
            return
        self._common_run(text, start, end, last[0], len(event), out)

    def _cued(self, text: str, start: int, end: int) -> bool:
        """ "Hi Mark,", "Thanks, Bill", "Grace approved it", "spoke with Hope": a first name
        that is also a word ("mark", "grace", "bill") with a strong cue next to it."""
        if text[start:end].isupper() or text[start:end].lower() in NOT_NAMES:  # "NASA"
            return False
        before, phrase = self._before(text, start)
        after = text[end : end + 24].lower()
        if before in _GREETINGS and (not after.strip(" \t") or after[:1] in ",!\n"):
            return True  # not "Thanks, Hope this helps"
        if phrase in PERSON_PHRASES:
            return True
        head = after.lstrip().split(" ", 1)[0].strip(",.!?")
        return head in PERSON_AFTER and head not in _ALSO_THINGS

    def _common_run(
        self, text: str, start: int, end: int, last: str, n: int, out: list[Finding]
    ) -> None:
        """A run of common words without a title ("IBAN ES", "Can"; _name_led is false for it,
        no word after its first being a name): nothing here is a name or firm; but "Kingdom"
        after a skipped "United" may end a place, "LLC" after a skipped "Civic Impulse" a
        firm."""
        if self._loc and self._place_after_skipped_word(text, start, end, out):
            return
        if (
            self._loc
            and (
                text[end : end + 1] == ","
                or (start >= 2 and text[start - 2].isdigit())
                or (n >= 2 and last in _STREET_KEYS)
                or (n == 1 and last.lower() in self.g.places)
            )  # checked first: most common runs are none of these
            and self._common_place(text, start, end, last.lower(), n, out)
        ):
            return
        if self._org and last.lower() in _COMMON_ORG_ENDS:
            self._org_of_words(text, start, end, out, n >= 2)

    def _common_place(
        self, text: str, start: int, end: int, last: str, n: int, out: list[Finding]
    ) -> bool:
        """Common words that are a place: a street after a house number or "on" ("1600
        Amphitheatre Parkway", "on Market St"), a town after a phrase of travel or residence
        ("flew to Phoenix"), before its region ("Phoenix, Arizona") or after a postal code
        ("80331 Mitte")."""
        if n >= 2 and last in STREET_WORDS:
            if _NUMBER_BEFORE.search(text, max(0, start - 8), start) or (
                last in _PLAIN_STREET_WORDS and self._before(text, start)[0] in _STREET_CONTEXT
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

    def _postcode_town(self, text: str, run: list[_Token], out: list[Finding]) -> bool:
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
            and not _HOUSE_NUMBER_AFTER.match(text, end)
            and not _is_street(run, text, start)
        ):
            out.append(Finding(LOCATION, start, end, "address_town", 0.6, "internal"))
            return True
        return False

    @staticmethod
    def _street_start(text: str, run: list[_Token]) -> int:
        """Where a street that ends `run` begins when a house number comes before it and
        before skipped common words ("1600 Amphitheatre Parkway"); -1 if none does."""
        start = run[0].start
        head = _STREET_LEAD_BEFORE.search(text, max(0, start - 40), start)
        if head is not None:
            start = head.start()
        elif len(run) < 2 or not run[0].common:
            return -1  # _is_street decides the rest
        return start if _NUMBER_BEFORE.search(text, max(0, start - 8), start) else -1

    def _street_of_skipped_words(self, text: str, start: int, end: int, out: list[Finding]) -> bool:
        """ "350 Fifth Avenue", "on Market St": a street word after skipped common words."""
        head = _STREET_LEAD_BEFORE.search(text, max(0, start - 40), start)
        if head is None:
            return False
        return self._common_place(text, head.start(), end, text[start:end].lower(), 2, out)

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

    def _classify(
        self,
        text: str,
        run: list[_Token],
        out: list[Finding],
        maybe: list[_Maybe],
    ) -> None:
        if (
            run[-1].common  # checked first: the usual run ends in a name, no common word
            and all(t.common for t in run)
            and not _name_led(run)
            and not run[0].title
        ):
            # find settles such runs first (_common_event); kept for callers of _classify
            self._common_run(text, run[0].start, run[-1].end, run[-1].word, len(run), out)
            return
        if len(run) >= 2 and run[0].common and self._loc:
            whole = text[run[0].start : run[-1].end]
            if whole.lower() in self.g.places:  # "Los Angeles", "New Brighton"
                out.append(
                    Finding(
                        LOCATION, run[0].start, run[-1].end, "gazetteer_place", 0.75, "internal"
                    )
                )
                return
        if run[-1].word in _STREET_KEYS and not run[0].title:
            street = self._street_start(text, run)
            if street >= 0:  # "1600 Amphitheatre Parkway", "4059 Mt Lee Drive": lead and all
                if self._loc:
                    out.append(
                        Finding(LOCATION, street, run[-1].end, "street_name", 0.6, "internal")
                    )
                return
        lead = text[run[0].start - 2] if run[0].start >= 5 else " "
        if lead in _CODE_ENDS:  # one look for most runs: a postal code before?
            if (
                len(run) >= 2
                and run[0].end - run[0].start == 2
                and text[run[0].start : run[0].end].isupper()
                and lead <= "9"
            ):  # "3511 ED Utrecht": the letters of a Dutch postal code, not a name
                run = run[1:]
            if self._loc and not run[0].title and self._postcode_town(text, run, out):
                return
        title = False
        while run and (run[0].title or (run[0].common and not _name_led(run))):
            if title and not run[0].title and run[0].word.lower() not in NOT_NAMES:
                break  # after a title a capitalised word is a surname: "Dr. Cost", "Ms Kiss"
            title = title or run[0].title
            run = run[1:]
        if (
            self._org
            and run
            and (
                run[-1].word in _ORG_TAIL_KEYS
                or len(run[-1].word) == 1
                or run[0].word in _ORG_FIRST_WORDS
            )
            and self._org_by_form(text, run, out)
        ):
            return
        if (
            run
            and not title
            and _is_street(run, text, run[0].start)
            and not self._person_with_street_word(text, run)
        ):
            if self._loc:
                out.append(
                    Finding(LOCATION, run[0].start, run[-1].end, "street_name", 0.6, "internal")
                )
            return
        while (
            len(run) > (1 if title else 0)
            and run[-1].common
            and not (run[-1].last or run[-1].first)
        ):
            run = run[:-1]
        if not run:
            return
        if run[-1].word.endswith(("'s", "’s")):
            run[-1].end -= 2
            run[-1].word = run[-1].word[:-2]
        start, end = run[0].start, run[-1].end
        span_text = text[start:end]
        if self._org and len(run) == 2 and _company_pair(run, text, title):
            out.append(Finding(ORGANIZATION, start, end, "org_pattern", 0.6, "internal"))
            return
        if (
            self._org
            and run[-1].word in _ORG_TAIL_KEYS
            and _org_tail(text[run[-1].start : run[-1].end])
        ):
            if len(run) >= 2:
                out.append(
                    Finding(ORGANIZATION, start, _org_end(text, end), "org_suffix", 0.8, "internal")
                )
            return
        before, phrase = self._before(text, start)
        if before in CODENAME_BEFORE and not title:
            return  # "project Kestrel", "operation Overlord": a code name, not a person
        if not title and (
            before in STREET_LEADS
            or (before in _PARTICLES and phrase.split(" ", 1)[0] in STREET_LEADS)
        ):  # "Boulevard de Normandie", "Avenue Foch": a street (its lead word is a common one)
            if self._loc:
                out.append(Finding(LOCATION, start, end, "street_name", 0.6, "internal"))
            return
        after = text[end : end + 32].lower()
        lower_span = span_text.lower()
        region = lower_span in self.g.regions
        # A first name that is also a town ("Logan", "Brandon") is a person unless the words
        # before say it is a place ("in", "flew to"; "shouted at Scott" is a person); a
        # country or state is always a place.
        shouted = span_text.isupper()  # "LONDON" in an address line
        known_place = lower_span in self.g.places
        is_place = region or (
            known_place
            and (
                len(run) > 1
                or not run[0].first
                or (before in PLACE_CONTEXT and before not in ("to", "at"))
                or phrase in PLACE_PHRASES
                or shouted
            )
            and not (before in PERSON_CONTEXT and before not in PLACE_CONTEXT)
            and phrase not in _PERSON_NOT_PLACE  # "according to Nakamura" (a town too)
        )
        named = _person_score(run, title, before, after, text, start)
        if start >= 2 and text[start - 1] == "." and text[start - 2].isalpha():
            named += self._dotted_surname(text, start)
        if shouted and len(run) == 1 and not title:
            named = min(named, 0.3)
        if named < 0.8 and not is_place:
            named += _line_bonus(text, start, end, run)
            if phrase in PERSON_PHRASES:
                named += 0.35
            elif (
                before == "to"
                and _GIVEN_TO.search(text, max(0, start - 40), start)
                and not _HOUSE_NUMBER_AFTER.match(text, end)  # "send it to Aqqusinersuaq 176"
            ):
                named += 0.35  # "assign the bug to Hernández", "forward the contract to …"
        if self._loc and not is_place and self._place_after_skipped_word(text, start, end, out):
            return
        if (
            known_place
            and not is_place
            and not title
            and self._loc
            and self._place_by_neighbours(text, start, end, before, phrase, after, out)
        ):
            out.append(Finding(LOCATION, start, end, "gazetteer_place", 0.75, "internal"))
            return
        address = (
            _ADDRESS_BEFORE.search(text, max(0, start - 24), start)
            if not title and _after_comma(text, start)
            else None
        )
        if address and not (address.group(1) and address.group(1).lower() in self.g.common):
            # the town of an address: "…Farnell Street, LOOMBAH", "…Apt. 397, Mora de Rubielos"
            # (not "Ticket 4521, Maria Garcia": "ticket" is a common word)
            if self._loc:
                out.append(Finding(LOCATION, start, end, "address_town", 0.6, "internal"))
            return
        if (
            self._loc
            and not is_place
            and (phrase in PLACE_PHRASES or phrase.endswith(" visiting"))
            and not any(t.first or t.last for t in run)
        ):  # "moved here from Tjæreborg", "flew to Neupré", "flew to Reguengos de Monsaraz"
            out.append(Finding(LOCATION, start, end, "place_context", 0.6, "internal"))
            return
        if (
            self._loc
            and is_place
            and not title
            and (named < 0.8 or region or (len(run) > 1 and before not in PERSON_CONTEXT))
            and not _month_in_date(run, text, start, end)
        ):
            score = 0.75 + (0.15 if before in PLACE_CONTEXT else 0.0)
            out.append(Finding(LOCATION, start, end, "gazetteer_place", score, "internal"))
            if text[end : end + 1] == ",":
                self._region_after(text, end, out)  # "Manchester, UK": the acronym too
            return
        if (
            self._org
            and not title
            and (
                before in _FIRMS_BEFORE
                or phrase in _FIRM_PHRASES
                or (
                    named < 0.8
                    and (
                        phrase in ORG_PHRASES
                        or before in ORG_BEFORE
                        or (before == "at" and phrase[:-3] in _ROLES_AT)
                        or (after[:2] in _POSSESSIVES and _ORG_OWNS.match(after) is not None)
                    )
                    and not any(t.first for t in run)
                )
                or ((" is a" in after[:7] or " was a" in after[:7]) and _ORG_IS.match(after))
            )
        ):  # "I work for Cloudmade", "our supplier Brightwater", "a nurse at Kingsbridge",
            # "Trelawny's CFO", "Plotwatt is a design agency"
            out.append(Finding(ORGANIZATION, start, end, "org_context", 0.6, "internal"))
            return
        if self._person and (self.model is not None or self.harvest is not None):
            place_word = any(t.word.lower() in self.g.places for t in run)
            feats = features(
                text, run, start, end, named, title, before, phrase, after, is_place, place_word
            )
            if self.harvest is not None:
                self.harvest.append((start, end, feats))
            if self.model is not None:
                self._decide(self.model, feats, start, end, named, run, out, maybe)
                return
        if self._person and named >= THRESHOLD:
            if not title and text[end : end + 1] == " " and _METHOD_AFTER.match(text, end):
                return  # "the Monte Carlo method", "a Markov chain": a method, not a person
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
        elif self._person and named > 0:
            maybe.append((start, end, any(t.first or t.last for t in run), run))

    @staticmethod
    def _decide(
        model: NameModel,
        feats: list[str],
        start: int,
        end: int,
        named: float,
        run: list[_Token],
        out: list[Finding],
        maybe: list[_Maybe],
    ) -> None:
        p = model.probability(feats)
        if p >= model.threshold:
            # the model's threshold maps to the engine's default min_score of 0.5
            score = 0.5 + 0.5 * (p - model.threshold) / (1.0 - model.threshold)
            out.append(Finding(PERSON, start, end, "name_model", round(score, 2), "confidential"))
        elif named > 0:
            maybe.append((start, end, any(t.first or t.last for t in run), run))


_LOWER_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?\.?")
# what precedes a name typed in lower case in mixed-case text (see _lower_names_after_cues)
# capitalised words after which a name typed in lower case may follow (the words between)
_CUE_LEADS = {"hi": "", "hello": "", "hey": "", "dear": "", "my": " name is", "call": " me"}
_LINE_PUNCT = " \t?!.,:;\"'*-–—()[]<>|#>"

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
_PARTICLES = frozenset(
    ["de", "del", "della", "dei", "degli", "des", "du", "da", "do", "di", "la", "le", "los", "las"]
)
_HOUSE_NUMBER_BEFORE = re.compile(r"\d\s+(?:[a-z]\.?\s+)?\Z")
# determiners and possessives: what follows them is a thing ("my iban is")
_OWNED = frozenset(["my", "your", "our", "their", "his", "her", "its", "the", "a", "an", "this"])
# a house number before a street, "221B" included
_NUMBER_BEFORE = re.compile(r"\d[\d ]*[A-Za-z]?\s$")


# Hungarian and Polish street words after a street's name: "Király u. 15"
_STREET_AFTER = re.compile(r" (?:u\.|utca|ul\.) ?\d")
# words before a street's name ("lives on Jackson Street", "at Oak Hill")
_STREET_CONTEXT = frozenset(
    ["on", "at", "in", "near", "off", "along", "via", "to", "from", "of", "and", "corner"]
)
_HOUSE_NUMBER_AFTER = re.compile(r" \d{1,5}(?![\d:/-]|\.\d)")
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
    r"data ?cent(?:er|re))\b"
)
# nouns after a name that make it a method's ("Monte Carlo method", "Kalman filter")
_METHOD_AFTER = re.compile(
    r" (?:method|methods|simulation|simulations|algorithm|sampling|integration|estimator|"
    r"filter|chain|chains|transform|distribution|tree search)\b"
)
# "Boston to Seattle", "from Lyon to Marseille": the place a trip goes to
_TO_PLACE_AFTER = re.compile(r" to ([A-Z][^\W\d_]+(?: [A-Z][^\W\d_]+)?)")


# the last character of a postal code, or of the letters after a Dutch one ("3511 ED")
_CODE_ENDS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# STREET_WORDS as the look-up keys of capitalised words ("Parkway", "St"): no lower() per run
_STREET_KEYS = frozenset(w.capitalize().rstrip(".") for w in STREET_WORDS)


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
        and _HOUSE_NUMBER_AFTER.match(text, end) is not None
    )


def _is_street(run: list[_Token], text: str, start: int) -> bool:
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
        and _HOUSE_NUMBER_AFTER.match(text, run[-1].end)
        and not run[-1].word.endswith(("'s", "’s"))
    ):
        return True
    if (
        start < 2
        or not text[start - 1].isspace()
        or not (
            text[start - 2].isdigit()
            or text[start - 2] == " "
            or (start >= 3 and text[start - 3].isdigit() and text[start - 2].isalpha())  # 221B
        )  # checked first: cheaper
        or not _NUMBER_BEFORE.search(text[max(0, start - 8) : start])
    ):
        return False
    # "641 Dašická 688", "34151 Nybyvägen 65": one word between numbers is a street too
    return len(run) >= 2 or bool(_HOUSE_NUMBER_AFTER.match(text, run[-1].end))


def _company_pair(run: list[_Token], text: str, title: bool) -> bool:
    """ "Butler-Peters" alone: two surnames joined by a hyphen, the way firm names are written
    (a person with a double surname has a first name or a title before it; "Jean-Pierre" ends
    in a first name)."""
    return (
        len(run) == 2
        and not title
        and text[run[0].end : run[1].start] == "-"
        and run[0].last
        and run[1].last
        and not run[1].first
    )


def _name_led(run: list[_Token]) -> bool:
    """A common word that is also a first name, followed by a surname or a proper noun no list
    knows ("Will Smith", "Graham Deor"), or by a middle initial and a surname ("True A. Poon")."""
    if not run[0].first or len(run) < 2:
        return False
    if len(run) > 2 and _initial(run[1]):
        return not run[2].common
    return not run[1].common


def _initial(token: _Token) -> bool:
    return len(token.word) == 1 and token.word.isupper()


def _opens_sentence(text: str, start: int) -> bool:
    """Whether `start` begins a sentence, a line or a quotation, where every word has a
    capital; elsewhere a capital says "proper noun"."""
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘(*#>-":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;"


def _person_score(
    run: list[_Token], title: bool, before: str, after: str, text: str, start: int
) -> float:
    n = len(run)
    first, last = run[0], run[-1]
    known = unknown = commons = 0
    shape = 0.0
    for t in run:
        if t.first or t.last:
            known += 1
        elif t.common:
            commons += 1
        else:
            unknown += 1
            shape += name_shape(t.word)
    if len(first.word) == 1 and first.word.isupper():  # an initial first: rare, checked once
        if all(_initial(t) for t in run):
            return 0.0  # "U.S.", "A." of a heading
        if run[1].common and not title and before not in PERSON_CONTEXT:
            return 0.0  # "A. Loud sounds", "C. Late hour": a lettered option, no "J. Brown"
    middle_initial = n >= 3 and any(_initial(t) for t in run[1:-1]) and not _initial(last)
    if title:
        score = 0.9
    elif middle_initial and not last.common:
        score = 0.85  # "Janka M. Szász", "Jildau S Bouts"
    elif n >= 2 and first.first and (last.last or not last.common):
        score = 0.85
    elif n >= 2 and known == n:
        score = 0.8
    elif n >= 2 and (first.first or last.last):
        score = 0.65
    elif n >= 2 and known and known + unknown == n:
        score = 0.5  # "Chen Ivanova": a surname and a name no list knows
    elif n == 1 and first.first and not first.common:
        score = 0.55
    elif n == 1 and first.last and not first.common:
        score = 0.35
    elif n in (2, 3) and unknown == n:
        # two or three proper nouns no list knows: a name when anything else says so
        # mid-sentence, where the capitals are the words' own, they are likelier a name
        proper = before not in ("in", "near") and not _opens_sentence(text, start)
        score = 0.5 if proper else 0.4
    else:
        score = 0.2 if not commons and not any(t.common for t in run) else 0.0
    ascii_run = not unknown or text[start : last.end].isascii()
    if unknown:
        # words no list knows: do they look like names ("Kowalczyk") or like words or
        # products ("Throughput", "Postgres")? (name_shape.py; accented words have their own
        # bonus below: the lists' names have accents, their English words none)
        shape /= unknown
        if shape >= _SHAPE_NAME and ascii_run:
            score += 0.15
        elif shape <= _SHAPE_WORD:
            score -= 0.1
    if (n >= 2 and any(t.word.lower().endswith(_SURNAME_ENDINGS) for t in run[1:])) or (
        not ascii_run
    ):
        score += 0.15
    if before in PERSON_CONTEXT:
        score += 0.35
    if after.startswith((", the ", ", a ", ", an ", ", our ", ", my ", ", his ", ", her ")):
        role = after.split(" ", 2)[-1] if after.count(" ") >= 2 else ""
        if role.strip(",.").split(" ", 1)[0] in ROLE_WORDS:
            score += 0.35
    if after.startswith((", who ", " who ")):
        score += 0.35  # "Krzeczkowski, who worked here", "It was Dr Ring who"
    head = after.lstrip().split(" ", 1)[0].strip(",.!?")
    # a possessive, unless a capitalised word follows it ("Panjiva's Riku Andou", "Google's
    # Sundar Pichai": the company's person)
    owner = after.startswith(("'s", "’s")) and not after[3:4].isupper()
    if owner or head in PERSON_AFTER:
        score += 0.3
    elif head in PERSON_AFTER_WEAK:
        if head in _BE and _PERSON_IS.match(after):
            score += 0.3  # "Kemblish is a very kind person"
        elif _THING_IS.match(after):
            score -= 0.3  # "Apollo is going live in June", "Atlas is down again"
        else:
            score += 0.3 if known else 0.1
    elif head == "to":
        if _ACTION_ITEM.match(after) and _line_item(text, start) and (known or _shaped(run)):
            score += 0.3  # "- Okafor to send the revised budget": an action item's owner
    elif head == "and":
        if after.startswith((" and i ", " and me ", " and myself ")):
            score += 0.3  # "Eldridge and I went to school together"
    elif head in _BE:
        if _PERSON_IS.match(after):
            score += 0.3  # "Kemblish and Zorvat are kind people"
    else:
        c0 = after[:1]
        if c0 == " " and after[1:2] == "(":
            m = _ROLE_AFTER.match(after)
            if m and (m.group(1) in ROLE_WORDS or m.group(1) in _TEAMS):
                score += 0.3  # "Aldena (sales) and …", "Ngozi Okonjo (customer)"
        elif c0 == ",":
            if after.startswith(_VOCATIVE_AFTER) and _opens_sentence(text, start):
                score += 0.3  # "Marta, can you check ticket 4821?"
        elif (c0 == "!" or c0 == "?") and text[start - 2 : start] == ", ":
            score += 0.3  # "Don't go to town, Brandon!", "Is that you, Kemblish?"
    if (
        n >= 2
        and last.word.lower() in _THING_HEADS
        and (before in _DETERMINERS or not first.first or first.common)
    ):
        return 0.0  # "The Ames Data Center", "Phoenix Project"; not "Dafne Tower"
    if n > 4:
        score -= 0.3  # a title-cased heading, not a name
    elif n >= 3 and any(t.common and not (t.first or t.last) for t in run[1:-1]):
        score -= 0.3  # a word inside: "Lakes Regional Sales", no "Mary Rose Smith"
    if n == 1 and not title:
        if (
            before in _DETERMINERS
            and not owner  # "Is this Flora's phone?": "this" is the phone's
            and text[start - 1 - len(before) : start].lower() == before + " "
        ):
            score -= 0.3  # "the Atlas project", "on the Oslo cluster": a thing's name
        if (
            len(first.word) <= 4
            and first.word.lower() in _MONTH_ABBREVIATIONS
            and _DAY_AFTER.match(after)
        ):
            return 0.0  # "visited on Jan 3"
    if "@" in after and _named_in_address(run, after):
        score += 0.4  # "Tomasz Wierzbicki <t.wierzbicki@…>": the address repeats the name
    return score


# name_shape scores past which an unknown word reads as a name (half of the held-out names,
# 1.3 % of held-out words: scripts/train_dlp_name_shape.py) or as no name (-0.8)
_SHAPE_NAME, _SHAPE_WORD = 0.5, -0.8


def _shaped_run(run: list[_Token]) -> bool:
    """A word of the run is shaped like a name: what two coordinated weak candidates need
    ("Muslija and Torpy were")."""
    return any(_name_shaped(t) for t in run)


def _name_shaped(token: _Token) -> bool:
    return not token.common and token.word.isascii() and name_shape(token.word) >= _SHAPE_NAME


# what follows a name the text addresses at the start of a sentence
_VOCATIVE_AFTER = (
    ", can you", ", could you", ", would you", ", will you", ", can u", ", please", ", do you",
    ", are you", ", have you", ", did you", ", thanks", ", thank you", ", can i", ", could i",
    ", may i",
)  # fmt: skip
# what systems and releases are, not people
_THING_IS = re.compile(
    r" (?:is|was|will be) (?:going live|live|down|up|offline|online|deployed|released|broken|"
    r"failing|unavailable|unreachable|back up|in maintenance|migrated|decommissioned)\b"
)
# head nouns of places and things whose last word is also a surname ("Data Center"; not
# "Park", "Hall", "Church": common surnames)
_THING_HEADS = frozenset(
    ["center", "centre", "building", "campus", "hospital", "clinic", "school", "college",
     "station", "airport", "cluster", "server", "project", "program", "programme", "platform",
     "portal", "team", "office", "tower", "museum", "library", "mall", "stadium", "arena",
     "hotel"]
)  # fmt: skip
# a verb whose indirect object follows "to" is a person: "assign the bug to …", "send the
# keys back to …", "reports to …" (searched only when "to" stands before the run)
_GIVEN_TO = re.compile(
    r"\b(?:(?:re)?assign(?:ed|s)?|sen[dt]|sends|forward(?:ed|s)?|g[ai]ve|gives|hand(?:ed|s)?|"
    r"escalated?|delegated?|pass(?:ed)?|transfer(?:red)?|repl(?:y|ied)|wr(?:ite|ote)|"
    r"talk(?:ed)?|sp(?:eak|oke)|reports?|introduced?|mention(?:ed)?|explain(?:ed)?|"
    r"apologi[sz]ed?|returned?|lent|owe[sd]?)\b[^.\n!?]{0,24}\bto $",
    re.IGNORECASE,
)
# greetings and closings before a name on its own ("Hi Mark,", "Thanks, Bill")
_GREETINGS = frozenset(["hi", "hello", "hey", "dear", "thanks", "thank", "cheers", "regards"])
# verbs after a run that things do as well (a word-name like "Will" needs a person's verb)
_ALSO_THINGS = frozenset(["began", "lives", "works", "worked", "left", "stated"])
_ACTION_ITEM = re.compile(r" to [a-z]{2,}")
_ROLE_AFTER = re.compile(r" \((?:[a-z]+[ -]){0,2}([a-z]+)\)")
# teams and parts a person is listed with: "Aldena (sales)", "Ravi (on-call)"
_TEAMS = frozenset(
    ["sales", "legal", "hr", "finance", "support", "marketing", "engineering", "ops", "it",
     "product", "design", "security", "procurement", "accounting", "primary", "secondary",
     "backup", "call", "lead", "customer", "organiser", "organizer", "host", "chair", "owner",
     "mgr", "pm", "qa", "dev", "devops", "sre", "intern", "contractor", "guest", "speaker"]
)  # fmt: skip


def _line_item(text: str, start: int) -> bool:
    """Whether `start` begins a line or a list item ("- ", "* ", "• ", "1. ")."""
    head = text[text.rfind("\n", 0, start) + 1 : start].strip()
    return (
        not head
        or head in ("-", "*", "•", "–")
        or head.rstrip(".)").isdigit()
        or head.endswith((":", ";"))  # "Action items: Dariona to draft …; Keyler to call …"
    )


def _shaped(run: list[_Token]) -> bool:
    return any(_name_shaped(t) for t in run if not (t.first or t.last or t.common))


_BE = frozenset(["is", "was", "are", "were"])
_PERSON_IS = re.compile(
    r",? (?:is|was|are|were) (?:an? |such an? )?(?:[a-z]+ ){0,2}(?:person|man|woman|guy|girl|"
    r"boy|lady|gentleman|people|kid|child)\b"
)
_DETERMINERS = frozenset(["the", "a", "an", "this", "that", "these", "those", "our", "your"])
_MONTH_ABBREVIATIONS = frozenset(
    ["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]
)
_DAY_AFTER = re.compile(r"\.? \d{1,2}\b")
_DAY_BEFORE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\.? $")


def _month_in_date(run: list[_Token], text: str, start: int, end: int) -> bool:
    """ "closed on 3 Nov.", "Nov 3": a month's abbreviation in a date (Nov is also a town)."""
    return (
        len(run) == 1
        and run[0].word.lower() in _MONTH_ABBREVIATIONS
        and (
            _DAY_BEFORE.search(text, max(0, start - 6), start) is not None
            or _DAY_AFTER.match(text, end) is not None
        )
    )


_ADDRESS_AFTER = re.compile(r" ?[<(\[] ?(?:mailto:)?([\w.+'-]+)@")


def _fold(word: str) -> str:
    """Lower case without accents, as addresses spell names ("Petrović" -> "petrovic")."""
    word = word.lower()
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _named_in_address(run: list[_Token], after: str) -> bool:
    """Whether the e-mail address right after the run (`after` is lower case) holds one of its
    words of three letters or more in its local part."""
    m = _ADDRESS_AFTER.match(after)
    if m is None:
        return False
    local = m.group(1)
    return any(len(t.word) >= 3 and _fold(t.word) in local for t in run)


_COORDINATION = re.compile(r",?\s{1,2}(?:and|&|or)\s{1,2}")


def _same_name(text: str, out: list[Finding], maybe: list[_Maybe]) -> list[Finding]:
    """A weak candidate that repeats a word of a person found in the same text ("early
    Bulgakov" after "Yuri Bulgakov's") is that person; so is one coordinated with a person
    ("Anna and Quionia", "Quionia and Anna"), and two coordinated surnames of which one is
    known ("Usamov and Bowers were")."""
    people = [f for f in out if f.entity == PERSON]
    known = {w for f in people for w in text[f.start : f.end].split()}
    pairs: set[int] = set()
    for i in range(len(maybe) - 1):
        (s1, e1, k1, run1), (s2, e2, k2, run2) = maybe[i], maybe[i + 1]
        if _COORDINATION.fullmatch(text, e1, s2) and (
            k1 or k2 or (_verb_after(text, e2) and _shaped_run(run1) and _shaped_run(run2))
        ):  # a known name, or two shaped like names doing what people do
            pairs.update((s1, s2))
    for start, end, _, _ in maybe:
        if start in pairs:
            out.append(Finding(PERSON, start, end, "coordinated_names", 0.6, "confidential"))
        elif text[start:end] in known:
            out.append(Finding(PERSON, start, end, "same_name", 0.7, "confidential"))
        elif any(
            # a coordination is 3 to 8 characters: the lengths first, the regex being costlier
            (3 <= start - f.end <= 8 and _COORDINATION.fullmatch(text, f.end, start))
            or (3 <= f.start - end <= 8 and _COORDINATION.fullmatch(text, end, f.start))
            for f in people
            if f.end <= start or f.start >= end
        ):
            out.append(Finding(PERSON, start, end, "coordinated_name", 0.6, "confidential"))
        elif people and _listed(text, start, end, people, maybe):
            out.append(Finding(PERSON, start, end, "listed_name", 0.6, "confidential"))
    return out


def _verb_after(text: str, end: int) -> bool:
    head = text[end : end + 16].lstrip(" ").split(" ", 1)[0].strip(",.!?").lower()
    return head in PERSON_AFTER or head in PERSON_AFTER_WEAK or head in ("were", "are", "both")


_LIST_SEPARATOR = re.compile(r"[,;]\s{1,2}(?:(?:and|&)\s{1,2})?|\s{1,2}(?:and|&)\s{1,2}")


def _listed(text: str, start: int, end: int, people: list[Finding], maybe: list[_Maybe]) -> bool:
    """An item of a list of names between a person and another name ("Attendees: Rosalind
    Tyrrell, Okafor, Benedikt Sauter"): a list, its items alike."""
    head = text[max(0, start - 3) : start].rstrip()
    if not head or head[-1] not in ",;d&":  # no separator before: checked first, cheaper
        return False
    left = _LIST_SEPARATOR.search(text, max(0, start - 8), start)
    right = _LIST_SEPARATOR.match(text, end)
    if left is None or left.end() != start or right is None:
        return False
    people_ends = {f.end for f in people}
    people_starts = {f.start for f in people}
    if left.start() in people_ends:
        return right.end() in people_starts or any(m[0] == right.end() for m in maybe)
    if right.end() in people_starts:
        return any(m[1] == left.start() for m in maybe)
    return False


def _line_bonus(text: str, start: int, end: int, run: list[_Token]) -> float:
    """A line holding only the run (a signature, a list item "2. Donalda Paet") or ending
    with it after a label (a form field: "Passenger name: Collie Pence"), or "Name: …"
    dialogue."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    raw_head = text[line_start:start]
    head = raw_head.strip(_LINE_PUNCT)
    if head[:1].isdigit() and _STAMP.fullmatch(head):
        head = ""  # "[10:42] Nkechi: …", "2024-05-02 10:00 Ravi: …": a chat log's time
    tail = text[end:line_end]
    if not tail.strip(_LINE_PUNCT):
        if not head and len(run) >= 2:
            return 0.3
        # not a heading ("Winners"): a known name or one shaped like a name ("1. Tsugukazu")
        known = len(run) >= 2 or run[0].first or run[0].last or _name_shaped(run[0])
        if known and head.isdigit():
            return 0.3
        if not head and line_start >= 2 and _closes_letter(text, line_start - 1):
            return 0.3  # "Thanks,\nNkechi": the signature after a closing
        if raw_head.rstrip().endswith(":") and head.count(" ") < 3:
            label = head.rsplit(" ", 1)[-1].lower()
            if known or label in _PERSON_FIELDS:  # "To: Crystallee", "Beneficiary: Aldin"
                return 0.3
    if (
        not head
        and tail.startswith(": ")
        and not any(t.common for t in run)
        and (run[0].first or not text[start:end].isupper())  # "CARDHOLDER:" labels a value
    ):
        return 0.3  # "Ubul: What a wife."
    return 0.0


# a letter's closing line, lower case without its comma: the signature follows
_CLOSINGS = frozenset(
    ["thanks", "thank you", "many thanks", "thx", "best", "best regards", "kind regards",
     "warm regards", "regards", "cheers", "sincerely", "yours sincerely", "yours truly",
     "yours", "best wishes", "all the best", "br", "talk soon", "love", "take care"]
)  # fmt: skip


def _closes_letter(text: str, newline: int) -> bool:
    """Whether the line ending at `newline` is a letter's closing ("Best regards,")."""
    newline = len(text[max(0, newline - 40) : newline].rstrip()) + max(0, newline - 40)
    line = text[text.rfind("\n", 0, newline) + 1 : newline].strip(" \t,.!-–—")
    return len(line) <= 20 and line.lower() in _CLOSINGS


_STAMP = re.compile(r"[\d:./ TZ-]*\d:\d\d[\d:./ TZ-]*")
# form fields whose value is a person, even one word no list knows
_PERSON_FIELDS = frozenset(["to", "from", "cc", "bcc", "attn", "name"]) | (
    PERSON_CONTEXT - PLACE_CONTEXT
)
# Unicode words ("ich heiße Müller": `heiße` is one word); on ASCII text the same as
# [^a-z0-9_'] and [a-z'] on the lower-cased slice, which _native.context_before implements
_NOT_WORD = re.compile(r"[^\w']+")
_LETTERS = re.compile(r"(?:[^\W\d_]|')+")


def _context_before(text: str, start: int) -> tuple[str, str]:
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


def _adjacent(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
    return text[a.end() : b.start()] in (" ", "  ")


def _context_before_native(text: str, start: int) -> tuple[str, str]:
    """_context_before in C where the 30 characters before `start` are ASCII."""
    assert compiled.native is not None
    found: tuple[str, str] | None = compiled.native.context_before(text, start)
    return _context_before(text, start) if found is None else found


def _after_comma(text: str, start: int) -> bool:
    """Whether a comma and one or two spaces or tabs end just before `start`, as every
    _ADDRESS_BEFORE match does: checked first, the search being costly."""
    head = text[max(0, start - 3) : start]
    if "," not in head:  # most runs: one look at three characters
        return False
    kept = head.rstrip(" \t")
    return kept.endswith(",") and 0 < len(head) - len(kept) <= 2


def _org_end(text: str, end: int) -> int:
    """The end of an organisation with the full stop of an abbreviated form ("Inc.", "Co."),
    not a sentence's ("… Council.")."""
    return end + 1 if text[end : end + 1] == "." and end - text.rfind(" ", 0, end) <= 5 else end


def _context_kinds() -> dict[str, dict[str, str]]:
    """The word lists above as kinds of context for the trained decision's features."""
    before: dict[str, str] = {w: "det" for w in ("the", "a", "an", "this", "that", "our")}
    before.update({w: "prep" for w in ("of", "for", "on", "about", "into", "via")})
    before.update({w: "and" for w in ("and", "or", "&")})
    before.update({w: "place" for w in PLACE_CONTEXT})
    before.update({w: "both" if w in PLACE_CONTEXT else "person" for w in PERSON_CONTEXT})
    before.update({w: "role" for w in ROLE_WORDS})
    before.update({w: "title" for w in TITLES})
    before.update({w: "code" for w in CODENAME_BEFORE})
    after: dict[str, str] = {w: "prep" for w in ("in", "at", "from", "of", "for", "on", "to")}
    after.update({w: "and" for w in ("and", "or", "&")})
    after.update({w: "street" for w in STREET_WORDS})
    after.update({w: "org" for w in ORG_SUFFIXES})
    after.update({w: "aux" for w in PERSON_AFTER_WEAK})
    after.update({w: "verb" for w in PERSON_AFTER})
    phrase = {p: "person" for p in PERSON_PHRASES}
    phrase.update({p: "place" for p in PLACE_PHRASES})
    phrase.update({p: "org" for p in ORG_PHRASES})
    return {"before": before, "after": after, "phrase": phrase}


set_context_kinds(_context_kinds())
