"""`memcore memory` and `memcore catalog` as a user runs them, on every dialect."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.cli import run, run_json


@pytest.fixture
def url(sql_engine):
    return sql_engine.url.render_as_string(hide_password=False)


def test_memories_are_put_read_searched_and_deleted(capsys, url):
    put = ["memory", "put", "--url", url]
    first = run_json(capsys, *put, "user:1:profile", '{"name": "Ann", "bio": "Grows tomatoes in Zürich"}',
                     "--meta", '{"user": "u1", "kind": "profile"}')  # fmt: skip
    assert first == {"key": "user:1:profile", "created": True}
    run_json(capsys, *put, "user:1:note", '"Asked about tomato blight"', "--meta", '{"user": "u1", "n": 2}')
    run_json(capsys, *put, "user:2:note", '["tomatoes", "basil"]', "--meta", '{"user": "u2"}')
    again = run_json(
        capsys, *put, "user:1:note", '"Asked about tomato blight twice"', "--meta", '{"user": "u1", "n": 3}'
    )
    assert again == {"key": "user:1:note", "created": False}

    shown = run_json(capsys, "memory", "get", "user:1:profile", "--url", url)
    assert (shown["value"]["bio"], shown["metadata"]) == ("Grows tomatoes in Zürich", {"user": "u1", "kind": "profile"})
    assert shown["created_at"] <= shown["updated_at"]

    hits = run_json(capsys, "memory", "search", "tomatoes", "--url", url)
    assert {hit["key"] for hit in hits} == {"user:1:profile", "user:2:note"}
    assert all(isinstance(hit["score"], float) for hit in hits)
    by_user = run_json(capsys, "memory", "search", "tomatoes", "--where", "user=u1", "--url", url)
    assert [hit["key"] for hit in by_user] == ["user:1:profile"]
    typed = run_json(capsys, "memory", "search", "--where", "n:=3", "--url", url)
    assert [(hit["key"], hit["score"]) for hit in typed] == [("user:1:note", None)]
    newest = run_json(capsys, "memory", "search", "--limit", "2", "--url", url)
    assert [hit["key"] for hit in newest] == ["user:1:note", "user:2:note"]  # no text: newest first

    assert run_json(capsys, "memory", "delete", "user:2:note", "--url", url) == {"key": "user:2:note", "deleted": True}
    assert run_json(capsys, "memory", "delete", "user:2:note", "--url", url)["deleted"] is False
    code, out, _ = run(capsys, "memory", "search", "tomato", "--url", url)
    assert code == 0 and "user:1:note" in out


def test_export_then_import_round_trips_every_entry(capsys, url, tmp_path):
    values = {f"k:{i:03d}": {"n": i, "text": f"entry {i} ✨", "nested": [None, True, 1.5]} for i in range(120)}
    for key, value in values.items():
        assert run(capsys, "memory", "put", key, json.dumps(value), "--meta", '{"batch": 1}', "--url", url)[0] == 0
    capsys.readouterr()
    dump = tmp_path / "memory.jsonl"

    exported = run_json(capsys, "memory", "export", str(dump), "--url", url)

    lines = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    assert exported == {"exported": 120, "path": str(dump)}
    assert [line["key"] for line in lines] == sorted(values)
    assert all(line["value"] == values[line["key"]] and line["metadata"] == {"batch": 1} for line in lines)
    code, out, _ = run(capsys, "memory", "export", "--url", url)  # to stdout
    assert code == 0 and [json.loads(line)["key"] for line in out.splitlines()] == sorted(values)

    for key in list(values)[:100]:
        run(capsys, "memory", "delete", key, "--url", url)
    report = run_json(capsys, "memory", "import", str(dump), "--batch-size", "7", "--url", url)
    assert report == {"imported": 120, "created": 100, "replaced": 20}
    assert run_json(capsys, "memory", "get", "k:042", "--url", url)["value"] == values["k:042"]


def test_a_bad_import_line_is_reported_with_its_number(capsys, url, tmp_path):
    dump = tmp_path / "bad.jsonl"
    dump.write_text('{"key": "a", "value": 1}\n\n{"key": "b", "value": 2\n', encoding="utf-8")

    code, _, err = run(capsys, "memory", "import", str(dump), "--batch-size", "1", "--url", url)

    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "bad.jsonl line 3 is not valid JSON" in err and "(1 entries imported before it)" in err


def test_the_catalog_tracks_snapshots_and_cleans_up(capsys, url):
    track = ["catalog", "track", "--url", url]
    made = run_json(capsys, *track, "docs/a.pdf", "--hash", "sha256:aa", "--size", "100", "--uri", "s3://b/a.pdf",
                    "--meta", '{"team": "x"}')  # fmt: skip
    assert made["created"] is True and len(made["entry_id"]) == 64
    run_json(capsys, *track, "docs/b.json", "--hash", "sha256:bb", "--size", "12", "--inline", '{"small": true}')
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    run_json(capsys, *track, "tmp/c.bin", "--hash", "sha256:cc", "--size", "5", "--expires", past)

    shown = run_json(capsys, "catalog", "get", "docs/b.json", "--url", url)
    assert (shown["inlined_value"], shown["storage_uri"], shown["byte_size"]) == ({"small": True}, None, 12)
    assert [e["key"] for e in run_json(capsys, "catalog", "list", "--prefix", "docs/", "--url", url)] == [
        "docs/a.pdf",
        "docs/b.json",
    ]
    assert [e["key"] for e in run_json(capsys, "catalog", "list", "--where", "team=x", "--url", url)] == ["docs/a.pdf"]

    snap = run_json(capsys, "catalog", "snapshot", "nightly", "--url", url)
    assert (snap["name"], snap["entry_count"], snap["total_bytes"]) == ("nightly", 3, 117)
    assert run_json(capsys, "catalog", "snapshot", "--show", snap["id"], "--url", url) == snap
    run_json(capsys, *track, "docs/a.pdf", "--hash", "sha256:a2", "--size", "101", "--uri", "s3://b/a.pdf")
    changed = run_json(capsys, "catalog", "changed", "--since", snap["id"], "--url", url)
    assert [(e["key"], e["content_hash"]) for e in changed] == [("docs/a.pdf", "sha256:a2")]
    assert len(run_json(capsys, "catalog", "changed", "--url", url)) == 3

    assert run_json(capsys, "catalog", "cleanup", "--url", url) == {"deleted": 1}
    code, out, _ = run(capsys, "catalog", "list", "--url", url)
    assert code == 0 and "docs/a.pdf" in out and "tmp/c.bin" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["memory", "put", "k", "{not json"], "VALUE is not valid JSON"),
        (["memory", "put", "k", "1", "--meta", "[1]"], "--meta must be a JSON object, got list"),
        (["memory", "put", "", "1"], "key must not be empty"),
        (["memory", "get", "nope"], "no memory entry with key 'nope'"),
        (["memory", "search", "x", "--where", "novalue"], "--where 'novalue' is not key=value or key:=JSON"),
        (["memory", "search", "x", "--where", "n:={"], "--where n is not valid JSON"),
        (["memory", "import", "/no/such/file.jsonl"], "no such file: /no/such/file.jsonl"),
        (["catalog", "get", "nope"], "no catalog entry with key 'nope'"),
        (["catalog", "track", "k", "--hash", "h", "--size", "1", "--expires", "soon"], "--expires is not an ISO 8601"),
        (["catalog", "track", "k", "--hash", "h", "--size", "1", "--ttl", "5", "--expires", "2030-01-01"],
         "give --expires or --ttl, not both"),
        (["catalog", "snapshot"], "give a NAME to take a snapshot, or --show ID"),
        (["catalog", "changed", "--since", "not-a-uuid"], "is not a UUID"),
        (["catalog", "changed", "--since", "00000000-0000-4000-8000-000000000000"], "no catalog snapshot"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_1(capsys, url, args, message):
    code, out, err = run(capsys, *args, "--url", url)
    assert code == 1, out
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_database_without_the_schema_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "memory", "get", "k", "--url", f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 1 and "has no memcore schema; run `memcore db upgrade`" in err
