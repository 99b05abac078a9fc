"""Schemathesis hooks for the contract run (loaded through SCHEMATHESIS_HOOKS).

An Idempotency-Key promises one outcome per key: a generated key that comes
back in a later case with another body is rightly refused (422
`idempotency_key_reused`), which no schema can say. So every call that sends a
well-formed key sends a fresh one instead (a malformed one is kept, so the
negative checks still see it refused). Negative cases about another header
(one left out or given a wrong value, as in the check that a missing token is
refused) are left as generated: an edit would relabel them as positive cases.
"""

import re
import uuid

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

HEADER = "idempotency-key"
WELL_FORMED = re.compile(r"^[\x21-\x7e]{1,255}$")


def _negative_about_another_header(case) -> bool:
    if case.meta is None or case.meta.generation.mode != GenerationMode.NEGATIVE:
        return False
    data = getattr(case.meta.phase, "data", None)
    return (
        getattr(data, "parameter_location", None) == ParameterLocation.HEADER
        and str(getattr(data, "parameter", "")).lower() != HEADER
    )


@schemathesis.hook
def before_call(ctx, case, kwargs):
    if not case.headers or _negative_about_another_header(case):
        return
    for name, value in list(case.headers.items()):
        if name.lower() == HEADER and isinstance(value, str) and WELL_FORMED.match(value):
            case.headers[name] = f"st-{uuid.uuid4()}"
