"""Generated training text for the name recogniser's trained PERSON decision.

Generic enterprise templates (support tickets, e-mails, chat, logs, CVs, addresses, meeting
notes, reviews, news-like prose) with people sampled from the shipped gazetteer, made-up names
no list knows, and plenty of capitalised words that are not people: products, places, months,
weekdays, acronyms, code names, teams, companies and sentence-initial words. Every PERSON span
is labelled. Deterministic for a seed. None of this comes from the evaluation sets.

    .venv/bin/python scripts/synth_dlp_names.py --n 5 --seed 1   # print a few
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = ROOT / "src" / "interlock" / "dlp" / "data" / "gazetteer.json.xz"


def _list(text: str) -> list[str]:
    return text.split()


# {P} a person (any form), {F} a first name, {L} a surname, {FL} first and last name;
# everything else in braces is a capitalised non-person from the lists below.
TEMPLATES = [
    # e-mail and letters
    "Hi {F},\n\nThanks for the update on {PROD}. I spoke with {P} and we agreed to move the "
    "rollout to {MON}.\n\nBest,\n{FL}",
    "Dear {TITLE} {L},\n\nYour order from {ORG} has shipped to {CITY}. Please contact {P} if "
    "anything is missing.\n\nKind regards,\n{FL}\n{ORG}",
    "Hello {F}, can you forward this to {P}? {F2} asked about the {ACR} export again.",
    "From: {FL} <{EMAIL}>\nTo: {FL2}\nSubject: {PROD} renewal\n\n{F2}, see attached quote.",
    "Sincerely,\n{P}\nHead of {DEPT}, {ORG}",
    "Thanks {F}! I'll loop in {P} from {DEPT} before {DAY}.",
    "Cc: {P}; {P2}\nPlease review the {ACR} draft before {DAY}.",
    "{F}, could you ask {L2} whether the {CITY} office still uses {PROD}?",
    # support tickets
    "Ticket #{NUM}: Customer {P} reports that {PROD} crashes on login since {MON} {DAYNUM}.",
    "Assigned to: {P}\nReporter: {P2}\nComponent: {PROD}\nPriority: High",
    "Caller {FL} from {CITY} says the {ACR} token expired. Escalated to {P2}.",
    "The customer, {P}, wants a refund for the {PROD} subscription.",
    "{P} called again about invoice {NUM}; {F2} promised a callback on {DAY}.",
    "Please reset the password for user {FL} ({EMAIL}) and notify {P2}.",
    "Update from {F}: the {CODENAME} migration is blocked on {ORG} support.",
    # chat
    "{F}: are we still on for {DAY}?\n{F2}: yes, {L} booked the room in {CITY}.",
    "@{F} can you review {L2}'s PR for {PROD}?",
    "lol {F} just said {CODENAME} is going live in {MON}",
    "{FL} joined the channel. {F} invited {P2}.",
    "ok, ping {F} when {PROD} is back up",
    # logs
    "{DATE} INFO auth: login ok user={F}.{L} ip={IP} app={PROD}",
    "{DATE} WARN billing: card declined for {FL} (account {NUM}) region={CITY}",
    "{DATE} ERROR {PROD} worker failed; on-call {P} paged via {PROD2}",
    "Approved by {P} on {MON} {DAYNUM}, build {NUM} of {CODENAME}",
    # CVs and HR
    "{FL}\n{CITY}, {COUNTRY}\nSenior Engineer at {ORG} ({YEAR}-present). Skills: {ACR}, {PROD}.",
    "Candidate: {P}. Referred by {P2}. Interviewed in {CITY} on {DAY}.",
    "{P} worked at {ORG} in {CITY} before joining our {DEPT} team.",
    "Employee {FL}, manager {P2}, start date {MON} {DAYNUM}, location {CITY}.",
    "References available from {P} ({ORG}) and {P2}.",
    "Emergency contact: {P}, relationship: {REL}.",
    # addresses
    "Ship to: {FL}, {NUM} {STREET} Street, {CITY}, {COUNTRY}",
    "{P}\n{NUM} {STREET} Road\n{CITY}\n{COUNTRY}",
    "Please update the billing address for {P} to {NUM} {STREET} Avenue, {CITY}.",
    # meeting notes
    "Attendees: {P}, {P2}, {FL3}\nAgenda: {CODENAME} status, {ACR} audit, {PROD} licences.",
    "Action items: {F} to draft the {ACR} plan; {F2} to call {ORG}; {L3} to book {CITY}.",
    "Minutes ({MON} {DAYNUM}): {P} presented the {CODENAME} roadmap. {P2} raised {ACR} risks.",
    "Next sync {DAY} with {P} and the {DEPT} team at {ORG}.",
    # prose, news, reviews
    "{P} said the {ORG} deal would close in {MON}.",
    "According to {P}, {PROD} was never meant for {CITY}.",
    "{FL}, the {ROLE} at {ORG}, told reporters that {CODENAME} is on track.",
    "My name is {FL} and I live in {CITY}.",
    "I'm {F}, I work for {ORG} in {CITY}.",
    "This is {P}; I manage {PROD} for {COUNTRY}.",
    "Ask {P} about the {CITY} lease before {MON}.",
    "{P} and {P2} were promoted after the {CODENAME} launch.",
    "The report by {P} covers {COUNTRY}, {COUNTRY2} and {CITY}.",
    "We met {P} at the {ORG} booth in {CITY} last {MON}.",
    "{F} loved the new {PROD}; {F2} still prefers {PROD2}.",
    "I talked to {P} yesterday and {PRON} agreed to sign.",
    "Review by {P}: {PROD} is great but support from {ORG} is slow.",
    "Photo: {P} / {ORG}",
    "Written by {P}, edited by {P2}.",
    "The song by {P} reached number one in {COUNTRY}.",
    "In {YEAR}, {P} founded {ORG} in {CITY}.",
    "{P}'s account was locked after three failed {ACR} attempts.",
    "Congratulations to {P} on ten years at {ORG}!",
    "Is {F} coming to {CITY} on {DAY}?",
    "Tell {F} that {PROD} is down.",
    "Why did {P} cancel the {CODENAME} demo?",
    # no people at all: hard negatives
    "Deploy {CODENAME} to {CITY} on {DAY}; {ACR} checks must pass first.",
    "The {PROD} release notes for {MON} mention {ACR} and {PROD2}.",
    "{ORG} opened a new office in {CITY}, {COUNTRY}.",
    "Project {CODENAME} moves to phase two in {MON}.",
    "Operation {CODENAME} was approved by the {DEPT} board.",
    "Please migrate {PROD} from {CITY} to {CITY2} before {DAY}.",
    "{DEPT} Weekly Report\nRevenue in {COUNTRY} grew; {PROD} usage doubled in {MON}.",
    "Note: {PROD} {VERSION} requires {ACR} {VERSION2} or later.",
    "Customer Success Playbook: Onboarding for {ORG} Accounts",
    "Quarterly Business Review, {MON} {YEAR}, {ORG} and {ORG2}",
    "The {CITY} Data Center will be offline on {DAY} for {ACR} maintenance.",
    "Welcome to {PROD}! Click Settings, then Security, then Enable {ACR}.",
    "Error: {PROD} could not reach {HOST} ({ACR} handshake failed).",
    "Thanks for contacting {ORG} Support. Your case about {PROD} is open.",
    "Our {CODENAME} pilot with {ORG} ends in {MON}.",
    "Great Lakes Regional Sales: {CITY}, {CITY2} and {COUNTRY} exceeded targets.",
    "Budget Approval Needed: {DEPT} requests {NUM} USD for {PROD} licences.",
]
PRODUCTS = _list(
    "Salesforce Outlook Teams Zoom Jira Confluence Slack Tableau Workday ServiceNow Okta "
    "Zendesk HubSpot Snowflake Databricks Kubernetes Terraform Grafana Kibana Splunk Datadog "
    "SharePoint OneDrive Dropbox Figma Notion Asana Trello Bitbucket Postman Excel PowerPoint "
    "Photoshop Chrome Firefox Safari Android iPhone Windows MacBook Pixel Galaxy Kindle Alexa "
    "Copilot Gemini Claude Bedrock Vertex Lambda Redshift BigQuery Airflow Jenkins Sentry"
)
ACRONYMS = _list(
    "SSO MFA VPN API SLA GDPR HIPAA SOC KPI ROI CRM ERP HR IT QA UAT CSV PDF JSON XML SQL "
    "AWS GCP EU US UK NDA RFP SOW PO ETA FAQ OKR CI CD DNS TLS SSH LDAP SAML OAuth"
)
CODENAMES = _list(
    "Kestrel Falcon Phoenix Atlas Orion Apollo Hermes Titan Nova Aurora Zephyr Borealis "
    "Mercury Gemini Polaris Voyager Pegasus Sirius Vega Lynx Osprey Heron Condor Raven Cobalt "
    "Granite Maple Willow Cedar Sequoia Everest Matterhorn Blackbird Nighthawk Sparrow"
)
DEPTS = _list(
    "Finance Engineering Marketing Sales Legal Procurement Security Operations Compliance "
    "Research Support Facilities Payroll Infrastructure Platform"
)
ORG_HEADS = _list("Acme Globex Initech Umbrella Stark Wayne Wonka Hooli Vandelay Cyberdyne Soylent")
ORG_TAILS = ["Inc", "Ltd", "GmbH", "Corp", "Group", "Systems", "Labs", "Bank", "Holdings", ""]
MONTHS = _list(
    "January February March April May June July August September October November December"
)
DAYS = _list("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
TITLES = ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Mr", "Ms", "Dr"]
ROLES = ["CEO", "CTO", "head of sales", "lead engineer", "spokesperson", "analyst"]
RELATIONS = ["spouse", "mother", "father", "sister", "brother", "friend"]
PRONOUNS = ["she", "he", "they"]
STREETS = _list("Oak Maple Elm High Church Station Mill Park Victoria King Queen Bridge")
# Templates for evaluation only (scripts/eval_dlp_names.py), never trained on: people in the
# positions presidio-research's dev templates do not have (objects of verbs and prepositions,
# appositions, possessives, list items, form fields, table rows, headlines). Even indexes are
# the ones whose errors may be read while tuning, odd ones are only scored.
EVAL_TEMPLATES = [
    "Can you check whether the refund for {P} went through?",
    "I'm calling on behalf of {P}, who is in hospital this week.",
    "The package was signed for by {P} yesterday afternoon.",
    "Please cancel the appointment with {P} on {DAY}.",
    "Transfer 500 dollars to {P} from my savings account.",
    "{P} is no longer authorised to use this account.",
    "My husband {P} lost his card at the airport.",
    "Add my daughter, {P}, to the family plan please.",
    "I spoke to your agent {P} last week and she promised a callback.",
    "Who is {P}? I never authorised that person.",
    "Is {P} still listed as the account holder?",
    "Please send the documents to {P} at the {CITY} branch.",
    "Written by {P} in the winter of 1968, it was never released.",
    "According to {P}, the band broke up over money.",
    "The solo was played by {P}, not by the session guitarist.",
    "Few people know that {P} produced the whole album.",
    "It was {P} who suggested the title of the record.",
    "Even {P} admitted the lyrics made no sense.",
    "After {P} left the group, nothing was the same again.",
    "I saw {P} perform this live in 1994 and it was unforgettable.",
    "The biography of {P} mentions this song twice.",
    "Both {P} and {P2} claimed to have written the hook.",
    "{P}'s old guitar is now in a museum in {CITY}.",
    "A cover version by {P} reached number three in {MON}.",
    "Thanks to {P} for sending me this one!",
    "Police are looking for {P}, 34, who was last seen on {DAY}.",
    "{P}, a spokesperson for the council, declined to comment.",
    "The award went to {P} for the second year running.",
    "Prosecutors say {P} moved the money abroad in {YEAR}.",
    "In a statement, {P} apologised to the fans.",
    "{P}: Can you send me the report before lunch?",
    "Hey {F}, are you coming tonight?",
    "Ask {P} if the car is ready to be picked up.",
    "I think {P} knows the wifi password.",
    "Did {P} call back about the leak?",
    "Patient: {P}\nDOB: 1981-02-03\nWard: 4B",
    "Passenger name: {P}\nSeat: 14C\nGate: B22",
    "Best wishes,\n{P}",
    "Signed: {P}\nDate: {MON} {DAYNUM}",
    "Participants: {P}, {P2}, {P3}",
    "Winners\n1. {P}\n2. {P2}\n3. {P3}",
    "| {P} | Sales | {YEAR} |\n| {P2} | Support | {YEAR} |",
    "Beneficiary: {P}\nIBAN to follow",
    "Account holder {P} requested a new statement.",
    "To: {P}\nSubject: overdue invoice",
    "This is {P}'s second solo album.",
    "We stayed at {P}'s house over the summer.",
    "The dog belongs to {P}, not to me.",
    "Give the keys back to {P} tomorrow.",
    "Without {P}, the project would have failed.",
    "Is this {P}'s phone? It was left in the meeting room.",
    "Meeting notes from {P}, {MON} {DAYNUM}",
    "We hired {P} as our new accountant.",
    "The contract was drafted by {P} and reviewed by {P2}.",
    "My landlord, {P}, refuses to return the deposit.",
    "Can I book a table for four under the name {P}?",
    "{P} and I went to school together in {CITY}.",
    "Please update the emergency contact to {P}.",
    "Interview with {P} about the making of the album",
    "Our sincere condolences to {P} and the family.",
    "The lead vocals are by {P}, who was only 17 at the time.",
    "Congratulations to {P} on the promotion!",
    "I need a reference letter for {P}, who worked here for two years.",
    "{P} wrote back saying the order never arrived.",
    "Remind {P} that the rent is due on {DAY}.",
    "Rumour has it that {P} hated this song.",
    "The painting was bought by {P} at an auction in {CITY}.",
    "Has anyone heard from {P} since {MON}?",
    "{P} (sales) and {P2} (legal) will join the call.",
    "Shout-out to {P} for fixing the build!",
]
_SLOT = re.compile(r"\{([A-Z]+)(\d?)\}")
_SYLLABLES = _list("ka lo mi ra ne to sa vi de lu an el or ik ma zu be ti go ha ya")


@dataclass
class Doc:
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        with lzma.open(GAZETTEER, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        common = set(data["common_words"])
        plain = re.compile(r"[A-Z][a-z]{2,11}\Z")
        # mostly names of the everyday kind (ASCII, 3-12 letters), some of any kind
        self.first = sorted(w for w in data["first_names"] if plain.match(w))
        self.last = sorted(w for w in data["last_names"] if plain.match(w))
        self.first_any = sorted(data["first_names"])
        self.last_any = sorted(data["last_names"])
        self.first_common = sorted(w for w in self.first if w.lower() in common)
        self.last_common = sorted(w for w in self.last if w.lower() in common)
        self.places = sorted(p for p in data["places"] if plain.match(p))
        self.regions = sorted(p for p in data["regions"] if " " not in p)

    def _made_up(self) -> str:
        """A name no list knows: the model must learn it from context."""
        n = self.rng.choice((2, 2, 3))
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(n)).capitalize()

    def first_name(self) -> str:
        r = self.rng.random()
        if r < 0.1:
            return self._made_up()
        if r < 0.18 and self.first_common:
            return self.rng.choice(self.first_common)  # "Will", "Grant", "Rose"
        if r < 0.3:
            return self.rng.choice(self.first_any)
        return self.rng.choice(self.first)

    def last_name(self) -> str:
        r = self.rng.random()
        if r < 0.12:
            return self._made_up()
        if r < 0.2 and self.last_common:
            return self.rng.choice(self.last_common)  # "Park", "Brown", "White"
        if r < 0.32:
            return self.rng.choice(self.last_any)
        return self.rng.choice(self.last)

    def person(self) -> str:
        rng, r = self.rng, self.rng.random()
        if r < 0.45:
            return f"{self.first_name()} {self.last_name()}"
        if r < 0.55:
            return f"{self.first_name()} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {self.last_name()}"
        if r < 0.65:
            return f"{rng.choice(TITLES)} {self.last_name()}"
        if r < 0.8:
            return self.first_name()
        if r < 0.88:
            return self.last_name()
        if r < 0.94:
            return f"{self.first_name()} {self.last_name()}-{self.last_name()}"
        return f"{self.first_name()} {self.first_name()} {self.last_name()}"

    def org(self) -> str:
        rng = self.rng
        head = rng.choice(ORG_HEADS) if rng.random() < 0.6 else rng.choice(self.last)
        return f"{head} {rng.choice(ORG_TAILS)}".strip()

    def fill(self, slot: str) -> tuple[str, bool]:
        rng = self.rng
        person = {
            "P": self.person,
            "F": self.first_name,
            "L": self.last_name,
            "FL": lambda: f"{self.first_name()} {self.last_name()}",
        }
        if slot in person:
            return person[slot](), True
        other = {
            "TITLE": lambda: rng.choice(TITLES),
            "PROD": lambda: rng.choice(PRODUCTS),
            "ACR": lambda: rng.choice(ACRONYMS),
            "CODENAME": lambda: rng.choice(CODENAMES),
            "DEPT": lambda: rng.choice(DEPTS),
            "ORG": self.org,
            "MON": lambda: rng.choice(MONTHS),
            "DAY": lambda: rng.choice(DAYS),
            "CITY": lambda: rng.choice(self.places),
            "COUNTRY": lambda: rng.choice(self.regions),
            "STREET": lambda: rng.choice(STREETS),
            "ROLE": lambda: rng.choice(ROLES),
            "REL": lambda: rng.choice(RELATIONS),
            "PRON": lambda: rng.choice(PRONOUNS),
            "NUM": lambda: str(rng.randint(10, 99999)),
            "DAYNUM": lambda: str(rng.randint(1, 28)),
            "YEAR": lambda: str(rng.randint(1990, 2026)),
            "DATE": lambda: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
            "IP": lambda: f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "EMAIL": lambda: f"{rng.choice(self.first).lower()}@example.com",
            "HOST": lambda: f"api-{rng.randint(1, 9)}.internal",
            "VERSION": lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 20)}",
        }
        return other[slot](), False

    def doc(self, templates: list[str] | None = None) -> Doc:
        template = self.rng.choice(templates or TEMPLATES)
        out, spans, pos, filled = [], [], 0, {}
        length = 0
        for m in _SLOT.finditer(template):
            literal = template[pos : m.start()]
            out.append(literal)
            length += len(literal)
            key = m.group(0)
            if key not in filled:  # "{F}" twice in a template is the same person
                filled[key] = self.fill(m.group(1))
            value, is_person = filled[key]
            if is_person:
                spans.append(("PERSON", length, length + len(value)))
            out.append(value)
            length += len(value)
            pos = m.end()
        out.append(template[pos:])
        text = "".join(out)
        if self.rng.random() < 0.05:  # some all-lower-case chat
            text = text.lower()
        return Doc(text, spans)


def generate(n: int, seed: int, templates: list[str] | None = None) -> list[Doc]:
    gen = Generator(seed)
    return [gen.doc(templates) for _ in range(n)]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    for d in generate(args.n, args.seed):
        print(repr(d.text), [d.text[s:e] for _, s, e in d.spans])
