"""A PSA's partner flow through the Python client that openapi-python-client
generates from openapi/openapi.json (run by `.ci/run sdk`).

Environment: PP_BASE_URL (the live server), PP_ADMIN_TOKEN (a provider admin's
bearer token, used only to create the API client the flow then signs in as),
PYTHONPATH naming the folder that holds the generated `partner_portal_client`.
Prints each step; exits non-zero at the first failure.
"""

from __future__ import annotations

import inspect
import io
import os
import sys
import time
import types
import uuid
from datetime import datetime, timezone
from typing import Any, get_args

from partner_portal_client import AuthenticatedClient, Client
from partner_portal_client.api.api_clients import create_api_client
from partner_portal_client.api.billing import get_billing_run, issue_invoice, list_invoices, run_billing
from partner_portal_client.api.o_auth import issue_token
from partner_portal_client.api.operators import import_operators
from partner_portal_client.api.organizations import (
    create_organization,
    get_organization,
    list_descendants,
    update_organization,
)
from partner_portal_client.api.platform import get_me
from partner_portal_client.api.reports import export_subscription_report
from partner_portal_client.api.subscriptions import create_subscription, update_subscription
from partner_portal_client.models import (
    BillingRunRequest,
    CreateApiClient,
    CreateOrganization,
    CreateSubscription,
    InvoiceStatus,
    OrgKind,
    TokenRequest,
    UpdateOrganization,
    UpdateSubscription,
)
from partner_portal_client.types import UNSET, File, Response


class FlowError(Exception):
    pass


def step(name: str) -> None:
    print(f"-- {name}", flush=True)


def check(cond: bool, message: str) -> None:
    if not cond:
        raise FlowError(message)


def expect(resp: Response[Any], status: int, what: str) -> Any:
    """The parsed body of an answer that must have `status`."""
    if resp.status_code != status:
        body = resp.content.decode("utf-8", "replace")[:500]
        raise FlowError(f"{what}: expected {status}, got {int(resp.status_code)}: {body}")
    return resp.parsed


def expect_problem(resp: Response[Any], status: int, code: str, what: str) -> Any:
    problem = expect(resp, status, what)
    check(
        resp.headers.get("content-type", "").startswith("application/problem+json"),
        f"{what}: content type {resp.headers.get('content-type')!r}, not problem+json",
    )
    check(problem.code.value == code, f"{what}: code {problem.code.value!r}, expected {code!r}")
    return problem


def replayed(resp: Response[Any], what: str) -> None:
    check(
        resp.headers.get("idempotent-replayed") == "true",
        f"{what}: no `Idempotent-Replayed: true` on the replay (headers: {dict(resp.headers)})",
    )


def run() -> None:
    base = os.environ["PP_BASE_URL"]
    run_id = f"{int(time.time())}{uuid.uuid4().hex[:6]}"
    period = datetime.now(timezone.utc).strftime("%Y-%m")

    admin = AuthenticatedClient(base_url=base, token=os.environ["PP_ADMIN_TOKEN"])

    step("admin: find the distributor Northwind and create an API client for it")
    root = expect(get_me.sync_detailed(client=admin), 200, "get me").home_organization_id
    found = expect(
        list_descendants.sync_detailed(root, client=admin, kind=OrgKind.DISTRIBUTOR, q="Northwind", limit=5),
        200,
        "find Northwind",
    )
    check(len(found.items) == 1, f"{len(found.items)} distributors named Northwind")
    home = found.items[0].id
    created = expect(
        create_api_client.sync_detailed(
            home,
            client=admin,
            body=CreateApiClient.from_dict({"name": f"sdk-python {run_id}", "roles": ["admin"]}),
        ),
        201,
        "create API client",
    )

    step("sign in with client credentials (a client without the bearer token)")
    # The token endpoint must not get an operator's bearer token: a separate,
    # unauthenticated client sends the credentials as form fields.
    anonymous = Client(base_url=base)
    grant = expect(
        issue_token.sync_detailed(
            client=anonymous,
            body=TokenRequest.from_dict(
                {
                    "grant_type": "client_credentials",
                    "client_id": created.client_id,
                    "client_secret": created.client_secret,
                }
            ),
        ),
        200,
        "client-credentials grant",
    )
    psa = AuthenticatedClient(base_url=base, token=grant.access_token)

    step("walk the client's subtree across every cursor page (limit 3)")
    seen: list[uuid.UUID] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = expect(
            list_descendants.sync_detailed(home, client=psa, limit=3, cursor=cursor or UNSET),
            200,
            f"descendants page {pages + 1}",
        )
        pages += 1
        seen.extend(o.id for o in page.items)
        cursor = page.next_cursor if isinstance(page.next_cursor, str) else None
        if not cursor:
            break
        check(pages < 1000, "more than 1000 pages: the cursor does not advance")
    check(pages >= 2, f"only {pages} page(s): the walk did not cross a cursor")
    check(len(seen) == len(set(seen)), "an organisation came twice across pages")
    print(f"   {len(seen)} organisations in {pages} pages")

    step("create a partner with an Idempotency-Key, then replay it")
    key = f"sdk-py-partner-{run_id}"
    partner_body = CreateOrganization.from_dict(
        {"parent_id": str(home), "kind": "partner", "name": f"SDK Partner {run_id}"}
    )
    first = create_organization.sync_detailed(client=psa, body=partner_body, idempotency_key=key)
    partner = expect(first, 201, "create partner")
    again = create_organization.sync_detailed(client=psa, body=partner_body, idempotency_key=key)
    check(expect(again, 201, "replay partner").id == partner.id, "the replay answered another partner")
    replayed(again, "replay partner")

    step("create a customer under it with an Idempotency-Key, then replay it")
    key = f"sdk-py-customer-{run_id}"
    customer_body = CreateOrganization.from_dict(
        {
            "parent_id": str(partner.id),
            "kind": "customer",
            "name": f"SDK Customer {run_id}",
            "primary_domain": f"sdkpy{run_id}.onmicrosoft.com",
            "country": "NZ",
        }
    )
    customer = expect(
        create_organization.sync_detailed(client=psa, body=customer_body, idempotency_key=key), 201, "create customer"
    )
    again = create_organization.sync_detailed(client=psa, body=customer_body, idempotency_key=key)
    check(expect(again, 201, "replay customer").id == customer.id, "the replay answered another customer")
    replayed(again, "replay customer")

    step("read the partner's ETag, update it with If-Match, then 412 with the stale one")
    read = get_organization.sync_detailed(partner.id, client=psa)
    expect(read, 200, "get partner")
    etag = read.headers.get("etag")
    check(bool(etag), "no ETag on GET /v1/organizations/{id}")
    renamed = update_organization.sync_detailed(
        partner.id,
        client=psa,
        if_match=etag,
        body=UpdateOrganization.from_dict({"name": f"SDK Partner {run_id} renamed"}),
    )
    check(expect(renamed, 200, "update with If-Match").name.endswith("renamed"), "the name did not change")
    check(renamed.headers.get("etag") not in (None, etag), "the ETag did not change with the update")
    stale = update_organization.sync_detailed(
        partner.id, client=psa, if_match=etag, body=UpdateOrganization.from_dict({"name": "never written"})
    )
    expect_problem(stale, 412, "stale_version", "update with a stale If-Match")

    step("create a subscription and change its seats")
    created_sub = create_subscription.sync_detailed(
        customer.id,
        client=psa,
        body=CreateSubscription.from_dict(
            {
                "sku": "O365_BUSINESS_PREMIUM",
                "description": "Microsoft 365 Business Premium",
                "quantity": 19,
                "assigned": 19,
                "unit_price": {"amount_minor": 3300, "currency": "NZD"},
                "billing_cycle": "monthly",
                "renews_on": f"{datetime.now(timezone.utc).year + 1}-01-15",
            }
        ),
    )
    sub = expect(created_sub, 201, "create subscription")
    changed = update_subscription.sync_detailed(
        sub.id,
        client=psa,
        if_match=created_sub.headers.get("etag"),
        body=UpdateSubscription.from_dict({"quantity": 25, "assigned": 21}),
    )
    changed_sub = expect(changed, 200, "change seats")
    check(changed_sub.quantity == 25 and changed_sub.assigned == 21, "the seats did not change")

    step(f"run billing for {period} and issue the invoice")
    queued = expect(
        run_billing.sync_detailed(partner.id, client=psa, body=BillingRunRequest.from_dict({"period": period})),
        202,
        "run billing",
    )
    deadline = time.monotonic() + 30
    while True:
        state = expect(get_billing_run.sync_detailed(queued.id, client=psa), 200, "get billing run")
        if state.status.value in ("succeeded", "failed"):
            break
        check(time.monotonic() < deadline, f"the billing run is still {state.status.value} after 30 s")
        time.sleep(0.3)
    check(state.status.value == "succeeded", f"the billing run {state.status.value}")
    invoices = expect(
        list_invoices.sync_detailed(partner.id, client=psa, period=period, status=InvoiceStatus.DRAFT),
        200,
        "list draft invoices",
    )
    check(len(invoices.items) == 1, f"{len(invoices.items)} draft invoices, expected 1")
    issued = expect(issue_invoice.sync_detailed(invoices.items[0].id, client=psa), 200, "issue invoice")
    check(issued.status.value == "issued", f"the invoice is {issued.status.value}")

    step("download the subscriptions CSV report")
    report = export_subscription_report.sync_detailed(partner.id, client=psa)
    expect(report, 200, "subscriptions.csv")
    check(report.headers.get("content-type", "").startswith("text/csv"), "the report is not text/csv")
    lines = report.content.decode("utf-8").splitlines()
    check(lines[0].startswith("subscription_id,"), f"unexpected header row {lines[0]!r}")
    check(any(str(sub.id) in line for line in lines[1:]), "the new subscription is not in the report")

    step("import operators from a CSV file (multipart `file`)")
    _import_operators(psa, partner.id, run_id)

    step("a 404 problem: an organisation that does not exist")
    expect_problem(
        get_organization.sync_detailed(uuid.uuid4(), client=psa), 404, "not_found", "get unknown organisation"
    )

    step("a 422 problem naming the field")
    bad = CreateOrganization.from_dict(
        {"parent_id": str(partner.id), "kind": "customer", "name": "Bad", "primary_domain": "not a domain"}
    )
    problem = expect_problem(
        create_organization.sync_detailed(client=psa, body=bad), 422, "validation_failed", "create with a bad domain"
    )
    fields = [e.field for e in (problem.errors or [])]
    check("primary_domain" in fields, f"the problem names {fields}, not primary_domain")


def _import_operators(psa: AuthenticatedClient, partner_id: uuid.UUID, run_id: str) -> None:
    csv = (
        "email,name,legacy_role,organization\n"
        f"ann.{run_id}@sdk.example,Ann Lee,Invoice,{partner_id}\n"
        f"bob.{run_id}@sdk.example,Bob Ray,TenantAdmin,{partner_id}\n"
    ).encode()
    body = _multipart_body(
        import_operators, File(payload=io.BytesIO(csv), file_name="operators.csv", mime_type="text/csv")
    )
    imported = expect(import_operators.sync_detailed(partner_id, client=psa, body=body), 200, "import operators")
    check(len(imported.created) == 2, f"{len(imported.created)} operators created, expected 2")


def _multipart_body(module: types.ModuleType, file: File) -> Any:
    """The generated multipart body model of `module`, holding `file`."""
    annotation = inspect.signature(module.sync_detailed).parameters["body"].annotation
    for candidate in get_args(annotation) or (annotation,):
        if isinstance(candidate, type) and hasattr(candidate, "to_multipart"):
            return candidate(file=file)
    raise FlowError(f"{module.__name__} takes no multipart/form-data body (annotation {annotation!r})")


def main() -> int:
    started = time.monotonic()
    try:
        run()
    except FlowError as failure:
        print(f"FAILED: {failure!r}", flush=True)
        return 1
    print(f"python flow passed in {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
