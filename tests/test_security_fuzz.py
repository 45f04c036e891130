"""The REST API, fuzzed from its own OpenAPI spec (schemathesis): no request gets a 500.

The spec is the one the app serves at /api/v1/_openapi. Every operation gets
schema-conforming and schema-violating requests, sent in-process to the WSGI app
with the bearer token of a front-line agent and of the administrator. The
examples are few and fixed (conftest.py's hypothesis profile), so the run takes
seconds and fails the same way every time. Changes go to rows the test made
itself: the demo rows the rest of the suite relies on stay as seeded.
"""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from app.views.mixins import MAX_ID
from tests.helpers import complaint_body, department_id
from tests.test_api_refund import refund_type_id

USERS = ("agent1", "admin")
# Enough to run in the suite; FUZZ_EXAMPLES=200 for a deeper run (docs/SECURITY.md).
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "12"))


def own_rows(app, clients) -> dict[str, int]:
    """A row of each writable resource, made for the fuzz to change and delete."""
    agent, admin = clients["agent1"], clients["admin"]
    made = {
        "department": admin.post(
            "/api/v1/department/",
            json={"code": "FUZZ", "name": "模糊测试部", "kind": "department", "parent": department_id(app, "LEAD")},
        ),
        "category": admin.post("/api/v1/category/", json={"code": "fuzz", "name": "模糊测试"}),
        "refund_type": admin.post(
            "/api/v1/refund_type/", json={"code": "fuzz", "name": "模糊测试", "frontline_eligible": False}
        ),
        "complaint": agent.post("/api/v1/complaint/", json=complaint_body(app)),
    }
    made["refund"] = agent.post(
        "/api/v1/refund/",
        json={
            "complaint": made["complaint"].get_json()["id"],
            "amount": "80.00",
            "refund_type": refund_type_id(app, "billing_error"),
            "liability": "yes",
        },
    )
    for resource, response in made.items():
        assert response.status_code == 201, (resource, response.get_json())
    return {resource: response.get_json()["id"] for resource, response in made.items()}


def keep_demo_rows(app, owned):
    baseline = app.config["BASELINE_IDS"]

    def retarget(case):
        resource = case.path.split("/")[3]  # /api/v1/<resource>/…
        pk = (case.path_parameters or {}).get("pk")
        if case.method != "GET" and isinstance(pk, int) and 0 < pk <= baseline.get(resource, 0):
            case.path_parameters["pk"] = owned.get(resource, MAX_ID)
        return case

    return retarget


def test_no_request_to_the_api_gets_a_500(app, login):
    clients = {username: login(username) for username in USERS}
    admin = {"Authorization": f"Bearer {clients['admin'].token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=admin)
    retarget = keep_demo_rows(app, own_rows(app, clients))
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30

    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        ).map(retarget)

        @given(case=cases)
        @settings(max_examples=EXAMPLES_PER_OPERATION, suppress_health_check=list(HealthCheck))
        def send(case):
            for username in USERS:
                response = case.call(headers={"Authorization": f"Bearer {clients[username].token}"})
                if response.status_code >= 500:
                    failures.append(f"{username}: {case.method} {case.formatted_path} {case.query} {case.body!r:.300}")

        send()
    assert failures == []
