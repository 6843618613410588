"""gpukit-guard: the guard on a schedule (and the Lambda power tuner) for one environment.

The stack name is the environment (dev, staging, prod). This file only reads the config
and instantiates the components.
"""

import pulumi
import pulumi_aws as aws
from guard_config import GuardStackConfig

from gpukit.modules.pulumi.guard_service import GuardService
from gpukit.modules.pulumi.power_tuner import PowerTuner
from gpukit.modules.pulumi.stack_config import default_tags, load_config

config, env = load_config(GuardStackConfig)
region = pulumi.Config("aws").require("region")
tags = default_tags(config.owner, env, config.cost_center)

provider = aws.Provider("aws", region=region, default_tags={"tags": tags})
opts = pulumi.ResourceOptions(providers=[provider])

guard = GuardService(f"guard-{env}", config.guard_args(env), opts)
pulumi.export("environment", env)
pulumi.export("guard_function_arn", guard.function_arn)
pulumi.export("notices_topic_arn", guard.topic_arn)

tuner_args = config.tuner_args(env)
if tuner_args is not None:
    tuner = PowerTuner(f"power-tuner-{env}", tuner_args, opts)
    pulumi.export("power_tuner_state_machine_arn", tuner.state_machine_arn)
