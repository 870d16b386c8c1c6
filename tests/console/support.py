"""Test support for the console: a gateway with auth, audit and spend over a seeded organisation,
and a real headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
LAPTOP = {"width": 1366, "height": 768}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def launch_chromium() -> Iterator[Any]:
    """The system's Chromium under Playwright (no downloaded browser): one per test module."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(
            "chromium is not installed: the console tests drive a real browser. Run "
            '`eval "$(scripts/test-services.sh)"` (installs Debian\'s chromium if missing).',
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, key: str) -> None:
    # With the keyboard, as a user would: the field has focus, Enter submits.
    field = page.get_by_label("Admin key")
    field.wait_for()
    field.fill("")
    field.focus()
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    page.locator("#who").filter(has_text="·").wait_for()


def nav_links(page: Any) -> list[str]:
    return [a.inner_text() for a in page.locator("#nav a:visible").all()]


def admin_trail(env: Any, **filters: Any) -> list[dict[str, Any]]:
    """The admin audit trail, read through the admin API as the org admin."""
    root = {"authorization": f"Bearer {env.org.keys['root-admin']}"}
    r = env.http.get("/admin/audit", params={"limit": 1000, **filters}, headers=root)
    assert r.status_code == 200, r.text
    return r.json()
