"""Search: one interface over SQLite FTS5 and PostgreSQL full-text search.

The pure parts (folding, tokens, the query language, snippets) are importable anywhere;
``results.search_prepare`` reads the index and ``services`` writes it, once Django is set
up (they use the ORM, so this package does not import them for you).
"""

from yamabiko.search.query import MAX_QUERY_LENGTH, MAX_TERMS, Query, Term, parse
from yamabiko.search.snippets import highlight, snippet
from yamabiko.search.text import fold, index_text

__all__ = [
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "Query",
    "Term",
    "fold",
    "highlight",
    "index_text",
    "parse",
    "snippet",
]
