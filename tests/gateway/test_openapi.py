"""The OpenAPI documents are valid, name exactly the routes the listeners serve, and describe what
the gateway really answers (real responses validated against the documents' schemas)."""

from __future__ import annotations

import sys
from pathlib import Path

import aiohttp
import msgspec
import pytest
import pytest_asyncio
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

sys.path.insert(0, str(Path(__file__).parent))
from gateway_harness import ADMIN, TOKENS, Running, start

from conformance.builders import PaxlstSpec, paxlst

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory):
    running = await start(tmp_path_factory.mktemp("openapi"))
    yield running
    await running.gateway.stop()


async def fetch(session: aiohttp.ClientSession, url: str) -> dict:
    async with session.get(url) as response:
        assert response.status == 200
        return await response.json()


def served_routes(app) -> set[tuple[str, str]]:
    return {(route.method.lower(), route.resource.canonical) for route in app.router.routes() if route.method != "HEAD"}


def documented(spec: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, item in spec["paths"].items() for method in item}


async def test_both_documents_are_valid_openapi_and_match_the_routes(gw: Running):
    connector = aiohttp.TCPConnector(ssl=gw.client_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        carrier = await fetch(session, f"{gw.url}/v1/openapi.json")
        operator = await fetch(session, f"{gw.operator_url}/v1/openapi.json")
    validate_spec(carrier)
    validate_spec(operator)
    runners = gw.gateway._runners
    assert documented(carrier) == served_routes(runners[0].app)
    assert documented(operator) == served_routes(runners[1].app)


async def test_real_answers_match_the_documented_schemas(gw: Running):
    carrier = msgspec.json.decode((Path(__file__).parents[2] / "gateway/web/openapi/carrier.json").read_bytes())
    operator = msgspec.json.decode((Path(__file__).parents[2] / "gateway/web/openapi/operator.json").read_bytes())
    connector = aiohttp.TCPConnector(ssl=gw.client_context())
    headers = {"Authorization": f"Bearer {TOKENS['ZZ']}", "Content-Type": "application/edifact", "Accept": "application/json"}
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.post(f"{gw.url}/v1/messages", data=paxlst(PaxlstSpec(seed=1)), headers=headers) as r:
            receipt = await r.json()
        async with session.post(f"{gw.url}/v1/messages", data=b"", headers=headers) as r:
            problem = await r.json(content_type=None)
        async with session.get(f"{gw.url}/v1/messages/{receipt['receipt']}", headers=headers) as r:
            shown = await r.json()
        async with session.get(f"{gw.operator_url}/v1/receipts/{receipt['receipt']}",
                               headers={"Authorization": f"Bearer {ADMIN}"}) as r:
            operator_view = await r.json()
        async with session.get(f"{gw.operator_url}/v1/accounts", headers={"Authorization": f"Bearer {ADMIN}"}) as r:
            accounts = await r.json()
    receipt_schema = carrier["components"]["schemas"]["Receipt"]
    for document, spec in ((receipt, carrier), (shown, carrier), (operator_view, operator)):
        assert [e.message for e in OAS31Validator(_inline(receipt_schema, spec)).iter_errors(document)] == []
    problem_schema = carrier["components"]["schemas"]["Problem"]
    assert list(OAS31Validator(problem_schema).iter_errors(problem)) == []
    account_schema = operator["components"]["schemas"]["Account"]
    assert all(not list(OAS31Validator(account_schema).iter_errors(a)) for a in accounts)
    # a wrong answer is caught: the check can fail
    assert list(OAS31Validator(_inline(receipt_schema, carrier)).iter_errors({**receipt, "state": "lost"}))


def _inline(schema: dict, spec: dict) -> dict:
    """The schema with local $refs resolved against the document (ours are one level deep)."""
    def resolve(node):
        if isinstance(node, dict):
            if "$ref" in node and node["$ref"].startswith("#/components/schemas/"):
                return resolve(spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
            return {k: resolve(v) for k, v in node.items() if k != "components"}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node
    return resolve(schema)
