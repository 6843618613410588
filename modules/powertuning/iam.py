"""What each tuner function calls on the function being tuned: the one list the Pulumi
component and the Terraform module grant (each on the tunable functions only)."""

from __future__ import annotations

_READ = ["lambda:GetFunction", "lambda:GetFunctionConfiguration"]
_CONFIGURE = ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"]
_PUBLISH = ["lambda:CreateAlias", "lambda:PublishVersion", "lambda:UpdateAlias"]
TUNING_ACTIONS: dict[str, list[str]] = {
    "initializer": [*_READ, *_CONFIGURE, *_PUBLISH],
    "executor": ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
    "cleaner": [
        *_READ,
        *_CONFIGURE,
        "lambda:DeleteAlias",
        "lambda:DeleteFunction",
        "lambda:GetAlias",
        "lambda:ListVersionsByFunction",
    ],
    "analyzer": [],
    "optimizer": [*_READ, *_CONFIGURE, *_PUBLISH],
}
LOG_WRITE = ["logs:CreateLogStream", "logs:PutLogEvents"]
