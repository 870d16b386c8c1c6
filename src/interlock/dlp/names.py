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

This module scans the capitalised words into runs and classifies each run; the passes of each
entity are in names_people.py, names_places.py and names_organisations.py (mixed into
NameRecognizer), the lists and helpers they share in names_lexicon.py.

`NameRecognizer(trained=True)` lets a trained model (name_model.py) take the final "is this
run a person?" decision instead of the hand score. It is off by default: on presidio-research's
held-out `test` templates it did not beat the hand rules (see name_model.py for the numbers).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType

from interlock.dlp import compiled
from interlock.dlp.name_model import NameModel, features, load_model, set_context_kinds
from interlock.dlp.names_lexicon import (
    ABBREVIATIONS,
    CUE_LEADS,
    LOCATION,
    NOT_NAMES,
    ORGANIZATION,
    PERSON,
    THRESHOLD,
    TITLES,
    Maybe,
    Token,
    context_before,
    context_before_native,
    gazetteer,
    opens_sentence,
)
from interlock.dlp.names_organisations import (
    AND_SONS,
    AND_SONS_WORDS,
    COMMON_ORG_ENDS,
    COMMON_ORG_HEADS,
    FIRM_PHRASES,
    FIRMS_BEFORE,
    LEGAL_FORMS,
    ORG_BEFORE,
    ORG_FIRST_WORDS,
    ORG_IS,
    ORG_OF_LEADS,
    ORG_OWNS,
    ORG_PHRASES,
    ORG_SUFFIXES,
    ORG_TAIL_KEYS,
    POSSESSIVES,
    ROLES_AT,
    OrganisationRules,
    company_pair,
    org_end,
    org_tail,
)
from interlock.dlp.names_people import (
    CODENAME_BEFORE,
    GIVEN_TO,
    METHOD_AFTER,
    PERSON_AFTER,
    PERSON_AFTER_WEAK,
    PERSON_CONTEXT,
    PERSON_NOT_PLACE,
    PERSON_PHRASES,
    ROLE_WORDS,
    PeopleRules,
    line_bonus,
    name_led,
    person_score,
    same_name,
)
from interlock.dlp.names_places import (
    ADDRESS_BEFORE,
    CODE_ENDS,
    HOUSE_NUMBER_AFTER,
    PLACE_CONTEXT,
    PLACE_PHRASES,
    STREET_KEYS,
    STREET_LEADS,
    STREET_PARTICLES,
    STREET_WORDS,
    PlaceRules,
    after_comma,
    is_street,
    month_in_date,
)
from interlock.dlp.rules import Finding

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
# CamelCase ("WhatsApp") or led by an acronym ("JSDoc", "FAQPage", "SKUs"): identifiers
_CAMEL = re.compile(r"[a-z][A-Z]|^[A-Z]{2,}[a-z]")
_NAME_PREFIX = re.compile(r"(?:Mc|Mac|O'|D'|De|Di|Da|Du|La|Le|Van|Von)[A-Z][a-z]")


# (lookup key, length without a final ".", title, first name, last name, common word,
#  cannot start a run, ends a sentence ("Holmes." but not "Dr.", "J.", "Inc."),
#  a company's legal form, a cue for a name in lower case: "Hi", "My (name is)",
#  a word AND_SONS ends with: "Sons", "Brothers")
_Facts = tuple[str, int, bool, bool, bool, bool, bool, bool, bool, bool, bool]
# what the scan of capitalised words returns: runs, skipped words that matter (see _events),
# and whether a word AND_SONS ends with occurred (the "Thomas and Sons" pass runs only then)
_Events = tuple[list[list[tuple[int, _Facts]] | tuple[int, _Facts, bool]], bool]


class NameRecognizer(PeopleRules, PlaceRules, OrganisationRules):
    """PERSON, LOCATION and ORGANIZATION findings of a text (`find`): the scan of capitalised
    words into runs, then each run classified; the per-entity passes are the mixins'."""

    def __init__(
        self,
        entities: frozenset[str] = frozenset({PERSON, LOCATION, ORGANIZATION}),
        trained: bool = False,
    ):
        self.entities = entities  # sets _person, _loc, _org
        self.g = gazetteer()
        self._facts: dict[str, _Facts] = {}
        self.native: ModuleType | None = None
        self._before: Callable[[str, int], tuple[str, str]] = context_before
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
        self._before = context_before if self.native is None else context_before_native
        return self.native is not None

    def find(self, text: str) -> list[Finding]:
        out: list[Finding] = []
        places = self.g.places if LOCATION in self.entities else None
        org = ORGANIZATION in self.entities
        person = PERSON in self.entities
        # weak candidates (start, end, a known name?), per call: scans may run in threads
        maybe: list[Maybe] = []
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
                    # common words only, no title ("IBAN ES", "Can"), no Token; a first name
                    # among them with a cue is a person ("Hi Mark,", "Jack White said")
                    self._common_event(text, event, out)
                    continue
                run = [Token(s, s + f[1], f[0], f[2], f[3], f[4], f[5]) for s, f in event]
                self._classify(text, run, out, maybe)
                continue
            # A capitalised word that starts no run ("The", "Please"), after another such
            # word or a cue for a lower-case name.
            start, facts, adjacent = event
            end = start + facts[1]
            if adjacent and places is not None:
                adjacent = not self._place_after_skipped_word(text, start, end, out)
                if adjacent and facts[0] in STREET_KEYS:
                    adjacent = not self._street_of_skipped_words(text, start, end, out)
            if adjacent and facts[8] and org:  # "Factoring Inc": all common words
                self._org_of_words(text, start, end, out)
            if facts[9]:
                if facts[0] in ORG_OF_LEADS:
                    if org:
                        self._org_of_lead(text, start, end, out, led)
                elif person:
                    self._lower_name_after(text, end, facts[0].lower(), out)
        if led:  # the words inside are no person or place: "University of Edinburgh"
            out = [f for f in out if f in led or not any(o.start <= f.start < o.end for o in led)]
            maybe = [m for m in maybe if not any(o.start <= m[0] < o.end for o in led)]
        if maybe:
            out = same_name(text, out, maybe)
        if not out and text.islower() and (PERSON in self.entities or LOCATION in self.entities):
            out = self._lower_case_names(text)
        if " and " in text and (ORGANIZATION in self.entities or PERSON in self.entities):
            out = self._name_lists(text, out)
        if org and " & " in text:
            out = self._ampersand_firms(text, out)
        if ORGANIZATION in self.entities and and_sons:
            for m in AND_SONS.finditer(text):  # "Thomas and Sons"
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
        AND_SONS ends with occurred. The reference for _native.name_events, which does the
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
        org_word = lower in LEGAL_FORMS or lower + "." in LEGAL_FORMS or lower in COMMON_ORG_HEADS
        and_sons = raw.startswith(AND_SONS_WORDS)
        if _CAMEL.search(bare) and not _NAME_PREFIX.match(bare):
            # "WhatsApp", "NextAuth", "JSDoc", "SKUs": a product or an identifier, no name
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
            lower in CUE_LEADS or key in ORG_OF_LEADS,
            and_sons,
        )

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

    def _common_run(
        self, text: str, start: int, end: int, last: str, n: int, out: list[Finding]
    ) -> None:
        """A run of common words without a title ("IBAN ES", "Can"; name_led is false for it,
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
                or (n >= 2 and last in STREET_KEYS)
                or (n == 1 and last.lower() in self.g.places)
            )  # checked first: most common runs are none of these
            and self._common_place(text, start, end, last.lower(), n, out)
        ):
            return
        if self._org and last.lower() in COMMON_ORG_ENDS:
            self._org_of_words(text, start, end, out, n >= 2)

    def _classify(
        self,
        text: str,
        run: list[Token],
        out: list[Finding],
        maybe: list[Maybe],
    ) -> None:
        # the flags and lists as locals: each is read several times per run
        loc, org, person, g = self._loc, self._org, self._person, self.g
        if (
            run[-1].common  # checked first: the usual run ends in a name, no common word
            and all(t.common for t in run)
            and not name_led(run)
            and not run[0].title
        ):
            # find settles such runs first (_common_event); kept for callers of _classify
            self._common_run(text, run[0].start, run[-1].end, run[-1].word, len(run), out)
            return
        if len(run) >= 2 and run[0].common and loc:
            whole = text[run[0].start : run[-1].end]
            if whole.lower() in g.places:  # "Los Angeles", "New Brighton"
                out.append(
                    Finding(
                        LOCATION, run[0].start, run[-1].end, "gazetteer_place", 0.75, "internal"
                    )
                )
                return
        if run[-1].word in STREET_KEYS and not run[0].title:
            street = self._street_start(text, run)
            if street >= 0:  # "1600 Amphitheatre Parkway", "4059 Mt Lee Drive": lead and all
                if loc:
                    out.append(
                        Finding(LOCATION, street, run[-1].end, "street_name", 0.6, "internal")
                    )
                return
        lead = text[run[0].start - 2] if run[0].start >= 5 else " "
        if lead in CODE_ENDS:  # one look for most runs: a postal code before?
            if (
                len(run) >= 2
                and run[0].end - run[0].start == 2
                and text[run[0].start : run[0].end].isupper()
                and lead <= "9"
            ):  # "3511 ED Utrecht": the letters of a Dutch postal code, not a name
                run = run[1:]
            if loc and not run[0].title and self._postcode_town(text, run, out):
                return
        title = False
        while run and (run[0].title or (run[0].common and not name_led(run))):
            if title and not run[0].title and run[0].word.lower() not in NOT_NAMES:
                break  # after a title a capitalised word is a surname: "Dr. Cost", "Ms Kiss"
            title = title or run[0].title
            run = run[1:]
        if (
            org
            and run
            and (
                run[-1].word in ORG_TAIL_KEYS
                or len(run[-1].word) == 1
                or run[0].word in ORG_FIRST_WORDS
            )
            and self._org_by_form(text, run, out)
        ):
            return
        if (
            run
            and not title
            and is_street(run, text, run[0].start)
            and not self._person_with_street_word(text, run)
        ):
            if loc:
                out.append(
                    Finding(LOCATION, run[0].start, run[-1].end, "street_name", 0.6, "internal")
                )
            return
        # with its trailing common words: a firm after a business cue keeps them ("our supplier
        # Greenfield Packaging")
        whole_end = run[-1].end if run else 0
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
        if org and len(run) == 2 and company_pair(run, text, title):
            out.append(Finding(ORGANIZATION, start, end, "org_pattern", 0.6, "internal"))
            return
        if org and run[-1].word in ORG_TAIL_KEYS and org_tail(text[run[-1].start : run[-1].end]):
            if len(run) >= 2:
                out.append(
                    Finding(ORGANIZATION, start, org_end(text, end), "org_suffix", 0.8, "internal")
                )
            return
        before, phrase = self._before(text, start)
        particle = (
            before in SURNAME_PARTICLES
            and not title
            and self._particle_led(text, start, end, before)
        )
        if particle:  # "says Du Toit", "ask Le Roux": the particle is the surname's
            start -= len(before) + 1
            span_text = text[start:end]
            before, phrase = self._before(text, start)
        if before in CODENAME_BEFORE and not title:
            return  # "project Kestrel", "operation Overlord": a code name, not a person
        if not title and (
            before in STREET_LEADS
            or (before in STREET_PARTICLES and phrase.split(" ", 1)[0] in STREET_LEADS)
        ):  # "Boulevard de Normandie", "Avenue Foch": a street (its lead word is a common one)
            if loc:
                out.append(Finding(LOCATION, start, end, "street_name", 0.6, "internal"))
            return
        after = text[end : end + 32].lower()
        lower_span = span_text.lower()
        region = lower_span in g.regions
        # A first name that is also a town ("Logan", "Brandon") is a person unless the words
        # before say it is a place ("in", "flew to"; "shouted at Scott" is a person); a
        # country or state is always a place.
        shouted = span_text.isupper()  # "LONDON" in an address line
        known_place = lower_span in g.places
        # a business cue outweighs a town's name: "our supplier Greenfield", "our auditors, Reading"
        firm_cue = (
            org
            and (before in ORG_BEFORE or before in FIRMS_BEFORE)
            and cue_next_to(text, start, before)
        )
        is_place = not firm_cue and (
            region
            or (
                known_place
                and (
                    len(run) > 1
                    or not run[0].first
                    or (before in PLACE_CONTEXT and before not in ("to", "at"))
                    or phrase in PLACE_PHRASES
                    or shouted
                )
                and not (before in PERSON_CONTEXT and before not in PLACE_CONTEXT)
                and phrase not in PERSON_NOT_PLACE  # "according to Nakamura" (a town too)
            )
        )
        named = person_score(run, title, before, after, text, start)
        if particle:
            named += 0.3
        if start >= 2 and text[start - 1] == "." and text[start - 2].isalpha():
            named += self._dotted_surname(text, start)
        if shouted and len(run) == 1 and not title:
            named = min(named, 0.3)
        if named < 0.8 and not is_place:
            named += line_bonus(text, start, end, run)
            if phrase in PERSON_PHRASES:
                named += 0.35
            elif (
                before == "to"
                and GIVEN_TO.search(text, max(0, start - 40), start)
                and not HOUSE_NUMBER_AFTER.match(text, end)  # "send it to Aqqusinersuaq 176"
            ):
                named += 0.35  # "assign the bug to Hernández", "forward the contract to …"
        if (
            loc
            and not is_place
            and lower_span in g.place_tails  # its first look, without the call
            and self._place_after_skipped_word(text, start, end, out)
        ):
            return
        if (
            known_place
            and not is_place
            and not title
            and loc
            and self._place_by_neighbours(text, start, end, before, phrase, after, out)
        ):
            out.append(Finding(LOCATION, start, end, "gazetteer_place", 0.75, "internal"))
            return
        address = (
            ADDRESS_BEFORE.search(text, max(0, start - 24), start)
            if not title and "," in text[max(0, start - 3) : start] and after_comma(text, start)
            else None
        )
        if address and not (address.group(1) and address.group(1).lower() in g.common):
            # the town of an address: "…Farnell Street, LOOMBAH", "…Apt. 397, Mora de Rubielos"
            # (not "Ticket 4521, Maria Garcia": "ticket" is a common word)
            if loc:
                out.append(Finding(LOCATION, start, end, "address_town", 0.6, "internal"))
            return
        if (
            loc
            and not title
            and start > 1
            and (
                text[start - 1] == "\n"  # cheap looks first: most runs follow a letter and a space
                or (text[start - 1] in " >" and text[start - 2] in "\n >")
            )
            and self._address_block_town(text, start, end)
        ):
            out.append(Finding(LOCATION, start, end, "address_town", 0.6, "internal"))
            return
        if (
            loc
            and not is_place
            and (phrase in PLACE_PHRASES or phrase.endswith(" visiting"))
            and not any(t.first or t.last for t in run)
        ):  # "moved here from Tjæreborg", "flew to Neupré", "flew to Reguengos de Monsaraz"
            out.append(Finding(LOCATION, start, end, "place_context", 0.6, "internal"))
            return
        if (
            loc
            and is_place
            and not title
            and (named < 0.8 or region or (len(run) > 1 and before not in PERSON_CONTEXT))
            and not month_in_date(run, text, start, end)
        ):
            score = 0.75 + (0.15 if before in PLACE_CONTEXT else 0.0)
            out.append(Finding(LOCATION, start, end, "gazetteer_place", score, "internal"))
            if text[end : end + 1] == ",":
                self._region_after(text, end, out)  # "Manchester, UK": the acronym too
            return
        if (
            org
            and not title
            and (
                (firm_cue and before in FIRMS_BEFORE)
                or phrase in FIRM_PHRASES
                or (
                    named < 0.8
                    and (
                        phrase in ORG_PHRASES
                        or (firm_cue and before in ORG_BEFORE)
                        or (before == "at" and phrase[:-3] in ROLES_AT)
                        or (after[:2] in POSSESSIVES and ORG_OWNS.match(after) is not None)
                    )
                    and not any(t.first for t in run)
                )
                or ((" is a" in after[:7] or " was a" in after[:7]) and ORG_IS.match(after))
            )
        ):  # "I work for Cloudmade", "our supplier Brightwater", "a nurse at Kingsbridge",
            # "Trelawny's CFO", "Plotwatt is a design agency"
            if firm_cue and whole_end > end and not text[end:whole_end].endswith(("'s", "’s")):
                end = whole_end
            out.append(Finding(ORGANIZATION, start, end, "org_context", 0.6, "internal"))
            return
        if person and (self.model is not None or self.harvest is not None):
            place_word = any(t.word.lower() in g.places for t in run)
            feats = features(
                text, run, start, end, named, title, before, phrase, after, is_place, place_word
            )
            if self.harvest is not None:
                self.harvest.append((start, end, feats))
            if self.model is not None:
                self._decide(self.model, feats, start, end, named, run, out, maybe)
                return
        if person and named >= THRESHOLD:
            if not title and text[end : end + 1] == " " and METHOD_AFTER.match(text, end):
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
        elif person and named > 0:
            maybe.append((start, end, any(t.first or t.last for t in run), run))

    def _particle_led(self, text: str, start: int, end: int, particle: str) -> bool:
        """Whether a capitalised particle ("Du", "Le", "Van") stands just before the run in
        mid-sentence and makes no place with it ("La Paz", "Le Mans" are places)."""
        lead = start - len(particle) - 1
        return (
            text[start - 1] == " "
            and text[lead].isupper()
            and not opens_sentence(text, lead)
            and text[lead:end].lower() not in self.g.places
        )

    @staticmethod
    def _decide(
        model: NameModel,
        feats: list[str],
        start: int,
        end: int,
        named: float,
        run: list[Token],
        out: list[Finding],
        maybe: list[Maybe],
    ) -> None:
        p = model.probability(feats)
        if p >= model.threshold:
            # the model's threshold maps to the engine's default min_score of 0.5
            score = 0.5 + 0.5 * (p - model.threshold) / (1.0 - model.threshold)
            out.append(Finding(PERSON, start, end, "name_model", round(score, 2), "confidential"))
        elif named > 0:
            maybe.append((start, end, any(t.first or t.last for t in run), run))


# particles that begin a surname written with a capital ("Du Toit", "De Klerk", "Le Roux",
# "Van der Merwe", "Da Costa"): common words, so the scan starts no run with them
SURNAME_PARTICLES = frozenset(
    ["du", "de", "le", "la", "van", "von", "da", "di", "del", "della", "dos", "das", "ter", "ten",
     "al", "el", "bin", "ben", "mac"]
)  # fmt: skip


def cue_next_to(text: str, start: int, cue: str) -> bool:
    """Whether the word `cue` stands right before `start`, after a space, a comma or a colon
    ("our supplier Brightwater", "our auditors, Grant Thornton"; not "a competitor; Harriet")."""
    gap = 2 if text[start - 2 : start - 1] in (",", ":") else 1
    return text[start - gap - len(cue) : start - gap].lower() == cue


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
