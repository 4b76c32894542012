"""Pages, security headers, the OpenAPI document and hostile requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from warmline.dashboard import openapi, pages

XSS = "<script>alert(1)</script>"


def test_pages_forbid_inline_script_and_third_party_assets(client, ana_browser):
    for response in (client.get("/sign-in"), ana_browser.get("/dashboard")):
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        html = response.get_data(as_text=True)
        # Every script is a file served by this app; no inline handlers, no other hosts.
        assert re.findall(r"<script(?![^>]*\ssrc=\"/)", html) == []
        assert re.search(r"\son[a-z]+=", html) is None
        assert re.search(r"(src|href)=\"(https?:)?//", html) is None
        assert " style=" not in html


def test_the_dashboard_pages_need_a_signed_in_user(client):
    for path in ("/dashboard", "/me"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/sign-in")


def test_the_script_and_stylesheet_are_served_from_the_package(client):
    for name in ("dashboard.js", "dashboard.css"):
        with client.get(f"/dashboard/static/{name}") as response:
            assert response.status_code == 200


def test_every_page_names_the_icon_it_serves(client, ana_browser):
    icon = '<link rel="icon" href="/dashboard/static/favicon.svg" type="image/svg+xml">'
    for response in (client.get("/sign-in"), ana_browser.get("/dashboard")):
        assert icon in response.get_data(as_text=True)
    with client.get("/dashboard/static/favicon.svg") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"


def test_a_script_in_the_sign_in_form_comes_back_as_text(client, ana):
    token = client.get("/api/session").json["csrf_token"]
    page = client.post("/sign-in", data={"csrf_token": token, "email": XSS, "password": "x"})
    html = page.get_data(as_text=True)
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_script_writes_server_text_as_text_only():
    source = (Path(pages.bp.static_folder) / "dashboard.js").read_text(encoding="utf-8")
    assert "innerHTML" not in source and "insertAdjacentHTML" not in source
    assert "document.write" not in source and "eval(" not in source


def api_rules(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_the_openapi_document_describes_every_api_route(client, app):
    document = client.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.1")
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    assert described == api_rules(app)


def test_every_api_route_but_sign_in_needs_a_signed_in_user(client, app):
    public = {"/api/openapi.json", "/api/session"}
    for path, method in api_rules(app):
        if path in public:
            continue
        url = path.format(contact_id=1, user_id=1, line_id=1)
        token = client.get("/api/session").json["csrf_token"]
        response = client.open(url, method=method.upper(), headers={"X-CSRF-Token": token})
        assert response.status_code == 401, (path, method)


HOSTILE_BODIES = [
    None,
    "not json",
    [],
    [1, 2, 3],
    {"unknown": 1},
    {"line_id": "1"},
    {"line_id": True},
    {"line_id": 10**30},
    {"line_id": -1},
    {"status": XSS},
    {"status": "break", "reason": None},
    {"email": XSS, "password": XSS},
    {"topics": [XSS], "crisis_referral_offered": 1, "follow_up_needed": None},
    {"specialist_id": 1.5, "line_id": 1},
    {"password": "\ud800" * 3},
]


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_hostile_bodies_never_cause_a_server_error(body, app, coordinator_browser, line):
    coordinator_browser.start_shift(line.id)
    for path, method in sorted(api_rules(app)):
        if method != "post":
            continue
        url = path.format(contact_id=1, user_id=1, line_id=line.id)
        if isinstance(body, str) or body is None:
            response = coordinator_browser.client.post(
                url,
                data=body or "",
                content_type="application/json",
                headers={"X-CSRF-Token": coordinator_browser.csrf},
            )
        else:
            response = coordinator_browser.post(url, body)
        assert response.status_code < 500, (path, body, response.status_code)
        assert response.is_json or response.status_code == 204, (path, body)


def test_ids_too_large_for_the_database_name_nothing(coordinator_browser):
    huge = 10**30
    for url in (f"/api/contacts/{huge}/accept", f"/api/coordinator/users/{huge}/password"):
        assert coordinator_browser.post(url, {}).status_code == 404


def test_an_oversized_body_is_refused(ana_browser):
    response = ana_browser.post("/api/shift/start", {"line_id": 1, "pad": "x" * 400_000})
    assert response.status_code == 413


def test_the_document_lists_the_schemas_it_refers_to():
    document = openapi.document()
    references = set(re.findall(r"#/components/schemas/(\w+)", str(document)))
    assert references <= set(document["components"]["schemas"])
