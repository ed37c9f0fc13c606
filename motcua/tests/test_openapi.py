"""The OpenAPI description (/api/v1/openapi.json) is a contract: every error status an operation
can answer is documented with the error schema, and every value from a fixed list is an
enumeration whose values are the models' choices (and are accepted by the operation)."""

import re

import pytest
from ninja import Schema

from motcua.accounts.services import api_token_create
from motcua.catalog.models import Channel, Fee, Procedure, ProcessStep
from motcua.dossiers.actions import ACTIONS
from motcua.dossiers.models import Dossier, DossierDocument, DossierStep, NationalStatus, Timeliness
from motcua.dossiers.selectors import SORTS
from motcua.org.models import Agency, Membership
from motcua.org.testing import build_org_tree, make_staff
from motcua.workcalendar.calendar import RULE_LABELS, UNIT_LABELS

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/ErrorOut"
VIETNAMESE = re.compile(r"[àáảãạăâđèéêìíòóôơùúưỳýạếềểễệịọốồổỗộớờởỡợụứừửữự]", re.I)
# What an operation cannot answer, and why it need not document it.
CANNOT_ANSWER = {
    ("get", "/api/v1/agencies"): {404},  # an unknown administrative unit is an empty list
    ("post", "/api/v1/tracking"): {409},  # a lookup changes no dossier: no state, no version
}


@pytest.fixture(scope="module")
def doc(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(doc):
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def enum_of(schema):
    """The enumeration a property or parameter declares: directly, as the non-null branch of
    ``X | None``, or as the items of a list."""
    if "enum" in schema:
        return schema["enum"]
    if "const" in schema:  # a one-value Literal (a discriminated union's tag)
        return [schema["const"]]
    if "anyOf" in schema:
        branches = [enum_of(s) for s in schema["anyOf"] if s.get("type") != "null"]
        assert len(branches) == 1, schema
        return branches[0]
    if schema.get("type") == "array":
        return enum_of(schema["items"])
    raise AssertionError(f"not an enumeration: {schema}")


def test_every_operation_documents_the_errors_it_can_answer(doc):
    seen = 0
    for method, path, operation in operations(doc):
        seen += 1
        statuses = {int(s) for s in operation["responses"]}
        expected = {400, 404}
        if operation.get("security"):
            expected |= {401, 403}  # signed-in only: no token, or outside one's jurisdiction
        else:
            assert 401 not in statuses, (method, path)  # a public operation never asks to sign in
        if method in ("post", "put", "patch"):
            expected |= {409, 413}  # the dossier's state or version; a body over the limit
        if path in ("/api/v1/tracking/{code}", "/api/v1/tracking"):
            expected |= {429}
        expected -= CANNOT_ANSWER.get((method, path), set())
        assert expected <= statuses, (method, path, sorted(expected - statuses))
        assert any(200 <= s < 300 for s in statuses), (method, path)
    # + GET /dossiers/online-inbox, + the citizen's API (motcua/me/api.py) (issue 11),
    # + GET /ratings/questionnaire and POST /ratings (motcua/feedback, issue 13), + the three
    # payment operations (motcua/payments/api.py, issue 12)
    assert seen == 25


def test_every_documented_error_answers_the_error_schema_in_vietnamese(doc):
    for method, path, operation in operations(doc):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (method, path, status)
            assert VIETNAMESE.search(response["description"]), (method, path, status)
    error = doc["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"code", "message", "details"}
    assert error["properties"]["details"]["type"] == "object"


def property_enum(doc, component, name):
    return enum_of(doc["components"]["schemas"][component]["properties"][name])


def parameter_enum(doc, method, path, name):
    (parameter,) = [p for p in doc["paths"][path][method]["parameters"] if p["name"] == name]
    return enum_of(parameter["schema"])


STATES = Dossier.State.values
TIMELINESS = ["", *Timeliness.values]
COPY_KINDS = DossierDocument.CopyKind.values


@pytest.mark.parametrize(
    ("component", "name", "values"),
    [
        # The dossier API: what goes in…
        ("DossierCreateIn", "channel", Dossier.Channel.values),
        ("DossierCreateIn", "result_delivery", Dossier.ResultDelivery.values),
        ("DocumentIn", "copy_kind", COPY_KINDS),
        ("PersonIn", "kind", ["person"]),
        ("OrganisationIn", "kind", ["organisation"]),
        # … and what comes out.
        ("DossierCreatedOut", "status_code", NationalStatus.values),
        ("DossierSummaryOut", "state", STATES),
        ("DossierSummaryOut", "status_code", NationalStatus.values),
        ("DossierSummaryOut", "channel", Dossier.Channel.values),
        ("DossierSummaryOut", "result_delivery", Dossier.ResultDelivery.values),
        ("DossierSummaryOut", "timeliness", TIMELINESS),
        ("DossierDetailOut", "state", STATES),
        ("DossierDetailOut", "available_actions", list(ACTIONS)),
        ("ApplicantOut", "kind", Dossier.ApplicantKind.values),
        ("DocumentOut", "copy_kind", COPY_KINDS),
        ("StepOut", "kind", DossierStep.Kind.values),
        ("StepOut", "timeliness", TIMELINESS),
        ("TrackingOut", "status_code", NationalStatus.values),
        ("TrackingHistoryOut", "status_code", NationalStatus.values),
        # The catalogue.
        ("ProcedureItemOut", "level", Procedure.Level.values),
        ("ProcedureItemOut", "unit", Procedure.TimeUnit.values),
        ("ProcedureItemOut", "online_level", Procedure.OnlineLevel.values),
        ("ProcedureDetailOut", "levels", Procedure.Level.values),
        ("ProcedureDetailOut", "agency_kind", Agency.Kind.values),
        ("ProcedureDetailOut", "counting_rule", Procedure.CountingRule.values),
        ("ProcedureDetailOut", "supplement_policy", Procedure.SupplementPolicy.values),
        ("ProcedureDocumentOut", "copy_kinds", COPY_KINDS),
        ("FeeOut", "kind", Fee.Kind.values),
        ("FeeOut", "channel", [c for c in Channel.values if c]),
        ("ProcessStepOut", "performer", ProcessStep.Performer.values),
        ("ProcessStepOut", "role", Membership.Role.values),
        ("OfferingItemOut", "unit", Procedure.TimeUnit.values),
        # Agencies.
        ("AgencyOut", "kind", Agency.Kind.values),
    ],
)
def test_values_from_a_fixed_list_are_enumerations_of_the_models_choices(doc, component, name, values):
    assert property_enum(doc, component, name) == list(values)


PARAMETERS = [
    ("get", "/api/v1/dossiers", "scope", ["mine", "agency"]),
    (
        "get",
        "/api/v1/dossiers",
        "bucket",
        [
            "all",
            "to_assign",
            "to_process",
            "to_approve",
            "to_finish",
            "supplement",
            "payment",
            "due_soon",
            "late",
        ],
    ),
    ("get", "/api/v1/dossiers", "sort", list(SORTS)),
    ("post", "/api/v1/dossiers/{code}/actions/{action}", "action", list(ACTIONS)),
    # Empty is no filter.
    ("get", "/api/v1/procedures", "level", ["", *Procedure.Level.values]),
    ("get", "/api/v1/procedures", "online_level", ["", *Procedure.OnlineLevel.values]),
    ("get", "/api/v1/agencies", "kind", ["", *Agency.Kind.values]),
    ("get", "/api/v1/calendar/appointment", "unit", list(UNIT_LABELS)),
    ("get", "/api/v1/calendar/appointment", "rule", list(RULE_LABELS)),
]


@pytest.mark.parametrize(("method", "path", "name", "values"), PARAMETERS)
def test_parameters_from_a_fixed_list_are_enumerations(doc, method, path, name, values):
    assert parameter_enum(doc, method, path, name) == list(values)


@pytest.fixture
def leader():
    tree = build_org_tree()
    return make_staff("lanh_dao", tree.commune_a, Membership.Role.LEADER)


def test_every_value_of_the_inbox_enumerations_is_accepted(doc, leader):
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=leader, name='thử nghiệm')}")
    for name in ("scope", "bucket", "sort"):
        for value in parameter_enum(doc, "get", "/api/v1/dossiers", name):
            response = client.get("/api/v1/dossiers", {name: value})
            assert response.status_code == 200, (name, value, response.content)


def test_every_value_of_the_public_enumerations_is_accepted(doc, client):
    for name in ("level", "online_level"):
        for value in parameter_enum(doc, "get", "/api/v1/procedures", name):
            assert client.get("/api/v1/procedures", {name: value}).status_code == 200, (name, value)
    for value in parameter_enum(doc, "get", "/api/v1/agencies", "kind"):
        assert client.get("/api/v1/agencies", {"kind": value}).status_code == 200, value
    for unit in parameter_enum(doc, "get", "/api/v1/calendar/appointment", "unit"):
        for rule in parameter_enum(doc, "get", "/api/v1/calendar/appointment", "rule"):
            params = {"received_at": "2026-03-02T09:00:00+07:00", "amount": "1", "unit": unit, "rule": rule}
            response = client.get("/api/v1/calendar/appointment", params)
            assert response.status_code == 200, (unit, rule, response.content)


def test_an_action_name_outside_the_enumeration_is_still_a_404(leader):
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=leader, name='thử nghiệm')}")
    response = client.post(
        "/api/v1/dossiers/000.01.31.H99-260302-0001/actions/xoa",
        {"version": 1},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_no_two_schemas_share_a_component_name():
    # ninja names a component after its class: two classes of one name would describe one
    # operation's answer with the other's fields (the catalogue's and the dossiers' DocumentOut).
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names: dict[str, str] = {}
    for cls in subclasses(Schema):
        if not cls.__module__.startswith("motcua."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        assert names.setdefault(cls.__name__, where) == where, (cls.__name__, names[cls.__name__], where)
