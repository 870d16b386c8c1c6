"""What happens to values: masking, keyed hashing, pseudonyms restored whole and streamed, and
the `interlock scan` command."""

from __future__ import annotations

import io
import json

import pytest

from interlock.cli.main import main
from interlock.dlp.actions import StreamRestorer, Vault, keyed_hash, mask
from interlock.dlp.config import MaskSettings


def test_mask_keeps_separators_and_the_configured_part() -> None:
    assert mask("4111 1111 1111 1234", MaskSettings()) == "**** **** **** 1234"
    assert mask("jane@example.com", MaskSettings(keep_last=0, keep_first=2)) == "ja**@*******.***"
    assert mask("1234", MaskSettings(keep_last=4)) == "****"  # keeping it all would reveal it


def test_keyed_hash_links_equal_values_only_under_the_same_key() -> None:
    a = keyed_hash("EMAIL_ADDRESS", "x@y.io", b"k1")
    assert a == keyed_hash("EMAIL_ADDRESS", "x@y.io", b"k1")
    assert a != keyed_hash("EMAIL_ADDRESS", "x@y.io", b"k2")
    assert a != keyed_hash("EMAIL_ADDRESS", "z@y.io", b"k1")
    assert "x@y.io" not in a


def test_vault_gives_one_token_per_value_and_restores_them() -> None:
    vault = Vault()
    a = vault.token("PERSON", "Ana Silva")
    assert vault.token("PERSON", "Ana Silva") == a == "[PERSON_1]"
    assert vault.token("PERSON", "Bo Li") == "[PERSON_2]"
    assert vault.token("EMAIL_ADDRESS", "a@b.io") == "[EMAIL_ADDRESS_1]"
    text = "Dear [PERSON_1], cc [PERSON_2] at [EMAIL_ADDRESS_1]; [PERSON_9] is unknown"
    assert vault.restore(text) == "Dear Ana Silva, cc Bo Li at a@b.io; [PERSON_9] is unknown"
    vault.wipe()
    assert vault.restore("[PERSON_1]") == "[PERSON_1]"


@pytest.mark.parametrize("cut", range(1, 40))
def test_stream_restorer_never_shows_half_a_token(cut: int) -> None:
    vault = Vault()
    vault.token("EMAIL_ADDRESS", "a@b.io")
    answer = "Write to [EMAIL_ADDRESS_1] today [not a token] ok"
    restorer = StreamRestorer(vault)
    pieces = [restorer.feed(answer[:cut]), restorer.feed(answer[cut:]), restorer.flush()]
    assert "".join(pieces) == "Write to a@b.io today [not a token] ok"
    assert not any("[EMAIL_AD" in p for p in pieces)


def test_scan_command_reads_and_writes_json_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"id": "a", "text": "Mail jane@example.com or call +1 415-555-0132"},
        {"id": 2, "text": "nothing here"},
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(json.dumps(x) for x in lines) + "\n"))
    assert main(["scan"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert out[1]["id"] == 2 and out[1]["findings"] == []
    first = out[0]
    assert first["id"] == "a"
    assert [(f["type"], f["rule"], f["action"]) for f in first["findings"]] == [
        ("EMAIL_ADDRESS", "email", "redact"),
        ("PHONE_NUMBER", "phone", "redact"),
    ]
    text = lines[0]["text"]
    assert text[first["findings"][0]["start"] : first["findings"][0]["end"]] == "jane@example.com"


def test_scan_command_uses_a_policy_from_the_config(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "gw.yaml"
    config.write_text(
        """
auth: {enabled: false}
providers: {p: {type: openai, api_key: k}}
models: {m: {provider: p}}
policies:
  strict:
    models: ["*"]
    dlp:
      actions: {default: block}
      entities: [EMAIL_ADDRESS]
"""
    )
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": 1, "text": "x@y.io and 536-22-8726"}\n'))
    assert main(["scan", "--config", str(config), "--policy", "strict"]) == 0
    (result,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(f["type"], f["action"]) for f in result["findings"]] == [("EMAIL_ADDRESS", "block")]
