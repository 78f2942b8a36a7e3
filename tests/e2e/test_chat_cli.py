"""`memcore users`, `memcore chat` and `memcore knowledge` as a user runs them, on every dialect."""

import json

import pytest

from memcore.infrastructure.cli.knowledge_files import chunk_text
from tests.e2e.cli import run, run_json

GUIDE = """Welcome to the Acme help centre.

# Billing
How invoices work.

## Refunds
Refunds take five days.

```text
# not a heading: inside a code fence
```

Shipping
========
We ship worldwide.
"""


@pytest.fixture
def url(sql_engine):
    return sql_engine.url.render_as_string(hide_password=False)


def test_users_are_created_found_listed_updated_and_deleted(capsys, url):
    ann = run_json(capsys, "users", "create", "--url", url, "--name", "Ann", "--email", "Ann@Example.org",
                   "--external-id", "auth0|ann")  # fmt: skip
    assert (ann["name"], ann["created"]) == ("Ann", True)
    again = run_json(capsys, "users", "create", "--url", url, "--external-id", "auth0|ann", "--get-or-create")
    assert (again["id"], again["created"]) == (ann["id"], False)
    bob = run_json(capsys, "users", "create", "--url", url, "--name", "Bob")
    assert run_json(capsys, "users", "get", ann["id"], "--url", url)["email"] == "Ann@Example.org"
    assert run_json(capsys, "users", "get", "--email", "ann@example.ORG", "--url", url)["id"] == ann["id"]
    assert run_json(capsys, "users", "get", "--external-id", "auth0|ann", "--url", url)["id"] == ann["id"]
    assert [u["id"] for u in run_json(capsys, "users", "list", "--url", url)] == [ann["id"], bob["id"]]
    assert [u["id"] for u in run_json(capsys, "users", "list", "--url", url, "--offset", "1")] == [bob["id"]]
    changed = run_json(capsys, "users", "update", bob["id"], "--url", url, "--email", "bob@example.org")
    assert (changed["name"], changed["email"]) == ("Bob", "bob@example.org")
    cleared = run_json(capsys, "users", "update", bob["id"], "--url", url, "--clear", "name")
    assert (cleared["name"], cleared["email"]) == (None, "bob@example.org")
    assert run_json(capsys, "users", "delete", bob["id"], "--url", url) == {"deleted": bob["id"]}
    code, out, _ = run(capsys, "users", "list", "--url", url)
    assert code == 0 and "Ann" in out and "Bob" not in out


def test_a_chat_is_started_posted_to_shown_listed_and_archived(capsys, url, monkeypatch):
    user = run_json(capsys, "users", "create", "--url", url, "--external-id", "u1")
    chat = run_json(capsys, "chat", "start", "--url", url, "--user", user["id"], "--title", "Trip")
    other = run_json(capsys, "chat", "start", "--url", url, "--title", "Anonymous")
    run_json(capsys, "chat", "post", chat["id"], "Find me a hotel 🏨", "--url", url)
    metadata = {"tokens": {"prompt": 812, "completion": 64}, "tool_calls": [{"name": "search"}]}
    reply = run_json(capsys, "chat", "post", chat["id"], "Here are three.", "--sender", "assistant",
                     "--metadata", json.dumps(metadata), "--url", url)  # fmt: skip
    assert reply["role_metadata"] == metadata
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("The second,\nplease"))
    run_json(capsys, "chat", "post", chat["id"], "-", "--url", url)

    shown = run_json(capsys, "chat", "show", chat["id"], "--url", url)
    assert (shown["title"], shown["message_count"]) == ("Trip", 3)
    assert [m["content"] for m in shown["messages"]] == ["Find me a hotel 🏨", "Here are three.", "The second,\nplease"]
    page = run_json(capsys, "chat", "show", chat["id"], "--url", url, "--limit", "1", "--offset", "1")
    assert [m["sender_type"] for m in page["messages"]] == ["assistant"]
    assert len(run_json(capsys, "chat", "show", chat["id"], "--url", url, "--sender", "user")["messages"]) == 2
    assert [c["id"] for c in run_json(capsys, "chat", "list", "--url", url, "--user", user["id"])] == [chat["id"]]
    assert {c["id"] for c in run_json(capsys, "chat", "list", "--url", url)} == {chat["id"], other["id"]}

    assert run_json(capsys, "chat", "archive", chat["id"], "--url", url)["status"] == "archived"
    assert run_json(capsys, "chat", "archive", chat["id"], "--url", url)["status"] == "archived"
    code, _, err = run(capsys, "chat", "post", chat["id"], "anyone there?", "--url", url)
    assert code == 1 and "archived" in err
    archived = run_json(capsys, "chat", "list", "--url", url, "--status", "archived")
    assert [c["id"] for c in archived] == [chat["id"]]
    code, out, _ = run(capsys, "chat", "show", chat["id"], "--url", url)
    assert code == 0 and "Here are three." in out and "messages 1-3 of 3" in out
    assert run_json(capsys, "chat", "delete", other["id"], "--url", url) == {"deleted": other["id"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "get"], "give exactly one of a user id, --email or --external-id"),
        (["users", "get", "00000000-0000-0000-0000-000000000007"], "no user with id"),
        (["users", "get", "not-a-uuid"], "user_id is not a UUID"),
        (["users", "create", "--email", "nobody"], "not an email address"),
        (["users", "create", "--get-or-create"], "--get-or-create needs --external-id"),
        (["users", "update", "00000000-0000-0000-0000-000000000007", "--name", "x"], "no user with id"),
        (["users", "update", "00000000-0000-0000-0000-000000000007"], "nothing to change"),
        (["users", "delete", "00000000-0000-0000-0000-000000000007"], "no user with id"),
        (["chat", "start", "--user", "00000000-0000-0000-0000-000000000007"], "no user with id"),
        (["chat", "post", "00000000-0000-0000-0000-000000000007", "hi"], "no conversation with id"),
        (["chat", "post", "00000000-0000-0000-0000-000000000007", "hi", "--sender", "bot"], "--sender takes"),
        (["chat", "post", "00000000-0000-0000-0000-000000000007", "hi", "--metadata", "[1]"], "JSON object"),
        (["chat", "show", "00000000-0000-0000-0000-000000000007"], "no conversation with id"),
        (["chat", "list", "--status", "paused"], "--status takes active | archived"),
        (["knowledge", "upsert", "--source", "kb", "--external-id", "a"], "exactly one of --content or --file"),
        (["knowledge", "upsert", "--source", "kb", "--external-id", "a", "--content", "x", "--metadata", "{"],
         "--metadata is not valid JSON"),
        (["knowledge", "import", "/nonexistent/dir"], "is not a directory"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_1(capsys, url, args, message):
    code, out, err = run(capsys, *args, "--url", url)
    assert (code, out) == (1, "")
    assert message in err and len(err.strip().splitlines()) == 1


def test_knowledge_is_upserted_and_searched(capsys, url):
    upsert = ["knowledge", "upsert", "--url", url, "--source", "faq"]
    first = run_json(capsys, *upsert, "--external-id", "refunds", "--title", "Refunds",
                     "--content", "Refunds take five days.", "--metadata", '{"lang": "en"}')  # fmt: skip
    assert first["created"] is True
    second = run_json(capsys, *upsert, "--external-id", "refunds", "--title", "Refunds",
                      "--content", "Refunds take three days.")  # fmt: skip
    assert (second["id"], second["created"], second["content"]) == (first["id"], False, "Refunds take three days.")
    run_json(capsys, *upsert, "--external-id", "shipping", "--content", "We ship worldwide in three days.")
    found = run_json(capsys, "knowledge", "search", "three days", "--url", url)
    assert {c["external_id"] for c in found} == {"refunds", "shipping"}
    assert [c["external_id"] for c in run_json(capsys, "knowledge", "search", "refunds", "--url", url)] == ["refunds"]
    assert run_json(capsys, "knowledge", "search", "refunds", "--source", "blog", "--url", url) == []
    code, out, _ = run(capsys, "knowledge", "search", "worldwide", "--url", url)
    assert code == 0 and "shipping" in out


def test_importing_a_directory_chunks_by_heading_and_is_idempotent(capsys, url, tmp_path):
    docs = tmp_path / "helpcentre"
    (docs / "guides").mkdir(parents=True)
    (docs / "guides" / "billing.md").write_text(GUIDE)
    (docs / "notes.txt").write_text("Opening hours: nine to five.\n")
    (docs / ".hidden.md").write_text("# Secret\nnot imported\n")
    (docs / "image.png").write_bytes(b"\x89PNG")

    report = run_json(capsys, "knowledge", "import", str(docs), "--url", url)

    assert report == {"source": "helpcentre", "files": 2, "chunks": 5, "inserted": 5, "updated": 0, "unchanged": 0,
                      "deleted": 0}  # fmt: skip
    chunks = run_json(capsys, "knowledge", "list", "--source", "helpcentre", "--url", url, "--limit", "50")
    by_id = {c["external_id"]: c for c in chunks}
    assert sorted(by_id) == [f"guides/billing.md#{i}" for i in range(4)] + ["notes.txt#0"]
    refunds = by_id["guides/billing.md#2"]
    assert refunds["title"] == "Refunds" and refunds["content"].startswith("## Refunds\nRefunds take five days.")
    assert "# not a heading" in refunds["content"]
    assert refunds["chunk_metadata"] == {"path": "guides/billing.md", "chunk": 2, "headings": ["Billing", "Refunds"]}
    assert by_id["guides/billing.md#3"]["title"] == "Shipping"
    assert by_id["guides/billing.md#0"]["title"] == "billing"  # the text before the first heading

    again = run_json(capsys, "knowledge", "import", str(docs), "--url", url)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 5)
    after = run_json(capsys, "knowledge", "list", "--source", "helpcentre", "--url", url, "--limit", "50")
    assert after == chunks  # ids, timestamps and all: nothing was written

    (docs / "guides" / "billing.md").write_text(GUIDE.replace("five days", "three days").split("Shipping")[0])
    changed = run_json(capsys, "knowledge", "import", str(docs), "--url", url, "--prune")
    assert (changed["inserted"], changed["updated"], changed["unchanged"], changed["deleted"]) == (0, 1, 3, 1)
    ids = {c["external_id"]: c["id"] for c in run_json(capsys, "knowledge", "list", "--url", url)}
    assert set(ids) == {"guides/billing.md#0", "guides/billing.md#1", "guides/billing.md#2", "notes.txt#0"}
    assert ids["guides/billing.md#2"] == refunds["id"]  # updated in place
    code, out, _ = run(capsys, "knowledge", "import", str(docs), "--url", url, "--source", "other")
    assert code == 0 and "other: 4 chunks from 2 files; inserted 4, updated 0, unchanged 0" in out


def test_an_import_with_an_unreadable_file_writes_nothing(capsys, url, tmp_path):
    docs = tmp_path / "kb"
    docs.mkdir()
    (docs / "a.md").write_text("# A\ntext\n")
    (docs / "b.md").write_bytes(b"# B\n\xff\xfe not utf-8\n")
    code, _, err = run(capsys, "knowledge", "import", str(docs), "--url", url)
    assert code == 1 and "b.md is not UTF-8 text" in err
    assert run_json(capsys, "knowledge", "list", "--url", url) == []
    (docs / "b.md").unlink()
    (docs / "a.md").write_text("")
    code, _, err = run(capsys, "knowledge", "import", str(docs), "--url", url)
    assert code == 1 and "holds no Markdown or text" in err


def test_the_chunker_keeps_code_fences_whole_and_numbers_chunks_per_file():
    chunks = chunk_text("g.md", GUIDE)
    assert [(c.external_id, c.title, c.headings) for c in chunks] == [
        ("g.md#0", "g", ()),
        ("g.md#1", "Billing", ("Billing",)),
        ("g.md#2", "Refunds", ("Billing", "Refunds")),
        ("g.md#3", "Shipping", ("Shipping",)),
    ]
    assert chunk_text("empty.md", "# Only a heading\n\n## And another\n") == []
    assert [c.title for c in chunk_text("t.txt", "Title\n---\nbody\n# Next\n---\nafter a rule\n")] == ["Title", "Next"]
