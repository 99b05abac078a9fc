"""Real identifiers for the schemathesis run (.ci/run, step schemathesis).

After `partner-portal seed --demo`, finds the demo tree's records and creates,
through the API, one record of each kind the demo has none of (a subscription,
an operator, an API client, a webhook endpoint and a delivery, a service and an
instance, a customer user, an application, a billing run and its invoice, a
brand's portal domain). Prints `NAME=value` lines, which .ci/schemathesis.toml
reads as `${NAME}` so that every operation is tested on records that exist.

    python3 .ci/schemathesis_fixtures.py BASE_URL TOKEN > fixtures.env
"""

from __future__ import annotations

import base64
import datetime
import json
import sys
import time
import urllib.error
import urllib.request

BASE, TOKEN = sys.argv[1], sys.argv[2]


def call(method: str, path: str, body: object | None = None, token: str | None = TOKEN) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            text = res.read()
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}")
    return json.loads(text) if text else {}


def wait_for(what: str, probe) -> object:
    """Polls `probe` (background workers) for up to 30 s."""
    for _ in range(60):
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    sys.exit(f"timed out waiting for {what}")


me = call("GET", "/v1/me")
root = me["home_organization_id"]
tree = {o["name"]: o["id"] for o in call("GET", f"/v1/organizations/{root}/descendants?limit=500")["items"]}
org, customer = tree["Fabrikam Reseller"], tree["Alpine Ski House"]
other_customer, move_target = tree["Blue Yonder Airlines"], tree["Tailspin Distribution"]
active_org = tree["Wingtip Partners"]  # for suspend and reactivate
# A customer to change (a customer takes every field of an organisation), and
# a distributor whose brand is removed (the public brand stays Fabrikam's).
changed_customer, doomed_brand_org = tree["Humongous Insurance"], tree["Northwind Distribution"]

# A partner of its own for the operations that change an organisation's state
# (suspend, archive, move, update), so the reads keep their tree.
scratch = call(
    "POST",
    "/v1/organizations",
    {"parent_id": org, "kind": "partner", "name": "Contract Test Partner"},
)["id"]

# Operations that end a record (archive, cancel, revoke, decide) get one of
# their own, so the others keep a live one.
doomed_org = call(
    "POST",
    "/v1/organizations",
    {"parent_id": org, "kind": "partner", "name": "Contract Test Partner (archived)"},
)["id"]

today = datetime.date.today()


def subscribe() -> str:
    return call(
        "POST",
        f"/v1/customers/{customer}/subscriptions",
        {
            "sku": "O365_BUSINESS_PREMIUM",
            "description": "Microsoft 365 Business Premium",
            "quantity": 10,
            "assigned": 5,
            "unit_price": {"amount_minor": 3300, "currency": "NZD"},
            "billing_cycle": "monthly",
            "renews_on": (today + datetime.timedelta(days=365)).isoformat(),
        },
    )["id"]


subscription, doomed_subscription = subscribe(), subscribe()
operator = call(
    "POST",
    f"/v1/organizations/{org}/operators",
    {"email": "contract-test@fabrikam.example", "name": "Contract Test", "roles": ["viewer"]},
)["id"]
api_client, doomed_api_client = (
    call("POST", f"/v1/organizations/{org}/api-clients", {"name": name, "roles": ["viewer"]})["id"]
    for name in ("Contract test", "Contract test (revoked)")
)
webhook = call(
    "POST",
    f"/v1/organizations/{org}/webhook-endpoints",
    {"url": "http://127.0.0.1:9/hooks", "events": ["*"], "description": "Contract test"},
)["id"]
# Deleting is tested on an endpoint of its own, so the others keep theirs.
doomed_webhook = call(
    "POST",
    f"/v1/organizations/{org}/webhook-endpoints",
    {"url": "http://127.0.0.1:9/doomed", "events": ["*"], "description": "Contract test (deleted)"},
)["id"]
call("POST", f"/v1/webhook-endpoints/{webhook}/test")
delivery = wait_for(
    "a webhook delivery",
    lambda: next(iter(call("GET", f"/v1/webhook-endpoints/{webhook}/deliveries")["items"]), {}).get("id"),
)
service = call(
    "POST",
    "/v1/services",
    {
        "key": "contract-test",
        "name": "Contract Test",
        "launch_url": "https://service.example/launch",
        "regions": ["eu-west", "us-east"],
    },
)["key"]
instance = call(
    "POST", f"/v1/customers/{customer}/service-instances", {"service": service, "region": "eu-west"}
)["id"]
doomed_instance = call(
    "POST", f"/v1/customers/{other_customer}/service-instances", {"service": service, "region": "us-east"}
)["id"]
# The changed user may end up disabled; impersonating and inviting get another.
customer_user, other_customer_user = (
    call("POST", f"/v1/customers/{customer}/users", {"email": email, "name": "Kim Abercrombie"})["id"]
    for email in ("kim@alpineskihouse.example", "lee@alpineskihouse.example")
)
call("PATCH", f"/v1/organizations/{org}", {"programme_open": True})


def apply(email: str) -> str:
    return call(
        "POST",
        f"/v1/programmes/{org}/applications",
        {
            "company_name": "Contract Test IT",
            "contact_name": "Ann Lee",
            "email": email,
            "country": "NZ",
            "message": "We look after small businesses.",
        },
        token=None,
    )["id"]


application, rejected_application = apply("ann@contract-test.example"), apply("bo@contract-test.example")
portal_domain = "portal.fabrikam.example"
for brand_org, name, domain in (
    (org, "Fabrikam Cloud", portal_domain),
    (doomed_brand_org, "Northwind Cloud", "portal.northwind.example"),
):
    call("PUT", f"/v1/organizations/{brand_org}/branding", {"display_name": name, "portal_domain": domain})
# A 1×1 PNG, so the public brand has a logo to serve.
logo = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
)
for brand_org in (org, doomed_brand_org):
    put = urllib.request.Request(BASE + f"/v1/organizations/{brand_org}/branding/logo", data=logo, method="PUT")
    put.add_header("Authorization", f"Bearer {TOKEN}")
    put.add_header("Content-Type", "image/png")
    urllib.request.urlopen(put, timeout=10).close()
run = call("POST", f"/v1/organizations/{org}/billing-runs", {"period": today.strftime("%Y-%m")})["id"]
wait_for(
    "the billing run",
    lambda: call("GET", f"/v1/billing-runs/{run}").get("status") not in ("queued", "running"),
)
invoice = wait_for(
    "an invoice",
    lambda: next(iter(call("GET", f"/v1/organizations/{org}/invoices")["items"]), {}).get("id"),
)

for name, value in {
    "ST_ORG_ID": org,
    "ST_SCRATCH_ORG_ID": scratch,
    "ST_MOVE_TARGET_ID": move_target,
    "ST_ACTIVE_ORG_ID": active_org,
    "ST_CHANGED_CUSTOMER_ID": changed_customer,
    "ST_DOOMED_BRAND_ORG_ID": doomed_brand_org,
    "ST_DOOMED_ORG_ID": doomed_org,
    "ST_CUSTOMER_ID": customer,
    "ST_SUBSCRIPTION_ID": subscription,
    "ST_DOOMED_SUBSCRIPTION_ID": doomed_subscription,
    "ST_OPERATOR_ID": operator,
    "ST_API_CLIENT_ID": api_client,
    "ST_DOOMED_API_CLIENT_ID": doomed_api_client,
    "ST_WEBHOOK_ID": webhook,
    "ST_DOOMED_WEBHOOK_ID": doomed_webhook,
    "ST_DELIVERY_ID": delivery,
    "ST_SERVICE_KEY": service,
    "ST_SERVICE_INSTANCE_ID": instance,
    "ST_DOOMED_SERVICE_INSTANCE_ID": doomed_instance,
    "ST_CUSTOMER_USER_ID": customer_user,
    "ST_OTHER_CUSTOMER_USER_ID": other_customer_user,
    "ST_APPLICATION_ID": application,
    "ST_REJECTED_APPLICATION_ID": rejected_application,
    "ST_BILLING_RUN_ID": run,
    "ST_INVOICE_ID": invoice,
    "ST_PORTAL_DOMAIN": portal_domain,
}.items():
    print(f"{name}={value}")
