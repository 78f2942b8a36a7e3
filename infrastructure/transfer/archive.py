"""The backup archive: a zip holding `manifest.json` and one deflated JSON-lines stream per table
(`tables/<name>.jsonl`, the canonical lines of transfer/codec.py). The manifest names the format,
memcore's version, the schema revision, and each table's columns, row count and sha256, so an
archive restores on any dialect and a damaged one is refused before its restore commits."""

import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from memcore.application.transfer.ports import Row, TableDigest
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.infrastructure.transfer.codec import CanonicalDigester, decode, encode

MANIFEST = "manifest.json"


def _member(table: str) -> str:
    return f"tables/{table}.jsonl"


class ZipArchiveWriter:
    """Written to `path` + ".partial" and renamed into place by `finish`: no half archive under the name."""

    def __init__(self, path: str | Path, overwrite: bool = False) -> None:
        self.path = Path(path)
        if self.path.exists() and not overwrite:
            raise AlreadyExists(f"{self.path} already exists")
        self._partial = self.path.with_name(self.path.name + ".partial")
        try:
            self._zip = zipfile.ZipFile(self._partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        except OSError as exc:
            raise InvalidInput(f"cannot write {self.path}: {exc.strerror}") from None

    def write_table(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> TableDigest:
        digester = CanonicalDigester(table)
        with self._zip.open(_member(table), "w", force_zip64=True) as out:
            buffer: list[str] = []
            for row in rows:
                line = encode(row)
                digester.update_line(line)
                buffer.append(line)
                if len(buffer) == 1000:
                    out.write(("\n".join(buffer) + "\n").encode("utf-8"))
                    buffer.clear()
            if buffer:
                out.write(("\n".join(buffer) + "\n").encode("utf-8"))
        return digester.result()

    def finish(self, manifest: dict[str, Any]) -> None:
        self._zip.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        self._zip.close()
        self._partial.replace(self.path)

    def abort(self) -> None:
        self._zip.close()
        self._partial.unlink(missing_ok=True)


class ZipArchiveReader:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise InvalidInput(f"no archive {self.path}") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise InvalidInput(f"{self.path} is not a memcore archive (or is truncated): {exc}") from None
        self._manifest: dict[str, Any] | None = None

    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            try:
                data = json.loads(self._zip.read(MANIFEST))
            except KeyError:
                raise InvalidInput(f"{self.path} has no {MANIFEST}: not a memcore archive") from None
            except (ValueError, zipfile.BadZipFile, zlib.error) as exc:
                raise InvalidInput(f"{self.path}: the manifest is damaged: {exc}") from None
            if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
                raise InvalidInput(f"{self.path}: the manifest is not a memcore manifest")
            self._manifest = data
        return self._manifest

    def rows(self, table: str) -> Iterator[Row]:
        entry = self.manifest()["tables"][table]
        digester = CanonicalDigester(table)
        try:
            with self._zip.open(_member(table)) as stream:
                for raw in stream:
                    line = raw.decode("utf-8").rstrip("\n")
                    digester.update_line(line)
                    yield decode(line)
        except KeyError:
            raise InvalidInput(f"{self.path} lacks the rows of {table}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, ValueError) as exc:
            raise InvalidInput(f"{self.path}: the rows of {table} are damaged: {exc}") from None
        found = digester.result()
        if (found.rows, found.sha256) != (entry["rows"], entry["sha256"]):
            raise InvalidInput(
                f"{self.path}: the rows of {table} do not match the manifest's checksum "
                f"({found.rows} rows read, {entry['rows']} expected)"
            )

    def close(self) -> None:
        self._zip.close()
