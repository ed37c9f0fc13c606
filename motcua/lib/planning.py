"""``planned_for_their_values()``: statements PostgreSQL plans anew for the values they are given.

The connections prepare a statement they have run five times (``DB_PREPARE_THRESHOLD``, psycopg's
``prepare_threshold``): PostgreSQL then keeps one plan per connection and may settle on a generic
plan, made without the values. That is what the fixed-shape point lookups want (a dossier by its
code, a transition's locked rows), and what the catalogue's search does not: its best plan depends
on the words typed — a word in twelve procedures or a letter that starts thousands of words ("khai
t") — and a generic plan for ``token >= $1 AND token < $2`` walked thousands of postings for a
dozen answers (the /thu-tuc/ page at 20,000 procedures: 24 ms instead of 8). Inside this block
nothing is prepared; a statement already prepared is not used either (psycopg asks the server to
plan each one with its parameters). Elsewhere than on PostgreSQL it changes nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def planned_for_their_values() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    kept = raw.prepare_threshold
    raw.prepare_threshold = None  # psycopg: never prepare (nor use a prepared statement)
    try:
        yield
    finally:
        if connection.connection is raw:  # not closed and opened again meanwhile
            raw.prepare_threshold = kept
