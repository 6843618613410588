"""``gpukit:env`` as people write it: case, spaces, aliases and values naming nothing.

Over HTTP against the emulator, with the guard placing its own marks in a first run and
coming back after the dev grace period: only what a teardown policy names may go.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gpukit.emulator import Emulator
from gpukit.guard.audit import FileAuditStore
from gpukit.guard.runner import run_guard
from gpukit.policies import tags as T
from gpukit.policies.engine import select_policy
from gpukit.policies.environment import (
    ENVIRONMENTS_DIR,
    load_policies,
    load_policy_for_env,
    require_env,
)
from gpukit.policies.errors import InputError
from gpukit.policies.timeutil import iso
from tests.factories import discovered_ptu, tags
from tests.guard.conftest import config_for, create_ptu, factory_for
from tests.guard.inventory import inventory

FLEET = Path(__file__).parents[2] / "examples" / "fleet.json"
NOW = datetime.now(UTC).replace(microsecond=0)
#: The first run, one dev grace period (6h) and a bit before the second.
EARLIER = NOW - timedelta(hours=7)
PROD_SPELLINGS = ("production", "Prod", "prod ", " PRD", "qa", "")


def _ptu(aws: Emulator, name: str, env: str | None) -> str:
    tag_map = tags(env or "", **{T.EXPIRES_AT: iso(NOW + timedelta(days=2))})
    if env is None:
        del tag_map[T.ENV]
    return create_ptu(aws, name, tag_map, NOW)


def test_prod_spellings_and_unknown_values_are_never_torn_down(
    aws: Emulator, audit_path: Path
) -> None:
    strict = {env: _ptu(aws, f"p{n}", env) for n, env in enumerate(PROD_SPELLINGS)}
    dev_alias = _ptu(aws, "dev-alias", "Development")
    before = inventory(aws)
    for moment in (EARLIER, NOW):
        run_guard(factory_for(aws), config_for(moment, audit_path, apply=True))
    after = inventory(aws)
    assert dev_alias not in after  # the alias names dev: marked, then torn down after grace
    assert {env: after.get(arn) for env, arn in strict.items()} == {
        env: before[arn] for env, arn in strict.items()
    }
    judged = {
        r.arn: r.data["policy"] for r in FileAuditStore(audit_path).read() if r.kind == "decision"
    }
    assert {env: judged[arn] for env, arn in strict.items()} == dict.fromkeys(strict, "prod")


def test_an_absent_env_tag_is_still_judged_by_dev() -> None:
    policies = load_policies()
    untagged = discovered_ptu("u", now=NOW, tags={T.OWNER: "a@example.com"})
    assert select_policy(untagged.resource, policies).environment == "dev"


@pytest.mark.parametrize(
    ("value", "env"), [(" Prod", "prod"), ("STG", "staging"), ("development", "dev")]
)
def test_env_flag_takes_names_and_aliases_in_any_case(value: str, env: str) -> None:
    assert require_env(value) == env
    forced = select_policy(
        discovered_ptu("x", now=NOW, tags=tags("dev")).resource, load_policies(), value
    )
    assert forced.environment == env


def test_env_flag_naming_nothing_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        require_env("qa")
    assert err.value.messages[0].startswith("--env: unknown environment 'qa'")


def test_two_environments_may_not_claim_one_alias() -> None:
    dev = load_policy_for_env("dev").model_copy(update={"aliases": ["production"]})
    with pytest.raises(InputError) as err:
        load_policies({"dev": dev})
    assert "'production' is claimed by both the dev and the prod policy" in err.value.messages[0]


@pytest.mark.parametrize("alias", ["Production", " prd", "prod", ""])
def test_aliases_must_be_plain_lower_case_and_not_an_environment_name(alias: str) -> None:
    data = load_policy_for_env("prod").model_dump() | {"aliases": [alias]}
    with pytest.raises(ValueError, match="alias"):
        type(load_policy_for_env("prod")).model_validate(data)


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    gpukit = str(Path(sys.executable).with_name("gpukit"))
    command = [gpukit, "check", "--input", str(FLEET), "--format", "json", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_cli_env_flag_is_normalised_or_refused() -> None:
    as_prod = _check("--env", " Production")
    assert as_prod.returncode in (0, 1), as_prod.stderr
    decisions = {f["decision"] for f in json.loads(as_prod.stdout)["findings"]}
    assert not decisions & {"mark", "teardown"}  # prod is warn-only
    refused = _check("--env", "qa")
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert refused.stderr.startswith("--env: unknown environment 'qa'")


def test_a_policy_file_claiming_another_environments_alias_is_exit_2(tmp_path: Path) -> None:
    text = (ENVIRONMENTS_DIR / "dev.yaml").read_text(encoding="utf-8")
    path = tmp_path / "dev.yaml"
    path.write_text(text.replace("aliases: [development]", "aliases: [development, prd]"))
    done = _check("--policy", str(path))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "aliases: 'prd' is claimed by both the dev and the prod policy;"
        " an alias names one environment"
    )
