"""`memcore quickstart`: migrate the database and walk one realistic scenario through every context."""

from memcore.application.bootstrap import Services
from memcore.application.conflicts import commands
from memcore.application.ideas import commands as idea_commands
from memcore.domain.shared.specification import Field, Query
from memcore.infrastructure.cli.common import open_container
from memcore.infrastructure.cli.conflicts import LIST_COLUMNS
from memcore.infrastructure.cli.output import console, print_record, print_table
from memcore.infrastructure.cli.quickstart_chat import chatbot
from memcore.infrastructure.cli.quickstart_memory import memory_and_catalog
from memcore.infrastructure.cli.quickstart_sql import raw_sql_and_checkpoints
from memcore.infrastructure.sqlalchemy import migrate

USER = "quickstart-alice"


def run_quickstart(url: str | None) -> None:
    with open_container(url) as container:
        engine = container.engine()
        migrate.upgrade(engine)
        console.print(f"[bold]database[/bold] {container.settings().masked_url} at revision {migrate.current(engine)}")
        services = container.services()
        _conflicts(services)
        _ideas(services)
        memory_and_catalog(services)
        raw_sql_and_checkpoints(container.settings().url, services)
        chatbot(services)


def _conflicts(services: Services) -> None:
    console.rule("conflicts: an agent finds contradicting memories of Alice")
    services.bus.handle(commands.ClearUserConflicts(USER))
    recorded = [
        commands.RecordConflict(
            user_id=USER,
            memory_a_id="mem-lives-berlin",
            memory_b_id="mem-lives-lisbon",
            category="home_city",
            is_singleton_category=True,
            similarity_score=0.91,
            avg_importance=0.9,
            clarification_hint="Did you move from Berlin to Lisbon?",
        ),
        commands.RecordConflict(
            user_id=USER,
            memory_a_id="mem-vegetarian",
            memory_b_id="mem-loves-steak",
            category="diet",
            similarity_score=0.74,
            avg_importance=0.6,
            clarification_hint="Are you still vegetarian?",
        ),
        commands.RecordConflict(
            user_id=USER,
            memory_a_id="mem-likes-jazz",
            memory_b_id="mem-likes-techno",
            category="music",
            similarity_score=0.42,
            avg_importance=0.3,
            metadata={"source": "chat", "tags": ["préférences", "音楽"]},
        ),
    ]
    ids = [services.bus.handle(command) for command in recorded]
    console.print(f"recorded {len(ids)} conflicts")
    rows = [view.to_dict() for view in services.pending_conflicts(USER)]
    print_table("pending, most important first", LIST_COLUMNS, rows)

    winner = services.bus.handle(
        commands.ResolveConflict(ids[0], "keep_b", "conversational", USER, notes="Moved to Lisbon in May")
    )
    console.print(f"Alice confirmed the move: resolved {ids[0]}, winning memory {winner}")
    for _ in range(3):
        status = services.bus.handle(commands.RecordFailedAttempt(ids[1]))
    console.print(f"three unanswered questions about diet: {ids[1]} is now {status}")

    counts = {s: services.count_conflicts(USER, s) for s in ("pending", "resolved", "escalated")}
    console.print("counts by status: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    view = services.get_conflict(ids[0])
    assert view is not None
    print_record(f"conflict {ids[0]}", view.to_dict())


IDEAS = [
    {"title": "AI agents that book travel", "source_type": "video", "source_id": "qs:yt:101", "score": 91,
     "category": "technology", "keywords": ["ai", "agents", "travel"], "description": "A demo of agent planning"},
    {"title": "Edge AI on a Raspberry Pi", "source_type": "text", "source_id": "qs:blog:7", "score": 84,
     "category": "technology", "keywords": ["ai", "hardware"]},
    {"title": "Sourdough starters explained", "source_type": "audio", "source_id": "qs:pod:3", "score": 67,
     "category": "food", "keywords": ["baking"]},
    {"title": "Why cities need bike lanes", "source_type": "text", "source_id": "qs:blog:9", "score": None,
     "category": "urbanism", "keywords": ["cities", "cycling"]},
]  # fmt: skip


def _ideas(services: Services) -> None:
    console.rule("ideas: a content pipeline collects, re-collects and queries inspirations")
    ids = [services.ideas.get_by_source_id(item["source_id"]) for item in IDEAS]
    services.bus.handle(idea_commands.RemoveIdeas([view.id for view in ids if view is not None]))
    loaded = services.bus.handle(idea_commands.AddIdeas(IDEAS))
    console.print(f"bulk-loaded {loaded} ideas")
    _, created = services.bus.handle(idea_commands.UpsertIdea({**IDEAS[0], "score": 95}))
    console.print(f"re-collected {IDEAS[0]['source_id']}: {'created' if created else 'updated in place'}")
    query = Query(
        where=(Field("category") == "technology") & (Field("score") > 80),
        order_by=[Field("score").desc()],
        limit=20,
    )
    rows = [view.to_dict() for view in services.ideas.find(query)]
    print_table("technology ideas scoring over 80, best first", ["id", "title", "score", "keywords"], rows)
    stats = [
        {"category": g.key, "count": g.count, "average_score": g.average_score}
        for g in services.ideas.stats_by_category(Field("source_id").startswith("qs:"))
    ]
    print_table("by category (computed in the database)", ["category", "count", "average_score"], stats)
