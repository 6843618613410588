"""evaluate_many: which policy judges each resource, with which prices, and what an
evaluation without findings decides."""

from __future__ import annotations

from gpukit.policies.engine import Evaluation, evaluate_many
from gpukit.policies.environment import load_policies
from gpukit.policies.findings import Decision
from gpukit.policies.pricing import SourcedPrice, load_bundled
from tests.factories import NOW, endpoint, ptu, usage

POLICIES = load_policies()


def test_a_forced_environment_judges_every_resource_whatever_its_tag():
    tagged_dev = ptu(env="dev", use=usage(500))
    (forced,) = evaluate_many([tagged_dev], POLICIES, NOW, forced_env="prod")
    assert forced.policy.environment == "prod"
    (own,) = evaluate_many([tagged_dev], POLICIES, NOW)
    assert own.policy.environment == "dev"


def test_an_evaluation_without_findings_is_ok():
    assert Evaluation(ptu(use=usage(500)), POLICIES["dev"], []).decision is Decision.OK


def test_the_prices_given_are_the_prices_used():
    book = load_bundled()
    rigged = book.model_copy(
        update={
            "sagemaker_hourly": {**book.sagemaker_hourly, "ml.g5.2xlarge": SourcedPrice(usd=123.0)}
        }
    )
    fixed = endpoint(autoscaling=False, use=None)
    (ev,) = evaluate_many([fixed], POLICIES, NOW, prices=rigged)
    assert {f.hourly_cost_usd for f in ev.findings} == {123.0}
