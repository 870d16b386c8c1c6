"""Built-in rules for personal data: contact details, payment data, national identifiers.

Type names follow Presidio's where Presidio has the type (EMAIL_ADDRESS, CREDIT_CARD, US_SSN,
IBAN_CODE, …), so findings line up with Presidio-based tooling and datasets.
"""

from __future__ import annotations

import re

from interlock.dlp import validators as v
from interlock.dlp.rules import Rule, words

PHONE_CONTEXT = words(
    "phone telephone tel tel. mobile cell cellphone fax office desk call calls calling called "
    "contact reach dial number numbers whatsapp sms text messages answering landline "
    "extension ext hotline helpline ring message registered reached reachable contactable "
    "signal telegram viber "
    # the same words in the other languages people write prompts in
    "telefon telefono telefone telefoon handy mobil movil portable cellulare celular "
    "rufnummer nummer numero anrufen erreichbar ruf handynummer telefonnummer mobilnummer "
    "téléphone numéro appeler appelez joindre teléfono número móvil llamar llámame llámanos "
    "contatto chiamare chiamami ligar contato telemóvel bellen bel mobiel"
)
NOT_PHONE = words(
    "isbn order invoice version ver release build sku serial tracking ticket id ref reference "
    "account acct iban port pid uid gid batch lot case item code zip postcode postal "
    "total amount price usd eur gbp qty quantity row rows count bytes ms seconds license "
    "licence driver's driver nhs ssn sin passport routing aba bsn tfn medicare aadhaar abn "
    "steuer-id steuerid nir dni nie"
)
DATE_CONTEXT = words("born birth birthday dob d.o.b birthdate")
PASSPORT_CONTEXT = words("passport passports passeport pasaporte passaporto paspoort reisepass")

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?"


def phone_number(value: str) -> bool:
    """The phone rule's validator (also in C: _native.c check_phone)."""
    # ("ext" contains "x": cutting at the first "x" cuts any extension.)
    d = v.digits(value.partition("x")[0])
    if not 7 <= len(d) <= 15 or len(set(d)) <= 2:
        return False
    compact = value.strip()
    # Dates (2015-12-22, 22.12.2015, 12/22/2015), dotted versions and ISBNs are not phone numbers.
    if _NOT_A_PHONE.fullmatch(compact):
        return False
    # A run of one-digit groups ("1 2 3 4 5 6 7") is a list of numbers, not a phone number.
    return len(_ONE_DIGIT_GROUP.findall(compact.lstrip("+("))) <= 1


_DATE_LIKE = r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}"
_VERSION_LIKE = r"\d{1,3}(?:\.\d{1,3}){1,3}"
_ISBN_LIKE = r"97[89][- ]\d{1,5}[- ]\d{1,7}[- ]\d{1,7}[- ]\d"
_NOT_A_PHONE = re.compile(f"{_DATE_LIKE}|{_VERSION_LIKE}|{_ISBN_LIKE}")
# A group of one character between separators (or the ends).
_ONE_DIGIT_GROUP = re.compile(r"(?<![^ .()-])[^ .()-](?![^ .()-])")


def _strong_phone(value: str) -> bool:
    """Formats that are phone numbers whatever the context: +country code, NANP, (area), and a
    national number of 10-12 digits written as one: trunk prefix 0, grouped ("07700 900123",
    "06 12 34 56 78", "030 1234567", "0151 23456789")."""
    value = value.strip()
    return (
        value.startswith("+")
        or bool(_NANP.fullmatch(value))
        or (value.startswith("(") and len(v.digits(value)) >= 9)
        or (bool(_TRUNK_GROUPED.fullmatch(value)) and 10 <= len(v.digits(value)) <= 12)
    )


STRONG_PHONE_BONUS = 0.3


UNKNOWN_ISSUER_SCORE = 0.3  # a valid card number from no known issuer range


def card_issuer_rescore(value: str, score: float) -> float:
    """A Luhn-valid number outside every known issuer range is reported only with a context
    word (0.3 + the boost). (_native.c: R_CARD_ISSUER does this on ASCII values.)"""
    return score if v.card_issuer_known(value) else UNKNOWN_ISSUER_SCORE


def strong_phone_rescore(value: str, score: float) -> float:
    """The phone rule's score, raised for formats that are phone numbers whatever the context
    (the compiled path does this in C: _native.c strong_phone)."""
    return score + STRONG_PHONE_BONUS if _strong_phone(value) else score


# 0, a non-zero digit, up to three more (the area or mobile prefix), then one to five groups
# after single separators. Unseparated runs stay context-only: they are as often IDs.
_TRUNK_GROUPED = re.compile(r"0[1-9]\d{0,3}(?:[ .-]\d{1,8}){1,5}")
_NANP = re.compile(
    r"(?:1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?"
)


def _date(value: str) -> bool:
    parts = re.findall(r"\d+", value)
    nums = [int(n) for n in parts]
    if len(nums) == 3 and len(parts[0]) <= 2 and len(parts[2]) == 2:  # "DOB 7/4/90"
        return 1 <= nums[0] <= 31 and 1 <= nums[1] <= 31 and min(nums[0], nums[1]) <= 12
    if len(nums) == 3:
        year = next((n for n in nums if n > 31), nums[-1])
        others = [n for n in nums if n is not year]
        return 1900 <= year <= 2100 and all(1 <= n <= 31 for n in others)
    return len(nums) == 2 and 1 <= nums[0] <= 31 and 1900 <= nums[1] <= 2100


def pii_rules() -> list[Rule]:
    """A fresh list of the built-in personal-data rules (the engine compiles its own copy)."""
    return [
        Rule(
            "email",
            "EMAIL_ADDRESS",
            r"\b[A-Za-z0-9][A-Za-z0-9._%+'-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}\b",
            score=0.95,
            validate=_email_ok,
            keywords=("@",),
            anchor=r"@[A-Za-z0-9-]+\.[A-Za-z0-9]",
            reach=(130, 200),
        ),
        Rule(
            "credit_card",
            "CREDIT_CARD",
            r"\b\d(?:[ -]?\d){11,18}\b",
            classification="restricted",
            score=0.9,
            validate=v.credit_card,
            # A Luhn-valid number outside the known issuer ranges is a card only when the text
            # says so ("card", "visa", …): 0.3 + context 0.35.
            rescore=card_issuer_rescore,
            shrink=True,
            context=words("card credit debit visa mastercard amex cc payment charge expiry cvv"),
        ),
        Rule(
            "us_ssn",
            "US_SSN",
            r"\b\d{3}-\d{2}-\d{4}\b",
            classification="restricted",
            score=0.6,
            validate=v.us_ssn,
            context=words("ssn security ss# ssa"),
            isolated=True,
        ),
        Rule(
            "us_ssn_unformatted",
            "US_SSN",
            r"\b\d{3} \d{2} \d{4}\b|\b\d{9}\b",
            classification="restricted",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.us_ssn,
            context=words("ssn security ss# ssa"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "us_itin",
            "US_ITIN",
            r"\b9\d{2}[- ]?[789]\d[- ]?\d{4}\b",
            classification="restricted",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.us_itin,
            context=words("itin taxpayer tax"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "iban",
            "IBAN_CODE",
            r"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?\b",
            classification="restricted",
            score=0.95,
            validate=v.iban,
            shrink=True,
        ),
        Rule(
            "ipv4",
            "IP_ADDRESS",
            r"\b(?:\d{1,3}\.){3}\d{1,3}\b",
            classification="internal",
            score=0.85,
            validate=v.ipv4,
            negative=words("version ver release build v"),
            isolated=True,
        ),
        Rule(
            "ipv6",
            "IP_ADDRESS",
            r"(?:\b[0-9A-Fa-f]{1,4}|:):(?:[0-9A-Fa-f]{0,4}:){0,6}[0-9A-Fa-f]{0,4}\b",
            classification="internal",
            score=0.85,
            validate=v.ipv6,
        ),
        Rule(
            "phone",
            "PHONE_NUMBER",
            # +country code, then "(0)" or an (area code); groups after the first of up to 8 digits:
            # German and Dutch subscriber numbers are 7-8 digits ("+49 30 12345678").
            r"(?:\+\d{1,3}[ .-]?(?:\(0\)[ .-]?|\(\d{1,5}\)[ .-]?)?|\(\d{1,5}\)[ .-]?|\b)(?:\d{1,6}(?:[ .-]\d{1,8}){1,6}|\d{7,15})(?:\s?(?:x|ext\.?)\s?\d{1,5})?\b",
            score=0.35,
            validate=phone_number,
            rescore=strong_phone_rescore,
            shrink=True,
            context=PHONE_CONTEXT,
            negative=NOT_PHONE,
        ),
        Rule(
            "date_of_birth",
            "DATE_OF_BIRTH",
            rf"\b(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:19|20)\d{{2}}|(?:19|20)\d{{2}}[./-]\d{{1,2}}[./-]\d{{1,2}}|\d{{1,2}}(?:st|nd|rd|th)?\.? {_MONTH},? (?:19|20)\d{{2}}|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d{{2}}|\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2}})\b",
            caseless=True,
            score=0.3,
            validate=_date,
            context=DATE_CONTEXT,
            needs_context=True,
        ),
        # ---- passports ------------------------------------------------------------------------
        Rule(
            "us_passport",
            "US_PASSPORT",
            r"\b[A-Za-z]?\d{8,9}\b",
            classification="restricted",
            score=0.3,
            validate=v.us_passport,
            context=PASSPORT_CONTEXT,
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "passport",
            "PASSPORT",
            r"\b[A-Za-z]{1,2}[0-9]{6,8}\b|\b[CFGHJKLMNPRTVWXYZcfghjklmnprtvwxyz][CFGHJKLMNPRTVWXYZ0-9]{8}\b",
            classification="restricted",
            score=0.3,
            context=PASSPORT_CONTEXT,
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "in_passport",
            "IN_PASSPORT",
            r"\b[A-PR-WYa-pr-wy][1-9]\d ?\d{4}[1-9]\b",
            classification="restricted",
            score=0.3,
            context=PASSPORT_CONTEXT,
            needs_context=True,
            isolated=True,
        ),
        # ---- national identifiers --------------------------------------------------------------
        Rule(
            "uk_nino",
            "UK_NINO",
            r"\b[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]\b",
            classification="restricted",
            score=0.75,
            validate=v.uk_nino,
            context=words("national insurance nino ni"),
            isolated=True,
        ),
        Rule(
            "uk_nhs",
            "UK_NHS",
            r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b",
            classification="restricted",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.uk_nhs,
            context=words("nhs health patient"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "de_tax_id",
            "DE_TAX_ID",
            r"\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b",
            classification="restricted",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.de_tax_id,
            context=words("steuer steuerid steuer-id idnr identifikationsnummer tin tax"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "de_id_document",
            "DE_ID_CARD",
            r"\b[CFGHJKLMNPRTVWXYZcfghjklmnprtvwxyz0-9]{9}\d\b",
            classification="restricted",
            score=0.4,
            validate=v.de_id_document,
            context=words("ausweis personalausweis ausweisnummer reisepass passport id"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "fr_nir",
            "FR_NIR",
            r"\b[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}\b",
            classification="restricted",
            score=0.8,
            validate=v.fr_nir,
            context=words("nir insee sécurité securite sociale social security"),
            isolated=True,
        ),
        Rule(
            "es_nif",
            "ES_NIF",
            r"\b\d{8}-?[A-Za-z]\b",
            classification="restricted",
            score=0.75,
            validate=v.es_dni,
            context=words("dni nif documento identidad"),
            isolated=True,
        ),
        Rule(
            "es_nie",
            "ES_NIE",
            r"\b[XYZxyz]-?\d{7}-?[A-Za-z]\b",
            classification="restricted",
            score=0.8,
            validate=v.es_dni,
            context=words("nie extranjero"),
            isolated=True,
        ),
        Rule(
            "it_fiscal_code",
            "IT_FISCAL_CODE",
            r"\b[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]\b",
            classification="restricted",
            score=0.9,
            validate=v.it_fiscal_code,
            isolated=True,
        ),
        Rule(
            "nl_bsn",
            "NL_BSN",
            r"\b\d{4}\.?\d{2}\.?\d{3}\b",
            classification="restricted",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.nl_bsn,
            context=words("bsn burgerservicenummer sofinummer sofi"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "in_aadhaar",
            "IN_AADHAAR",
            r"\b[2-9]\d{3} ?\d{4} ?\d{4}\b",
            classification="restricted",
            score=0.6,
            validate=v.in_aadhaar,
            context=words("aadhaar aadhar uidai uid"),
            isolated=True,
        ),
        Rule(
            "in_pan",
            "IN_PAN",
            r"\b[A-Za-z]{3}[ABCFGHLJPTabcfghljpt][A-Za-z]\d{4}[A-Za-z]\b",
            classification="restricted",
            score=0.4,
            validate=v.in_pan,
            context=words("pan permanent account income tax"),
            isolated=True,
        ),
        Rule(
            "ca_sin",
            "CA_SIN",
            r"\b\d{3}[- ]?\d{3}[- ]?\d{3}\b",
            classification="restricted",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.ca_sin,
            context=words("sin social insurance nas"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "au_tfn",
            "AU_TFN",
            r"\b\d{3} ?\d{3} ?\d{2,3}\b",
            classification="restricted",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.au_tfn,
            context=words("tfn tax file"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "au_medicare",
            "AU_MEDICARE",
            r"\b[2-6]\d{3} ?\d{5} ?\d{1,2}\b",
            classification="restricted",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.au_medicare,
            context=words("medicare"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "au_abn",
            "AU_ABN",
            r"\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b",
            classification="confidential",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.au_abn,
            context=words("abn business number"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "us_driver_license",
            "US_DRIVER_LICENSE",
            r"\b(?:[A-Za-z]\d{3,14}|\d{7,9}|\d{4}-\d{2}-\d{4}|\d{3}-\d{3}-\d{3})\b",
            classification="restricted",
            score=0.5,
            context=words("driver driver's drivers license licence dl"),
            needs_context=True,
            isolated=True,
        ),
        # ---- bank accounts ------------------------------------------------------------------------
        Rule(
            "aba_routing",
            "ABA_ROUTING_NUMBER",
            r"\b\d{4}-?\d{4}-?\d\b",
            classification="restricted",
            score=0.45,  # checksum-validated, with its own context word
            validate=v.aba_routing,
            context=words("routing aba rtn transit"),
            needs_context=True,
            isolated=True,
        ),
        Rule(
            "us_bank_account",
            "US_BANK_NUMBER",
            r"\b\d{8,17}\b",
            classification="restricted",
            score=0.3,
            context=words("account acct bank checking savings"),
            negative=words("order invoice ticket tracking customer"),
            needs_context=True,
            isolated=True,
        ),
    ]


def _email_ok(value: str) -> bool:
    domain = value.rsplit("@", 1)[1].lower()
    # file@2x.png and similar asset names are not addresses
    return domain.rsplit(".", 1)[1] not in _FILE_EXTENSIONS


_FILE_EXTENSIONS = frozenset(
    [
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "js",
        "ts",
        "css",
        "map",
        "json",
        "txt",
        "md",
        "py",
        "rb",
        "go",
        "rs",
        "java",
        "class",
        "jar",
        "zip",
        "gz",
    ]
)
