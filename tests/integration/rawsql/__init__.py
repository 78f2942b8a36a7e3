"""The raw-SQL Database and AsyncDatabase, and SQL-file migrations, on every dialect."""
