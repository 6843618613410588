"""The webhook's configuration: a bad URL, or a webhook without the SNS topic a teardown
waits for, is refused up front (Lambda: ConfigError; CLI: exit 2, one line)."""

from __future__ import annotations

import pytest

from gpukit.guard.handler import ConfigError, config_from_env
from tests.guard.guard_cli import gpukit

TOPIC = "arn:aws:sns:us-east-1:123456789012:gpu-notices"


def test_the_lambda_reads_the_webhook_url_next_to_the_topic():
    env = {"GPUKIT_SNS_TOPIC_ARN": TOPIC, "GPUKIT_WEBHOOK_URL": "https://hooks.example.com/x"}
    assert config_from_env(env).webhook_url == "https://hooks.example.com/x"
    assert config_from_env({"GPUKIT_SNS_TOPIC_ARN": TOPIC}).webhook_url is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GPUKIT_WEBHOOK_URL": "https://hooks.example.com/x"}, "needs GPUKIT_SNS_TOPIC_ARN"),
        ({"GPUKIT_SNS_TOPIC_ARN": TOPIC, "GPUKIT_WEBHOOK_URL": "hooks.example.com"}, "not an http"),
    ],
)
def test_the_lambda_refuses_a_bad_webhook(env: dict[str, str], message: str):
    with pytest.raises(ConfigError, match=message) as caught:
        config_from_env(env)
    assert str(caught.value).startswith("GPUKIT_WEBHOOK_URL")


def test_the_cli_refuses_a_bad_webhook_with_exit_2_and_no_traceback():
    bad = gpukit("guard", "run", "--sns-topic", TOPIC, "--webhook-url", "ftp://example.com/x")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "--webhook-url" in bad.stderr + bad.stdout and "not an http" in bad.stderr + bad.stdout
    alone = gpukit("guard", "run", "--webhook-url", "https://hooks.example.com/x")
    assert alone.returncode == 2 and "needs --sns-topic" in alone.stderr + alone.stdout
    helped = gpukit("guard", "run", "--help")
    assert "--webhook-url" in helped.stdout
