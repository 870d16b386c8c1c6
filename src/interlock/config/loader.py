"""Loading the YAML file: secrets from ${ENV} / ${file:PATH}, errors that name the key."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from interlock.config.schema import GatewayConfig

_REF = re.compile(r"\$\{([^}]+)\}")


class ConfigError(Exception):
    """The file cannot be used; the message names the key and what is wrong with it."""


def _interpolate(value: Any, path: str, base_dir: Path) -> Any:
    if isinstance(value, dict):
        return {
            k: _interpolate(v, f"{path}.{k}" if path else str(k), base_dir)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_interpolate(v, f"{path}[{i}]", base_dir) for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value

    def substitute(match: re.Match[str]) -> str:
        ref = match.group(1).strip()
        if ref.startswith("file:"):
            file = Path(ref[5:]).expanduser()
            file = file if file.is_absolute() else base_dir / file
            try:
                return file.read_text().strip()
            except OSError as exc:
                raise ConfigError(
                    f"{path}: cannot read secret file {file}: {exc.strerror}"
                ) from None
        name, _, default = ref.partition(":-")
        env = os.environ.get(name)
        if env is None:
            if ":-" in ref:
                return default
            raise ConfigError(f"{path}: environment variable {name} is not set")
        return env

    return _REF.sub(substitute, value)


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(lines)


def parse_config(
    text: str, source: str = "<config>", base_dir: Path | None = None
) -> GatewayConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping")
    data = _interpolate(data, "", base_dir or Path.cwd())
    try:
        return GatewayConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc)}") from None


def load_config(path: str | Path) -> GatewayConfig:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_config(text, str(path), path.parent)
