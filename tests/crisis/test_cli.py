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


def test_report_without_a_file_prints_the_locked_split_and_leave_one_author_out(tmp_path):
    corpus = Path(__file__).parents[2] / "data" / "crisis" / "corpus"
    small = tmp_path / "corpus"
    small.mkdir()
    for batch in sorted(corpus.glob("*.tsv")):
        header, *rows = batch.read_text(encoding="utf-8").splitlines()
        # Every eighth row keeps each batch's mix of categories in a set small enough to be quick.
        (small / batch.name).write_text("\n".join([header, *rows[::8]]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(crisis, ["report", "--corpus", str(small)])
    assert result.exit_code == 0, result.output
    locked, _, loao = result.output.partition("Leave one author out")
    for part in (locked, loao):
        for figure in ("recall", "imminent at tier 2", "false-positive rate", "Spanish recall"):
            assert figure in part
        assert "by category" in part
        assert "speech" in part
    assert "Locked test split" in locked
