"""Security headers: a Content-Security-Policy with a nonce per response, no sniffing, no framing.

docs/SECURITY.md explains the policy; a browser check of every page under it is in
tests/e2e. Here: the headers on pages and API answers, and that every script a page
has carries this response's nonce and comes from the app's own static files.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\bon(click|submit|change|load|error|input|focus|blur|key\w+|mouse\w+)\s*=|javascript:")


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_the_policy_allows_only_the_apps_own_files_and_this_responses_scripts(app):
    response = app.test_client().get("/login/")
    policy = directives(response)
    nonce = NONCE.search(policy["script-src"]).group(1)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["style-src-elem"] == f"'self' 'nonce-{nonce}'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/login/", "/api/v1/complaint/", "/static/js/confirm.js", "/no-such-page"])
def test_every_answer_forbids_sniffing_and_framing(app, url):
    response = app.test_client().get(url)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # production only


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("agent1", "/"),
        ("agent1", "/complaints/list/"),
        ("agent1", "/complaints/add"),
        ("agent1", "/refunds/add"),
        ("room1", "/refund-inbox/list/"),
        ("leader1", "/audit/list/"),
        ("admin", "/users/add"),
        ("admin", "/swagger/v1"),
    ],
)
def test_every_script_of_a_page_is_the_apps_own_and_carries_the_nonce(login, username, url):
    response = login(username).web.get(url)
    assert response.status_code == 200
    nonce = NONCE.search(directives(response)["script-src"]).group(1)
    scripts = SCRIPT.findall(response.get_data(as_text=True))
    assert scripts
    for attributes in scripts:
        assert f'nonce="{nonce}"' in attributes, attributes
        source = re.search(r'src="([^"]*)"', attributes)
        assert source is None or source.group(1).startswith("/static/"), attributes


def test_each_response_gets_a_new_nonce(app):
    client = app.test_client()
    nonces = {NONCE.search(client.get("/login/").headers["Content-Security-Policy"]).group(1) for _ in range(3)}
    assert len(nonces) == 3


# Blocked by the policy, so the confirmation before closing a complaint is skipped:
# its form needs data-confirm="…" instead of onsubmit="return confirm(…)".


def test_no_page_uses_inline_event_handlers():
    """The policy refuses onclick="…" and javascript: links; a data-confirm question asks instead."""
    sources = [*ROOT.glob("app/templates/**/*.html"), *ROOT.glob("app/**/*.py")]
    offenders = {
        str(path.relative_to(ROOT)) for path in sources if INLINE_HANDLER.search(path.read_text(encoding="utf-8"))
    }
    assert offenders == set()
