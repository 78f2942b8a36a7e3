"""maveric-minipilot's database test script, run unchanged on memcore's chat drop-in.

Imports: `database.db_config`, `database.models` and `database.repository` resolve to
memcore.compat.chat. URL: the script opens whatever `DATABASE_URL` says (its own configuration
rule, kept by the drop-in), so each test runs with it set to the dialect's database, emptied first.
The script chains its steps (`run_all_tests()` passes ids along); the fixtures below build those
ids by calling the script's own steps, so pytest can run each step on its own.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from memcore.compat import chat
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables, server_url
from tests.vendored.aliases import alias

MODELS = ("User", "Conversation", "Message", "KnowledgeChunk", "MessageSenderType")
alias("database.db_config", chat)
alias("database.models", {name: getattr(chat, name) for name in MODELS})
alias("database.repository", chat)


@pytest.fixture(autouse=True, params=[dialect_param(d) for d in SQL_DIALECTS])
def database_url(
    request: pytest.FixtureRequest, engines: dict[str, Engine], monkeypatch: pytest.MonkeyPatch, tmp_path
) -> Iterator[str]:
    """DATABASE_URL for this dialect: a fresh SQLite file, or the emptied, migrated test server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'maveric_minipilot.db'}"
    else:
        url = server_url(request.param)
        empty_tables(engines[request.param])
    monkeypatch.setenv("DATABASE_URL", url)
    chat.dispose_engine()  # the drop-in reads the environment again on first use
    chat.init_db()
    yield url
    chat.dispose_engine()


@pytest.fixture
def user_id(request: pytest.FixtureRequest) -> object:
    return request.module.test_user_operations()[0]


@pytest.fixture
def conversation_id(request: pytest.FixtureRequest, user_id: object) -> object:
    """As `run_all_tests()` has it when a step needs one: created, then (for the steps after the
    message step) given its messages."""
    conversation = request.module.test_conversation_operations(user_id)
    if request.node.originalname != "test_message_operations":
        request.module.test_message_operations(conversation)
    return conversation


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The script's steps return the ids they make (for run_all_tests() to pass on); that is by design.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestReturnNotNoneWarning"))
