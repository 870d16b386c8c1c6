"""Configuration: validation messages that name the key, secrets from the environment or files."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlock.config import ConfigError, load_config, parse_config

BASE = """
providers:
  openai: {type: openai, api_key: "${TEST_OPENAI_KEY}"}
models:
  gpt: {provider: openai, aliases: [fast], fallbacks: [other]}
  other: {provider: openai, model: gpt-4o}
"""


def test_valid_config_resolves_env_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", "from-env")
    config = parse_config(BASE)
    assert config.providers["openai"].api_key == "from-env"
    assert config.resolve_name("fast") == "gpt"
    assert config.server.port == 8080


def test_missing_env_var_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_OPENAI_KEY", raising=False)
    with pytest.raises(
        ConfigError,
        match=r"providers\.openai\.api_key: environment variable TEST_OPENAI_KEY is not set",
    ):
        parse_config(BASE)


def test_secret_from_file(tmp_path: Path) -> None:
    (tmp_path / "key.txt").write_text("file-secret\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(BASE.replace("${TEST_OPENAI_KEY}", "${file:key.txt}"))
    assert load_config(cfg).providers["openai"].api_key == "file-secret"


def test_env_default_applies_only_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    text = BASE.replace("${TEST_OPENAI_KEY}", "${TEST_OPENAI_KEY:-fallback}")
    monkeypatch.delenv("TEST_OPENAI_KEY", raising=False)
    assert parse_config(text).providers["openai"].api_key == "fallback"
    monkeypatch.setenv("TEST_OPENAI_KEY", "real")
    assert parse_config(text).providers["openai"].api_key == "real"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "providers: {}\nmodels:\n  m: {provider: nope}\n",
            r"models\.m\.provider: unknown provider 'nope'",
        ),
        (
            "providers:\n  p: {type: openai, api_key: k}\nmodels:\n  m: {provider: p, fallbacks: [x]}\n",
            r"models\.m\.fallbacks: unknown model 'x'",
        ),
        (
            "providers:\n  p: {type: azure, api_key: k}\nmodels: {}\n",
            r"providers\.p: .*needs: base_url, api_version",
        ),
        (
            "providers:\n  p: {type: openai, api_key: k, retry: {max_attempts: 0}}\nmodels: {}\n",
            r"providers\.p\.retry\.max_attempts",
        ),
        ("providers:\n  p: {type: opneai, api_key: k}\nmodels: {}\n", r"providers\.p\.type"),
        ("server: {port: 99999}\nproviders: {}\nmodels: {}\n", r"server\.port"),
        (
            "server: {prot: 1}\nproviders: {}\nmodels: {}\n",
            r"server\.prot: Extra inputs are not permitted",
        ),
        (
            "providers:\n  p: {type: openai, api_key: k}\nmodels:\n  a: {provider: p, aliases: [b]}\n  b: {provider: p}\n",
            r"models\.a\.aliases: 'b' is already a model or alias",
        ),
        ("providers: [1]\nmodels: {}\n", r"providers: Input should be a valid dictionary"),
        ("- not a mapping\n", r"the top level must be a mapping"),
        ("providers: {a: [}\n", r"not valid YAML"),
    ],
)
def test_invalid_config_is_refused_with_the_key_named(yaml_text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(yaml_text)


def test_examples_are_valid(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2] / "examples"
    for var in (
        "OPENAI_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "AWS_ACCESS_KEY_ID",
    ):
        monkeypatch.setenv(var, "x")
    load_config(root / "quickstart.yaml")
    text = (root / "production.yaml").read_text()
    secret = tmp_path / "aws"
    secret.write_text("s")
    text = text.replace("/run/secrets/aws_secret_access_key", str(secret))
    assert parse_config(text).models["gpt-4.1"].fallbacks == ["azure-gpt-4.1", "claude-sonnet"]


def test_deployment_configs_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """The artefacts in deploy/ must load with the gateway's own validator."""
    import yaml

    root = Path(__file__).resolve().parents[2] / "deploy"
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.setenv(var, "x")
    monkeypatch.setenv("INTERLOCK_DATABASE_URL", "postgresql://u@db/interlock")
    monkeypatch.setenv("INTERLOCK_REDIS_URL", "redis://redis:6379/0")
    config = load_config(root / "gateway.yaml")
    assert config.database.url.startswith("postgresql://")
    # Several instances: counters and the audit store are shared, the spool is not next to the
    # (read-only) config file.
    assert config.counters.backend == "redis"
    assert config.audit.store is not None and config.audit.store.url.startswith("postgresql://")
    assert config.audit.spool_dir == "/var/lib/interlock/audit"
    manifests = list(yaml.safe_load_all((root / "k8s" / "interlock.yaml").read_text()))
    configmap = next(m for m in manifests if m["kind"] == "ConfigMap")
    in_k8s = parse_config(configmap["data"]["interlock.yaml"])
    assert in_k8s.server.shutdown_grace_s == 30
    assert (
        in_k8s.counters.backend == "redis" and in_k8s.audit.spool_dir == "/var/lib/interlock/audit"
    )
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > config.server.shutdown_grace_s
    mounts = {m["mountPath"]: m for m in pod["containers"][0]["volumeMounts"]}
    assert mounts["/etc/interlock"]["readOnly"] and "/var/lib/interlock" in mounts
    # the root filesystem is read-only: the processes' sockets need a writable /tmp
    assert pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"] and "/tmp" in mounts
    probes = pod["containers"][0]
    assert probes["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert probes["livenessProbe"]["httpGet"]["path"] == "/healthz"
