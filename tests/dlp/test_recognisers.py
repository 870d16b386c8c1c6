"""Names, places and organisations, and the secret forms added for quality: each case is one
behaviour of names.py or credentials.py that a regression would break. Key-shaped strings are
generated here at run time, never written as literals."""

from __future__ import annotations

import string
from collections.abc import Iterator

import pytest

from interlock.dlp.config import DlpPolicy
from interlock.dlp.engine import Engine
from interlock.dlp.policy import compile_policy
from tests.dlp.corpus import Gen

ALNUM = string.ascii_letters + string.digits


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    yield compile_policy(DlpPolicy()).engine


def found(engine: Engine, text: str, entity: str | None = None) -> list[tuple[str, str]]:
    return [
        (f.entity, text[f.start : f.end])
        for f in engine.scan(text)
        if entity is None or f.entity == entity
    ]


# ---- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Please change it to Soib K. Kishiev", ["Soib K. Kishiev"]),  # middle initial
        ("Regards,\nEinojuhani Pyysalo\n", ["Einojuhani Pyysalo"]),  # a line holding a name
        ("What's your name? Pauline Geisler", ["Pauline Geisler"]),  # "What's" is no name
        ("I'm Bojka Žilih, originally from Lyon.", ["Bojka Žilih"]),
        ("Verses from Yuri Bulgakov's tales. Nothing beats early Bulgakov!", None),
        ("my name is lena andersson and i need help", ["lena andersson"]),  # lower case
        ("Our 3 founders: Morrison, Rogers and Torres.", ["Morrison", "Rogers", "Torres"]),
        ("Timotea lives on the coast.", ["Timotea"]),  # unknown name, a person's verb after
        # two proper nouns no list knows, mid-sentence
        ("Give the keys back to Zorvat Kemblish tomorrow.", ["Zorvat Kemblish"]),
        ("Winners\n1. Zorvat Kemblish\n2. Quillon Tarvesh", ["Zorvat Kemblish", "Quillon Tarvesh"]),
        ("Passenger name: Quillon Tarvesh\nSeat: 14C", ["Quillon Tarvesh"]),  # a form field
        ("The parcel was signed for by Ms Sour yesterday.", ["Sour"]),  # title + common word
        ("Prosecutors say True A. Poon moved the money.", ["True A. Poon"]),
        ("I need a reference letter for Kemblish, who worked here.", ["Kemblish"]),
        ("Remind Ruthvik that the rent is due.", ["Ruthvik"]),
        ("winners\n1. dr vaci\n2. ms legaspi", ["dr vaci", "ms legaspi"]),  # lower case
        ("greta is my neighbour", ["greta"]),
        ("hi john", ["john"]),  # not "hi john": "hi" is no name
        # a name typed in lower case in a text that is not all lower case, after a cue
        ("My name is john smith and I need help.", ["john smith"]),
        ("Hi anna, the report is attached.", ["anna"]),
        ("I met Sherlock Holmes. Detect the problem.", ["Sherlock Holmes"]),  # sentences end runs
        # an e-mail address that repeats the name
        ("From: Zorvat Kemblish <z.kemblish@example.com>\nSubject: refund", ["Zorvat Kemblish"]),
        ("[10:42] Quillon: can someone restart the db?", ["Quillon"]),  # a chat log's speaker
        ("Kemblish approved the change request.", ["Kemblish"]),  # a colleague's verb after
        ("According to Nakamura, the team finished early.", ["Nakamura"]),  # a town too
        # a list item no list knows, shaped like a name (name_shape.py); not the heading
        ("Winners\n1. Vehbija\n2. Zorvat Kemblish", ["Vehbija", "Zorvat Kemblish"]),
        ("Zorvat and I went to school together.", ["Zorvat"]),  # "and I": a person
        ("Is this Kemblish's phone?", ["Kemblish"]),  # "this" is the phone's
        ("Best,\n\nQuillon", ["Quillon"]),  # the signature after a closing
        ("Prosecutors say Zorvat moved the money.", ["Zorvat"]),
        ("Assigned: J. Kemblish\nStatus: open", ["J. Kemblish"]),  # an initial starts a name
        ("Can you reply to this email from Zorvat?", ["Zorvat"]),
        ("Zorvat, can you check ticket 4821?", ["Zorvat"]),  # addressed
        ("Kemblish is a very kind person.", ["Kemblish"]),
        ("Enrico shouted at Zorvat: stop!", ["Enrico", "Zorvat"]),
        # two words shaped like names, coordinated, doing what people do
        ("Vehbija and Muslija were engineers.", ["Vehbija", "Muslija"]),
        ("Warrane, can I please speak to your boss?", ["Warrane"]),
        ("Don't go to town, Kemblish!", ["Kemblish"]),
        ("Emily Ford said the invoice is late.", ["Emily Ford"]),  # "ford": a street word
        ("- Vehbija to send the budget", ["Vehbija"]),  # an action item's owner
        ("Zorvat (sales) will join the call.", ["Zorvat"]),  # a team in parentheses
        ("Cc: Abella Petges\nPlease review the draft.", ["Abella Petges"]),  # "Cc" is a label
        ("INFO login ok user=Harlis.Zorvat ip=10.1.2.3", ["Harlis", "Zorvat"]),  # dotted
        ("Action items: Vehbija to draft the plan; Muslija to call Acme.", ["Vehbija", "Muslija"]),
        ("I spoke with Dafne Tower yesterday.", ["Dafne Tower"]),  # a head noun as surname
        ("Assign the bug to Zorvat and close it.", ["Zorvat"]),  # "assign … to": a person
        # first names that are words too ("mark", "grace"), with a strong cue
        ("Hi Mark, the invoice is attached.", ["Mark"]),
        ("Thanks, Bill", ["Bill"]),
        ("Grace approved the change.", ["Grace"]),
        ("Hi Mark Brown, the invoice is attached.", ["Mark Brown"]),
        # an item between two people in a list
        (
            "Attendees: Rosalind Tyrrell, Kemblish, Benedikt Sauter",
            ["Rosalind Tyrrell", "Kemblish", "Benedikt Sauter"],
        ),
    ],
)
def test_people(engine: Engine, text: str, names: list[str] | None) -> None:
    people = [value for _, value in found(engine, text, "PERSON")]
    if names is None:  # "Bulgakov" alone is the surname of the person named before
        assert people == ["Yuri Bulgakov", "Bulgakov"]
    else:
        assert people == names


@pytest.mark.parametrize(
    "text",
    [
        "France was super fun to visit!",  # a country is a place even where France is a name
        "We'll meet Thursday at 10 in the lobby.",
        "He lives on the north side of Joaquin Suarez 2906.",  # a street with a house number
        "Send it to LONDON office.",
        "How can I reset it? What does the error mean?",
        "There's a nice new German place downtown.",
        "Hi team, the WhatsApp and TikTok exports use NextAuth and a ConsoleModel class.",
        "In Python, how do I call Jenkins from Kubernetes?",
        "I'm flying to San Francisco and then London.",
        # sentence-initial capitals are not a word's own: dictionary words are no names
        "Imagine you are a detective. Detect the problem, then Configure the server.",
        "Beneficiary: see below",
        "my iban is below",
        "Ask Claude to summarise it for Gemini users.",
        "The plumber visited on Jan 3 and left.",  # a month, not Jan
        "Who owns the Atlas project? Meeting with the Oslo team.",  # a thing's name after "the"
        "Meet me at 34151 Nybyvägen 65 Apt. 392",  # a street between house numbers
        "Why?\nA. Loud sounds\nB. Late hour\nC. Low lighting",  # lettered options
        "Is the U.S. Army bigger?",
        "### Prometheus and Grafana\n- Follow the metric naming rules",
        "CARDHOLDER: see the card\nEXPIRY: 12/29",  # a label in capitals, not a speaker
        "- Docker to be upgraded on Monday",
        "Great Lakes Regional Sales: targets exceeded.",  # a common word inside: a heading
        "The Ames Data Center will be offline on Wednesday.",  # a place's head noun
        "Apollo is going live in June.",  # what releases do
        "Please send a new one to Zorvat 176 Pinto Hill",  # a street before its number
        "Our team stays at Gran Vía.",
        "Thanks, Hope this helps. Mark the task as done. Will you check it?",
        "Report back to NASA about it.",
        "Will Power is a book. The Grace Period ends.",
        "Questions about Grafana go to grafana-help@example.com",  # a product's address
    ],
)
def test_not_people(engine: Engine, text: str) -> None:
    assert found(engine, text, "PERSON") == []


def test_places_and_firms(engine: Engine) -> None:
    assert found(engine, "She moved here from Czech Republic") == [("LOCATION", "Czech Republic")]
    assert found(engine, "He spent a year at Smith, Jones and Lee.") == [
        ("ORGANIZATION", "Smith, Jones and Lee")
    ]
    assert found(engine, "I live in United Kingdom.") == [("LOCATION", "United Kingdom")]
    assert ("LOCATION", "Liiva") in found(engine, "Ship it to Jahu 80, Liiva")
    assert found(engine, "Ticket 4521, Maria Garcia reported it") == [("PERSON", "Maria Garcia")]
    assert found(engine, "We moved here from Tjæreborg") == [("LOCATION", "Tjæreborg")]
    assert found(engine, "we moved here from tunisia") == [("LOCATION", "tunisia")]
    assert found(engine, "I work for Cloudmade") == [("ORGANIZATION", "Cloudmade")]
    assert found(engine, "Plotwatt is a design agency") == [("ORGANIZATION", "Plotwatt")]
    # the phrase ends at the firm's noun: whatever the lists say of its words
    assert found(engine, "Berkshire Hathaway is a design agency based in Oslo.")[0] == (
        "ORGANIZATION",
        "Berkshire Hathaway",
    )
    assert found(engine, "Ship it to Király u. 15, Budapest")[0] == ("LOCATION", "Király")
    assert found(engine, "Favian Rangel from Drake PLC is the keynote speaker") == [
        ("PERSON", "Favian Rangel"),
        ("ORGANIZATION", "Drake PLC"),
    ]
    assert found(engine, "Butler-Peters is an investment bank") == [
        ("ORGANIZATION", "Butler-Peters")
    ]
    # a legal form makes a company of common words; a head noun alone does not
    assert found(engine, "I work for 48 Factoring Inc") == [("ORGANIZATION", "48 Factoring Inc")]
    assert found(engine, "The Software is great. Keyword Research helps.") == []
    assert ("LOCATION", "Reguengos de Monsaraz") in found(
        engine, "Mr. Auðbjörnsson flew to Reguengos de Monsaraz on Tuesday."
    )
    assert found(engine, "Verda lives on Boulevard de Normandie.") == [
        ("PERSON", "Verda"),
        ("LOCATION", "Normandie"),
    ]


# ---- secrets ------------------------------------------------------------------------------------


def _secrets(engine: Engine, text: str) -> list[tuple[str, str]]:
    return [(f.rule, text[f.start : f.end]) for f in engine.scan(text) if f.entity == "SECRET"]


def test_more_provider_formats() -> None:
    g = Gen(23)
    engine = compile_policy(DlpPolicy()).engine
    upper32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    cases = {
        "cf" + "at_" + g.pick(ALNUM, 48): "cloudflare-api-token",
        "tv" + "ly-" + g.pick(ALNUM, 32): "tavily-api-key",
        "PM" + "AT-" + g.pick(string.ascii_uppercase + string.digits, 26): "postman-api-key",
        "S" + "U" + g.pick(upper32, 56): "nats-nkey-seed",
        "ph" + "c_" + g.pick(ALNUM, 43): "posthog-api-key",
        "1/" + "/0" + g.pick(ALNUM + "_-", 60): "google-oauth-refresh-token",
    }
    for key, rule in cases.items():
        assert _secrets(engine, f"key: {key} (rotated)") == [(rule, key)], key


def test_secret_contexts(engine: Engine) -> None:
    g = Gen(29)
    pw = "Q" + g.pick(ALNUM, 9) + "!7"
    token = g.pick(ALNUM, 30) + "9"
    cases = {
        f"PSWD:={pw}": "password-assignment",  # a password name spelt short
        f"my_pw: {pw}": "password-assignment",
        f"98.76.54.32(pw:{pw})": "password-assignment",  # the ")" is not part of it
        f'def connect(passwd: str = "{pw}"):': "password-assignment",  # a typed default
        f'if password == "{pw}":': "password-assignment",
        f'#define PASSWORD "{pw}"': "secret-definition",
        f"<password>{pw}</password>": "xml-secret",
        f'<add key="DbPassword" value="{pw}" />': "xml-secret",
        f"CREATE USER app IDENTIFIED BY '{pw}';": "sql-password",
        f"ALTER ROLE app WITH PASSWORD '{pw}';": "sql-password",
        f"env:\n  - name: DB_PASSWORD\n    value: {pw}\n": "env-list-secret",
        f"machine db.internal login deploy password {pw}": "netrc-password",
        f'$s = ConvertTo-SecureString "{pw}" -AsPlainText -Force': "powershell-secure-string",
        f'token = os.getenv("API_TOKEN", "{token}")': "env-default-secret",
        f"TWITTER_CONSUMER={token}": "twitter-credential",
    }
    for text, rule in cases.items():
        value = token if token in text else pw
        assert _secrets(engine, text) == [(rule, value)], text


@pytest.mark.parametrize(
    "text",
    [
        "ssh -p 2222 deploy@host",  # a port
        '"pass_mask32": "0x31c45018",',  # a bit mask
        "twitter_handle = 'somebody_at_work'",  # no generated-looking value
        "key: AKIA" + "IOSFODNN7EXAMPLE",  # documentation keys
        "figd_" + "x" * 40,
        "password: <PostgreSQL PW>",
        "wx" + "1234567890abcdef",  # a WeChat app id is an identifier
        "'detect-secrets = detect_secrets.main:detect_secrets'",  # an entry point
        "value: AKIA" + "TEST" * 4,  # a test key
    ],
)
def test_secret_look_alikes(engine: Engine, text: str) -> None:
    assert _secrets(engine, text) == []


def test_sealed_secrets_are_ciphertext(engine: Engine) -> None:
    g = Gen(31)
    sealed = "Ag" + g.pick(ALNUM + "+/", 400)
    assert _secrets(engine, f"  SECRET: {sealed}\n") == []
