"""An organisation in the emulator: member accounts with the guard role, and in each
region an endpoint and a PTU."""

from __future__ import annotations

from gpukit.emulator import Emulator
from gpukit.guard.org import DEFAULT_MEMBER_ROLE

REGIONS = ("us-east-1", "eu-west-1")


BASE_MODEL = "amazon.titan-text-express-v1:0:8k"


def seed_account(emu: Emulator, account: str, role: str = DEFAULT_MEMBER_ROLE) -> set[str]:
    """One GPU endpoint and one PTU in each of :data:`REGIONS` of ``account``; their ARNs."""
    arns = set()
    for n, region in enumerate(REGIONS):
        sagemaker = emu.account_client(account, role, "sagemaker", region)
        name = f"ep-{account[-4:]}-{region}"
        sagemaker.create_model(
            ModelName=f"{name}-m",
            ExecutionRoleArn=f"arn:aws:iam::{account}:role/sm",
            PrimaryContainer={"Image": "img"},
        )
        sagemaker.create_endpoint_config(
            EndpointConfigName=f"{name}-c",
            ProductionVariants=[
                {
                    "VariantName": "main",
                    "ModelName": f"{name}-m",
                    "InstanceType": "ml.g4dn.xlarge",
                    "InitialInstanceCount": 1,
                }
            ],
        )
        arns.add(
            sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-c")[
                "EndpointArn"
            ]
        )
        bedrock = emu.account_client(account, role, "bedrock", region)
        arns.add(
            bedrock.create_provisioned_model_throughput(
                provisionedModelName=f"ptu-{account[-4:]}-{region}",
                modelId=f"arn:aws:bedrock:{region}:{account}:custom-model/{BASE_MODEL}/model0000{n:03d}",
                modelUnits=1,
            )["provisionedModelArn"]
        )
    return arns


def organisation(emu: Emulator, members: int) -> list[str]:
    """An organisation whose management account is the emulator's, with ``members`` more."""
    org = emu.client("organizations")
    org.create_organization(FeatureSet="ALL")
    for n in range(members):
        org.create_account(Email=f"m{n}@example.com", AccountName=f"member-{n}")
    ids = [a["Id"] for a in org.list_accounts()["Accounts"]]
    assert len(ids) == members + 1
    return ids
