"""`warmline crisis scan` and `report`, driven through click's runner."""

import json
from pathlib import Path

from click.testing import CliRunner

from warmline.crisis.cli import crisis

DATA = Path(__file__).parent / "data" / "messages.tsv"


def test_scan_writes_one_json_verdict_per_line():
    result = CliRunner().invoke(crisis, ["scan"], input="i want to die\nhello\nme quiero matar\n")
    assert result.exit_code == 0
    verdicts = [json.loads(line) for line in result.output.splitlines()]
    assert verdicts == [
        {"crisis": True, "tier": 1, "matches": ["generic:want to die"], "language": "en"},
        {"crisis": False, "tier": 0, "matches": [], "language": "en"},
        {"crisis": True, "tier": 1, "matches": ["explicit:me quiero matar"], "language": "es"},
    ]


def test_scan_reads_utf8_with_curly_quotes_and_emoji():
    result = CliRunner().invoke(crisis, ["scan"], input="I can\u2019t go on 💊 tonight\n")
    verdict = json.loads(result.output)
    assert verdict["tier"] == 2
    assert verdict["crisis"] is True


def test_scan_keeps_blank_lines_as_verdicts():
    result = CliRunner().invoke(crisis, ["scan"], input="\nkms\n")
    assert [json.loads(line)["tier"] for line in result.output.splitlines()] == [0, 1]


def test_report_prints_recall_and_false_positive_rate():
    result = CliRunner().invoke(crisis, ["report", str(DATA)])
    assert result.exit_code == 0
    assert "crisis " in result.output
    assert "false positives" in result.output
