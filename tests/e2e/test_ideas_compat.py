"""The drop-in idea store API, as code written for the original uses it."""

import pytest

from memcore.compat.ideas import ContentType, IdeaInspiration, SessionFactory, SQLAlchemyIdeaInspirationRepository
from memcore.domain.shared.errors import AlreadyExists


@pytest.fixture
def factory(sql_engine):
    factory = SessionFactory(sql_engine.url.render_as_string(hide_password=False), pool_size=2)
    factory.create_all_tables()
    yield factory
    factory.close()


def test_the_original_workflow_runs_unchanged(factory):
    with factory.session() as session:
        repository = SQLAlchemyIdeaInspirationRepository(session)
        notes = IdeaInspiration.from_text("Notes on agents", text_content="body", category="tech", source_id="t:1")
        first = repository.add(notes)
        added = repository.add_batch(
            [IdeaInspiration.from_video(f"Video {n}", subtitle_text="subs", category="tech", score=n) for n in range(5)]
        )
    assert isinstance(first, int) and added == 5
    with factory.session() as session:
        repository = SQLAlchemyIdeaInspirationRepository(session)
        assert repository.get_by_id(first).title == "Notes on agents"
        assert repository.get_by_id(first).source_type is ContentType.TEXT
        assert repository.get_by_source_id("t:1").id == first
        assert repository.count() == 6
        assert repository.count(source_type="video") == 5
        page = repository.find_all(category="tech", source_type="video", limit=2, offset=1)
        assert [idea.title for idea in page] == ["Video 1", "Video 2"]
        assert [(idea.source_type, idea.content) for idea in page] == [(ContentType.VIDEO, "subs")] * 2
        assert repository.count(source_type=ContentType.VIDEO) == 5
        assert repository.get_by_id(10**9) is None


def test_a_failing_session_rolls_back_everything(factory):
    with pytest.raises(AlreadyExists), factory.session() as session:
        repository = SQLAlchemyIdeaInspirationRepository(session)
        repository.add(IdeaInspiration.from_text("one", source_id="dup"))
        repository.add(IdeaInspiration.from_text("two", source_id="dup"))
    with factory.session() as session:
        assert SQLAlchemyIdeaInspirationRepository(session).count() == 0


def test_unknown_filters_are_refused(factory):
    from memcore.domain.shared.errors import InvalidInput

    with factory.session() as session, pytest.raises(InvalidInput, match="unknown filters: colour"):
        SQLAlchemyIdeaInspirationRepository(session).find_all(colour="red")


def test_engine_options_are_memcores_settings_and_others_are_refused_by_name(tmp_path):
    from memcore.domain.shared.errors import InvalidInput

    url = f"sqlite:///{tmp_path / 'ideas.db'}"
    SessionFactory(url, pool_size=10, max_overflow=20).close()  # the replaced design's example
    with pytest.raises(InvalidInput, match="unknown engine options: connect_args"):
        SessionFactory(url, connect_args={"timeout": 5})
