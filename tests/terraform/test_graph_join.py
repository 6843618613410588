"""CKV_GPK_7's join of an endpoint to its configuration, scaling target and policy, on
graph vertices shaped like checkov's (names known, or only references within a module)."""

from __future__ import annotations

from typing import Any

from gpukit.policies.checkov.graph_join import Fleet, endpoint_with_scaling

TAGS = {
    "gpukit:owner": "ana",
    "gpukit:env": "dev",
    "gpukit:cost-center": "ml",
    "gpukit:managed-by": "gpukit",
}


def vertex(
    rtype: str, label: str, module: str = "", crumbs: dict[str, str] | None = None, **conf: Any
) -> dict[str, Any]:
    block = f"{rtype}.{label}"
    return {
        "block_type_": "resource",
        "resource_type": rtype,
        "block_name_": block,
        "__address__": f"{module}{block}",
        "config_": {rtype: {label: {k: [v] for k, v in conf.items()}}},
        "rendering_breadcrumbs_": {
            attr: [{"type": "resource", "name": target}] for attr, target in (crumbs or {}).items()
        },
    }


def endpoint_in(module: str, *, resolved: bool) -> list[dict[str, Any]]:
    """An endpoint whose name is ``"ep"`` when resolved, else a leftover expression."""
    name = "ep" if resolved else "${var.name}"
    rid = f"endpoint/{name}/variant/AllTraffic"
    return [
        vertex(
            "aws_sagemaker_endpoint",
            "this",
            module,
            {"endpoint_config_name": "aws_sagemaker_endpoint_configuration.this"},
            name=name,
            endpoint_config_name=name,
            tags=TAGS,
        ),
        vertex(
            "aws_sagemaker_endpoint_configuration",
            "this",
            module,
            name=name,
            production_variants={"variant_name": ["AllTraffic"], "instance_type": ["ml.g5.xlarge"]},
        ),
        vertex(
            "aws_appautoscaling_target",
            "variant",
            module,
            {"resource_id": "aws_sagemaker_endpoint.this"},
            resource_id=rid,
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            min_capacity=1,
            max_capacity=3,
        ),
        vertex(
            "aws_appautoscaling_policy",
            "invocations",
            module,
            {"resource_id": "aws_appautoscaling_target.variant"},
            resource_id=rid,
        ),
    ]


def variants(vertices: list[dict[str, Any]], module: str) -> list[Any]:
    fleet = Fleet(vertices)
    endpoint = next(
        v for v in fleet.of("aws_sagemaker_endpoint") if v["__address__"].startswith(module)
    )
    resource = endpoint_with_scaling(fleet, endpoint)
    assert resource.endpoint is not None
    return resource.endpoint.variants


def test_join_by_rendered_names() -> None:
    (variant,) = variants(endpoint_in("", resolved=True), "")
    assert variant.autoscaling and (variant.min_instances, variant.max_instances) == (1, 3)
    assert variant.instance_type == "ml.g5.xlarge"


def test_join_by_references_stays_within_the_module_instance() -> None:
    scaled = endpoint_in("module.a.", resolved=False)
    fixed = [
        v
        for v in endpoint_in("module.b.", resolved=False)
        if v["resource_type"] not in ("aws_appautoscaling_target", "aws_appautoscaling_policy")
    ]
    vertices = scaled + fixed
    assert variants(vertices, "module.a.")[0].autoscaling
    assert not variants(vertices, "module.b.")[0].autoscaling


def test_a_target_without_a_policy_is_not_autoscaling() -> None:
    vertices = [
        v
        for v in endpoint_in("", resolved=True)
        if v["resource_type"] != "aws_appautoscaling_policy"
    ]
    assert not variants(vertices, "")[0].autoscaling


def test_a_cloud_control_endpoint_config_with_managed_scaling_autoscales() -> None:
    """The gpu-endpoint module's scale-to-zero mode: the configuration is an
    ``AWS::SageMaker::EndpointConfig`` through Cloud Control, scaling managed from 0."""
    import json

    def with_state(instance_type: str) -> list[dict[str, Any]]:
        state = {
            "EndpointConfigName": "ep",
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "InstanceType": instance_type,
                    "InitialInstanceCount": 1,
                    "ManagedInstanceScaling": {
                        "Status": "ENABLED",
                        "MinInstanceCount": 0,
                        "MaxInstanceCount": 2,
                    },
                }
            ],
        }
        return [
            vertex("aws_sagemaker_endpoint", "this", name="ep", endpoint_config_name="ep"),
            vertex(
                "aws_cloudcontrolapi_resource",
                "endpoint_config",
                type_name="AWS::SageMaker::EndpointConfig",
                desired_state=json.dumps(state),
            ),
        ]

    (variant,) = variants(with_state("ml.g5.xlarge"), "")
    assert variant.autoscaling and variant.scale_to_zero
    assert (variant.min_instances, variant.max_instances) == (0, 2)
    fleet = Fleet(with_state("ml.m5.large"))
    assert endpoint_with_scaling(fleet, fleet.of("aws_sagemaker_endpoint")[0]) is None
