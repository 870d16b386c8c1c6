"""PERSON: the cues that make a run of capitalised words a person — titles, role nouns, "my
name is", verbs of people before and after, appositions, list items and form fields, e-mail
addresses repeating the name, chat speakers, signatures — and the hand score that weighs them
(`person_score`); weak candidates confirmed by a repeated surname or a coordinated person;
names typed in lower case. Used by names.py (NameRecognizer mixes in PeopleRules)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from interlock.dlp.name_shape import name_shape
from interlock.dlp.names_lexicon import (
    CAP_BEFORE,
    CUE_LEADS,
    DETERMINERS,
    LINE_PUNCT,
    LOCATION,
    LOWER_WORD,
    NOT_NAMES,
    OWNED,
    PERSON,
    THRESHOLD,
    TITLES,
    Maybe,
    RecognizerState,
    Token,
    adjacent_words,
    gazetteer,
    is_initial,
    opens_sentence,
)
from interlock.dlp.names_places import (
    DAY_AFTER,
    HOUSE_NUMBER_AFTER,
    HOUSE_NUMBER_BEFORE,
    MONTH_ABBREVIATIONS,
    NUMBER_BEFORE,
    PLACE_CONTEXT,
    STREET_CONTEXT,
)
from interlock.dlp.rules import Finding, words

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
# the plural nouns of people before a list of them ("three candidates: …", "our engineers Ana
# and Bo"); a plural, so the place of "customer" a person's own name takes is not claimed
PERSON_CONTEXT = (
    PERSON_CONTEXT
    | words(
        "candidates applicants customers patients employees managers colleagues friends tenants "
        "residents members guests passengers clients interns contractors"
    )
    | frozenset(w + "s" for w in ROLE_WORDS if not w.endswith(("s", "y", "man", "woman", "-")))
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
PERSON_NOT_PLACE = frozenset(
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
    "loved loves liked likes hated hates booked founded invited edited reviewed "
    # what a customer or an employee did, in tickets and HR notes ("… filed a complaint")
    "filed submitted signed contacted ordered purchased paid attended visited"
)
PERSON_AFTER_WEAK = words("is was has had just will would can could")
# Words before a capitalised word that make it a code name (projects are often named after
# birds, stars or people's names): the organisation's own identifiers, not a person.
CODENAME_BEFORE = words("project projects codename codenamed operation initiative programme")
_SURNAME_ENDINGS = (
    "ová", "ova", "ov", "ev", "ski", "ska", "sky", "son", "sen", "sson", "dóttir", "dottir",
    "enko", "escu", "ić", "ovic", "ovich", "wicz", "czyk", "poulos", "akis", "idis", "oglu",
    "yan", "ian", "berg", "stein", "mann", "ini", "elli", "etti",
)  # fmt: skip
# nouns after a name that make it a method's ("Monte Carlo method", "Kalman filter")
METHOD_AFTER = re.compile(
    r" (?:method|methods|simulation|simulations|algorithm|sampling|integration|estimator|"
    r"filter|chain|chains|transform|distribution|tree search)\b"
)


def name_led(run: list[Token]) -> bool:
    """A common word that is also a first name, followed by a surname or a proper noun no list
    knows ("Will Smith", "Graham Deor"), or by a middle initial and a surname ("True A. Poon")."""
    if not run[0].first or len(run) < 2:
        return False
    if len(run) > 2 and is_initial(run[1]):
        return not run[2].common
    return not run[1].common


@lru_cache(maxsize=4096)
def brand_compound(word: str) -> bool:
    """Whether a word no list knows is two common words run together, the way products and
    companies are named ("Mailchimp", "Cloudflare", "Flightaware"): 3.7 % of the lists' own
    names of seven letters or more split so ("Hardcastle"), and those are known names."""
    lower = word.lower()
    if len(lower) < 7 or not lower.isascii() or not lower.isalpha():
        return False
    common = gazetteer().common
    return any(lower[:i] in common and lower[i:] in common for i in range(3, len(lower) - 2))


def person_score(
    run: list[Token], title: bool, before: str, after: str, text: str, start: int
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
        if all(is_initial(t) for t in run):
            return 0.0  # "U.S.", "A." of a heading
        if run[1].common and not title and before not in PERSON_CONTEXT:
            return 0.0  # "A. Loud sounds", "C. Late hour": a lettered option, no "J. Brown"
    middle_initial = n >= 3 and any(is_initial(t) for t in run[1:-1]) and not is_initial(last)
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
        proper = before not in ("in", "near") and not opens_sentence(text, start)
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
    if n == 1 and unknown and brand_compound(first.word):
        score -= 0.2  # "Mailchimp", "Cloudflare", "Freshdesk": a product named of two words
    if before in PERSON_CONTEXT:
        score += 0.35
    if after.startswith((", the ", ", a ", ", an ", ", our ", ", my ", ", his ", ", her ")):
        role = after.split(" ", 2)[-1] if after.count(" ") >= 2 else ""
        if role.strip(",.").split(" ", 1)[0] in ROLE_WORDS:
            score += 0.35
    if after.startswith((", who ", " who ")):
        score += 0.35  # "Krzeczkowski, who worked here", "It was Dr Ring who"
    head = after.lstrip().split(" ", 1)[0].strip(",.!?:;")
    # a possessive, unless a capitalised word follows it ("Panjiva's Riku Andou", "Google's
    # Sundar Pichai": the company's person)
    owner = after.startswith(("'s", "’s")) and not after[3:4].isupper()
    if owner or head in PERSON_AFTER:
        score += 0.3
    elif head in PERSON_AFTER_WEAK:
        noun = be_noun(after) if head in _BE else ""
        if noun in PERSON_NOUNS or (head in _BE and _PERSON_IS.match(after)):
            score += 0.3  # "Kemblish is a very kind person", "Quilbert is our new intern"
        elif noun in THING_NOUNS:
            score -= 0.3  # "Kestrel is a tool for load testing", "Apollo is the platform"
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
        if _PERSON_IS.match(after) or be_noun(after) in PERSON_NOUNS:
            score += 0.3  # "Kemblish and Zorvat are kind people"
    else:
        c0 = after[:1]
        if c0 == " " and after[1:2] == "(":
            m = _ROLE_AFTER.match(after)
            if m and (m.group(1) in ROLE_WORDS or m.group(1) in _TEAMS):
                score += 0.3  # "Aldena (sales) and …", "Ngozi Okonjo (customer)"
        elif c0 == ",":
            if after.startswith(_VOCATIVE_AFTER) and opens_sentence(text, start):
                score += 0.3  # "Marta, can you check ticket 4821?"
        elif (c0 == "!" or c0 == "?") and text[start - 2 : start] == ", ":
            score += 0.3  # "Don't go to town, Brandon!", "Is that you, Kemblish?"
    if (
        n >= 2
        and last.word.lower() in _THING_HEADS
        and (before in DETERMINERS or not first.first or first.common)
    ):
        return 0.0  # "The Ames Data Center", "Phoenix Project"; not "Dafne Tower"
    if n > 4:
        score -= 0.3  # a title-cased heading, not a name
    elif n >= 3 and any(t.common and not (t.first or t.last) for t in run[1:-1]):
        score -= 0.3  # a word inside: "Lakes Regional Sales", no "Mary Rose Smith"
    if n == 1 and not title:
        if (
            before in DETERMINERS
            and not owner  # "Is this Flora's phone?": "this" is the phone's
            and text[start - 1 - len(before) : start].lower() == before + " "
        ):
            score -= 0.3  # "the Atlas project", "on the Oslo cluster": a thing's name
        if (
            len(first.word) <= 4
            and first.word.lower() in MONTH_ABBREVIATIONS
            and DAY_AFTER.match(after)
        ):
            return 0.0  # "visited on Jan 3"
    if "@" in after and _named_in_address(run, after):
        score += 0.4  # "Tomasz Wierzbicki <t.wierzbicki@…>": the address repeats the name
    return score


# name_shape scores past which an unknown word reads as a name (half of the held-out names,
# 1.3 % of held-out words: scripts/train_dlp_name_shape.py) or as no name (-0.8)
_SHAPE_NAME, _SHAPE_WORD = 0.5, -0.8


def _shaped_run(run: list[Token]) -> bool:
    """A word of the run is shaped like a name: what two coordinated weak candidates need
    ("Muslija and Torpy were")."""
    return any(_name_shaped(t) for t in run)


def _name_shaped(token: Token) -> bool:
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
GIVEN_TO = re.compile(
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


def _shaped(run: list[Token]) -> bool:
    return any(_name_shaped(t) for t in run if not (t.first or t.last or t.common))


_BE = frozenset(["is", "was", "are", "were"])
# what is said of a name after "is": people's roles ("our new intern", "the engineers") or
# things ("a tool", "the platform we use")
PERSON_NOUNS = (
    ROLE_WORDS
    | frozenset(w + "s" for w in ROLE_WORDS if not w.endswith(("s", "y", "man", "woman", "-")))
    | words("employee employees colleague colleagues friend friends customer customers tenant")
)
THING_NOUNS = words(
    "tool tools platform framework library service app application system product plugin "
    "model database server project language package module api bot robot feature dashboard "
    "game brand website site channel extension editor browser protocol format algorithm"
)
_BE_SKIP = frozenset(["a", "an", "the", "our", "my", "their", "his", "her", "your", "one", "of"])
_BE_STOP = frozenset(["and", "or", "for", "of", "in", "at", "to", "with", "who", "that", "which",
                      "we", "on", "from", "by", "since", "but"])  # fmt: skip


def be_noun(after: str) -> str:
    """The noun said of a name in " is our new intern and …" ("intern"): the last of the first
    words after "is" and its determiners, up to a stop word or a punctuation mark."""
    noun = ""
    for raw in after.split(" ", 7)[2:7]:
        word = raw.rstrip(",.;:!?")
        if not noun and word in _BE_SKIP:
            continue
        if not word or word in _BE_STOP:
            break
        noun = word
        if word != raw:  # a punctuation mark ends the phrase
            break
    return noun


_PERSON_IS = re.compile(
    r",? (?:is|was|are|were) (?:an? |such an? )?(?:[a-z]+ ){0,2}(?:person|man|woman|guy|girl|"
    r"boy|lady|gentleman|people|kid|child)\b"
)


# an address after the name: "<t.wierzbicki@…>", or the next field of a row ("Aarav
# Patel,aarav.p@…")
_ADDRESS_AFTER = re.compile(r" ?[<(\[,] ?(?:mailto:)?([\w.+'-]+)@")


def _fold(word: str) -> str:
    """Lower case without accents, as addresses spell names ("Petrović" -> "petrovic")."""
    word = word.lower()
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _named_in_address(run: list[Token], after: str) -> bool:
    """Whether the e-mail address right after the run (`after` is lower case) holds one of its
    words of three letters or more in its local part."""
    m = _ADDRESS_AFTER.match(after)
    if m is None:
        return False
    local = m.group(1)
    return any(len(t.word) >= 3 and _fold(t.word) in local for t in run)


_COORDINATION = re.compile(r",?\s{1,2}(?:and|&|or)\s{1,2}")


def same_name(text: str, out: list[Finding], maybe: list[Maybe]) -> list[Finding]:
    """A weak candidate that repeats a word of a person found in the same text ("early
    Bulgakov" after "Yuri Bulgakov's") is that person; so is one coordinated with a person
    ("Anna and Quionia", "Quionia and Anna"), and two coordinated surnames of which one is
    known ("Usamov and Bowers were")."""
    people = [f for f in out if f.entity == PERSON]
    pairs: set[int] = set()
    for i in range(len(maybe) - 1):
        (s1, e1, k1, run1), (s2, e2, k2, run2) = maybe[i], maybe[i + 1]
        if _COORDINATION.fullmatch(text, e1, s2) and (
            k1 or k2 or (_verb_after(text, e2) and _shaped_run(run1) and _shaped_run(run2))
        ):  # a known name, or two shaped like names doing what people do
            pairs.update((s1, s2))
    known: set[str] | None = None  # the people's words, built for the first candidate asking
    for start, end, _, _ in maybe:
        if start in pairs:
            out.append(Finding(PERSON, start, end, "coordinated_names", 0.6, "confidential"))
            continue
        if not people:  # the usual weak candidate: nobody to repeat or to stand beside
            continue
        if known is None:
            known = {w for f in people for w in text[f.start : f.end].split()}
        if text[start:end] in known:
            out.append(Finding(PERSON, start, end, "same_name", 0.7, "confidential"))
        elif _coordinated(text, start, end, people):
            out.append(Finding(PERSON, start, end, "coordinated_name", 0.6, "confidential"))
        elif _listed(text, start, end, people, maybe):
            out.append(Finding(PERSON, start, end, "listed_name", 0.6, "confidential"))
    return out


def _coordinated(text: str, start: int, end: int, people: list[Finding]) -> bool:
    """Whether a person stands just before or after start:end, joined by "and", "&" or "or"
    (a loop, not any() over a generator: this runs for every weak candidate)."""
    for f in people:
        # a coordination is 3 to 8 characters: the lengths first, the regex being costlier
        if f.end <= start:
            if 3 <= start - f.end <= 8 and _COORDINATION.fullmatch(text, f.end, start):
                return True
        elif (
            f.start >= end
            and 3 <= f.start - end <= 8
            and _COORDINATION.fullmatch(text, end, f.start)
        ):
            return True
    return False


def _verb_after(text: str, end: int) -> bool:
    head = text[end : end + 16].lstrip(" ").split(" ", 1)[0].strip(",.!?:;").lower()
    return head in PERSON_AFTER or head in PERSON_AFTER_WEAK or head in ("were", "are", "both")


_LIST_SEPARATOR = re.compile(r"[,;]\s{1,2}(?:(?:and|&)\s{1,2})?|\s{1,2}(?:and|&)\s{1,2}")


def _listed(text: str, start: int, end: int, people: list[Finding], maybe: list[Maybe]) -> bool:
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


def line_bonus(text: str, start: int, end: int, run: list[Token]) -> float:
    """A line holding only the run (a signature, a list item "2. Donalda Paet") or ending
    with it after a label (a form field: "Passenger name: Collie Pence"), or "Name: …"
    dialogue."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    raw_head = text[line_start:start]
    head = raw_head.strip(LINE_PUNCT)
    if head[:1].isdigit() and _STAMP.fullmatch(head):
        head = ""  # "[10:42] Nkechi: …", "2024-05-02 10:00 Ravi: …": a chat log's time
    tail = text[end:line_end]
    if not tail.strip(LINE_PUNCT):
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


class PeopleRules(RecognizerState):
    """The PERSON passes that read the recogniser's gazetteer and context function."""

    def _lower_case_names(self, text: str) -> list[Finding]:
        """All-lower-case text ("my name is lena andersson"): a known first name that is not a
        common word, or a word no list knows where the words before say a name follows ("call
        me višeslav") or a middle initial follows ("emidio p lombardo"); then an optional
        initial and a surname."""
        g, out = self.g, []
        tokens = list(LOWER_WORD.finditer(text))
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
                or HOUSE_NUMBER_BEFORE.search(text, max(0, start - 8), start)
            ):  # "5670 r josé a madeira": a street after its house number
                i += 1
                continue
            j = i + 1
            initial = (
                j < len(tokens)
                and len(tokens[j].group(0).rstrip(".")) == 1
                and adjacent_words(text, tokens[i], tokens[j])  # not across a line
            )
            if initial:
                j += 1
            end_token = tokens[i]
            if j < len(tokens) and adjacent_words(text, tokens[j - 1], tokens[j]):
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
            head = after.lstrip().split(" ", 1)[0].strip(",.!?:;")
            if after.startswith(("'s", "’s")) or head in PERSON_AFTER:
                score += 0.3  # "selma said", "samoylova's verses"
            elif head in PERSON_AFTER_WEAK and word in g.common_first and before not in OWNED:
                score += 0.3  # "selma is from …" (not "my iban is")
            line_start = text.rfind("\n", 0, tokens[i].start()) + 1
            line_end = text.find("\n", end_token.end())
            line_end = len(text) if line_end < 0 else line_end
            if (
                full
                and not text[line_start : tokens[i].start()].strip(LINE_PUNCT)
                and not text[end_token.end() : line_end].strip(LINE_PUNCT)
            ):
                score += 0.3  # a line holding only the name
            elif (
                word in g.common_first
                and after.startswith(":")
                and not text[line_start : tokens[i].start()].strip(LINE_PUNCT)
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

    def _lower_name_after(self, text: str, end: int, cue: str, out: list[Finding]) -> None:
        """A name typed in lower case after a capitalised cue in a text that is not all lower
        case: "Hi anna,", "Dear mr smith", "My name is john smith", "Call me ishmael"."""
        lead = CUE_LEADS.get(cue, "")
        if lead:
            if not text.startswith(lead, end):
                return
            end += len(lead)
        start = end + 1
        m = LOWER_WORD.match(text, start) if text[end : end + 1] == " " else None
        if m is None or not text[start].islower():
            return
        word = m.group(0).rstrip(".")
        if word not in self.g.common_first or word in NOT_NAMES:
            return
        stop = start + len(word)
        nxt = LOWER_WORD.match(text, stop + 1) if text[stop : stop + 1] == " " else None
        if nxt is not None and text[stop + 1].islower():
            last = nxt.group(0).rstrip(".")
            if last in self.g.lower_last and last not in self.g.common:
                stop = stop + 1 + len(last)
        out.append(Finding(PERSON, start, stop, "lower_case_name", 0.8, "confidential"))

    def _person_with_street_word(self, text: str, run: list[Token]) -> bool:
        """ "Dear Sun-Hee Park", "Emily Ford said": a first name and a surname that is also a
        street word, with no house number and no place word before it."""
        return (
            len(run) >= 2
            and run[0].first
            and not run[0].common
            and run[-1].last
            and not NUMBER_BEFORE.search(text[max(0, run[0].start - 8) : run[0].start])
            and not HOUSE_NUMBER_AFTER.match(text, run[-1].end)
            and self._before(text, run[0].start)[0] not in STREET_CONTEXT
        )

    def _dotted_surname(self, text: str, start: int) -> float:
        """ "user=Lorina.Doom": a surname joined by a full stop to a first name, the way user
        names and addresses write people."""
        head = CAP_BEFORE.search(text, max(0, start - 24), start - 1)
        if head is None or (head.start() > 0 and text[head.start() - 1].isalnum()):
            return 0.0
        word = head.group(0)
        return 0.35 if word in self.g.first and word.lower() not in self.g.common else 0.0

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
        head = after.lstrip().split(" ", 1)[0].strip(",.!?:;")
        return head in PERSON_AFTER and head not in _ALSO_THINGS
