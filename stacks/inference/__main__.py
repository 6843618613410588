"""gpukit-inference: Bedrock PTUs and SageMaker GPU endpoints for one environment.

The stack name is the environment (dev, staging, prod); ``Pulumi.<env>.yaml`` says what to
run there. This file only reads that config and instantiates the components.
"""

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native
from inference_config import InferenceConfig

from gpukit.modules.pulumi.bedrock_throughput import BedrockThroughput
from gpukit.modules.pulumi.gpu_endpoint import GpuEndpoint
from gpukit.modules.pulumi.stack_config import default_tags, load_config

config, env = load_config(InferenceConfig)
region = pulumi.Config("aws").require("region")
tags = default_tags(config.owner, env, config.cost_center)

aws_provider = aws.Provider("aws", region=region, default_tags={"tags": tags})
native_provider = aws_native.Provider("aws-native", region=region, default_tags={"tags": tags})
opts = pulumi.ResourceOptions(providers=[aws_provider, native_provider])

throughputs = {
    t.name: BedrockThroughput(t.name, t.to_args(env, config.alarm_topic_arn), opts)
    for t in config.throughputs
}
endpoints = {
    e.name: GpuEndpoint(e.name, e.to_args(config.alarm_topic_arn), opts) for e in config.endpoints
}

pulumi.export("environment", env)
pulumi.export("throughput_arns", {name: ptu.arn for name, ptu in throughputs.items()})
pulumi.export("endpoint_names", {name: ep.endpoint_name for name, ep in endpoints.items()})
