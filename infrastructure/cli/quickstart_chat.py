"""The quickstart's conversations scenario: a support chatbot answers a customer from its help centre."""

from memcore.application.bootstrap import Services
from memcore.application.conversations import commands
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.cli.output import console, print_table

SOURCE = "quickstart-helpcentre"
CUSTOMER = "auth0|quickstart-ann"
HELP_CENTRE = [
    {"external_id": "refunds.md#0", "title": "Refunds",
     "content": "Refunds are paid back to the original card within five working days of the return arriving."},
    {"external_id": "refunds.md#1", "title": "Refunds without a receipt",
     "content": "Without a receipt we offer store credit instead of a refund."},
    {"external_id": "shipping.md#0", "title": "Shipping",
     "content": "We ship worldwide; parcels to Europe arrive within three days. Tracking links come by email."},
]  # fmt: skip


def chatbot(services: Services) -> None:
    console.rule("conversations: a support chatbot answers a customer from its help centre")
    chunks = [{**chunk, "source": SOURCE, "chunk_metadata": {"lang": "en"}} for chunk in HELP_CENTRE]
    written = services.bus.handle(commands.BulkUpsertKnowledgeChunks(chunks))
    console.print(f"help centre loaded: {written} chunks upserted (insert-or-update by source and external id)")

    ann, created = services.bus.handle(commands.GetOrCreateUser(CUSTOMER, name="Ann", email="ann@example.org"))
    console.print(f"customer {CUSTOMER}: {'created' if created else 'found'} user {ann.id}", markup=False)
    for old in services.conversations.list_for_user(ann.id):  # an earlier quickstart's conversations
        services.bus.handle(commands.DeleteConversation(old.id))

    chat = services.bus.handle(commands.StartConversation(user_id=ann.id, title="Refund for order #1042"))
    question = "How long does a refund take?"
    services.bus.handle(commands.PostMessage(chat.id, "user", question))
    found = services.knowledge.search("refunds", limit=2, source=SOURCE)
    answer = f"{found[0].content} (source: {found[0].title})" if found else "Let me check with a colleague."
    console.print(f"full-text search for 'refunds': {len(found)} chunks, best {found[0].external_id if found else '-'}")
    usage = {"retrieved": [chunk.external_id for chunk in found], "tokens": {"prompt": 412, "completion": 38}}
    services.bus.handle(commands.PostMessage(chat.id, "assistant", answer, role_metadata=usage))
    services.bus.handle(commands.PostMessage(chat.id, "user", "Thanks, that's all!"))
    rows = [m.to_dict() for m in services.conversations.messages(chat.id)]
    for row in rows:
        row["retrieved"] = (row["role_metadata"] or {}).get("retrieved")
    print_table(f"conversation {chat.title!r}, oldest first", ["sequence", "sender_type", "content", "retrieved"], rows)

    archived = services.bus.handle(commands.ArchiveConversation(chat.id))
    try:
        services.bus.handle(commands.PostMessage(chat.id, "user", "One more thing..."))
    except InvalidInput as exc:
        console.print(f"archived at version {archived.version}; posting again is refused: {exc}", markup=False)
    count = services.conversations.count_messages(chat.id)
    listed = [c.to_dict() for c in services.conversations.list_for_user(ann.id, status="archived")]
    print_table(f"Ann's archived conversations ({count} messages kept)", ["title", "status", "version"], listed)
