"""Checksums and structural rules that turn a pattern hit into a finding.

Each validator takes the matched text (as it appears, separators included) and returns whether
it is a plausible instance of its type. They run only on pattern hits, never on whole texts.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import itertools
import math
import re
from collections import Counter

import orjson

from interlock.dlp.compiled import native as _native

_NOT_DIGIT = re.compile(r"\D+")
_NOT_DIGIT_BYTES = bytes(c for c in range(256) if not 48 <= c <= 57)
_DIGIT_BYTES = b"0123456789"


def digits(value: str) -> str:
    if value.isascii():  # pattern hits almost always are: bytes.translate is ~6x faster
        return value.encode().translate(None, _NOT_DIGIT_BYTES).decode()
    return _NOT_DIGIT.sub("", value)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _repetitive(number: str) -> bool:
    """All one digit, or a plain ascending/descending run: test data, not a real number."""
    if len(set(number)) <= 2:
        return True
    steps = {(ord(b) - ord(a)) % 10 for a, b in itertools.pairwise(number)}
    return len(steps) == 1


# ---- payment cards ---------------------------------------------------------------------------

# (prefix range low, high, allowed lengths): the issuer identification ranges of the networks
# people actually carry, so a Luhn-valid 16-digit order number with an unassigned prefix is not
# taken for a card.
CARD_RANGES: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (4, 4, (13, 16, 19)),  # Visa
    (51, 55, (16,)),  # Mastercard
    (2221, 2720, (16,)),  # Mastercard 2-series
    (34, 34, (15,)),  # American Express
    (37, 37, (15,)),
    (300, 305, (14, 16, 19)),  # Diners Club
    (36, 36, (14, 16, 19)),
    (38, 39, (14, 16, 19)),
    (309, 309, (14, 16, 19)),
    (6011, 6011, (16, 19)),  # Discover
    (644, 649, (16, 19)),
    (65, 65, (16, 19)),
    (622126, 622925, (16, 19)),
    (3528, 3589, (16, 17, 18, 19)),  # JCB
    (2131, 2131, (15,)),  # JCB (legacy 15-digit)
    (1800, 1800, (15,)),
    (62, 62, (16, 17, 18, 19)),  # UnionPay
    (81, 81, (16, 17, 18, 19)),
    (5018, 5018, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
    (5020, 5020, (12, 13, 14, 15, 16, 17, 18, 19)),
    (5038, 5038, (12, 13, 14, 15, 16, 17, 18, 19)),
    (56, 58, (12, 13, 14, 15, 16, 17, 18, 19)),
    (6304, 6304, (12, 13, 14, 15, 16, 17, 18, 19)),
    (6390, 6390, (12, 13, 14, 15, 16, 17, 18, 19)),
    (6759, 6759, (12, 13, 14, 15, 16, 17, 18, 19)),
    (6761, 6763, (12, 13, 14, 15, 16, 17, 18, 19)),
    (604, 604, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro (0604) written without the 0
    (60, 60, (16,)),  # RuPay / Discover-routed
    (2200, 2204, (16, 17, 18, 19)),  # Mir
    (50, 50, (16,)),
    (67, 67, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro UK / Laser
)


# The ranges spelled out: (leading digits, card length) pairs, so a check is six set look-ups.
_ISSUER_PREFIXES = frozenset(
    (str(prefix), n)
    for low, high, lengths in CARD_RANGES
    for prefix in range(low, high + 1)
    for n in lengths
)
_PREFIX_WIDTHS = tuple(sorted({len(str(low)) for low, _, _ in CARD_RANGES}))


def _issuer_ok(number: str) -> bool:
    n = len(number)
    if any((number[:width], n) in _ISSUER_PREFIXES for width in _PREFIX_WIDTHS):
        return True
    # Maestro numbers issued with a leading zero (0604…)
    return number.startswith("0604") and 12 <= n <= 19


def _card_grouping_ok(value: str) -> bool:
    """Separators, if any, must be one kind and split the number the way cards are printed."""
    if value.isascii():
        seps = set(value.encode().translate(None, _DIGIT_BYTES).decode())
    else:
        seps = {c for c in value if not c.isdigit()}
    if not seps:
        return True
    if len(seps) > 1:
        return False
    groups = [len(g) for g in value.split(seps.pop())]
    if groups[0] != 4 and groups not in ([4, 6, 5], [4, 6, 4]):
        return False
    return all(2 <= g <= 6 for g in groups) and len(groups) >= 3


def credit_card(value: str) -> bool:
    """Luhn-valid, printed like a card; whether the issuer range is known sets the score."""
    number = digits(value)
    return (
        12 <= len(number) <= 19
        and _card_grouping_ok(value)
        and len(set(number)) > 1
        and luhn_ok(number)
    )


def card_issuer_known(value: str) -> bool:
    return _issuer_ok(digits(value))


# ---- bank accounts ---------------------------------------------------------------------------

# ISO 13616 lengths per country (IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def iban(value: str) -> bool:
    compact = "".join(value.split()).upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1
    except ValueError:
        return False


def aba_routing(value: str) -> bool:
    d = digits(value)
    if len(d) != 9 or _repetitive(d) or d[:2] not in _ABA_PREFIXES:
        return False
    w = (3, 7, 1) * 3
    return sum(int(c) * k for c, k in zip(d, w, strict=True)) % 10 == 0


_ABA_PREFIXES = {
    f"{i:02d}"
    for i in [*range(0, 13), *range(21, 33), 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 80]
}


# ---- national identifiers -------------------------------------------------------------------


def us_ssn(value: str) -> bool:
    d = digits(value)
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    # Numbers published in advertising and documentation, never assigned to anyone.
    return d not in {"078051120", "219099999", "123456789"} and not _repetitive(d)


def us_itin(value: str) -> bool:
    d = digits(value)
    return len(d) == 9 and d[0] == "9" and (70 <= int(d[3:5]) <= 88 or 90 <= int(d[3:5]) <= 99)


def uk_nino(value: str) -> bool:
    v = "".join(value.split()).upper()
    if len(v) != 9:
        return False
    prefix = v[:2]
    if prefix in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"} or prefix[0] in "DFIQUV":
        return False
    return prefix[1] not in "DFIOQUV" and v[8] in "ABCD"


def uk_nhs(value: str) -> bool:
    d = digits(value)
    if len(d) != 10 or _repetitive(d):
        return False
    check = 11 - sum(int(c) * (10 - i) for i, c in enumerate(d[:9])) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(d[9])


def _iso7064_mod11_10(d: str) -> bool:
    product = 10
    for c in d[:-1]:
        total = (int(c) + product) % 10 or 10
        product = (total * 2) % 11
    check = (11 - product) % 10
    return check == int(d[-1])


def de_tax_id(value: str) -> bool:
    """Steuerliche Identifikationsnummer: 11 digits, no leading 0, ISO 7064 MOD 11,10."""
    d = digits(value)
    if len(d) != 11 or d[0] == "0":
        return False
    counts = Counter(d[:10])
    # Exactly one digit repeats (twice or three times) in the first ten digits.
    repeats = [n for n in counts.values() if n > 1]
    return len(repeats) == 1 and repeats[0] in (2, 3) and _iso7064_mod11_10(d)


_ICAO_VALUES = {
    **{str(i): i for i in range(10)},
    **{chr(65 + i): 10 + i for i in range(26)},
    "<": 0,
}


def icao_check(body: str, check: str) -> bool:
    """ICAO 9303 check digit (weights 7, 3, 1), used by passports and German ID cards."""
    try:
        total = sum(_ICAO_VALUES[c] * (7, 3, 1)[i % 3] for i, c in enumerate(body.upper()))
    except KeyError:
        return False
    return str(total % 10) == check


def de_id_document(value: str) -> bool:
    """German passport / ID card number (9 characters) followed by its check digit."""
    v = "".join(value.split()).upper()
    return len(v) == 10 and icao_check(v[:9], v[9]) and not v[:9].isalpha()


def fr_nir(value: str) -> bool:
    """French social security number (NIR): 13 characters + 2-digit key = 97 - (n mod 97)."""
    v = "".join(value.split()).upper()
    if len(v) != 15:
        return False
    body = v[:13].replace("2A", "19").replace("2B", "18")
    if not body.isdigit() or not v[13:].isdigit() or v[0] not in "12378":
        return False
    month = int(v[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return False
    return 97 - int(body) % 97 == int(v[13:])


_ES_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def es_dni(value: str) -> bool:
    v = "".join(c for c in value.upper() if c.isalnum())
    if len(v) != 9:
        return False
    body, letter = v[:8], v[8]
    if body[0] in "XYZ":
        body = str("XYZ".index(body[0])) + body[1:]
    return body.isdigit() and _ES_LETTERS[int(body) % 23] == letter


_IT_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3,
     6, 8, 12, 14, 16, 10, 22, 25, 24, 23], strict=True))  # fmt: skip


def it_fiscal_code(value: str) -> bool:
    v = value.upper()
    if len(v) != 16 or not v.isalnum():
        return False
    total = 0
    for i, c in enumerate(v[:15]):
        if i % 2 == 0:
            total += _IT_ODD[c]
        else:
            total += int(c) if c.isdigit() else ord(c) - 65
    return chr(65 + total % 26) == v[15]


def nl_bsn(value: str) -> bool:
    """Burgerservicenummer: 9 digits passing the 'elfproef' (11-test)."""
    d = digits(value)
    if len(d) != 9 or _repetitive(d):
        return False
    total = sum(int(c) * w for c, w in zip(d[:8], range(9, 1, -1), strict=True)) - int(d[8])
    return total % 11 == 0 and total != 0


_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]  # fmt: skip
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]  # fmt: skip


def verhoeff_ok(number: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


def in_aadhaar(value: str) -> bool:
    d = digits(value)
    return len(d) == 12 and d[0] not in "01" and not _repetitive(d) and verhoeff_ok(d)


def in_pan(value: str) -> bool:
    v = value.upper()
    return len(v) == 10 and v[3] in "ABCFGHLJPT"


def ca_sin(value: str) -> bool:
    d = digits(value)
    return len(d) == 9 and d[0] not in "08" and not _repetitive(d) and luhn_ok(d)


def au_tfn(value: str) -> bool:
    d = digits(value)
    if len(d) == 9:
        weights = (1, 4, 3, 7, 5, 8, 6, 9, 10)
    elif len(d) == 8:
        weights = (10, 7, 8, 4, 6, 3, 5, 1)
    else:
        return False
    return not _repetitive(d) and sum(int(c) * w for c, w in zip(d, weights, strict=True)) % 11 == 0


def au_medicare(value: str) -> bool:
    d = digits(value)
    if len(d) not in (10, 11) or d[0] not in "23456":
        return False
    weights = (1, 3, 7, 9, 1, 3, 7, 9)
    return sum(int(c) * w for c, w in zip(d[:8], weights, strict=True)) % 10 == int(d[8])


def au_abn(value: str) -> bool:
    d = digits(value)
    if len(d) != 11:
        return False
    weights = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
    nums = [int(c) for c in d]
    nums[0] -= 1
    return sum(n * w for n, w in zip(nums, weights, strict=True)) % 89 == 0


def us_passport(value: str) -> bool:
    v = "".join(value.split()).upper()
    return (len(v) == 9 and (v.isdigit() or (v[0].isalpha() and v[1:].isdigit()))) and not (
        v.isdigit() and _repetitive(v)
    )


# ---- network ---------------------------------------------------------------------------------


def ipv4(value: str) -> bool:
    parts = value.split(".")
    if len(parts) != 4 or any(len(p) > 1 and p[0] == "0" for p in parts):
        return False
    return all(p.isdigit() and int(p) <= 255 for p in parts)


def ipv6(value: str) -> bool:
    if value.count(":") < 2:
        return False
    try:
        addr = ipaddress.IPv6Address(value)
    except ValueError:
        return False
    # A bare "::" or "::1"-like token is more often code (C++ scopes, Python slices) than an IP.
    return len(value) >= 6 and not addr.is_unspecified


# ---- secrets ---------------------------------------------------------------------------------


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    if _native is not None and value.isascii():
        # (the same float, computed in C: ~15x cheaper on a 40-character token)
        return _native.entropy(value)  # type: ignore[no-any-return]
    n = len(value)
    return -sum(k / n * math.log2(k / n) for k in Counter(value).values())


def jwt(value: str) -> bool:
    head = value.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
        header = orjson.loads(decoded)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        return False
    return isinstance(header, dict) and ("alg" in header or "typ" in header or "enc" in header)
