"""Full-text search on each engine's own index, for any table: DDL for the migrations, match and rank.

A `SearchIndex` names a table, its one-column primary key, the plain text columns to index (`texts`)
and the JSON-text columns whose string values are indexed (`documents`; object keys are not). The
search objects differ per dialect, so they are created by the migrations through `create()`, never
declared in `tables.py`:

- SQLite: an FTS5 table `<table>_fts` (tokenizer `unicode61 remove_diacritics 0`: letters and digits
  make words, case folded, accents kept), rowid = the table's rowid, kept in step by insert, update
  and delete triggers; JSON strings come from `json_tree`. Ranking: `bm25` (negated: higher is better).
  SQLite's VACUUM may renumber the rowids of a table without an INTEGER PRIMARY KEY: after a VACUUM,
  run `rebuild(connection, index)`.
- PostgreSQL: a STORED generated column `search_vector tsvector` on the table itself (texts through
  `to_tsvector('simple', ...)`, documents through `jsonb_to_tsvector('simple', value::jsonb,
  '["string"]')`) with a GIN index. The 'simple' configuration lower-cases and neither stems nor drops
  stopwords. Matching: `plainto_tsquery('simple', words)` (every word); ranking `ts_rank`. The column
  and its index exist on PostgreSQL only, so the drift check skips them by name (`include_name`).
- MariaDB/MySQL: a table `<table>_search` (key, `body` LONGTEXT utf8mb4_bin) with a FULLTEXT index
  and a cascading foreign key. `body` holds the words lower-cased, so the binary collation gives
  case-insensitive, accent-sensitive matching like the other engines. For plain text columns
  triggers fill it (`LOWER(CONCAT_WS(' ', ...))`); MariaDB cannot walk a JSON document in SQL, so an
  index with `documents` is written by the application (`side_row`, `upsert_side_sql`) in the same
  transaction. Matching: `MATCH ... AGAINST ('+w1 +w2' IN BOOLEAN MODE)` (every word); ranking:
  natural-language `MATCH ... AGAINST ('w1 w2')`. InnoDB does not index words shorter than
  `innodb_ft_min_token_size` (3) or longer than `innodb_ft_max_token_size` (84), nor its default
  stopwords: such words are left out of the query (`the cat` finds entries with `cat`), and a query
  made only of them matches nothing.
  InnoDB applies full-text changes at commit: a search inside a transaction misses its own writes.

Queries are words, never syntax: callers pass the words of the user's text (`words()` splits text
the same way: runs of letters and digits, lower-cased), each word is cleaned again here, and the
query text is bound as a parameter (FTS5 words are double-quoted). Quotes, AND/OR/NEAR, `*`, `-`,
parentheses or emoji therefore never reach a query parser as operators; no words means no text
filter (`match()` returns None).

The engines agree on simple words (three or more letters, not an InnoDB stopword) standing between
spaces or ordinary punctuation. They differ on the rest:
- PostgreSQL's parser reads some compounds as one token: `notes/tomatoes.txt` (a file path),
  `a.b.com` (a host), e-mail addresses and URLs are not found by their parts; `foo-bar` gives
  `foo-bar`, `foo` and `bar`, so both `foo` and `bar` are found everywhere.
- MariaDB leaves words under 3 letters and its stopwords out of the query (see above), where SQLite
  and PostgreSQL require them; for trigger-filled bodies its parser keeps `_` inside words.
- Unicode case folding differs in corner cases (`ß`, Turkish dotted i, combining accents), and CJK
  text is not segmented: a run of ideographs is one word everywhere.
- Ranking: bm25, ts_rank and InnoDB relevance score differently; only the set of matches is the same.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    FromClause,
    MetaData,
    Select,
    Table,
    Text,
    bindparam,
    column,
    false,
    func,
    inspect,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

_WORD = re.compile(r"[^\W_]+")
FTS5_TOKENIZER = "unicode61 remove_diacritics 0"
# InnoDB's default full-text stopwords (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD).
INNODB_STOPWORDS = frozenset((
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how", "i", "in", "is", "it",
    "la", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where", "who", "will", "with", "und",
    "www",
))  # fmt: skip
INNODB_MIN_TOKEN, INNODB_MAX_TOKEN = 3, 84
_side_metadata = MetaData()  # not Alembic's target: these tables are managed here
SEARCH_COLUMN = "search_vector"  # PostgreSQL's generated column
# Set in a MariaDB session that loads whole tables (memcore db copy / import): the triggers then
# skip their row-by-row search upserts, and the loader rebuilds the side table once at the end.
BULK_LOAD = "@memcore_bulk_load"


def search_column_index(index: "SearchIndex") -> str:
    return f"ix_{index.table}_{SEARCH_COLUMN}"


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Alembic hook: leave PostgreSQL's generated search column and its GIN index out of comparisons.

    They exist on PostgreSQL only while `tables.py` is one schema for every dialect; declaring them
    there would make the other dialects report them missing.
    """
    if type_ == "column":
        return name != SEARCH_COLUMN
    if type_ == "index":
        return not (name or "").endswith(f"_{SEARCH_COLUMN}")
    return True


@attrs.frozen
class SearchIndex:
    table: str
    key: str
    key_type: TypeEngine[Any]
    texts: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    @property
    def side(self) -> str:
        return f"{self.table}_search"

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.texts, *self.documents)

    def app_maintained(self, dialect: str) -> bool:
        """True when the application writes the search row (MariaDB with JSON documents)."""
        return _family(dialect) == "mysql" and bool(self.documents)


def _family(dialect: str) -> str:
    return "mysql" if dialect in ("mysql", "mariadb") else dialect


def words(text: str) -> list[str]:
    """Runs of letters and digits, lower-cased: what a query or a document is made of."""
    return [word.lower() for word in _WORD.findall(text)]


def _clean(given: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in given:
        out.extend(words(item) if isinstance(item, str) else [])
    return list(dict.fromkeys(out))


# -- DDL ----------------------------------------------------------------------------------------


def create(connection: Connection, index: SearchIndex) -> None:
    """Create the search objects of `index` on this connection's dialect and index existing rows."""
    for statement in _create_sql(connection, index):
        connection.exec_driver_sql(statement)
    rebuild(connection, index)


def drop(connection: Connection, index: SearchIndex) -> None:
    """Drop the search objects of `index` (each only if it exists)."""
    q = connection.dialect.identifier_preparer.quote
    family = _family(connection.dialect.name)
    if family == "sqlite":
        for suffix in ("ai", "ad", "au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {q(f'{index.fts}_{suffix}')}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {q(index.fts)}")
    elif family == "postgresql":
        if _has_table(connection, index.table):  # the index goes with the column
            connection.exec_driver_sql(f"ALTER TABLE {q(index.table)} DROP COLUMN IF EXISTS {SEARCH_COLUMN}")
    else:
        for suffix in ("ai", "au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {q(f'{index.side}_{suffix}')}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {q(index.side)}")


def _has_table(connection: Connection, name: str) -> bool:
    return inspect(connection).has_table(name)


def _create_sql(connection: Connection, index: SearchIndex) -> list[str]:
    dialect = connection.dialect
    q = dialect.identifier_preparer.quote
    family = _family(dialect.name)
    base, key = q(index.table), q(index.key)
    if family == "sqlite":
        cols = ", ".join(q(name) for name in index.columns)
        values = lambda row: ", ".join(  # noqa: E731
            [f"{row}.{q(n)}" for n in index.texts] + [_sqlite_strings(f"{row}.{q(n)}") for n in index.documents]
        )
        insert = f"INSERT INTO {q(index.fts)} (rowid, {cols}) VALUES (new.rowid, {values('new')});"
        delete = f"DELETE FROM {q(index.fts)} WHERE rowid = old.rowid;"
        return [
            f"CREATE VIRTUAL TABLE {q(index.fts)} USING fts5({cols}, tokenize = '{FTS5_TOKENIZER}')",
            f"CREATE TRIGGER {q(index.fts + '_ai')} AFTER INSERT ON {base} BEGIN {insert} END",
            f"CREATE TRIGGER {q(index.fts + '_ad')} AFTER DELETE ON {base} BEGIN {delete} END",
            f"CREATE TRIGGER {q(index.fts + '_au')} AFTER UPDATE ON {base} BEGIN {delete} {insert} END",
        ]
    if family == "postgresql":
        return [
            f"ALTER TABLE {base} ADD COLUMN {SEARCH_COLUMN} TSVECTOR "
            f"GENERATED ALWAYS AS ({_pg_document(index)}) STORED",
            f"CREATE INDEX {q(search_column_index(index))} ON {base} USING gin ({SEARCH_COLUMN})",
        ]
    key_type = index.key_type.compile(dialect=dialect)
    side = q(index.side)
    foreign = f"FOREIGN KEY ({key}) REFERENCES {base} ({key}) ON DELETE CASCADE ON UPDATE CASCADE"
    statements = [
        f"CREATE TABLE {side} ({key} {key_type} NOT NULL, body LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin "
        f"NOT NULL, CONSTRAINT {q('pk_' + index.side)} PRIMARY KEY ({key}), "
        f"CONSTRAINT {q('fk_' + index.side + '_' + index.key)} {foreign}, "
        f"FULLTEXT INDEX {q('ft_' + index.side + '_body')} (body)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    ]
    if not index.documents:
        body = "LOWER(CONCAT_WS(' ', " + ", ".join(f"NEW.{q(n)}" for n in index.texts) + "))"
        upsert = f"INSERT INTO {side} ({key}, body) VALUES (NEW.{key}, {body}) ON DUPLICATE KEY UPDATE body = {body}"
        for suffix, event in (("ai", "INSERT"), ("au", "UPDATE")):
            trigger = q(f"{index.side}_{suffix}")
            statements.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {base} FOR EACH ROW "
                f"IF {BULK_LOAD} IS NULL THEN {upsert}; END IF"
            )
    return statements


def _sqlite_strings(json_column: str) -> str:
    """The string values inside a JSON text column, space-separated (the text itself if not JSON)."""
    return (
        f"CASE WHEN json_valid({json_column}) THEN "
        f"(SELECT group_concat(atom, ' ') FROM json_tree({json_column}) WHERE type = 'text') "
        f"ELSE {json_column} END"
    )


def _pg_document(index: SearchIndex) -> str:
    parts = [f"to_tsvector('simple'::regconfig, coalesce({_pg_quote(n)}, ''))" for n in index.texts]
    parts += [
        f"jsonb_to_tsvector('simple'::regconfig, coalesce({_pg_quote(n)}, 'null')::jsonb, '[\"string\"]'::jsonb)"
        for n in index.documents
    ]
    return " || ".join(parts)


def _pg_quote(name: str) -> str:
    return postgresql.dialect().identifier_preparer.quote(name)


def rebuild(connection: Connection, index: SearchIndex, rows: Iterable[Mapping[str, Any]] | None = None) -> None:
    """Index every row of the table again (after a legacy table is adopted, or a SQLite VACUUM).

    For an application-maintained index (MariaDB with documents) pass `rows`: each a mapping with
    the key and `body` (see `side_row`); without them only the engine-maintained indexes are filled.
    """
    q = connection.dialect.identifier_preparer.quote
    family = _family(connection.dialect.name)
    base, key = q(index.table), q(index.key)
    if family == "sqlite":
        cols = ", ".join(q(n) for n in index.columns)
        # Qualified: json_tree has columns of its own named key and value.
        values = ", ".join(
            [f"{base}.{q(n)}" for n in index.texts] + [_sqlite_strings(f"{base}.{q(n)}") for n in index.documents]
        )
        connection.exec_driver_sql(f"DELETE FROM {q(index.fts)}")
        connection.exec_driver_sql(
            f"INSERT INTO {q(index.fts)} (rowid, {cols}) SELECT {base}.rowid, {values} FROM {base}"
        )
    elif family == "postgresql":
        return  # a generated column is always up to date
    elif not index.documents:
        body = "LOWER(CONCAT_WS(' ', " + ", ".join(q(n) for n in index.texts) + "))"
        connection.exec_driver_sql(f"DELETE FROM {q(index.side)}")
        connection.exec_driver_sql(f"INSERT INTO {q(index.side)} ({key}, body) SELECT {key}, {body} FROM {base}")
    elif rows is not None:
        sql = upsert_side_sql(index, connection.dialect)
        batch = [(row[index.key], row["body"]) for row in rows]
        if batch:
            connection.exec_driver_sql(sql, batch)


# -- the application-maintained side row (MariaDB with documents) ---------------------------------


def side_row(index: SearchIndex, key: Any, strings: Iterable[str]) -> dict[str, Any]:
    """The search row of one base row: its key and the lower-cased words of `strings` (the texts and
    the strings inside the documents)."""
    return {index.key: key, "body": " ".join(word for text in strings for word in words(text))}


def upsert_side_sql(index: SearchIndex, dialect: Any) -> str:
    """DB-API SQL writing one side row: parameters (key, body)."""
    q = dialect.identifier_preparer.quote
    return (
        f"INSERT INTO {q(index.side)} ({q(index.key)}, body) VALUES (%s, %s) "
        f"ON DUPLICATE KEY UPDATE body = VALUES(body)"
    )


# -- queries ------------------------------------------------------------------------------------


def side_table(index: SearchIndex) -> Table:
    """MariaDB's side table as a Core Table, outside Alembic's metadata."""
    name = index.side
    if name not in _side_metadata.tables:
        Table(name, _side_metadata, Column(index.key, index.key_type, primary_key=True), Column("body", Text))
    return _side_metadata.tables[name]


def mariadb_words(given: Iterable[str]) -> list[str]:
    """The words InnoDB indexes: not too short, not too long, not a stopword."""
    return [w for w in given if INNODB_MIN_TOKEN <= len(w) <= INNODB_MAX_TOKEN and w not in INNODB_STOPWORDS]


def query_params(index: SearchIndex, dialect: str, given: Iterable[str]) -> dict[str, str] | None:
    """The values `match()` and `apply()` bind for these words, by parameter name (None: no words; on
    MariaDB an empty dict when none is a word InnoDB indexes). A statement built for other words of
    the same shape (the same names) runs with these values."""
    wanted = _clean(given)
    if not wanted:
        return None
    family = _family(dialect)
    if family == "sqlite":
        return {"search_words": " ".join('"' + word.replace('"', '""') + '"' for word in wanted)}
    if family == "postgresql":
        return {"search_words": " ".join(wanted)}
    kept = mariadb_words(wanted)
    return {"search_words": " ".join(f"+{w}" for w in kept), "search_natural": " ".join(kept)} if kept else {}


def _pg_query(values: Mapping[str, str]) -> ColumnElement[Any]:
    words = bindparam("search_words", values["search_words"])
    return func.plainto_tsquery(literal_column("'simple'::regconfig"), words)


def match(
    index: SearchIndex, dialect: str, base: FromClause, given: Iterable[str], top: int | None = None
) -> tuple[Any, ...] | None:
    """(matches, onclause, rank): a subquery of the rows holding every word, how to join it to
    `base` (the indexed table), and its relevance column (higher is better). None: no words, no filter.

    `top`: the caller keeps only the `top` best rows (ties by key) and filters nothing else, so on
    MariaDB the subquery picks them on the side table alone, sorting keys and scores rather than
    whole rows. Elsewhere it is ignored.
    """
    values = query_params(index, dialect, given)
    if values is None:
        return None
    family = _family(dialect)
    if family == "sqlite":
        fts = table(index.fts, column("rowid"))
        name = literal_column(_sqlite_quote(index.fts))
        found = (
            select(fts.c.rowid.label("rid"), (-func.bm25(name)).label("rank"))
            .select_from(fts)
            .where(name.op("MATCH")(bindparam("search_words", values["search_words"])))
            .subquery("matches")
        )
        return found, literal_column(f"{_sqlite_quote(index.table)}.rowid") == found.c.rid, found.c.rank
    if family == "postgresql":
        searched = table(index.table, column(index.key), column(SEARCH_COLUMN)).alias("searched")
        query = _pg_query(values)
        vector = searched.c[SEARCH_COLUMN]
        found = (
            select(searched.c[index.key].label("match_key"), func.ts_rank(vector, query).label("rank"))
            .where(vector.op("@@")(query))
            .subquery("matches")
        )
    else:
        side = side_table(index)
        key = side.c[index.key]
        body = side.c.body
        relevance = mysql.match(body, against=bindparam("search_natural", values.get("search_natural", "")))
        where: ColumnElement[bool] = (
            mysql.match(body, against=bindparam("search_words", values["search_words"])).in_boolean_mode()
            if values
            else false()  # only words InnoDB never indexes: nothing can be found
        )
        found = select(key.label("match_key"), relevance.label("rank")).where(where)
        if top is not None:
            found = found.order_by(relevance.desc(), key).limit(top)
        found = found.subquery("matches")
    return found, base.c[index.key] == found.c.match_key, found.c.rank


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def apply(
    statement: Select[Any], index: SearchIndex, dialect: str, base: Table, given: Iterable[str], top: int | None = None
) -> Select[Any]:
    """`statement` (selecting from `base`) limited to rows holding every word, best first; unchanged
    without words. The caller adds its own tie-break (the key) after this ordering; `top` as in match().

    On PostgreSQL the search column is on `base` itself: filtered and ranked in the same pass, with no
    join back to the table (which cost a plan and an index probe per match)."""
    if _family(dialect) == "postgresql":
        values = query_params(index, dialect, given)
        if values is None:
            return statement
        query = _pg_query(values)
        vector = literal_column(f"{_pg_quote(base.name)}.{SEARCH_COLUMN}")
        rank = func.ts_rank(vector, query).label("rank")
        return statement.where(vector.op("@@")(query)).add_columns(rank).order_by(rank.desc())
    found = match(index, dialect, base, given, top)
    if found is None:
        return statement
    matches, onclause, rank = found
    return statement.join_from(base, matches, onclause).add_columns(rank).order_by(rank.desc())
