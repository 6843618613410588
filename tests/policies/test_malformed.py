"""Bad policy and resource files give ``file:line: field: reason`` and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpukit.cli import app
from gpukit.policies.environment import ENVIRONMENTS_DIR, load_policy
from gpukit.policies.errors import InputError
from gpukit.policies.resources import load_resources

runner = CliRunner()
DEV_TEXT = (ENVIRONMENTS_DIR / "dev.yaml").read_text()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "old, new, field, fragment",
    [
        ("max_model_units: 1", "max_model_units: lots", "max_model_units", "valid integer"),
        (
            "max_teardowns_per_run: 5",
            "max_teardowns_per_run: 5\nsurprise: 1",
            "surprise",
            "unknown field",
        ),
        (
            "{window_hours: 12, grace_hours: 6}",
            "{window_hours: -3, grace_hours: 6}",
            "idle.bedrock-provisioned-throughput.window_hours",
            "greater than 0",
        ),
        (
            "allowed_commitments: []",
            "allowed_commitments: [TwoYears]",
            "allowed_commitments.0",
            "OneMonth",
        ),
        ("environment: dev", "environment: qa", "environment", "match pattern"),
    ],
)
def test_bad_policy_field_points_at_its_line(tmp_path, old, new, field, fragment) -> None:
    text = DEV_TEXT.replace(old, new)
    assert text != DEV_TEXT
    path = write(tmp_path, "dev.yaml", text)
    with pytest.raises(InputError) as err:
        load_policy(path)
    expected_line = line_of(text, new.splitlines()[-1].split(":")[0])
    assert any(
        m.startswith(f"{path}:{expected_line}: {field}: ") and fragment in m
        for m in err.value.messages
    ), err.value.messages


def test_policy_yaml_syntax_error_has_a_line(tmp_path) -> None:
    path = write(tmp_path, "p.yaml", "environment: dev\nidle: [unclosed\n")
    with pytest.raises(InputError) as err:
        load_policy(path)
    assert err.value.messages[0].startswith(f"{path}:3: (document): ")


def test_policy_validate_cli_exits_2_without_traceback(tmp_path) -> None:
    path = write(
        tmp_path, "dev.yaml", DEV_TEXT.replace("max_model_units: 1", "max_model_units: -1")
    )
    result = runner.invoke(app, ["policy", "validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:{line_of(DEV_TEXT, 'max_model_units')}: max_model_units: " in result.output
    assert "Traceback" not in result.output


def test_policy_validate_cli_accepts_the_bundled_documents() -> None:
    result = runner.invoke(app, ["policy", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok (") == 3


def resource_doc(**override) -> dict:
    base = json.loads((Path(__file__).parents[2] / "examples" / "fleet.json").read_text())[
        "resources"
    ][0]
    base.update(override)
    return {"resources": [base]}


@pytest.mark.parametrize(
    "override, field, fragment",
    [
        ({"created_at": "yesterday"}, "resources.0.created_at", "datetime"),
        ({"created_at": "2026-11-01T00:00:00"}, "resources.0.created_at", "timezone"),
        ({"account": 42}, "resources.0.account", "string"),
        ({"colour": "red"}, "resources.0.colour", "unknown field"),
        ({"kind": "ec2-instance"}, "resources.0.kind", "bedrock-provisioned-throughput"),
        (
            {"configuration": {"model_id": "m", "model_units": 0}},
            "resources.0.configuration.model_units",
            "greater than or equal to 1",
        ),
        (
            {"kind": "sagemaker-endpoint"},
            "resources.0",
            "configuration does not describe a sagemaker-endpoint",
        ),
        (
            {
                "usage": {
                    "window_start": "2026-11-23T00:00:00Z",
                    "window_end": "2026-11-22T00:00:00Z",
                }
            },
            "resources.0.usage",
            "window_end must be after window_start",
        ),
    ],
)
def test_bad_resource_file_names_field_and_reason(tmp_path, override, field, fragment) -> None:
    path = write(tmp_path, "r.json", json.dumps(resource_doc(**override), indent=2))
    with pytest.raises(InputError) as err:
        load_resources(path)
    assert any(f": {field}: " in m and fragment in m for m in err.value.messages), (
        err.value.messages
    )
    assert all(m.startswith(f"{path}:") for m in err.value.messages)


def test_resource_file_line_numbers_point_at_the_field(tmp_path) -> None:
    text = json.dumps(resource_doc(created_at="not a date"), indent=2)
    path = write(tmp_path, "r.json", text)
    with pytest.raises(InputError) as err:
        load_resources(path)
    assert err.value.messages[0].startswith(
        f"{path}:{line_of(text, 'created_at')}: resources.0.created_at:"
    )


def test_invalid_json_and_missing_file(tmp_path) -> None:
    path = write(tmp_path, "r.json", '{"resources": [\n  {,}\n]}')
    with pytest.raises(InputError) as err:
        load_resources(path)
    assert err.value.messages == [
        f"{path}:2: (document): invalid JSON: Expecting property name enclosed in double quotes"
    ]
    with pytest.raises(InputError, match="cannot read"):
        load_resources(tmp_path / "nope.json")


def test_check_cli_bad_input_exits_2(tmp_path) -> None:
    path = write(tmp_path, "r.json", json.dumps(resource_doc(account="abc")))
    result = runner.invoke(app, ["check", "--input", str(path)])
    assert result.exit_code == 2
    assert "resources.0.account" in result.output and "Traceback" not in result.output
    assert runner.invoke(app, ["check", "--input", str(path), "--env", "qa"]).exit_code == 2
    assert (
        runner.invoke(app, ["check", "--input", "examples/fleet.json", "--now", "soon"]).exit_code
        == 2
    )
