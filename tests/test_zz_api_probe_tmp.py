"""The OpenAPI document held against the real API: schemathesis reads it from the running
app (WSGI, in-process) and sends every operation generated requests, valid ones and
invalid ones. No request may give a 5xx; every response must have a documented status
code, content type and headers, and a body that conforms to its schema."""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .test_api import register  # noqa: F401  (the fixture: a varied register)

# Examples per operation and mode: (10 + 7 operations) × 10 = 170 requests.
EXAMPLES = 150
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Every path of the document but /openapi.json itself, which schemathesis leaves out;
# invalid requests for those that take parameters.
OPERATIONS = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 7}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_its_openapi_document(app, register, mode):  # noqa: F811
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.validate()  # against the OpenAPI 3.1 meta-schema
    cases = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if mode is GenerationMode.NEGATIVE and not (operation.query or operation.path_parameters):
            continue  # only headers, which take any text: nothing invalid to send

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            cases[case.operation.label] += 1
            case.call_and_validate(checks=CHECKS)

        check()
    assert len(cases) == OPERATIONS[mode], sorted(cases)
    print(f"{mode.value}: {sum(cases.values())} cases over {len(cases)} operations")
