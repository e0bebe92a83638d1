"""Multi-row inserts (bulk.py) and the JSON column text (rows.py) the catalog writes with them."""

from __future__ import annotations

import json
import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.models import Attribute
from kiosk.store import bulk, rows


@given(st.integers(min_value=0, max_value=2000), st.sampled_from([1, 2, 8, 256]))
def test_chunk_sizes_cover_n_with_few_distinct_sizes(n: int, most: int) -> None:
    sizes = bulk.chunk_sizes(n, most)
    assert sum(sizes) == n
    assert all(0 < s <= most and s & (s - 1) == 0 for s in sizes)
    assert sizes == sorted(sizes, reverse=True)


def _table() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (pk INTEGER PRIMARY KEY, id TEXT UNIQUE, v INTEGER)")
    return conn


UPSERT = ("INSERT INTO t (id, v)", "(?, ?)", "ON CONFLICT (id) DO UPDATE SET v = excluded.v")


@given(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(-(2**63), 2**63 - 1)), max_size=700)
)
def test_insert_many_leaves_what_executemany_leaves(data: list[tuple[str, int]]) -> None:
    # Repeated ids within one batch included: later rows win, in order, as with executemany.
    one, many = _table(), _table()
    bulk.insert_many(one, *UPSERT, data)
    many.executemany(" VALUES ".join(UPSERT[:2]) + " " + UPSERT[2], data)
    query = "SELECT pk, id, v FROM t ORDER BY pk"
    assert one.execute(query).fetchall() == many.execute(query).fetchall()


def test_insert_many_stays_within_the_variable_limit() -> None:
    conn = _table()
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 9)  # 4 rows of 2 per statement at most
    data = [(str(i), i) for i in range(11)]
    bulk.insert_many(conn, *UPSERT, data)
    assert conn.execute("SELECT count(*), sum(v) FROM t").fetchone() == (11, 55)


@given(st.lists(st.text()))
def test_strings_json_writes_what_json_dumps_writes(items: list[str]) -> None:
    assert rows.strings_json(items) == json.dumps(items, ensure_ascii=False)
    assert rows.strings_from(rows.strings_json(items)) == tuple(items)


@given(st.lists(st.tuples(st.text(), st.lists(st.text(), max_size=3)), max_size=4))
def test_attributes_json_writes_what_json_dumps_writes(raw: list[tuple[str, list[str]]]) -> None:
    attrs = [Attribute(name, tuple(options)) for name, options in raw]
    expected = json.dumps([[a.name, list(a.options)] for a in attrs], ensure_ascii=False)
    assert rows.attributes_json(attrs) == expected
    assert rows.attributes_from(rows.attributes_json(attrs)) == tuple(attrs)


def test_json_columns_fall_back_to_json_dumps_for_other_values() -> None:
    assert rows.strings_json([1, "a"]) == '[1, "a"]'  # type: ignore[list-item]
