"""Audit sinks: each receives every record of the chain, in order, at least once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interlock.audit.config import (
    JsonlSink,
    OtlpSink,
    SplunkHecSink,
    SyslogSink,
    WebhookSink,
)
from interlock.audit.sinks.base import Sink, SinkError


def build_sink(config: Any, base_dir: Path) -> Sink:
    name = config.name or config.type
    if isinstance(config, JsonlSink):
        from interlock.audit.sinks.jsonl import JsonlFileSink

        return JsonlFileSink(name, config, base_dir)
    if isinstance(config, SyslogSink):
        from interlock.audit.sinks.syslog import SyslogSender

        return SyslogSender(name, config, base_dir)
    if isinstance(config, SplunkHecSink):
        from interlock.audit.sinks.splunk import SplunkHec

        return SplunkHec(name, config, base_dir)
    if isinstance(config, OtlpSink):
        from interlock.audit.sinks.otlp import OtlpExporter

        return OtlpExporter(name, config)
    if isinstance(config, WebhookSink):
        from interlock.audit.sinks.webhook import SignedWebhook

        return SignedWebhook(name, config)
    raise ValueError(f"unknown sink type {config.type}")


__all__ = ["Sink", "SinkError", "build_sink"]
