"""The nexusql drop-in's MySQL/MariaDB rewrites of SQLite-written DDL, as text."""

from memcore.infrastructure.compat.nexusql_sql import index_table, mysql_index_prefixes, translate


def test_text_columns_become_longtext_and_text_keys_varchar():
    sql = (
        "CREATE TABLE s (id TEXT PRIMARY KEY, owner TEXT REFERENCES u(name), note TEXT DEFAULT 'a, TEXT (b)',"
        " text TEXT, short TINYTEXT, sized TEXT(10), k TEXT, PRIMARY KEY (k))"
    )
    assert translate(sql, "mariadb") == (
        "CREATE TABLE s (id VARCHAR(255) PRIMARY KEY, owner VARCHAR(255) REFERENCES u(name),"
        " note LONGTEXT DEFAULT 'a, TEXT (b)', text LONGTEXT, short TINYTEXT, sized TEXT(10),"
        " k VARCHAR(255), PRIMARY KEY (k))"
    )


def test_only_create_table_is_rewritten_and_only_on_mysql():
    assert translate("SELECT CAST(x AS TEXT) FROM t", "mysql") == "SELECT CAST(x AS TEXT) FROM t"
    assert translate("CREATE TABLE t (a TEXT)", "postgresql") == "CREATE TABLE t (a TEXT)"
    assert translate("CREATE TABLE t (a TEXT)", "sqlite") == "CREATE TABLE t (a TEXT)"


def test_compound_indexes_get_text_prefixes_that_fit_the_key():
    sql = "CREATE INDEX i ON t (a DESC, b, c)"
    assert index_table(sql) == "t"
    columns = {"a": ("longtext", None), "b": ("varchar", 100), "c": ("mediumblob", None)}
    assert mysql_index_prefixes(sql, columns) == "CREATE INDEX i ON t (a(334) DESC, b, c(334))"
    assert 4 * 334 * 2 + 4 * 100 <= 3072


def test_single_column_unique_and_text_free_indexes_are_left_alone():
    assert index_table("CREATE INDEX i ON t (a)") is None
    assert index_table("CREATE UNIQUE INDEX i ON t (a, b)") is None
    assert mysql_index_prefixes("CREATE INDEX i ON t (a, b)", {"a": ("int", None), "b": ("varchar", 20)}) == (
        "CREATE INDEX i ON t (a, b)"
    )


def test_type_words_are_rewritten_in_capitals_only_so_columns_named_like_types_stay():
    # ia_modules' checkpointer inserts into a column named `timestamp`; nexusql's type rules match
    # capitals only, so its statements reach the database with their column names intact.
    insert = "INSERT INTO c (id, timestamp, uuid, json) VALUES (:id, :timestamp, :uuid, :json)"
    for dialect in ("sqlite", "postgresql", "mariadb"):
        assert translate(insert, dialect) == insert
    ddl = "CREATE TABLE c (id UUID PRIMARY KEY, timestamp TIMESTAMP DEFAULT NOW(), state JSONB, n SERIAL)"
    assert translate(ddl, "sqlite") == (
        "CREATE TABLE c (id TEXT PRIMARY KEY, timestamp TEXT DEFAULT CURRENT_TIMESTAMP, state TEXT, n INTEGER)"
    )
    assert translate(ddl, "mariadb") == (
        "CREATE TABLE c (id CHAR(36) PRIMARY KEY, timestamp TIMESTAMP DEFAULT NOW(), state JSON, n INT AUTO_INCREMENT)"
    )
