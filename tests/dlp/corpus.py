"""A generated corpus of enterprise prompts with labelled sensitive values and hard negatives.

Support tickets, application logs, code with configuration, SQL results and e-mails, each
filled with values made here (Luhn-valid cards of real issuer ranges, mod-97 IBANs, SSNs that
follow the assignment rules, key-shaped secrets) and with look-alikes that must NOT be found:
Luhn-invalid 16-digit numbers, UUIDs, commit SHAs, ISBNs, order numbers and version strings.
Deterministic for a seed; nothing here is a real person's or a real key.
"""

from __future__ import annotations

import random
import string
import uuid
from dataclasses import dataclass, field

FIRST = [
    "Maria",
    "James",
    "Aisha",
    "Chen",
    "Olga",
    "Pierre",
    "Fatima",
    "Lars",
    "Priya",
    "Diego",
    "Hannah",
    "Kenji",
    "Amara",
    "Tomasz",
    "Elena",
    "Samuel",
    "Ingrid",
    "Rahul",
    "Sofia",
    "Mateo",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Kowalski",
    "Haddad",
    "Fernandes",
    "Novak",
    "Brennan",
    "Schmidt",
    "Patel",
    "Rossi",
    "Andersen",
    "Dubois",
    "Ivanova",
    "Garcia",
]
DOMAINS = ["acme-corp.com", "example.org", "mail.globex.io", "initech.co.uk", "umbrella.de"]
CARD_PREFIXES = [
    ("4", 16),
    ("51", 16),
    ("55", 16),
    ("2221", 16),
    ("34", 15),
    ("37", 15),
    ("6011", 16),
    ("3530", 16),
]


@dataclass
class Doc:
    kind: str
    text: str = ""
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # expected (type, start, end)
    negatives: list[tuple[str, int, int]] = field(default_factory=list)  # look-alikes (kind, span)

    def add(self, piece: str) -> None:
        self.text += piece

    def value(self, entity: str, value: str) -> None:
        self.spans.append((entity, len(self.text), len(self.text) + len(value)))
        self.text += value

    def decoy(self, kind: str, value: str) -> None:
        self.negatives.append((kind, len(self.text), len(self.text) + len(value)))
        self.text += value


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def pick(self, alphabet: str, n: int) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def luhn(self, prefix: str, length: int, valid: bool = True) -> str:
        body = prefix + self.pick(string.digits, length - len(prefix) - 1)
        for d in string.digits:
            c = body + d
            total = sum(
                (int(x) * 2 - 9 if int(x) * 2 > 9 else int(x) * 2) if i % 2 else int(x)
                for i, x in enumerate(reversed(c))
            )
            if (total % 10 == 0) == valid:
                return c
        raise AssertionError

    def card(self) -> str:
        prefix, length = self.r.choice(CARD_PREFIXES)
        n = self.luhn(prefix, length)
        style = self.r.random()
        if style < 0.4 and length == 16:
            return " ".join(n[i : i + 4] for i in range(0, 16, 4))
        if style < 0.6 and length == 16:
            return "-".join(n[i : i + 4] for i in range(0, 16, 4))
        return n

    def bad_card(self) -> str:
        n = self.luhn("4", 16, valid=False)
        return " ".join(n[i : i + 4] for i in range(0, 16, 4)) if self.r.random() < 0.5 else n

    def iban(self) -> str:
        country, length = self.r.choice(
            [("DE", 22), ("GB", 22), ("FR", 27), ("NL", 18), ("ES", 24)]
        )
        bban = (
            self.pick(string.ascii_uppercase, 4) if country in ("GB", "NL") else ""
        ) + self.pick(string.digits, length - 4 - (4 if country in ("GB", "NL") else 0))
        numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
        check = 98 - int(numeric) % 97
        value = f"{country}{check:02d}{bban}"
        if self.r.random() < 0.5:
            value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def ssn(self) -> str:
        while True:
            area = self.r.randint(1, 899)
            if area != 666:
                return f"{area:03d}-{self.r.randint(1, 99):02d}-{self.r.randint(1, 9999):04d}"

    def email(self) -> str:
        first, last = self.r.choice(FIRST), self.r.choice(LAST)
        return f"{first.lower()}.{last.lower()}{self.r.randint(1, 99)}@{self.r.choice(DOMAINS)}"

    def phone(self) -> str:
        return self.r.choice(
            [
                f"+1 {self.r.randint(201, 989)}-{self.r.randint(200, 999)}-{self.r.randint(1000, 9999)}",
                f"({self.r.randint(201, 989)}) {self.r.randint(200, 999)}-{self.r.randint(1000, 9999)}",
                f"+44 20 {self.r.randint(1000, 9999)} {self.r.randint(1000, 9999)}",
                f"+49 30 {self.r.randint(100000, 999999)}{self.r.randint(10, 99)}",
                f"+33 6 {self.r.randint(10, 99)} {self.r.randint(10, 99)} {self.r.randint(10, 99)} {self.r.randint(10, 99)}",
            ]
        )

    def ipv4(self) -> str:
        return ".".join(str(self.r.randint(1, 254)) for _ in range(4))

    def ipv6(self) -> str:
        return ":".join(f"{self.r.randint(0, 65535):x}" for _ in range(8))

    def person(self) -> str:
        return f"{self.r.choice(FIRST)} {self.r.choice(LAST)}"

    def secret(self) -> tuple[str, str]:
        alnum = string.ascii_letters + string.digits
        kind = self.r.randrange(7)
        if kind == 0:
            return "aws", "AK" + "IA" + self.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        if kind == 1:
            return "github", "gh" + "p_" + self.pick(alnum, 36)
        if kind == 2:
            return "openai", "sk-" + "proj-" + self.pick(alnum + "_-", 100)
        if kind == 3:
            return "slack", "xo" + "xb-" + self.pick(string.digits, 11) + "-" + self.pick(
                string.digits, 12
            ) + "-" + self.pick(alnum, 24)
        if kind == 4:
            return "stripe", "sk" + "_live_" + self.pick(alnum, 24)
        if kind == 5:
            return "google", "AI" + "za" + self.pick(alnum + "_-", 35)
        return "anthropic", "sk-" + "ant-api03-" + self.pick(alnum + "_-", 93) + "AA"

    # ---- look-alikes that must not be found ------------------------------------------------------

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128)))

    def sha(self) -> str:
        return self.pick("0123456789abcdef", 40)

    def isbn(self) -> str:
        digits = "978" + self.pick(string.digits, 9)
        check = (
            10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10
        ) % 10
        n = digits + str(check)
        return f"{n[:3]}-{n[3]}-{n[4:8]}-{n[8:12]}-{n[12]}"

    def order(self) -> str:
        return self.r.choice(
            [
                f"#{self.r.randint(100000, 9999999)}",
                f"ORD-{self.r.randint(10**7, 10**8)}",
                str(self.r.randint(10**8, 10**9)),
            ]
        )

    def version(self) -> str:
        return self.r.choice(
            [
                f"v{self.r.randint(1, 9)}.{self.r.randint(0, 30)}.{self.r.randint(0, 99)}",
                f"{self.r.randint(1, 9)}.{self.r.randint(0, 20)}.{self.r.randint(0, 20)}.{self.r.randint(0, 999)}",
            ]
        )


def ticket(g: Gen) -> Doc:
    d = Doc("support_ticket")
    d.add("Ticket ")
    d.decoy("order", g.order())
    d.add("\nFrom: ")
    d.value("PERSON", g.person())
    d.add(" <")
    d.value("EMAIL_ADDRESS", g.email())
    d.add(">\nHi support, my card ")
    d.value("CREDIT_CARD", g.card())
    d.add(" was charged twice for order ")
    d.decoy("order", g.order())
    d.add(". Please call me back at ")
    d.value("PHONE_NUMBER", g.phone())
    d.add(" or refund to my IBAN ")
    d.value("IBAN_CODE", g.iban())
    d.add(". The app says version ")
    d.decoy("version", g.version())
    d.add(" and the receipt reference is ")
    d.decoy("bad_card", g.bad_card())
    d.add(".\nThanks,\n")
    d.value("PERSON", g.person())
    d.add("\n")
    return d


def log_excerpt(g: Gen) -> Doc:
    d = Doc("log")
    for _ in range(3):
        d.add(
            f"2026-11-{g.r.randint(10, 28)}T10:{g.r.randint(10, 59)}:{g.r.randint(10, 59)}Z INFO request_id="
        )
        d.decoy("uuid", g.uuid())
        d.add(" client=")
        d.value("IP_ADDRESS", g.ipv4())
        d.add(" user=")
        d.value("EMAIL_ADDRESS", g.email())
        d.add(" build=")
        d.decoy("sha", g.sha())
        d.add(" latency_ms=" + str(g.r.randint(5, 900)) + "\n")
    d.add("2026-11-20T10:00:01Z WARN upstream ")
    d.value("IP_ADDRESS", g.ipv6())
    d.add(" retry 3/5 after 1500 ms\n")
    return d


def code(g: Gen) -> Doc:
    d = Doc("code")
    kind, key = g.secret()
    d.add('Why does this fail?\n\n```python\nimport boto3\n\nclient = make_client(\n    api_key="')
    d.value("SECRET", key)
    d.add(f'",  # {kind}\n    timeout=30,\n)\nDB_URL = "postgresql://app:')
    d.value("SECRET", g.pick(string.ascii_letters + string.digits + "!#%", 14))
    d.add('@db.internal:5432/orders"\nVERSION = "')
    d.decoy("version", g.version())
    d.add('"\nREQUEST_ID = "')
    d.decoy("uuid", g.uuid())
    d.add('"\n```\nI pinned commit ')
    d.decoy("sha", g.sha())
    d.add(" and the book ISBN ")
    d.decoy("isbn", g.isbn())
    d.add(" says it should work.\n")
    return d


def sql_result(g: Gen) -> Doc:
    d = Doc("sql")
    d.add(
        "Explain this result:\n| id | name | ssn | card | order_no |\n|----|------|-----|------|----------|\n"
    )
    for i in range(3):
        d.add(f"| {i + 1} | ")
        d.value("PERSON", g.person())
        d.add(" | ")
        d.value("US_SSN", g.ssn())
        d.add(" | ")
        d.value("CREDIT_CARD", g.card())
        d.add(" | ")
        d.decoy("order", g.order())
        d.add(" |\n")
    return d


def email(g: Gen) -> Doc:
    d = Doc("email")
    d.add("Draft a polite reply to this e-mail:\n\nDear ")
    d.value("PERSON", g.person())
    d.add(",\n\nplease update my payroll details. My social security number is ")
    d.value("US_SSN", g.ssn())
    d.add(" and my new account is ")
    d.value("IBAN_CODE", g.iban())
    d.add(". You can reach me on ")
    d.value("PHONE_NUMBER", g.phone())
    d.add(". Our release ")
    d.decoy("version", g.version())
    d.add(" ships next week.\n\nBest regards,\n")
    d.value("PERSON", g.person())
    d.add("\n")
    return d


MAKERS = [ticket, log_excerpt, code, sql_result, email]


def corpus(n: int = 500, seed: int = 7) -> list[Doc]:
    g = Gen(seed)
    return [MAKERS[i % len(MAKERS)](g) for i in range(n)]
