"""docs/getting_started_azure.md documents every setting the workflows and the rollout read."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUIDE = (REPO / "docs" / "getting_started_azure.md").read_text()


def _table_names(heading: str) -> set[str]:
    """The back-quoted names in the first column of the first table after `heading`."""
    section = GUIDE[GUIDE.index(heading) :]
    table = section[section.index("\n|") + 1 :].split("\n\n", 1)[0]
    return {
        name for row in table.splitlines() for name in re.findall(r"`(\w+)`", row.split("|")[1])
    }


def test_every_repository_variable_a_workflow_reads_is_documented() -> None:
    workflows = "".join(path.read_text() for path in (REPO / ".github" / "workflows").glob("*.yml"))
    used = set(re.findall(r"vars\.(\w+)", workflows))
    assert used >= {"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"}
    assert used == _table_names("## 3. Repository variables")


def test_every_rollout_setting_is_documented() -> None:
    script = (REPO / "scripts" / "rollout.sh").read_text()
    settings = set(re.findall(r"^(\w+)=\$\{\1:-", script, flags=re.MULTILINE))
    assert "MIRROR_PERCENT" in settings
    assert settings == _table_names("## The rollout script")


def test_the_federated_credentials_cover_every_subject_the_workflows_log_in_from() -> None:
    deploy = (REPO / ".github" / "workflows" / "deploy.yml").read_text()
    environments = set(re.findall(r"^    environment: (\w+)", deploy, flags=re.MULTILINE))
    assert environments == {"staging", "production"}
    subjects = re.search(r"for subject in (.+); do", GUIDE)[1].split()
    assert subjects == [
        "ref:refs/heads/main",
        *(f"environment:{e}" for e in sorted(environments, reverse=True)),
    ]
