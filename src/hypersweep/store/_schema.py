"""The store's tables (SQLAlchemy Core) and their schema version.

experiments · runs · metrics · events, plus ``meta`` holding the schema version. Times
are Unix seconds (float). A metric value that is not a finite number is kept in
``value_text`` ('nan', 'inf', '-inf' or the string logged) since SQL cannot hold NaN
portably; list, row and table values are JSON in ``value_json``.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["SCHEMA_VERSION", "MetricRow", "events", "experiments", "meta", "metadata",
           "metrics", "runs"]


class MetricRow(NamedTuple):
    """One stored metric value, in ``hs_metrics`` column order (cheap to batch-insert)."""

    run_id: str
    name: str
    step: int
    kind: str
    value: float | None
    value_text: str | None
    value_json: str | None
    time: float

SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table(
    "hs_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

experiments = Table(
    "hs_experiments", metadata,
    Column("id", String(64), primary_key=True),        # HD_<hex>: the sweep (parent run) id
    Column("name", String(255), nullable=False, index=True),
    Column("spec", Text, nullable=False),               # SweepSpec JSON
    Column("status", String(32), nullable=False),
    Column("created", Float, nullable=False),
    Column("started", Float),
    Column("ended", Float),
    Column("message", Text),
    Column("tags", Text, nullable=False, default="{}"),
    Column("artifacts_dir", Text, nullable=False),
    Column("controller_pid", Integer),
    Column("controller_host", String(255)),
    Column("controller_started", Float),
    Column("cancel_requested", Float),                  # time a cancel was asked for
    Column("parents", Text, nullable=False, default="[]"),  # warm-start parent ids (JSON)
)

runs = Table(
    "hs_runs", metadata,
    Column("id", String(80), primary_key=True),
    Column("experiment_id", String(64), ForeignKey("hs_experiments.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("params", Text, nullable=False),             # JSON object, search-space order
    Column("arguments", Text, nullable=False),          # JSON list: the script's arguments
    Column("command", Text, nullable=False),            # JSON list: the full argv
    Column("status", String(32), nullable=False),
    Column("created", Float, nullable=False),
    Column("started", Float),
    Column("ended", Float),
    Column("exit_code", Integer),
    Column("host", String(255)),
    Column("pid", Integer),
    Column("pid_started", Float),                       # process start time, to recognise it
    Column("run_dir", Text, nullable=False),
    Column("message", Text),                            # termination / failure reason, warnings
    Column("log_tail", Text),
    Column("channel_offset", Integer, nullable=False, default=0),
    Column("bad_lines", Integer, nullable=False, default=0),
    Column("primary_count", Integer, nullable=False, default=0),
    Column("primary_best", Float),                      # best finite primary value so far
    Column("primary_last", Float),
    Column("resumed_from", String(80)),                 # run id whose outputs it resumes
    Column("tags", Text, nullable=False, default="{}"),
    Index("ix_hs_runs_experiment", "experiment_id", "number"),
)

metrics = Table(
    "hs_metrics", metadata,
    Column("run_id", String(80), ForeignKey("hs_runs.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("step", Integer, nullable=False),            # 1-based: the N-th value of that name
    Column("kind", String(16), nullable=False),         # metric | list | row | table
    Column("value", Float),
    Column("value_text", Text),
    Column("value_json", Text),
    Column("time", Float, nullable=False),
    Index("ix_hs_metrics_run_name_step", "run_id", "name", "step", unique=True),
)

events = Table(
    "hs_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("experiment_id", String(64), nullable=False, index=True),
    Column("run_id", String(80)),
    Column("time", Float, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("message", Text, nullable=False),
)
