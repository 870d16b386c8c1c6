"""The validators _native.c runs in C (IBAN, Aadhaar, CA SIN, AU TFN/ABN, FR NIR, card issuer
ranges, IPv6, the entropy of secret values) against their Python originals in validators.py:
valid values made with each checksum, every one-character deletion, doubling and substitution
of them, and random strings of their characters. Values the C code leaves to Python (-1) must
be few."""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterable

import pytest

from interlock.dlp import compiled, pii
from interlock.dlp import validators as v
from interlock.dlp.config import DlpPolicy
from interlock.dlp.policy import compile_policy

native = compiled.native
pytestmark = pytest.mark.skipif(native is None, reason="_native.c not built")


def _digits(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice(string.digits) for _ in range(n))


def _completed(rnd: random.Random, make: Callable[[], str], ok: Callable[[str], bool]) -> str:
    """A value `make` draws that `ok` accepts (the checksum found by trying)."""
    for _ in range(10000):
        value = make()
        if ok(value):
            return value
    raise AssertionError("no valid value drawn")


def _iban(rnd: random.Random) -> str:
    country = rnd.choice(sorted(v.IBAN_LENGTHS))
    alphabet = string.digits * 3 + string.ascii_uppercase
    bban = "".join(rnd.choice(alphabet) for _ in range(v.IBAN_LENGTHS[country] - 4))
    rearranged = bban + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in rearranged)) % 97
    value = f"{country}{check:02d}{bban}"
    if rnd.random() < 0.5:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value.lower() if rnd.random() < 0.1 else value


def _aadhaar(rnd: random.Random) -> str:
    d = _completed(rnd, lambda: rnd.choice("23456789") + _digits(rnd, 11), v.verhoeff_ok)
    return rnd.choice([d, f"{d[:4]} {d[4:8]} {d[8:]}", f"{d[:4]}-{d[4:8]}-{d[8:]}"])


def _ca_sin(rnd: random.Random) -> str:
    d = _completed(rnd, lambda: rnd.choice("1234567") + _digits(rnd, 8), v.luhn_ok)
    return rnd.choice([d, f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:3]}-{d[3:6]}-{d[6:]}"])


def _au_tfn(rnd: random.Random) -> str:
    n = rnd.choice([8, 9])
    d = _completed(rnd, lambda: _digits(rnd, n), v.au_tfn)
    return rnd.choice([d, f"{d[:3]} {d[3:6]} {d[6:]}"])


def _au_abn(rnd: random.Random) -> str:
    d = _completed(rnd, lambda: _digits(rnd, 11), v.au_abn)
    return rnd.choice([d, f"{d[:2]} {d[2:5]} {d[5:8]} {d[8:]}"])


def _fr_nir(rnd: random.Random) -> str:
    def body() -> str:
        dept = rnd.choice(["75", "2A", "2B", "13", "97"])
        return (
            rnd.choice("12378")
            + _digits(rnd, 2)
            + f"{rnd.randint(1, 12):02d}"
            + dept
            + _digits(rnd, 6)
        )

    b = body()
    number = int(b.replace("2A", "19").replace("2B", "18"))
    value = f"{b}{97 - number % 97:02d}"
    if rnd.random() < 0.4:
        value = f"{value[0]} {value[1:3]} {value[3:5]} {value[5:7]} {value[7:10]} {value[10:13]} {value[13:]}"
    return value.lower() if rnd.random() < 0.1 else value


def _variants(value: str, alphabet: str) -> Iterable[str]:
    yield value
    for i in range(len(value)):
        yield value[:i] + value[i + 1 :]
        yield value[:i] + value[i] + value[i:]
        yield value[:i] + alphabet[i % len(alphabet)] + value[i + 1 :]


CASES = [
    ("V_IBAN", v.iban, _iban, string.digits + "AZaz \t-"),
    ("V_AADHAAR", v.in_aadhaar, _aadhaar, string.digits + " -."),
    ("V_CA_SIN", v.ca_sin, _ca_sin, string.digits + " -"),
    ("V_AU_TFN", v.au_tfn, _au_tfn, string.digits + " -"),
    ("V_AU_ABN", v.au_abn, _au_abn, string.digits + " -"),
    ("V_FR_NIR", v.fr_nir, _fr_nir, string.digits + "2ABab \t"),
]


@pytest.mark.parametrize(("code", "python", "make", "alphabet"), CASES)
def test_c_checksums_agree_with_python(
    code: str, python: Callable[[str], bool], make: Callable[[random.Random], str], alphabet: str
) -> None:
    assert native is not None
    rnd = random.Random(code)
    values: set[str] = {"", " ", "0", "AA", "2A", "\x1c"}
    for _ in range(300):
        values.update(_variants(make(rnd), alphabet))
    for _ in range(3000):
        values.add("".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 36))))
    decided = valid = 0
    for value in values:
        got = native.check(getattr(native, code), value)
        if got == -1:
            with pytest.raises(ValueError):  # (only where Python's int() would raise)
                python(value)
            continue
        decided += 1
        valid += got
        assert got == int(python(value)), (code, value)
    assert decided > 0.99 * len(values)
    assert 250 < valid < 0.9 * decided  # both verdicts are exercised
    assert native.check(getattr(native, code), "１２３４５６７８９０１２") == -1  # non-ASCII


def test_card_issuer_ranges_in_c_are_pythons() -> None:
    """Every range's bounds and their neighbours, each at every length around a card's."""
    assert native is not None
    rnd = random.Random(9)
    values: set[str] = set()
    for low, high, _ in v.CARD_RANGES:
        for lead in (low - 1, low, (low + high) // 2, high, high + 1, low * 10, high // 10):
            for n in range(10, 22):
                body = str(lead)
                if len(body) <= n:
                    number = body + _digits(rnd, n - len(body))
                    values.update([number, f"{number[:4]} {number[4:]}", "0" + number[1:]])
    for _ in range(5000):
        values.add(_digits(rnd, rnd.randrange(0, 22)))
    values.update(["0604" + _digits(rnd, n) for n in range(6, 18)])
    known = 0
    for value in values:
        want = v.card_issuer_known(value)
        assert native.check(native.R_CARD_ISSUER, value) == int(want), value
        known += want
    assert 0.1 * len(values) < known < 0.9 * len(values)
    assert pii.card_issuer_rescore("4111 1111 1111 1111", 0.85) == 0.85
    assert pii.card_issuer_rescore("9111 1111 1111 1111", 0.85) == pii.UNKNOWN_ISSUER_SCORE


def test_the_engine_confirms_these_types_in_c_as_in_python() -> None:
    """Whole scans of texts holding these values (labelled, so their context words count),
    on the compiled path and on the Python path."""
    rnd = random.Random(4)
    labels = {
        _iban: "IBAN",
        _aadhaar: "aadhaar",
        _ca_sin: "SIN",
        _au_tfn: "TFN",
        _au_abn: "ABN",
        _fr_nir: "NIR",
    }
    engine = compile_policy(DlpPolicy()).engine
    engine.recent = None
    found: set[str] = set()
    for _ in range(150):
        parts = []
        for make, label in rnd.sample(sorted(labels.items(), key=lambda kv: kv[1]), 3):
            value = make(rnd)
            if rnd.random() < 0.3:  # a broken checksum
                i = rnd.randrange(len(value))
                value = value[:i] + rnd.choice(string.digits) + value[i + 1 :]
            parts.append(f"my {label} is {value}")
        parts.append(f"card {rnd.choice(['4', '9', '35'])}{_digits(rnd, 14)}")
        text = ", and ".join(parts) + "."
        assert engine.use_native(True)
        in_c = engine.scan(text)
        engine.use_native(False)
        assert engine.scan(text) == in_c, text
        found.update(f.entity for f in in_c)
    engine.use_native(True)
    assert {"IBAN_CODE", "IN_AADHAAR", "CA_SIN", "AU_TFN", "AU_ABN", "FR_NIR"} <= found, found


def test_ipv6_in_c_is_ipaddress() -> None:
    """validators.ipv6 (ipaddress.IPv6Address's parse, then length and not all zero) against
    its C copy: the rule's values are hex digits and colons; other characters go to Python."""
    assert native is not None
    rnd = random.Random(6)
    values = {"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "fe80::1", "2001:db8::"}
    values |= {"0:0:0:0:0:0:0:0", "0::0", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::2::3"}
    values |= {":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", "12345::1", "0000::1", "a:b", "::ffff"}
    for _ in range(30000):
        values.add("".join(rnd.choice("0000123abcDEF:::::") for _ in range(rnd.randrange(1, 30))))
    valid = 0
    for value in values:
        got = native.check(native.V_IPV6, value)
        assert got == int(v.ipv6(value)), value
        valid += got
    assert 500 < valid < 0.5 * len(values)
    assert native.check(native.V_IPV6, "fe80::1%eth0") == -1  # (a scope: Python's call)
    assert native.check(native.V_IPV6, "::ffff:1.2.3.4") == -1


def test_entropy_in_c_is_the_python_float(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same float, bit for bit: a value at the 3.0 threshold must fall on the same side."""
    rnd = random.Random(8)
    alphabet = string.ascii_letters + string.digits + "_-+/=."
    values = ["", "a", "aaaa", "ab", "abcdefgh" * 3]
    values += [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 90))) for _ in range(20000)
    ]
    in_c = [v.shannon_entropy(value) for value in values]
    monkeypatch.setattr(v, "_native", None)
    in_python = [v.shannon_entropy(value) for value in values]
    assert [x.hex() for x in in_c] == [x.hex() for x in in_python]
    assert native is not None and native.entropy("naïve") is None  # non-ASCII: Python's


def test_documentation_keys_in_c_are_pythons() -> None:
    """credentials._not_example (a caseless search for "example", six x, eight equal
    characters but a/A, "testtesttest", counting runs, "deadbeef") against its C copy."""
    from interlock.dlp import credentials

    assert native is not None
    rnd = random.Random(12)
    alphabet = "aAbBcCdDeEfFxXtTsSlLmMpP0123456789_-"
    values = {"", "EXAMPLE", "xXxXxX", "aaaaaaaa", "AAAAaaaa", "bbbbBBBB", "testTESTtest", "43210"}
    for _ in range(20000):
        value = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 60)))
        if rnd.random() < 0.3:
            i = rnd.randrange(len(value) + 1)
            piece = rnd.choice(["example", "deadbeef", "1234567", "abcdef", "012345", "test" * 3])
            piece = "".join(c.upper() if rnd.random() < 0.5 else c for c in piece)
            cut = rnd.randrange(len(piece) + 1) if rnd.random() < 0.3 else len(piece)
            value = value[:i] + piece[:cut] + value[i:]
        if rnd.random() < 0.2:
            value += rnd.choice("aAbq7") * rnd.choice([7, 8, 9])
        values.add(value)
    kept = 0
    for value in values:
        got = native.check(native.V_NOT_EXAMPLE, value)
        assert got == int(credentials._not_example(value)), value
        kept += got
    assert 0.2 * len(values) < kept < 0.8 * len(values)
    assert native.check(native.V_NOT_EXAMPLE, "exämple") == -1
