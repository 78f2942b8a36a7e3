"""Write-side use cases of the conversations context; each returns frozen views, never aggregates."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from memcore.application.conversations import commands
from memcore.application.conversations.views import ConversationView, KnowledgeChunkView, MessageView, UserView
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.conversations.model import (
    ARCHIVED,
    STATUSES,
    Conversation,
    KnowledgeChunk,
    User,
    check_uuid,
)
from memcore.domain.shared.errors import AlreadyExists, ConcurrencyError, InvalidInput, NotFound
from memcore.domain.shared.specification import Field
from memcore.domain.shared.validation import check_id, shown

Clock = Callable[[], datetime]
IdFactory = Callable[[], str]


def _user(uow: UnitOfWork, user_id: str) -> User:
    user = uow.users.get(check_uuid("user_id", user_id))
    if user is None:
        raise NotFound(f"no user with id {shown(user_id)}")
    return user


def _conversation(uow: UnitOfWork, conversation_id: str, for_update: bool = False) -> Conversation:
    conversation = uow.conversations.get(check_uuid("conversation_id", conversation_id), for_update=for_update)
    if conversation is None:
        raise NotFound(f"no conversation with id {shown(conversation_id)}")
    return conversation


class CreateUserHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, new_id: IdFactory) -> None:
        self.uow, self.clock, self.new_id = uow, clock, new_id

    def __call__(self, cmd: commands.CreateUser) -> UserView:
        now = self.clock()
        user = User.create(
            id=cmd.id if cmd.id is not None else self.new_id(),
            external_id=cmd.external_id,
            name=cmd.name,
            email=cmd.email,
            created_at=now,
            updated_at=now,
        )
        with self.uow:
            self.uow.users.add(user)  # the store refuses a taken id, email or external id
            self.uow.commit()
        return UserView.of(user)


class GetOrCreateUserHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, new_id: IdFactory) -> None:
        self.uow, self.clock, self.new_id = uow, clock, new_id

    def __call__(self, cmd: commands.GetOrCreateUser) -> tuple[UserView, bool]:
        """(the user, whether it was created). A caller that loses the race reads the winner's user."""
        found = self._find(check_id("external_id", cmd.external_id))
        if found is not None:
            return found, False
        create = commands.CreateUser(external_id=cmd.external_id, name=cmd.name, email=cmd.email)
        try:
            return CreateUserHandler(self.uow, self.clock, self.new_id)(create), True
        except (AlreadyExists, ConcurrencyError):
            found = self._find(cmd.external_id)
            if found is None:
                raise  # something else clashed (the email), not the external id
            return found, False

    def _find(self, external_id: str) -> UserView | None:
        with self.uow:
            user = self.uow.users.get_by_external_id(external_id)
            return None if user is None else UserView.of(user)


class UpdateUserHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.UpdateUser) -> UserView:
        with self.uow:
            user = _user(self.uow, cmd.user_id)
            user.update(dict(cmd.changes), self.clock())
            self.uow.commit()
        return UserView.of(user)


class DeleteUserHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.DeleteUser) -> bool:
        user_id = check_uuid("user_id", cmd.user_id)
        with self.uow:
            removed = self.uow.users.remove(Field("id") == user_id)
            self.uow.commit()
        return removed > 0


class StartConversationHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, new_id: IdFactory) -> None:
        self.uow, self.clock, self.new_id = uow, clock, new_id

    def __call__(self, cmd: commands.StartConversation) -> ConversationView:
        now = self.clock()
        conversation = Conversation.start(
            id=cmd.id if cmd.id is not None else self.new_id(),
            user_id=cmd.user_id,
            title=cmd.title,
            created_at=now,
            updated_at=now,
        )
        with self.uow:
            if conversation.user_id is not None:
                _user(self.uow, conversation.user_id)
            self.uow.conversations.add(conversation)
            self.uow.commit()
        return ConversationView.of(conversation)


class UpdateConversationHandler:
    """Also serves RenameConversation and ArchiveConversation."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: Any) -> ConversationView:
        if isinstance(cmd, commands.RenameConversation):
            changes: dict[str, Any] = {"title": cmd.title}
        elif isinstance(cmd, commands.ArchiveConversation):
            changes = {"status": ARCHIVED}
        else:
            changes = dict(cmd.changes)
        unknown = set(changes) - {"title", "status"}
        if unknown:
            raise InvalidInput(f"cannot change {', '.join(sorted(unknown))} of a conversation")
        if "status" in changes and changes["status"] not in STATUSES:
            raise InvalidInput(f"unknown status {shown(changes['status'])}; expected one of {', '.join(STATUSES)}")
        with self.uow:
            conversation = _conversation(self.uow, cmd.conversation_id)
            now = self.clock()
            if "title" in changes:
                conversation.rename(changes["title"], now)
            if changes.get("status") == ARCHIVED:
                conversation.archive(now)
            elif "status" in changes:
                conversation.reopen(now)
            self.uow.commit()
        return ConversationView.of(conversation)


class DeleteConversationHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.DeleteConversation) -> bool:
        conversation_id = check_uuid("conversation_id", cmd.conversation_id)
        with self.uow:
            removed = self.uow.conversations.remove(Field("id") == conversation_id)
            self.uow.commit()
        return removed > 0


class PostMessageHandler:
    """Posts lock the conversation they read (see ConversationRepository.get), so racing posters
    queue instead of failing on a stale version. A post does not depend on what a loser of a race
    read, so the bus runs one that still lost (a stale version) again from a fresh transaction."""

    rerun_when_stale = True

    def __init__(self, uow: UnitOfWork, clock: Clock, new_id: IdFactory) -> None:
        self.uow, self.clock, self.new_id = uow, clock, new_id

    def __call__(self, cmd: commands.PostMessage) -> MessageView:
        message_id = cmd.id if cmd.id is not None else self.new_id()
        with self.uow:
            conversation = _conversation(self.uow, cmd.conversation_id, for_update=True)
            message = conversation.post(cmd.sender_type, cmd.content, self.clock(), cmd.role_metadata, message_id,
                                        even_if_archived=cmd.even_if_archived)  # fmt: skip
            self.uow.commit()
        return MessageView.of(message)


class DeleteMessageHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.DeleteMessage) -> bool:
        message_id = check_uuid("message_id", cmd.message_id)
        with self.uow:
            message = self.uow.conversations.get_message(message_id)
            if message is None:
                return False
            conversation = _conversation(self.uow, message.conversation_id)
            conversation.remove_message(message, self.clock())
            self.uow.commit()
        return True


def build_chunk(data: Any, now: datetime, new_id: IdFactory) -> KnowledgeChunk:
    if not isinstance(data, dict):
        raise InvalidInput(f"a knowledge chunk must be a mapping, got {type(data).__name__}")
    unknown = set(data) - {"source", "external_id", "title", "content", "chunk_metadata"}
    if unknown:
        raise InvalidInput(f"unknown knowledge chunk fields: {', '.join(sorted(unknown))}")
    missing = {"source", "external_id", "content"} - set(data)
    if missing:
        raise InvalidInput(f"a knowledge chunk needs {', '.join(sorted(missing))}")
    metadata = data.get("chunk_metadata")
    return KnowledgeChunk.checked(
        source=data["source"],
        external_id=data["external_id"],
        content=data["content"],
        title=data.get("title"),
        chunk_metadata={} if metadata is None else metadata,
        id=new_id(),
        created_at=now,
        updated_at=now,
    )


class UpsertKnowledgeChunkHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, new_id: IdFactory) -> None:
        self.uow, self.clock, self.new_id = uow, clock, new_id

    def __call__(self, cmd: commands.UpsertKnowledgeChunk) -> tuple[KnowledgeChunkView, bool]:
        """(the stored chunk, whether it was created)."""
        data = {"source": cmd.source, "external_id": cmd.external_id, "content": cmd.content, "title": cmd.title,
                "chunk_metadata": cmd.chunk_metadata}  # fmt: skip
        chunk = build_chunk(data, self.clock(), self.new_id)
        with self.uow:
            self.uow.knowledge.upsert([chunk])
            stored = self.uow.knowledge.get_by_key(chunk.source, chunk.external_id)
            self.uow.commit()
        assert stored is not None
        return KnowledgeChunkView.of(stored), stored.id == chunk.id


class BulkUpsertKnowledgeChunksHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, new_id: IdFactory) -> None:
        self.uow, self.clock, self.new_id = uow, clock, new_id

    def __call__(self, cmd: commands.BulkUpsertKnowledgeChunks) -> int:
        """How many distinct chunks were written; all of them or, on any error, none."""
        size = cmd.batch_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidInput(f"batch_size must be a positive integer, got {shown(size)}")
        now = self.clock()
        by_key: dict[tuple[str, str], KnowledgeChunk] = {}
        for index, data in enumerate(cmd.items):
            try:
                chunk = build_chunk(data, now, self.new_id)
            except InvalidInput as exc:
                raise InvalidInput(f"knowledge chunk #{index} is invalid: {exc}") from None
            by_key[chunk.key] = chunk  # the last one wins
        # Written in key order: concurrent bulk upserts then lock rows in the same order (no deadlock).
        chunks = sorted(by_key.values(), key=lambda chunk: chunk.key)
        with self.uow:
            for start in range(0, len(chunks), size):
                self.uow.knowledge.upsert(chunks[start : start + size])
            self.uow.commit()
        return len(chunks)


class DeleteKnowledgeChunkHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.DeleteKnowledgeChunk) -> bool:
        chunk_id = check_uuid("chunk_id", cmd.chunk_id)
        with self.uow:
            removed = self.uow.knowledge.remove(Field("id") == chunk_id)
            self.uow.commit()
        return removed > 0
