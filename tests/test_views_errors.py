"""Error pages: in the app's layout and the reader's language; JSON for the REST API."""

import pytest

# (who, page, status, the Chinese title, the English title)
PAGES = [
    ("agent1", "/audit/list/", 403, "拒绝访问", "Access denied"),
    ("agent1", "/no-such-page", 404, "页面不存在", "Page not found"),
    ("agent1", "/complaints/show/99999999", 404, "页面不存在", "Page not found"),
    (None, "/no-such-page", 404, "页面不存在", "Page not found"),
]


@pytest.mark.parametrize(("username", "url", "status", "chinese", "english"), PAGES)
def test_an_error_page_is_in_the_apps_layout_and_language(app, login, username, url, status, chinese, english):
    client = login(username).web if username else app.test_client()
    response = client.get(url)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert f"{status} · {chinese}" in page
    assert 'class="navbar' in page  # the app's menu bar
    assert "Forbidden" not in page and "Not Found" not in page

    client.get("/lang/en")
    page = client.get(url).get_data(as_text=True)
    assert f"{status} · {english}" in page


def test_a_signed_in_users_error_page_keeps_the_menu_of_their_role(login):
    page = login("agent1").web.get("/audit/list/").get_data(as_text=True)
    assert "投诉处理" in page  # the complaints menu of a frontline user
    assert "审计日志" not in page


@pytest.mark.parametrize(
    ("url", "status"),
    [("/api/v1/no-such-resource/", 404), ("/api/v1/complaint/99999999", 404), ("/api/v1/audit/", 403)],
)
def test_the_api_keeps_json_errors(login, url, status):
    response = login("agent1").get(url)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["message"]


def test_a_bad_request_on_a_page_shows_the_apps_own_reason(login):
    response = login("agent1").web.get("/complaints/list/?page_ComplaintView=x")
    assert response.status_code == 400
    assert "400 · " in response.get_data(as_text=True)
