"""ORGANIZATION: legal forms ("GmbH", "S.p.A.", "AS"), head nouns ("Hospital", "Capital"), a
kind and "of" ("University of Edinburgh"), "Smith, Jones and Lee", "Morrison & Foerster",
"Butler-Peters", and where a business stands ("our supplier …", "a nurse at …", "…'s CFO", "…
is a … company"). Used by names.py (NameRecognizer mixes in OrganisationRules)."""

from __future__ import annotations

import re

from interlock.dlp.names_lexicon import (
    CAP_BEFORE,
    NOT_NAMES,
    ORGANIZATION,
    OWNED,
    PERSON,
    RecognizerState,
    Token,
)
from interlock.dlp.names_people import PERSON_CONTEXT, ROLE_WORDS
from interlock.dlp.rules import Finding, words

_FIRM = re.compile(r"\b([A-Z][a-z]+), ([A-Z][a-z]+),? and ([A-Z][a-z]+)\b")
# Led by a literal so that `re` skips to candidates quickly; _FIRM then confirms.
_FIRM_HINT = re.compile(r", [A-Z][a-z]+,? and [A-Z]")
_AMPERSAND_FIRM = re.compile(r"\b([A-Z][a-z]+) & ([A-Z][a-z]+)\b")
# capitalised words (or a number) just before a company suffix: "Civic Impulse " of "… LLC"
_CAPS_BEFORE = re.compile(r"(?<![\w.])(?:(?:[A-Z][\w'’&-]*|\d+)[ \t]){1,3}\Z")
AND_SONS_WORDS = ("Sons", "Brothers")
AND_SONS = re.compile(r"\b[A-Z][a-z]+ (?:and|&) (?:" + "|".join(AND_SONS_WORDS) + r")\b")
# Roles before "at" whose place of work follows ("a nurse at …", "paralegal at …")
ROLES_AT = ROLE_WORDS | words(
    "manager paralegal associate employee staff lead head specialist executive scientist "
    "researcher postdoc fellow trainee apprentice worker clerk advisor adviser partner "
    "representative rep owner"
)
# and their plurals: "our engineers at …", "the partners at …"
ROLES_AT = ROLES_AT | frozenset(w + "s" for w in ROLES_AT if not w.endswith("s"))
# Phrases before a capitalised word that make it an employer, and what follows a company.
ORG_PHRASES = frozenset(
    ["work for", "works for", "worked for", "working for", "work at", "works at", "worked at",
     "working at", "employed by", "job at", "year at", "intern at", "ceo of", "cto of",
     "cfo of", "founder of", "joined the", "employee of", "customer of", "shares of",
     # who a business deals with: "our contact at …", "the invoice from …", "acquired by …"
     "contact at", "account at", "accounts at", "team at", "folks at", "people at",
     "colleagues at", "lawyers at", "auditors at", "invoice from", "invoices from",
     "quote from", "shipment from", "acquired by", "merged with", "subsidiary of",
     "division of", "contract with", "agreement with", "partnership with", "tender to",
     # time spent at an employer: "eight years of experience at …", "my internship at …"
     "years at", "months at", "experience at", "internship at", "career at", "tenure at",
     "stint at", "position at", "role at"]
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
FIRMS_BEFORE = words(
    "auditors lawyers solicitors attorneys accountants insurers bankers consultants "
    "suppliers vendors"
)
# First words of organisations in other languages ("Banco Santander", "Groupe Moreau")
ORG_FIRST_WORDS = frozenset(
    ["Banco", "Banca", "Banque", "Groupe", "Grupo", "Gruppo", "Universidad", "Université",
     "Universität", "Università", "Universidade", "Hôpital", "Hospital", "Fundación",
     "Fondation", "Stiftung", "Caisse", "Cooperativa", "Compagnie", "Compañía", "Sociedad",
     "Société"]
)  # fmt: skip
POSSESSIVES = frozenset(["'s", "’s"])
FIRM_PHRASES = frozenset(f"{w} at" for w in FIRMS_BEFORE)
# Possessions of a business: "Trelawny Capital's CFO", "Acme's shareholders" (lower case)
ORG_OWNS = re.compile(
    r"['’]s (?:ceo|cfo|cto|coo|cio|ciso|founders?|shareholders|employees|headquarters|hq|"
    r"stock|shares|share price|subsidiary|subsidiaries|annual report|board of directors)\b"
)
_ORG_AFTER = re.compile(
    r",? (?:is|was) an? (?:[a-z-]+ ){0,3}(?:company|agency|bank|firm|startup|start-up|"
    r"corporation|organi[sz]ation|provider|manufacturer|retailer|group|vendor|consultancy)\b"
)
# the same, when the noun ends the phrase: "Berkshire Hathaway is a design agency based in …"
# is a firm whatever its words' lists say ("… is a company director" is a person)
ORG_IS = re.compile(_ORG_AFTER.pattern + r"(?=[,.;]| based\b| in\b| that\b| which\b| with\b|$)")
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
COMMON_ORG_HEADS = frozenset(["bank", "hospital", "university", "council", "infirmary"])
# Words that lead an organisation before "of" ("University of Edinburgh", "Ministry of
# Finance", "Bank of America"); their look-up keys, as the scan of capitalised words has them
ORG_OF_LEADS = frozenset(
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


def org_tail(word: str, before: str = "") -> bool:
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
# "Capital's"): one set look-up per run before org_tail looks at the word as written
ORG_TAIL_KEYS = frozenset(
    k + s
    for k in {w.capitalize().rstrip(".") for w in ORG_TAILS | _SHORT_FORMS}
    | {"GmbH", "ApS", "KGaA", "SpA", "Union"}
    for s in ("", "'s", "’s")
)
# what ends an organisation of common words: a legal form or an institution's head
COMMON_ORG_ENDS = frozenset(w.rstrip(".") for w in LEGAL_FORMS) | COMMON_ORG_HEADS


def company_pair(run: list[Token], text: str, title: bool) -> bool:
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


def org_end(text: str, end: int) -> int:
    """The end of an organisation with the full stop of an abbreviated form ("Inc.", "Co."),
    not a sentence's ("… Council.")."""
    return end + 1 if text[end : end + 1] == "." and end - text.rfind(" ", 0, end) <= 5 else end


class OrganisationRules(RecognizerState):
    """The ORGANIZATION passes that read the recogniser's gazetteer and context function."""

    def _name_lists(self, text: str, out: list[Finding]) -> list[Finding]:
        """ "Smith, Jones and Lee": a firm after "at"/"from"/"for" (the way law and accounting
        firms are named), otherwise three people ("our founders: Smith, Jones and Lee")."""
        g = self.g
        for hint in _FIRM_HINT.finditer(text):
            lo = max(0, hint.start() - 30)
            head = CAP_BEFORE.search(text[lo : hint.start()])
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
        out.append(Finding(ORGANIZATION, first, org_end(text, end), "org_suffix", 0.8, "internal"))
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
                if word.lower() not in OWNED:
                    first = at
                    break
                at += len(word) + 1
        while out and out[-1].end > first:
            out.pop()  # "Royal Brompton" read as a person before its "Hospital"
        found = Finding(ORGANIZATION, first, m.end(), "org_lead", 0.75, "internal")
        out.append(found)
        led.append(found)

    def _org_by_form(self, text: str, run: list[Token], out: list[Finding]) -> bool:
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
        if not org_tail(text[last.start : last.end], run[-2].word if len(run) >= 2 else ""):
            if len(run) >= 2 and run[0].word in ORG_FIRST_WORDS and not run[1].common:
                out.append(Finding(ORGANIZATION, run[0].start, last.end, "org_suffix", 0.8,
                                   "internal"))  # fmt: skip
                return True
            return False
        end = last.end - 2 if last.word.endswith(("'s", "’s")) else last.end
        return self._org_of_words(text, run[0].start, end, out, len(run) >= 2)
