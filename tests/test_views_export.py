"""Excel downloads of the complaint lists: the list's rows and filters, text kept as typed."""

from io import BytesIO

from openpyxl import load_workbook

from tests.helpers import complaint_body
from tests.test_api_flow import act, received


def workbook(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(BytesIO(response.data)).active


def test_my_list_downloads_as_a_workbook_with_its_rows(app, login):
    agent = login("agent1")
    agent.post("/api/v1/complaint/", json=complaint_body(app, topic='=HYPERLINK("http://x")', disputed_amount="12.50"))
    login("agent2").post("/api/v1/complaint/", json=complaint_body(app, topic="别人的投诉"))
    page = agent.web.get("/complaints/mine/list/").get_data(as_text=True)
    assert "/complaints/mine/export" in page
    sheet = workbook(agent.web.get("/complaints/mine/export", query_string={"_l_": "en"}))
    rows = list(sheet.values)
    assert rows[0][0] == "Number" and rows[0][5] == "Topic"
    assert len(rows) == 2
    assert rows[1][5] == '\'=HYPERLINK("http://x")'  # shown as typed, never run
    assert rows[1][12] == 12.5


def test_the_download_keeps_the_lists_filters(app, login):
    agent = login("agent1")
    first = received(app, login)
    received(app, login)
    act(agent, first, "resolve", text="已解决")
    sheet = workbook(agent.web.get("/complaints/export", query_string={"_flt_0_status": "resolved", "_l_": "en"}))
    assert len(list(sheet.values)) == 2


def test_another_departments_complaints_are_not_in_the_download(app, login):
    login("hall1").post("/api/v1/complaint/", json=complaint_body(app, channel="service_hall", topic="营业厅"))
    sheet = workbook(login("agent1").web.get("/complaints/export"))
    assert len(list(sheet.values)) == 1
