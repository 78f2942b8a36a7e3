"""The base of domain events raised by aggregates."""

import attrs


@attrs.frozen
class DomainEvent:
    """Something that happened in the domain; aggregates append these to their `events` list."""
