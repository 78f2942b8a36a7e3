"""The quickstart's memory scenario: a travel agent remembers Alice between runs and catalogs her files."""

import hashlib
from datetime import UTC, datetime, timedelta

from memcore.application.bootstrap import Services
from memcore.application.memory.commands import (
    CleanupExpired,
    CreateSnapshot,
    StoreCatalogBatch,
    StoreMemories,
    StoreMemory,
    TrackCatalogEntry,
)
from memcore.infrastructure.cli.output import console, print_table

PREFIX = "quickstart:alice:"


def _sha(content: str) -> str:
    return "sha256:" + hashlib.sha256(content.encode()).hexdigest()


MEMORIES = [
    StoreMemory(f"{PREFIX}profile", {"name": "Alice", "home": "Lisbon", "languages": ["pt", "en", "de"]},
                {"kind": "profile", "source": "onboarding"}),
    StoreMemory(f"{PREFIX}pref:seat", "Prefers a window seat on long flights", {"kind": "preference"}),
    StoreMemory(f"{PREFIX}pref:food", {"diet": "vegetarian", "note": "Loves Japanese food, no raw fish"},
                {"kind": "preference"}),
    StoreMemory(f"{PREFIX}trip:2024-kyoto", {"summary": "Ten days in Kyoto in spring; temples, tea and trains",
                                             "rating": 5}, {"kind": "episode", "year": 2024}),
    StoreMemory(f"{PREFIX}trip:2025-oslo", {"summary": "A rainy work trip to Oslo; the flight was late",
                                            "rating": 2}, {"kind": "episode", "year": 2025}),
]  # fmt: skip
FILES = [
    {"key": f"{PREFIX}files/passport.pdf", "content_hash": _sha("passport"), "storage_uri": "s3://agent/alice/passport.pdf",
     "byte_size": 482_113, "metadata": {"type": "document"}},
    {"key": f"{PREFIX}files/kyoto-itinerary.json", "content_hash": _sha("itinerary"), "storage_uri": None,
     "byte_size": 61, "inlined_value": {"days": 10, "city": "Kyoto"}, "metadata": {"type": "itinerary"}},
]  # fmt: skip


def memory_and_catalog(services: Services) -> None:
    console.rule("memory: a travel agent remembers Alice between conversations")
    created = services.bus.handle(StoreMemories(MEMORIES))
    console.print(f"stored {len(created)} memories ({sum(created)} new, {len(created) - sum(created)} replaced)")
    hits = services.memory.search("Kyoto trains", limit=5)
    rows = [{"key": h.entry.key, "score": h.score, "value": h.entry.value} for h in hits]
    print_table('search "Kyoto trains" (the engine\'s full-text index, ranked)', ["key", "score", "value"], rows)
    episodes = services.memory.search(metadata_filter={"kind": "episode", "year": 2025})
    console.print(f"episodes of 2025 (metadata filter): {[h.entry.key for h in episodes]}")
    with services.memory_transaction() as tx:  # all or nothing
        tx.store(f"{PREFIX}profile", {**tx.retrieve(f"{PREFIX}profile").value, "home": "Porto"}, {"kind": "profile"})
        tx.delete(f"{PREFIX}trip:2025-oslo")
    view = services.memory.get(f"{PREFIX}profile")
    console.print(f"Alice moved: home is now {view.value['home']}; the Oslo trip was forgotten")

    console.rule("catalog: the agent tracks Alice's files and what changed since a snapshot")
    report = services.bus.handle(StoreCatalogBatch(FILES))
    snapshot_id = services.bus.handle(CreateSnapshot("after onboarding"))
    snapshot = services.catalog.get_snapshot(snapshot_id)
    console.print(f"tracked {report.stored_count} files; snapshot {snapshot.name!r}: {snapshot.entry_count} "
                  f"entries, {snapshot.total_bytes:,} bytes")  # fmt: skip
    expired = datetime.now(UTC) - timedelta(minutes=1)
    boarding = TrackCatalogEntry(f"{PREFIX}files/boarding-pass.png", _sha("boarding pass"), "s3://agent/alice/bp.png",
                                 120_448, {"type": "ticket"}, expires_at=expired)  # fmt: skip
    services.bus.handle(boarding)
    changed = [view.to_dict() for view in services.catalog.changed_since(snapshot_id)]
    print_table("changed since the snapshot", ["key", "byte_size", "expires_at"], changed)
    console.print(f"expired entries cleaned up: {services.bus.handle(CleanupExpired())}")
