"""Generate the guard-member-role module's IAM policy from ``gpukit.guard.iam``.

``python -m gpukit.iac.member_policy`` rewrites ``modules/terraform/guard-member-role/
member_policy.tf.json``: ``local.member_policy``, the document
:func:`gpukit.guard.iam.member_policy_document` builds for a member account.
"""

from __future__ import annotations

from gpukit.guard.iam import member_policy_document
from gpukit.iac.policy_file import ACCOUNT_BINDINGS, PolicyFile

FILE = PolicyFile(
    module="guard-member-role",
    local="member_policy",
    build=member_policy_document,
    bindings=ACCOUNT_BINDINGS,
    generator="gpukit.iac.member_policy",
)
POLICY_FILE, BINDINGS = FILE.path, FILE.bindings
render, text = FILE.render, FILE.text

if __name__ == "__main__":
    FILE.write()
