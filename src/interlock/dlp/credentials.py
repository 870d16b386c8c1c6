"""Built-in rules for secrets: provider API keys and tokens, private keys, JWTs, passwords in
connection strings and URLs, and high-entropy values assigned to names like `password`.

Every finding has the entity type SECRET; the rule name says which kind (`github-pat`,
`aws-access-key-id`, `private-key`, …). Provider rules follow gitleaks' default rule set,
rewritten for the engine's pattern subset; the literal prefixes keep them precise.
"""

from __future__ import annotations

import re
from typing import Any

from interlock.dlp import validators as v
from interlock.dlp.rules import Rule

# Values that hold the place of a secret without being one.
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x+|\*+|\.+|-+|_+|#+|<[^>]*>|\{[^}]*\}|\$\{?[\w.:-]+\}?|%\(\w+\)[sd]|%[sd]|%\w+%|\[[^\]]*\]|"
    r"(?:your|my|the|some|a|an|example|sample|dummy|fake|test|placeholder|changeme|change_me|"
    r"redacted|secret|password|passwd|token|null|none|nil|undefined|true|false|todo|tbd|xxx+)"
    r"(?:[_-]?(?:password|passwd|secret|token|key|api[_-]?key|here|value))*)$"
)
_CODE_VALUE = re.compile(
    r"^(?:os\.|env\.|process\.env|getenv|System\.|self\.|this\.|config\.|settings\.)|\(|\)$"
)


_NOT_SECRET_VALUE = re.compile(
    # a hex literal (a bit mask), a template or variable reference, a sealed (encrypted) secret
    r"^(?:0x[0-9a-fA-F]+$|<[A-Za-z]|\{\{|\$\{|\$[A-Za-z_]+$|%\(|A[gQ][A-Za-z0-9+/]{150}|"
    # an entry point: detect_secrets.main:detect_secrets
    r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+:[A-Za-z_]\w*$)"
)


def _real_password(value: str) -> bool:
    value = value.strip("'\"`")
    return (
        len(value) >= 4
        and not _PLACEHOLDER.match(value)
        and not _CODE_VALUE.search(value)
        and not _NOT_SECRET_VALUE.match(value)
    )


def _prose_password(value: str) -> bool:
    """ "my password is hunter2": the value must not read as a word ("the password is
    incorrect", "is required", "is stored in the vault"): a digit or a symbol in it, or an
    upper-case letter after its first."""
    return _real_password(value) and (not value.isalpha() or any(c.isupper() for c in value[1:]))


def _cli_password(value: str) -> bool:
    """`ssh -p 2222` gives a port, not a password."""
    return not value.isdigit() and _real_password(value)


_EXAMPLE = re.compile(
    r"(?i)example|x{6}|([^A])\1{7}|(?:test){3}|1234567|abcdef|012345|43210|deadbeef"
)


def _not_example(value: str) -> bool:
    """Documentation keys ("…EXAMPLE", "figd_xxxx…", "dapi1234567…") are not leaks."""
    return _EXAMPLE.search(value) is None


def _real_token(value: str) -> bool:
    value = value.strip("'\"`")
    if len(value) < 12 or not _real_password(value):
        return False
    if value.isalpha() and (value.islower() or value.isupper()):
        return False  # an identifier, not a random value
    return v.shannon_entropy(value) >= 3.0


# Prefixed provider tokens: (rule name, pattern, caseless)
_PREFIXED: list[tuple[str, str, bool]] = [
    ("openai-api-key", r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}", False),
    ("openai-api-key", r"\bsk-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}", False),
    ("openai-api-key", r"\bsk-[A-Za-z0-9]{48}\b", False),
    ("anthropic-api-key", r"\bsk-ant-(?:api|admin|sid)\d{2}-[A-Za-z0-9_-]{80,120}", False),
    ("aws-access-key-id", r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b", False),
    ("aws-bedrock-api-key", r"\bABSK[A-Za-z0-9+/]{109,269}={0,2}", False),
    ("github-token", r"\bgh[pousr]_[A-Za-z0-9]{36}\b", False),
    ("github-fine-grained-pat", r"\bgithub_pat_[A-Za-z0-9_]{82}\b", False),
    ("gitlab-token", r"\bglpat-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{9})?", False),
    ("gitlab-token", r"\bgl(?:dt|ft|rt|soat|ffct|imt|oas|agent|cbt)-[A-Za-z0-9_-]{20,300}", False),
    ("gitlab-token", r"\bglptt-[0-9a-f]{40}\b", False),
    ("gitlab-runner-registration-token", r"\bGR1348941[A-Za-z0-9_-]{20}\b", False),
    ("slack-token", r"\bxox[abposre]-[A-Za-z0-9-]{10,250}", False),
    ("slack-config-token", r"\bxoxe\.xox[bp]-\d-[A-Za-z0-9]{100,200}", False),
    ("slack-app-token", r"\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+", True),
    (
        "slack-webhook-url",
        r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{20,80}",
        False,
    ),
    ("stripe-secret-key", r"\b(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}\b", False),
    ("stripe-webhook-secret", r"\bwhsec_[A-Za-z0-9]{24,64}\b", False),
    ("gcp-api-key", r"\bAIza[0-9A-Za-z_-]{35}", False),
    ("google-oauth-client-secret", r"\bGOCSPX-[A-Za-z0-9_-]{28}", False),
    ("google-oauth-access-token", r"\bya29\.[0-9A-Za-z_-]{30,}", False),
    ("azure-ad-client-secret", r"\b[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}", False),
    ("azure-storage-account-key", r"AccountKey=[A-Za-z0-9+/]{86}==", False),
    ("azure-sas-token", r"[?&]sig=[A-Za-z0-9%+/]{40,}={0,2}", False),
    ("twilio-api-key", r"\bSK[0-9a-fA-F]{32}\b", False),
    ("sendgrid-api-key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b", False),
    ("npm-access-token", r"\bnpm_[A-Za-z0-9]{36}\b", False),
    ("pypi-upload-token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}", False),
    ("docker-personal-access-token", r"\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}", False),
    ("huggingface-token", r"\bhf_[A-Za-z]{34}\b", False),
    ("huggingface-org-token", r"\bapi_org_[A-Za-z]{34}\b", False),
    ("shopify-token", r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b", False),
    ("digitalocean-token", r"\bdo[opr]_v1_[a-f0-9]{64}\b", False),
    ("databricks-api-token", r"\bdapi[a-f0-9]{32}(?:-\d)?\b", False),
    ("atlassian-api-token", r"\bATATT3[A-Za-z0-9_=-]{100,}", False),
    ("mailchimp-api-key", r"\b[a-f0-9]{32}-us\d{1,2}\b", False),
    ("mailgun-api-key", r"\bkey-[a-f0-9]{32}\b", False),
    ("mailgun-api-key", r"\b[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}\b", False),
    ("postman-api-key", r"\bPMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}\b", False),
    ("linear-api-key", r"\blin_api_[A-Za-z0-9]{40}\b", False),
    ("notion-api-token", r"\bntn_[A-Za-z0-9]{46}\b", False),
    ("vault-token", r"\bhv[sb]\.[A-Za-z0-9_-]{90,300}", False),
    ("grafana-token", r"\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b", False),
    ("grafana-token", r"\bglc_[A-Za-z0-9+/]{32,400}={0,3}", False),
    ("grafana-token", r"\beyJrIjoi[A-Za-z0-9]{70,400}={0,3}", False),
    ("new-relic-key", r"\bNR(?:AK|JS|II)-[A-Za-z0-9-]{19,32}\b", False),
    ("sentry-token", r"\bsntry[us]_[A-Za-z0-9+/=_]{40,}", False),
    ("square-token", r"\b(?:EAAA|sq0atp-|sq0csp-)[A-Za-z0-9_-]{22,60}", False),
    ("facebook-access-token", r"\bEAA[MC][A-Za-z0-9]{100,}", False),
    ("age-secret-key", r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", False),
    ("1password-token", r"\bops_eyJ[A-Za-z0-9+/_-]{250,}={0,3}", False),
    (
        "1password-secret-key",
        r"\bA3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b",
        False,
    ),
    ("perplexity-api-key", r"\bpplx-[A-Za-z0-9]{48}\b", False),
    ("groq-api-key", r"\bgsk_[A-Za-z0-9]{52}\b", False),
    ("xai-api-key", r"\bxai-[A-Za-z0-9]{80}\b", False),
    ("heroku-api-key", r"\bHRKU-[0-9A-Za-z_-]{60}\b", False),
    (
        "heroku-api-key",
        r"\bHRKU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        False,
    ),
    ("alibaba-access-key-id", r"\bLTAI[A-Za-z0-9]{12,20}\b", False),
    ("adobe-client-secret", r"\bp8e-[A-Za-z0-9]{32}\b", False),
    ("airtable-personal-access-token", r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b", False),
    ("clickhouse-cloud-api-secret-key", r"\b4b1d[A-Za-z0-9]{38}\b", False),
    (
        "flyio-access-token",
        r"\b(?:fo1_[\w-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}|fm2_[A-Za-z0-9+/]{100,})",
        False,
    ),
    ("intra42-client-secret", r"\bs-s4t2(?:ud|af)-[a-f0-9]{64}\b", False),
    ("sourcegraph-access-token", r"\bsgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40}\b", False),
    ("typeform-api-token", r"\btfp_[A-Za-z0-9_.=-]{59}\b", False),
    ("gitlab-token", r"\bglcbt-[0-9A-Za-z]{1,5}_[0-9A-Za-z_-]{20}\b", False),
    ("slack-config-token", r"\bxoxe-\d-[A-Za-z0-9]{146}\b", False),
    ("gitlab-session-cookie", r"_gitlab_session=[0-9a-z]{32}\b", False),
    ("posthog-api-key", r"\bph[cx]_[A-Za-z0-9]{43}\b", False),
    ("cloudflare-api-token", r"\bcf(?:at|ut|k)_[A-Za-z0-9]{40,50}\b", False),
    ("tavily-api-key", r"\btvly-(?:dev-)?[A-Za-z0-9]{32}\b", False),
    ("postman-api-key", r"\bPMAT-[A-Z0-9]{26}\b", False),
    ("google-oauth-refresh-token", r"\b1//0[A-Za-z0-9_-]{40,}", False),
    ("nats-nkey-seed", r"\bS[ACNOPUX][A-Z2-7]{56}\b", False),
    ("twitter-bearer-token", r"\bA{20,22}[A-Za-z0-9%]{80,200}", False),
    ("wundergraph-api-key", r"\bcosmo_[a-f0-9]{32}\b", False),
    ("ntlm-authenticate-token", r"\bTlRMTVNTUAAD[A-Za-z0-9+/]{40,}={0,2}", False),
    ("dropbox-api-token", r"\bsl\.[A-Za-z0-9_-]{130,160}", False),
    ("dropbox-api-token", r"\b[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_-]{43}\b", False),
    ("aws-bedrock-api-key", r"\bbedrock-api-key-[A-Za-z0-9+/=]{24,}", False),
    ("artifactory-token", r"\bAKCp[A-Za-z0-9]{69}\b", False),
    ("artifactory-token", r"\bcmVmd[A-Za-z0-9]{59}\b", False),
    ("cloudflare-origin-ca-key", r"\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}", False),
    ("dynatrace-api-token", r"\bdt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}", False),
    ("doppler-api-token", r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}", False),
    ("pulumi-api-token", r"\bpul-[a-f0-9]{40}\b", False),
    ("rubygems-api-token", r"\brubygems_[a-f0-9]{48}\b", False),
    ("sendinblue-api-key", r"\bxkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}\b", False),
    ("telegram-bot-token", r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b", False),
    (
        "discord-bot-token",
        r"\b[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}\b",
        False,
    ),
    (
        "discord-webhook-url",
        r"discord(?:app)?\.com/api/webhooks/\d{10,20}/[A-Za-z0-9_-]{60,}",
        False,
    ),
    (
        "microsoft-teams-webhook",
        r"\.webhook\.office\.com/webhookb2/[a-z0-9@-]{40,}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9-]{36}",
        True,
    ),
    ("supabase-token", r"\bsbp_[a-f0-9]{40}\b", False),
    ("figma-token", r"\bfig[dhu]_[A-Za-z0-9_-]{40,}", False),
    ("planetscale-token", r"\bpscale_(?:tkn|oauth|pw)_[A-Za-z0-9=._-]{32,64}", False),
    ("tailscale-key", r"\btskey-[a-z]+-[A-Za-z0-9]{6,}-[A-Za-z0-9]{16,}", False),
    ("easypost-api-key", r"\bEZ[AT]K[A-Za-z0-9]{54}\b", False),
    ("flutterwave-key", r"\bFLW(?:SECK|PUBK)_TEST-[a-hA-H0-9]{12,32}(?:-X)?", False),
    ("duffel-api-token", r"\bduffel_(?:test|live)_[A-Za-z0-9_=-]{43}", False),
    ("frameio-api-token", r"\bfio-u-[A-Za-z0-9_=-]{64}", False),
    ("readme-api-token", r"\brdme_[a-z0-9]{70}\b", False),
    ("prefect-api-token", r"\bpnu_[A-Za-z0-9]{36}\b", False),
    ("infracost-api-token", r"\bico-[A-Za-z0-9]{32}\b", False),
    ("clojars-api-token", r"\bCLOJARS_[A-Za-z0-9]{60}", True),
    ("scalingo-api-token", r"\btk-us-[A-Za-z0-9_-]{48}\b", False),
    ("openshift-user-token", r"\bsha256~[A-Za-z0-9_-]{43}", False),
    (
        "harness-api-key",
        r"\b(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}\b",
        False,
    ),
    ("hashicorp-tf-api-token", r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}", False),
    ("octopus-deploy-api-key", r"\bAPI-[A-Z0-9]{26}\b", False),
    ("maxmind-license-key", r"\b[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk\b", False),
    ("shippo-api-token", r"\bshippo_(?:live|test)_[a-fA-F0-9]{40}\b", False),
    ("settlemint-token", r"\bsm_(?:aat|pat|sat)_[A-Za-z0-9]{16}\b", False),
    (
        "authress-key",
        r"\b(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][A-Za-z0-9-]{10,32}\.[A-Za-z0-9+/_=-]{30,120}",
        False,
    ),
    ("nuget-api-key", r"\boy2[a-z0-9]{43}\b", False),
]

# Services whose keys have no distinctive prefix: a secret assigned to a name containing the
# service ("DATADOG_API_KEY=…", "twilio.auth_token: …") is named after the service.
_SERVICES = (
    "adafruit|adobe|airtable|algolia|alibaba|asana|atlassian|aws|azure|beamer|bitbucket|bittrex|"
    "cloudflare|codecov|cohere|coinbase|confluence|confluent|contentful|datadog|discord|"
    "droneci|dropbox|etsy|facebook|fastly|finicity|finnhub|firebase|flickr|freshbooks|gitter|"
    "gocardless|groq|heroku|hubspot|intercom|jira|jfrog|kraken|kucoin|launchdarkly|linkedin|"
    "lob|looker|mailgun|mapbox|mattermost|messagebird|meraki|mistral|netlify|newrelic|"
    "new_relic|nytimes|okta|openai|anthropic|plaid|posthog|rapidapi|salesforce|sendbird|"
    "sentry|snyk|sonar|squarespace|sumo|telegram|together|travis|twilio|twitch|twitter|"
    "typeform|yandex|zendesk|gemini|google|gcp|github|gitlab|slack|stripe|akamai|tencent"
)
# name[suffix] ["'] [: type] (= | : | => | := | == | != | ||) ["'`] value
_ASSIGN = (
    r"""[\w.-]{0,30}["']?(?:\s{0,3}:\s{0,3}[A-Za-z_][\w.\[\]]{0,20})?\s{0,3}"""
    r"""(?::=|=>|==|!=|=|:|\|\|)\s{0,3}["'`]?"""
)
# password, passwd, pwd, pswd, psswd, paswrd, pssword, passphrase, pass, pw (also my_pw)
_PASSWORD_NAMES = r"(?:p(?:a?s{1,2}w(?:o?r)?d|assphrase|wd)|pass|(?:\b|_)pw\b)"
# a value that does not end in ")": "(pw:secret)" gives "secret"
_VALUE = r"""([^\s"'`;,]{3,199}[^\s"'`;,)])"""
_SERVICE_NAME = re.compile(rf"(?i)({_SERVICES})")


def _trie(words: list[str]) -> str:
    """An alternation of `words` with common prefixes factored out ("twi(?:lio|tch|tter)"):
    `re` then reads each character once per position instead of once per word."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def alternation(node: dict[str, Any]) -> str:
        branches = [
            "" if ch == "" else re.escape(ch) + alternation(sub) for ch, sub in node.items()
        ]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return alternation(tree)


def _lower_case_finder(words: list[str]) -> re.Pattern[str] | None:
    """What `(?i)(word|word|…)` finds on ASCII text, run on the text in lower case: the same
    leftmost position, and there the same word when no word is a prefix of another (then at
    most one matches at a position, whatever the order of the alternatives). None otherwise."""
    if any(a != b and b.startswith(a) for a in words for b in words):
        return None
    if not all(w.isascii() and w == w.lower() for w in words):
        return None
    return re.compile(f"({_trie(words)})")


# On ASCII text (lower-cased, offsets unchanged): ~14x faster than _SERVICE_NAME, whose
# caseless alternation folds every character it tries for each of the ~90 names.
_SERVICE_NAME_LOWER = _lower_case_finder(_SERVICES.split("|"))

# Generic: any value assigned to a name that says it is a secret.
_SECRET_NAMES = (
    r"(?:secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|"
    r"credentials?|auth|"
    # session cookies and ids are bearer credentials too (sessionid=…, JSESSIONID=…)
    r"session[_-]?(?:id|key|token)?|sess(?:ion)?id)"
)


def _random_value(value: str) -> bool:
    """A value assigned to a service's name is a credential when it looks generated: letters
    and digits mixed, high entropy ("twitter_handle = 'somebody'" is not one)."""
    value = value.strip("'\"`")
    return (
        _real_token(value)
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and _not_example(value)
    )


def _service_name(match: re.Match[str]) -> str:
    text, start, end = match.string, max(0, match.start() - 30), match.start(1)
    if _SERVICE_NAME_LOWER is not None and text.isascii():
        found = _SERVICE_NAME_LOWER.search(text[start:end].lower())
    else:
        found = _SERVICE_NAME.search(text, start, end)
    if found is None:
        return "generic-secret-assignment"
    return found.group(1).lower().replace("_", "-") + "-credential"


def credential_rules() -> list[Rule]:
    rules = [
        Rule(
            name,
            "SECRET",
            pattern,
            classification="restricted",
            score=0.95,
            caseless=caseless,
            validate=_not_example,
        )
        for name, pattern, caseless in _PREFIXED
    ]
    rules += [
        Rule(
            "private-key",
            "SECRET",
            r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:.{1,12000}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\n]{0,12000})",
            classification="restricted",
            score=0.99,
            dotall=True,
            keywords=("private key",),
        ),
        Rule(
            "jwt",
            "SECRET",
            r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{0,}",
            classification="restricted",
            score=0.9,
            validate=v.jwt,
            keywords=("eyj",),
        ),
        Rule(
            # scheme://user:password@host — the password only (redis://:password@host has no user)
            "url-password",
            "SECRET",
            r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@'\"]{0,64}:([^\s@/'\"]{1,128})@[A-Za-z0-9._-]",
            classification="restricted",
            score=0.98,  # wins over the e-mail address "password@host" also looks like
            group=1,
            validate=_real_password,
            keywords=("://",),
        ),
        Rule(
            # ADO.NET / JDBC style connection strings: Password=…; Pwd=…
            "connection-string-password",
            "SECRET",
            r"(?:password|pwd)\s{0,2}=\s{0,2}([^;'\"\s]{3,128})\s{0,2}(?:;|$|['\"])",
            classification="restricted",
            score=0.9,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("pass", "pwd"),
        ),
        Rule(
            "authorization-header",
            "SECRET",
            r"\bauthorization\s{0,3}[:=]\s{0,3}[\"']?(?:basic|bearer|token|digest)\s+([A-Za-z0-9._~+/-]{8,}=*)",
            classification="restricted",
            score=0.9,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("authorization",),
        ),
        Rule(
            "cli-password",
            "SECRET",
            r"\s(?:-p|-{1,2}pass(?:word|phrase)?|-{1,2}[a-z-]*(?:secret|token)[a-z_-]*|-u\s{1,3}[^\s:]{1,64}:|--user[= ][^\s:]{1,64}:)[= ]{0,3}['\"]?([^\s'\"-][^\s'\"]{3,127})",
            classification="restricted",
            score=0.75,
            caseless=True,
            group=1,
            validate=_cli_password,
            keywords=("-p", "--pass", "-pass", "secret", "token", "-u ", "--user"),
        ),
        Rule(
            "aws-secret-access-key",
            "SECRET",
            r"aws[\w.-]{0,20}(?:secret|sk)[\w.-]{0,20}[\"']?\s{0,3}(?:=|:|=>)\s{0,3}[\"']?([A-Za-z0-9/+]{40})\b",
            classification="restricted",
            score=0.95,
            caseless=True,
            group=1,
            keywords=("aws",),
        ),
        Rule(
            "password-assignment",
            "SECRET",
            rf"{_PASSWORD_NAMES}{_ASSIGN}{_VALUE}",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("pass", "pwd", "psw", "pw"),
        ),
        Rule(
            # In a sentence: "my password is hunter2", "das Passwort ist …", "le mot de passe
            # est …", "la contraseña es …", "PIN is 4821". The value ends before a full stop.
            "password-prose",
            "SECRET",
            r"\b(?:password|passwort|passcode|passphrase|kennwort|wachtwoord|mot de passe|"
            r"contrase[nñ]a|senha|pin(?: code)?)\s{1,3}(?:is|was|ist|est|es|é|è)(?:\s{1,3}|\s{0,3}:\s{0,3})"
            r"[\"'`]?([^\s\"'`;,]{2,127}[^\s\"'`;,.!?)])",
            classification="restricted",
            score=0.8,
            caseless=True,
            group=1,
            validate=_prose_password,
            keywords=("pass", "kennwort", "wachtwoord", "contrase", "senha", "pin"),
        ),
        Rule(
            # C/RPM/batch definitions: #define PASSWORD "…", %global token …, SET password "…"
            "secret-definition",
            "SECRET",
            rf"""(?:#define|%define|%global|\bset)[ \t]+\w{{0,20}}(?:{_PASSWORD_NAMES}|secret|token|api_?key)\w{{0,20}}[ \t]+\\?["']?([^\s"'\\]{{4,200}})""",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("define", "global", "set"),
        ),
        Rule(
            # the private members of a JSON Web Key: "d" (EC/RSA private exponent), "k" (oct)
            "jwk-private-key",
            "SECRET",
            r'"kty"\s{0,3}:\s{0,3}"[^"]{1,10}"[^{}]{0,600}?"(?:d|k)"\s{0,3}:\s{0,3}"([A-Za-z0-9_-]{16,})"',
            classification="restricted",
            score=0.9,
            dotall=True,
            group=1,
            keywords=("kty",),
        ),
        Rule(
            # a generated-looking value assigned to a name that holds a service's name:
            # TWITTER_CONSUMER=…, "okta": {"client": "…"} (gitleaks' per-service rules, generalised)
            "service-credential",
            "SECRET",
            rf"(?:{_SERVICES})[\w.-]{{0,30}}[\"']?\s{{0,3}}(?:=|:|=>|:=)\s{{0,3}}[\"'`]?([A-Za-z0-9_+/=.-]{{16,120}})",
            classification="restricted",
            score=0.8,
            caseless=True,
            group=1,
            validate=_random_value,
            namer=_service_name,
            keywords=tuple(_SERVICES.split("|")),
        ),
        Rule(
            # <password>…</password>, <add key="DbPassword" value="…"/>
            "xml-secret",
            "SECRET",
            rf"""<[\w:-]{{0,30}}(?:{_PASSWORD_NAMES}|secret|token|api_?key)[\w:-]{{0,30}}>([^<\s]{{4,200}})</""",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("pass", "pwd", "psw", "pw", "secret", "token", "key"),
        ),
        Rule(
            "xml-secret",
            "SECRET",
            rf"""key\s{{0,2}}=\s{{0,2}}["'][\w.:-]{{0,30}}(?:{_PASSWORD_NAMES}|secret|token|api_?key)[\w.:-]{{0,30}}["']\s{{1,3}}value\s{{0,2}}=\s{{0,2}}["']([^"'\s]{{4,200}})["']""",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("value",),
        ),
        Rule(
            # SQL: CREATE USER … IDENTIFIED BY '…', ALTER ROLE … WITH PASSWORD '…', PASSWORD = '…'
            "sql-password",
            "SECRET",
            r"(?:identified\s{1,3}by|with\s{1,3}(?:encrypted\s{1,3})?password|\bpassword)\s{0,3}=?\s{0,3}'([^'\s]{4,128})'",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("identified", "password"),
        ),
        Rule(
            # Kubernetes / compose env lists: "- name: DB_PASSWORD" then "value: …"
            "env-list-secret",
            "SECRET",
            rf"""name:\s{{0,3}}["']?\w{{0,30}}(?:{_PASSWORD_NAMES}|secret|token|api_?key)\w{{0,30}}["']?\s{{0,3}}\n\s{{0,20}}value:\s{{0,3}}["']?([^\s"']{{4,200}})""",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("value:",),
        ),
        Rule(
            # .netrc: machine host login user password …
            "netrc-password",
            "SECRET",
            r"\blogin\s{1,3}\S{1,64}\s{1,3}password\s{1,3}(\S{4,128})",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("login",),
        ),
        Rule(
            # PowerShell: ConvertTo-SecureString "…" -AsPlainText
            "powershell-secure-string",
            "SECRET",
            r"""ConvertTo-SecureString\s{1,3}(?:-String\s{1,3})?["']([^"']{4,128})["']""",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("convertto-securestring",),
        ),
        Rule(
            # a default in code: getenv("DB_PASSWORD", "…"), os.environ.get("API_TOKEN", "…")
            "env-default-secret",
            "SECRET",
            rf"""(?:getenv|environ\.get|env\.get)\(\s{{0,3}}["']\w{{0,30}}(?:{_PASSWORD_NAMES}|secret|token|api_?key)\w{{0,30}}["']\s{{0,3}},\s{{0,3}}["']([^"']{{4,200}})["']""",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_password,
            keywords=("getenv", "environ.get", "env.get"),
        ),
        Rule(
            "secret-assignment",
            "SECRET",
            rf"{_SECRET_NAMES}{_ASSIGN}([^\s\"'`;,]{{12,200}})",
            classification="restricted",
            score=0.85,
            caseless=True,
            group=1,
            validate=_real_token,
            namer=_service_name,
            keywords=("secret", "token", "key", "credential", "auth", "sess"),
        ),
    ]
    return rules
