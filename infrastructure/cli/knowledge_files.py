"""Markdown and text files cut into knowledge chunks, one per heading, for `memcore knowledge import`.

A file is split before every ATX heading (`# …` to `###### …`) and every setext heading (a text
line underlined with `===` or `---`), never inside a fenced code block. The text before a file's
first heading is a chunk of its own when it holds anything. Each chunk keeps its heading line, so
its content reads on its own; its metadata carries the file, the chunk's index and the trail of
headings above it. Chunks are numbered per file from 0, which makes `path#index` a stable external
id: the same files give the same chunks on every run.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from memcore.domain.shared.errors import InvalidInput

SUFFIXES = frozenset({".md", ".markdown", ".txt"})
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


@attrs.frozen
class Section:
    level: int  # 0 for the text before the first heading
    title: str | None
    lines: tuple[str, ...]
    heading_lines: int  # how many of `lines` are the heading itself (0, 1, or 2 for setext)

    @property
    def has_body(self) -> bool:
        return any(line.strip() for line in self.lines[self.heading_lines :])


@attrs.frozen
class FileChunk:
    path: str  # relative to the imported directory, with forward slashes
    index: int
    title: str
    content: str
    headings: tuple[str, ...]

    @property
    def external_id(self) -> str:
        return f"{self.path}#{self.index}"

    def as_upsert(self, source: str) -> dict[str, Any]:
        """The chunk as the knowledge use cases take it."""
        return {
            "source": source,
            "external_id": self.external_id,
            "title": self.title,
            "content": self.content,
            "chunk_metadata": {"path": self.path, "chunk": self.index, "headings": list(self.headings)},
        }


def split_sections(text: str) -> list[Section]:
    """The file's sections in order, each starting at its heading; empty ones are dropped."""
    sections: list[Section] = []
    current: list[str] = []
    level, title, heading_lines = 0, None, 0
    fence: str | None = None

    def start(next_level: int, next_title: str, first: list[str]) -> None:
        nonlocal current, level, title, heading_lines
        sections.append(Section(level, title, tuple(current), heading_lines))
        current, level, title, heading_lines = first, next_level, next_title, len(first)

    for line in text.splitlines():
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            current.append(line)
        elif opener:
            fence = opener.group(1)
            current.append(line)
        elif atx := _ATX.match(line):
            start(len(atx.group(1)), (atx.group(2) or "").strip(), [line])
        elif (underline := _SETEXT.match(line)) and _can_underline(current, heading_lines):
            above = current.pop()
            start(1 if underline.group(1)[0] == "=" else 2, above.strip(), [above, line])
        else:
            current.append(line)
    sections.append(Section(level, title, tuple(current), heading_lines))
    return [section for section in sections if section.level or section.has_body]


def _can_underline(lines: list[str], heading_lines: int) -> bool:
    """A text line above, which is not a heading itself (dashes under a heading are a rule)."""
    return len(lines) > heading_lines and bool(lines[-1].strip()) and not _SETEXT.match(lines[-1])


def chunk_text(path: str, text: str) -> list[FileChunk]:
    """The file's chunks; a heading with nothing under it only names the chunks below it."""
    stem = Path(path).stem
    chunks: list[FileChunk] = []
    trail: list[tuple[int, str]] = []
    for section in split_sections(text):
        if section.level:
            trail = [(level, name) for level, name in trail if level < section.level]
            trail.append((section.level, section.title or stem))
        if not section.has_body:
            continue
        content = "\n".join(section.lines).strip("\n")
        title = trail[-1][1] if section.level else stem
        chunks.append(FileChunk(path, len(chunks), title, content, tuple(name for _, name in trail)))
    return chunks


def knowledge_files(directory: Path) -> list[Path]:
    """The Markdown and text files under `directory`, by relative path; hidden ones left out."""
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory")
    found = [
        path
        for path in directory.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(directory).as_posix())


def read_text(path: Path, shown: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{shown} is not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {shown}: {exc.strerror}") from None


def chunk_directory(directory: Path) -> Iterator[FileChunk]:
    """Every chunk of every file, file by file; the first unreadable file stops the import."""
    for path in knowledge_files(directory):
        relative = path.relative_to(directory).as_posix()
        yield from chunk_text(relative, read_text(path, relative))
