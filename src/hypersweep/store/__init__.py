"""The experiment store (SQLite by default, PostgreSQL by URL)."""

from hypersweep.store._codec import decode_value, encode_value
from hypersweep.store._schema import MetricRow
from hypersweep.store._store import Store

__all__ = ["MetricRow", "Store", "decode_value", "encode_value"]
