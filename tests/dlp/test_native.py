"""The compiled confirmation (src/interlock/dlp/_native.c) against the Python path it replaces.

The C module must give exactly the Python path's findings: its validators, its words around a
hit and whole scans are compared on generated texts, on both matchers. It must also be the
module actually imported (built by hatch_build.py at `uv sync`), or the speed-up silently
disappears.
"""

from __future__ import annotations

import itertools
import random
import re
import sysconfig
from pathlib import Path

import pytest

from interlock.dlp import compiled, matcher, pii
from interlock.dlp import engine as engine_module
from interlock.dlp import validators as v
from interlock.dlp.config import DlpPolicy
from interlock.dlp.engine import Engine, adjacent_words, context_words
from interlock.dlp.names import _JOINER_PARTICLES, NameRecognizer, context_before
from interlock.dlp.policy import compile_policy
from interlock.dlp.rules import Finding, Rule
from tests.dlp.corpus import Gen, corpus

native = compiled.native
DLP_DIR = Path(engine_module.__file__).parent

CONTEXT = [
    *("phone", "call", "card", "visa", "ssn", "security", "passport", "routing", "account"),
    *("order", "invoice", "version", "build", "ticket", "tax", "file", "medicare", "abn"),
    *("nhs", "bsn", "aadhaar", "born", "dob", "driver", "licence", "iban", "ip"),
]


def test_the_compiled_module_is_the_one_imported() -> None:
    assert native is not None, "_native.c not built (needs gcc and the Python headers; `uv sync`)"
    path = Path(native.__file__)
    assert path.parent == DLP_DIR
    assert path.name == "_native" + sysconfig.get_config_var("EXT_SUFFIX")
    assert native.API == compiled.API
    assert (native.LOCATE_BACK, native.LOCATE_REACH, native.LOCATE_LEAD) == (
        matcher._BACK,
        matcher._REACH,
        matcher._LEAD,
    )
    engine = compile_policy(DlpPolicy()).engine
    assert engine.specs is not None  # scans take the compiled path by default


def _number_like(rnd: random.Random) -> str:
    """Digit groups joined the ways numbers are written, some of them not numbers at all."""
    gen = Gen(rnd.randrange(1 << 30))
    shape = rnd.randrange(14)
    if shape == 0:
        card = gen.card()
        return rnd.choice([card, " ".join(card[i : i + 4] for i in range(0, len(card), 4))])
    if shape == 1:
        return gen.bad_card()
    if shape == 2:
        return gen.ssn()
    if shape == 3:
        return gen.phone()
    if shape == 4:
        return gen.ipv4()
    if shape == 5:
        return rnd.choice([gen.isbn(), gen.version(), gen.order()])
    if shape == 6:  # dates
        y, m, d = rnd.randrange(1890, 2110), rnd.randrange(0, 14), rnd.randrange(0, 33)
        sep = rnd.choice("-./")
        return rnd.choice([f"{y}{sep}{m:02d}{sep}{d:02d}", f"{d}{sep}{m}{sep}{y}"])
    seps = rnd.choice([" ", "-", ".", " -", "().+x", "-./ "])
    groups = [
        "".join(rnd.choice("0123456789" if rnd.random() < 0.9 else "0000")
                for _ in range(rnd.randrange(1, 7)))
        for _ in range(rnd.randrange(1, 7))
    ]  # fmt: skip
    out = groups[0]
    for group in groups[1:]:
        out += rnd.choice(seps) + group
    if rnd.random() < 0.2:
        out = rnd.choice(["+", "(", "+1 ", "("]) + out
    if rnd.random() < 0.1:
        out += rnd.choice([" x", " ext. ", "x"]) + str(rnd.randrange(1, 99999))
    return out


def generated_texts(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    texts = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randrange(3, 30)):
            r = rnd.random()
            if r < 0.45:
                parts.append(_number_like(rnd))
            elif r < 0.75:
                parts.append(
                    rnd.choice(CONTEXT).upper() if rnd.random() < 0.2 else rnd.choice(CONTEXT)
                )
            elif r < 0.85:
                parts.append(
                    rnd.choice(["é", "İstanbul", "naïve", "Ωmega", "日本", "x-y", "#3", "o'neil"])
                )
            else:
                parts.append(rnd.choice([":", ",", "-", "--", "_", "(", ")", "\n", "'", "."]))
        texts.append(rnd.choice([" ", "", "  ", "\t"]).join(parts))
    return texts


@pytest.mark.parametrize(
    ("code", "python"),
    [
        ("V_CARD", v.credit_card),
        ("V_SSN", v.us_ssn),
        ("V_IPV4", v.ipv4),
        ("V_PHONE", pii.phone_number),
    ],
)
def test_c_validators_agree_with_python(code: str, python: object) -> None:
    assert native is not None
    rnd = random.Random(code)
    values = [_number_like(rnd) for _ in range(6000)]
    values += ["", ".", "1..2.3", "01.2.3.4", "256.1.1.1", "1.2.3.4.", "1234 5678 9012 345 6"]
    decided = 0
    for value in values:
        got = native.check(getattr(native, code), value)
        if got == -1:
            continue
        decided += 1
        assert bool(got) == bool(python(value)), (code, value)  # type: ignore[operator]
    assert decided > 0.95 * len(values)
    assert native.check(getattr(native, code), "１２３-45-6789") == -1  # non-ASCII: Python's call


_WORD = re.compile(r"[A-Za-z0-9_]")


def _in(table: bytes, char: str) -> bool:
    return ord(char) < 128 and table[ord(char)] != 0


def _narrowed(rules: matcher._RuleSet, text: str, windows: matcher.Windows) -> matcher.Windows:
    """The Python path's windows as the compiled path narrows them (matcher._alphabet). A rule
    located by its end: each merged window begins at the least, over the hits it merged, of the
    start of the run of the rule's characters ending at the hit (not before end - longest). A
    rule located by an anchor: each merged window is cut to the runs around its first and last
    required character (and one character after), or dropped without one."""
    ends: dict[int, list[int]] = {}
    if rules._db is not None:
        rules._db.scan(
            text.encode(), match_event_handler=lambda r, s, e, *_: ends.setdefault(r, []).append(e)
        )
    out = dict(windows)
    for rule, kind in enumerate(rules._kinds):
        if len(kind) < 4 or kind[0] == matcher._LEAD or rule not in windows:
            continue
        table = kind[3]
        narrowed = []
        for start, end in windows[rule]:
            if kind[0] == matcher._REACH:
                needed = chr(kind[4])
                first, last = text.find(needed, start, end), text.rfind(needed, start, end)
                if first < 0:
                    continue
                while first > start and _in(table, text[first - 1]):
                    first -= 1
                last += 1
                while last < end and _in(table, text[last]):
                    last += 1
                narrowed.append((first, min(end, last + 1)))
                continue
            longest, parts = kind[1], []
            for e in sorted(set(ends[rule])):
                if start <= max(0, e - longest) and e <= end:  # a hit this window merged
                    at = e
                    while at > max(0, e - longest) and _in(table, text[at - 1]):
                        at -= 1
                    # split where the hits' windows leave a gap after a non-word character
                    if (
                        parts
                        and kind[4]
                        and at > parts[-1][1]
                        and not _WORD.match(text[parts[-1][1]])
                    ):
                        parts.append((at, e))
                    elif parts:
                        parts[-1] = (min(parts[-1][0], at), max(parts[-1][1], e))
                    else:
                        parts.append((at, e))
            narrowed += parts
        if narrowed:
            out[rule] = narrowed
        else:
            del out[rule]
    return out


# A rule whose windows must not be split (its "$" reads the end of a window as a line end).
LINE_ENDS = DlpPolicy.model_validate(
    {
        "entities": ["SECRET"],
        "custom": [{"name": "LINE_END", "patterns": [r"(?m)\d{2,4}(?:[ -]\d{2,4}){0,3}$"]}],
    }
)


@pytest.mark.parametrize("policy", [DlpPolicy(), LINE_ENDS], ids=["default", "line-ends"])
def test_hyperscan_windows_collected_in_c_are_the_python_ones_narrowed(policy: DlpPolicy) -> None:
    engine = compile_policy(policy).engine
    assert isinstance(engine.matcher, matcher.HyperscanMatcher)
    texts = [doc.text for doc in corpus(100, seed=31)] + generated_texts(200, seed=4)
    texts += glued_texts(200, seed=6) + lead_texts(engine, 300, seed=9)
    sets = [engine.matcher._always, *engine.matcher._gated.values()]
    opened = moved = 0
    for text in texts:
        data = text.encode()
        for rules in sets:
            rules.use_native(True)
            compiled_windows = rules.windows(text, data)
            rules.use_native(False)
            python_windows = rules.windows(text, data)
            if text.isascii():
                expected = _narrowed(rules, text, python_windows)
                moved += expected != python_windows
            else:  # (non-ASCII text: the Python conversion of offsets on both paths)
                expected = python_windows
            assert compiled_windows == expected, text
            opened += len(compiled_windows)
    # (the texts do open windows, and the narrowing does happen)
    assert opened > (3 * len(texts) if policy is not LINE_ENDS else len(texts) // 2)
    assert moved > (len(texts) // 2 if policy is not LINE_ENDS else len(texts) // 10)


def glued_texts(n: int, seed: int) -> list[str]:
    """Numbers and e-mail addresses glued to letters, underscores, signs and each other (some
    addresses with a digit after a dot, which the e-mail anchor misses, or with a label longer
    than the anchor's reach back to its "@")."""
    rnd = random.Random(seed)
    glue = ["", " ", "_", "a", "Z", "-", ".", "+", "(", ")", ":", "x", "ext.", "\n", "/", "@"]
    gen = Gen(seed + 1)

    def piece() -> str:
        if rnd.random() < 0.7:
            return _number_like(rnd)
        address = gen.email()
        if rnd.random() < 0.1:  # a label longer than the anchor's reach back to its "@"
            address = address.replace("@", "@" + "a" * rnd.randrange(100, 300), 1)
        elif rnd.random() < 0.3:
            address = address.replace("@", rnd.choice(["@", "@1", "@a.1", "@@", "@-"]), 1)
        return address + rnd.choice(["", ".1x", "_", " " * rnd.randrange(1, 250) + gen.email()])

    texts = []
    for _ in range(n):
        parts = [piece() for _ in range(rnd.randrange(1, 8))]
        text = rnd.choice(glue)
        for part in parts:
            text += part + rnd.choice(glue)
        texts.append(text)
    return texts


def lead_texts(engine: Engine, n: int, seed: int) -> list[str]:
    """The leading literals of the engine's literal-led rules ("sk-proj-", "api_key", the
    service names of `*_API_KEY=`) in any case, overlapping and repeated, with values after."""
    rnd = random.Random(seed)
    rules = engine.matcher._always  # type: ignore[attr-defined]
    words = sorted({w for literals in rules.leads.values() for w in literals.words})
    cases = [str.upper, str.lower, str.title, lambda w: w]
    texts = []
    for _ in range(n):
        text = ""
        for _ in range(rnd.randrange(1, 6)):
            word = rnd.choice(cases)(rnd.choice(words))
            if rnd.random() < 0.3:
                word += rnd.choice(cases)(rnd.choice(words))  # one literal ends in another
            value = "".join(rnd.choice("abcXYZ0123456789_-") for _ in range(rnd.randrange(0, 40)))
            text += word + rnd.choice(["=", ": ", "='", " ", "_API_KEY=", ""]) + value
            text += rnd.choice([" ", "\n", "", "; "])
        texts.append(text)
    return texts


def test_narrowed_windows_find_what_the_python_windows_do() -> None:
    """Rules located by their ends or anchors, run in the compiled path's narrowed windows,
    find what they find in the Python path's windows, and (but for Hyperscan's own misses)
    what `finditer` over the whole text finds: texts with values glued to letters, underscores,
    signs, other numbers and e-mail addresses (some with a digit after a dot, which its anchor
    misses), where a narrowed window could cut a match."""
    engine = compile_policy(DlpPolicy()).engine
    assert isinstance(engine.matcher, matcher.HyperscanMatcher)
    texts = glued_texts(400, seed=77)
    rules = engine.matcher._always
    narrowed_rules = [i for i, kind in enumerate(rules._kinds) if len(kind) >= 4]
    names = {engine.rules[i].name for i in narrowed_rules}
    assert names >= {"phone", "credit_card", "ipv4", "email"}
    compared = same_as_whole = 0
    for text in texts:
        rules.use_native(True)
        windows = rules.windows(text, text.encode())
        rules.use_native(False)
        python_windows = rules.windows(text, text.encode())
        for i in narrowed_rules:
            regex = engine.rules[i].regex
            want = [
                m.span() for a, b in python_windows.get(i, []) for m in regex.finditer(text, a, b)
            ]
            got = [m.span() for a, b in windows.get(i, []) for m in regex.finditer(text, a, b)]
            assert got == want, (engine.rules[i].name, text)
            compared += len(want)
            same_as_whole += got == [m.span() for m in regex.finditer(text)]
    assert compared > len(texts)
    # (ipv6's "67:20" is one of Hyperscan's few misses: it reports that match ending at ":")
    assert same_as_whole > 0.95 * len(texts) * len(narrowed_rules)


def test_words_around_a_hit_agree_with_python() -> None:
    assert native is not None
    rnd = random.Random(5)
    for text in generated_texts(300, seed=8):
        for _ in range(5):
            start = rnd.randrange(len(text) + 1)
            end = rnd.randrange(start, len(text) + 1)
            assert native.words(text, start, end, False) == context_words(text, start, end)
            assert native.words(text, start, end, True) == adjacent_words(text, start, end)


CUSTOM = DlpPolicy.model_validate(
    {
        "custom": [
            {"name": "EMPLOYEE_ID", "patterns": [r"E\d{6}"], "context": ["employee"],
             "context_required": True},
            {"name": "LOYALTY", "patterns": [r"\b\d{10}\b"], "validator": "luhn"},
            {"name": "CODENAME", "terms": ["Bluebird", "Red Falcon"]},
        ]
    }
)  # fmt: skip


@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_compiled_and_python_paths_find_the_same(backend: str) -> None:
    texts = [doc.text for doc in corpus(150, seed=21)] + generated_texts(250, seed=3)
    found = 0
    for policy in (DlpPolicy(), CUSTOM, DlpPolicy(entities=["SECRET"])):
        engine = compile_policy(policy, backend).engine
        engine.recent = None
        if backend == "hyperscan" and policy is CUSTOM:
            texts = texts + lead_texts(engine, 150, seed=10)
        for text in texts:
            assert engine.use_native(True)
            compiled = engine.scan(text)
            engine.use_native(False)
            assert engine.scan(text) == compiled, text
            found += len(compiled)
    assert found > 2 * len(texts)  # the texts do hold findings


def test_without_the_module_the_python_path_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    text = f"card {Gen(3).card()} call (415) 555-0132 today; ssn 536-22-8726"
    with_native = compile_policy(DlpPolicy()).engine.scan_afresh(text)
    monkeypatch.setattr(compiled, "native", None)
    engine = compile_policy(DlpPolicy()).engine
    assert engine.specs is None
    assert engine.scan_afresh(text) == with_native
    assert {f.entity for f in with_native} == {"CREDIT_CARD", "PHONE_NUMBER", "US_SSN"}


def test_an_error_in_a_validator_reaches_the_caller() -> None:
    """A bug in a rule's Python callable must fail the scan (the stage fails closed), not be
    swallowed by the C loop."""

    def broken(value: str) -> bool:
        raise RuntimeError("validator bug")

    engine = Engine([Rule("x", "X", r"\bQ\d{4}\b", validate=broken)])
    assert engine.specs is not None
    with pytest.raises(RuntimeError, match="validator bug"):
        engine.scan_afresh("see Q1234 now")


# ---- the name recogniser's mechanics in C (names.py: _events, context_before) -------------------

NAME_WORDS = [
    *("Anna", "Smith", "Jean-Pierre", "Kowalski", "Okafor", "Priya", "Lena", "Andersson"),
    *("The", "Please", "Hi", "Hello", "Dear", "My", "Call", "United", "Kingdom", "Los", "Angeles"),
    *("Dr.", "Mr", "Mrs.", "Ms", "Prof.", "J.", "A.", "St.", "Inc.", "Inc", "GmbH", "LLC"),
    *("van", "der", "de", "la", "bin", "st.", "von", "y", "e", "del", "della", "Van"),
    *("IBAN", "JSON", "WhatsApp", "McDonald", "O'Neil", "D’Arcy", "Anna's", "Smith’s", "Holmes."),
    *("Ágnes", "Žilih", "İstanbul", "Łódź", "ǅemal", "Ωmega", "éB", "naïve", "Straße", "日本"),
    *("ªBc", "𝐀nna", "Ünal😀", "Ⅻ", "x²Y", "Œuvre", "ÉLISE"),
    *("3Com", "_Foo", "foo_Bar", "iPhone", "x²Y", "Sons", "Brothers", "and", "is", "name"),
    *("said", "lives", "in", "from", "moved", "here", "flew", "to", "Paris", "London", "Street"),
]
NAME_GLUE = [" ", " ", " ", "  ", "   ", "\t", " \t", "-", ", ", ". ", "\n", ": ", "", "'", "’s "]


def name_texts(n: int, seed: int) -> list[str]:
    """Capitalised words, particles, titles, initials, possessives, non-ASCII letters and the
    separators between them that decide where a run of words starts and ends."""
    rnd = random.Random(seed)
    texts = []
    for _ in range(n):
        words_ = [rnd.choice(NAME_WORDS) for _ in range(rnd.randrange(1, 40))]
        if rnd.random() < 0.3:
            words_ = [w.upper() if rnd.random() < 0.3 else w for w in words_]
        text = ""
        for word in words_:
            text += word + rnd.choice(NAME_GLUE)
        texts.append(text)
    return texts


SENTENCES = [
    "Please change it to Soib K. Kishiev",
    "Regards,\nEinojuhani Pyysalo\n",
    "I'm Bojka Žilih, originally from Lyon. Nothing beats early Bulgakov!",
    "Our 3 founders: Morrison, Rogers and Torres. They met at Smith, Jones and Lee.",
    "Winners\n1. Zorvat Kemblish\n2. Quillon Tarvesh\nPassenger name: Collie Pence",
    "The parcel was signed for by Ms Sour yesterday; Dr. Cost and True A. Poon agreed.",
    "My name is john smith and I need help. Hi anna, call me ishmael.",
    "Ludwig van der Rohe met Jean-Pierre de la Fontaine and Usamov and Bowers in Los Angeles.",
    "She moved here from Tjæreborg, 52 Farnell Street, LOOMBAH, then flew to Neupré.",
    "I work for Cloudmade; Plotwatt is a design agency. Thomas and Sons, Butler-Peters, "
    "Civic Impulse LLC, Tableau Software and 48 Factoring Inc. sent invoices.",
    "Yuri Bulgakov's tales; Panjiva's Riku Andou, Google’s Sundar Pichai, Via Roma 131.",
    "CEO Jane Doe, the engineer, said that Krzeczkowski, who worked here, left. Ubul: What?",
    "ΑΘΗΝΑ Ωmega İstanbul Łódź ǅemal Straße Ágnes Szász and José Núñez García wrote.",
]


def real_texts() -> list[str]:
    return [doc.text for doc in corpus(200, seed=41)] + SENTENCES


@pytest.fixture(scope="module")
def recogniser() -> NameRecognizer:
    return NameRecognizer()


def test_the_capitalised_word_scan_in_c_is_the_python_one(recogniser: NameRecognizer) -> None:
    assert native is not None
    runs = skipped = joined = and_sons = 0
    for text in name_texts(3000, seed=12) + real_texts():
        in_c = native.name_events(text, recogniser._facts, recogniser._remember, _JOINER_PARTICLES)
        assert in_c == recogniser._events(text), text
        for event in in_c[0]:
            runs += isinstance(event, list)
            skipped += isinstance(event, tuple)
            joined += isinstance(event, list) and len(event) > 1
        and_sons += in_c[1]
    assert min(runs, skipped, joined) > 1000  # every kind of event was compared
    assert 100 < and_sons < 2900


def test_the_words_before_a_name_in_c_are_the_python_ones() -> None:
    assert native is not None
    rnd = random.Random(9)
    texts = name_texts(600, seed=13) + generated_texts(200, seed=14) + real_texts()
    asked = 0
    for text in texts:
        for start in {rnd.randrange(len(text) + 1) for _ in range(8)} | {0, len(text)}:
            in_c = native.context_before(text, start)
            if in_c is None:  # a window holding non-ASCII characters: Python's str.lower
                assert not text[max(0, start - 30) : start].isascii()
                continue
            asked += 1
            assert in_c == context_before(text, start), (text, start)
    assert asked > 3000


def test_the_name_recogniser_finds_the_same_on_both_paths(recogniser: NameRecognizer) -> None:
    texts = name_texts(1500, seed=15) + real_texts()
    texts += [text.lower() for text in texts[:300]] + [text.upper() for text in texts[:100]]
    found = 0
    try:
        for text in texts:
            assert recogniser.use_native(True)
            in_c = recogniser.find(text)
            recogniser.use_native(False)
            assert recogniser.find(text) == in_c, text
            found += len(in_c)
    finally:
        recogniser.use_native(True)
    assert found > len(texts)


def test_the_name_recogniser_runs_in_python_without_the_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "Dear Anna Kowalski, Ludwig van der Rohe of Thomas and Sons moved here from Łódź."
    with_native = NameRecognizer().find(text)
    monkeypatch.setattr(compiled, "native", None)
    recogniser = NameRecognizer()
    assert recogniser.native is None and not recogniser.use_native(True)
    assert recogniser.find(text) == with_native
    assert {f.entity for f in with_native} == {"PERSON", "ORGANIZATION", "LOCATION"}


def test_the_engine_switches_its_name_recogniser_with_it() -> None:
    engine = compile_policy(DlpPolicy()).engine
    assert engine.names is not None and engine.names.native is not None
    engine.use_native(False)
    assert engine.names.native is None
    engine.use_native(True)
    assert engine.names.native is not None


def test_an_error_in_the_word_facts_reaches_the_caller() -> None:
    """A bug while looking a word up must fail the scan (the stage fails closed)."""
    assert native is not None

    def broken(raw: str) -> object:
        raise RuntimeError("lookup bug")

    with pytest.raises(RuntimeError, match="lookup bug"):
        native.name_events("Hello Anna", {}, broken, _JOINER_PARTICLES)
    with pytest.raises(TypeError):
        native.name_events("Hello Anna", {}, lambda raw: ("Anna", 4), _JOINER_PARTICLES)


def test_overlaps_resolved_in_c_as_in_python() -> None:
    """The compiled resolve keeps exactly resolve_overlaps' findings (the same objects), in
    the same order: ties of score, length and start (duplicates too) keep the first."""
    assert native is not None
    rnd = random.Random(12)
    for _ in range(20000):
        found = []
        for _ in range(rnd.randrange(0, 12)):
            start = rnd.randrange(0, 30)
            end = start + rnd.randrange(1, 8)
            score = rnd.choice([0.5, 0.6, 0.85, 1.0])
            found.append(Finding(rnd.choice("AB"), start, end, rnd.choice("xy"), score, "c"))
        if found and rnd.random() < 0.1:
            found.append(found[0])
        want = engine_module.resolve_overlaps(list(found))
        got = native.resolve(list(found))
        assert got == want, found
        assert all(a is b for a, b in zip(got, want, strict=True))
    with pytest.raises(AttributeError):
        native.resolve([Finding("A", 0, 1, "x", 0.5, "c"), object()])
    with pytest.raises(TypeError):
        native.resolve((Finding("A", 0, 1, "x", 0.5, "c"),))


def test_strong_phone_rescoring_in_c_is_pythons() -> None:
    """pii._strong_phone (a +country code, the NANP pattern over the whole value, an (area
    code) with 9 digits) against its C copy: every combination of the NANP pattern's optional
    parts (area codes and exchanges from 1 and 2, at [2-9]'s edge), each with every one
    character deleted or doubled, and random strings of its characters."""
    assert native is not None
    code = native.R_STRONG_PHONE
    values = set()
    for head, opening, closing, sep, sep2, ext in itertools.product(
        ["", "1", "1 ", "1-", "1.", "11", "+1 ", " "],
        ["", "("],
        ["", ")"],
        ["", " ", "-", ".", "  "],
        [" ", "-", ".", ""],
        ["", "x1", " x 12", "ext123", "ext.12345", " ext. 1", "x123456", "ext", "\tx\t9", " "],
    ):
        for area, exchange in (("212", "555"), ("112", "255"), ("219", "155")):
            value = f"{head}{opening}{area}{closing}{sep}{exchange}{sep2}0123{ext}"
            values.add(value)
            for i in range(len(value)):
                values.add(value[:i] + value[i + 1 :])
                values.add(value[:i] + value[i] + value[i:])
    rnd = random.Random(14)
    for _ in range(20000):
        values.add("".join(rnd.choice("12905()+ -.xet\t") for _ in range(rnd.randrange(0, 20))))
    strong = 0
    for value in values:
        want = pii._strong_phone(value)
        assert native.check(code, value) == int(want), value
        strong += want
    assert 0.1 * len(values) < strong < 0.9 * len(values)
    assert native.check(code, "(２12) 555-0123") == -1  # non-ASCII: Python's call


def test_confirm_all_refuses_what_it_cannot_read() -> None:
    assert native is not None
    engine = compile_policy(DlpPolicy()).engine
    assert engine.specs is not None
    found: list[Finding] = []
    with pytest.raises(IndexError):
        native.confirm_all(engine.specs, {len(engine.specs): [(0, 4)]}, "1234", 0.5, found)
    with pytest.raises(TypeError):
        native.confirm_all(tuple(engine.specs), {}, "1234", 0.5, found)
    with pytest.raises(TypeError):
        native.confirm_all(engine.specs, {"phone": [(0, 4)]}, "1234", 0.5, found)
    assert found == []
