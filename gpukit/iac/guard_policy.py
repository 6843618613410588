"""Generate the guard-service module's IAM policy from ``gpukit.guard.iam``.

``python -m gpukit.iac.guard_policy`` rewrites ``modules/terraform/guard-service/
guard_policy.tf.json``: ``local.guard_policy``, the document
:func:`gpukit.guard.iam.policy_document` builds, with the placeholders bound to the module's
own resources.
"""

from __future__ import annotations

from gpukit.guard.iam import policy_document
from gpukit.iac.policy_file import ACCOUNT_BINDINGS, PolicyFile

FILE = PolicyFile(
    module="guard-service",
    local="guard_policy",
    build=policy_document,
    #: gpukit.guard.iam placeholders bound to the module's resources (Terraform interpolation).
    bindings={
        "audit_table_arn": "${aws_dynamodb_table.audit.arn}",
        "topic_arn": "${aws_sns_topic.notices.arn}",
        "log_group_arn": "${aws_cloudwatch_log_group.guard.arn}",
        **ACCOUNT_BINDINGS,
    },
    generator="gpukit.iac.guard_policy",
)
POLICY_FILE, BINDINGS = FILE.path, FILE.bindings
render, text = FILE.render, FILE.text

if __name__ == "__main__":
    FILE.write()
