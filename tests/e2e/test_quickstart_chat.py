"""`memcore quickstart`'s chatbot scenario, run in-process on this checkout (twice: it must re-run)."""

from tests.e2e.cli import run


def test_the_chatbot_scenario_answers_from_the_help_centre_and_runs_again(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'memcore.db'}"
    outputs = []
    for _ in range(2):
        code, out, err = run(capsys, "quickstart", "--url", url)
        assert code == 0, err
        outputs.append(out)
    first, second = outputs
    assert "help centre loaded: 3 chunks upserted" in first
    assert "customer auth0|quickstart-ann: created user" in first
    assert "customer auth0|quickstart-ann: found user" in second
    for out in outputs:
        assert "full-text search for 'refunds': 2 chunks, best refunds.md#0" in out  # the answer's source
        assert "posting again is refused" in out and "is archived" in out
        assert "Ann's archived conversations (3 messages kept)" in out
