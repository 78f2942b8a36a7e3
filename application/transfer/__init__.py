"""Moving a whole store: export to an archive, import it, copy between databases, verify two stores."""
