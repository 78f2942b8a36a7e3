"""`memcore ideas` as a user runs it, on every dialect."""

import json

import pytest

from tests.e2e.cli import run, run_json
from tests.integration.test_legacy_import import good, legacy_db


@pytest.fixture
def url(sql_engine):
    return sql_engine.url.render_as_string(hide_password=False)


def test_ideas_are_added_found_counted_and_analysed(capsys, url):
    add = ["ideas", "add", "--url", url]
    first = run_json(capsys, *add, "--title", "AI for farms", "--keyword", "ai", "--score", "91", "--category", "tech")
    run_json(capsys, *add, "--title", "Bread", "--score", "40", "--category", "food", "--source-type", "audio")
    robots = {"title": "Robots", "score": 85, "category": "tech", "keywords": ["ai", "robots"], "source_type": "video"}
    run_json(capsys, *add, "--from-json", json.dumps(robots))
    found = run_json(
        capsys, "ideas", "find", "--url", url, "--category", "tech", "--min-score", "80", "--order", "-score"
    )
    assert [f["title"] for f in found] == ["AI for farms", "Robots"]
    assert run_json(capsys, "ideas", "find", "--url", url, "--text", "Bre")[0]["source_type"] == "audio"
    assert run_json(capsys, "ideas", "count", "--url", url, "--keyword", "ai") == {"count": 2}
    shown = run_json(capsys, "ideas", "show", str(first["id"]), "--url", url)
    assert (shown["title"], shown["keywords"]) == ("AI for farms", ["ai"])
    stats = run_json(capsys, "ideas", "stats", "--url", url)
    assert stats["groups"] == [
        {"category": "food", "count": 1, "average_score": 40.0},
        {"category": "tech", "count": 2, "average_score": 88.0},
    ]
    assert {b["scores"]: b["count"] for b in stats["histogram"]}["80-89"] == 1
    assert run_json(capsys, "ideas", "stats", "--url", url, "--top", "1")["groups"][0]["category"] == "tech"
    code, out, _ = run(capsys, "ideas", "find", "--url", url)
    assert code == 0 and "Robots" in out


def test_import_legacy_reports_what_it_did(capsys, url, tmp_path):
    path = legacy_db(tmp_path / "legacy.db", [good(1), good(2, keywords="{broken")])
    report = run_json(capsys, "ideas", "import-legacy", path, "--url", url)
    assert (report["read"], report["imported"], report["skipped"]) == (2, 1, 1)
    assert report["reasons"] == [{"legacy_id": 2, "reason": "malformed JSON in keywords"}]
    code, out, _ = run(capsys, "ideas", "import-legacy", path, "--url", url)
    assert code == 0 and "read 2, imported 0, skipped 2" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ideas", "add", "--title", " "], "title must not be empty"),
        (["ideas", "add", "--title", "x", "--score", "101"], "score must be an integer from 0 to 100"),
        (["ideas", "show", "999999"], "no idea with id 999999"),
        (["ideas", "find", "--order", "keywords"], "cannot order by the list field 'keywords'"),
        (["ideas", "stats", "--by", "title"], "--by takes category or source_type"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(capsys, url, args, message):
    code, _, err = run(capsys, *args, "--url", url)
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1
