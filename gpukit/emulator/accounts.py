"""Several accounts in one emulator: moto keys every backend by account id, and the
credentials ``sts:AssumeRole`` hands out act in the role's account.

moto lets any role be assumed, even one that does not exist. Here ``AssumeRole`` into
``arn:aws:iam::<account>:role/<name>`` is refused (``AccessDenied``, as AWS answers) unless
that account has a role of that name; trust policies are not evaluated. Roles in a member
account are made with :func:`create_role` (no credentials for it exist before one).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from urllib.parse import parse_qs

from moto.iam.models import get_account_id_from, iam_backends

from gpukit.emulator.bedrock_ptu import ProvisionedThroughputs
from gpukit.emulator.operations import Request
from gpukit.emulator.shapes import Response, error_response

OPERATION = "sts.AssumeRole"
_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")


def request_account(request: Request) -> str:
    """The account whose credentials signed ``request`` (moto's rule: keys from
    ``AssumeRole`` act in the role's account, any other key in the default one)."""
    found = _ACCESS_KEY.search(request.headers.get("authorization", ""))
    return get_account_id_from(found.group(1)) if found else ""


class AccountPtus:
    """The emulated PTUs of each account: ``default`` is the emulator's own account's
    store; another account's is made on first use, so its PTUs are its own."""

    def __init__(self, default: ProvisionedThroughputs) -> None:
        self.default = default
        self._stores = {default.account_id: default}
        self._lock = threading.Lock()

    def of(self, account: str) -> ProvisionedThroughputs:
        if not account:
            return self.default
        with self._lock:
            if account not in self._stores:
                self._stores[account] = ProvisionedThroughputs(account, self.default.clock)
            return self._stores[account]

    def clear(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.clear()
            self._stores = {self.default.account_id: self.default}


def _partition(arn: str) -> str:
    return arn.split(":", 2)[1] if arn.count(":") >= 2 else "aws"


def role_exists(role_arn: str) -> bool:
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("role/"):
        return False
    account, name = parts[4], parts[5].rsplit("/", 1)[-1]
    backend = iam_backends[account][_partition(role_arn)]
    return any(role.name == name for role in list(backend.roles.values()))


def assume_role(request: Request, forward: Callable[[Request], Response]) -> Response:
    """Forward ``AssumeRole`` to moto only when the role exists in its account."""
    form = parse_qs(request.body.decode("utf-8", "replace")) or parse_qs(request.query)
    arn = (form.get("RoleArn") or [""])[0]
    if not role_exists(arn):
        message = f"User is not authorized to perform: sts:AssumeRole on resource: {arn}"
        return error_response("sts", "AccessDenied", message, 403)
    return forward(request)


def create_role(account: str, name: str, trusted: str, partition: str = "aws") -> str:
    """Create role ``name`` in ``account`` trusting ``trusted`` (an ARN); return its ARN."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam_backends[account][partition].create_role(
        role_name=name,
        assume_role_policy_document=json.dumps(trust),
        path="/",
        permissions_boundary=None,
        description="gpukit emulator: member-account role",
        tags=[],
        max_session_duration="3600",
        linked_service=None,
    )
    return str(role.arn)
