"""LocalExecutor.read_channel: complete lines only, bounded reads, runaway lines skipped,
and only regular files read (a FIFO put in the channel's place must not block)."""

from __future__ import annotations

import os

from hypersweep.execution._local import OVERSIZED, READ_LIMIT, LocalExecutor


def _executor(path) -> LocalExecutor:
    ex = LocalExecutor()
    ex.register_channel("r", str(path))
    return ex


def test_complete_lines_only(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c"')
    data, offset = _executor(path).read_channel("r", 0)
    assert data == b'{"a": 1}\n{"b": 2}\n' and offset == len(data)
    assert _executor(path).read_channel("r", offset) == (b"", offset)


def test_reads_are_bounded_and_resume_where_they_stopped(tmp_path):
    path = tmp_path / "m.jsonl"
    line = b"x" * 1023 + b"\n"
    path.write_bytes(line * (READ_LIMIT // 1024 + 10))
    ex = _executor(path)
    data, offset = ex.read_channel("r", 0)
    assert len(data) <= READ_LIMIT and data.endswith(b"\n")
    rest, end = ex.read_channel("r", offset)
    assert end == os.path.getsize(path) and len(data) + len(rest) == end


def test_a_runaway_line_is_skipped_once_it_ends(tmp_path):
    path = tmp_path / "m.jsonl"
    with open(path, "wb") as fh:
        fh.write(b"y" * (READ_LIMIT + 5))
    ex = _executor(path)
    assert ex.read_channel("r", 0) == (b"", 0)  # still being written: wait
    with open(path, "ab") as fh:
        fh.write(b"y" * (3 * READ_LIMIT) + b'\n{"ok": 1}\n')
    data, offset = ex.read_channel("r", 0)
    assert data == OVERSIZED
    assert ex.read_channel("r", offset) == (b'{"ok": 1}\n', os.path.getsize(path))


def test_a_fifo_or_missing_file_reads_as_empty(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert _executor(fifo).read_channel("r", 0) == (b"", 0)
    assert _executor(tmp_path / "missing").read_channel("r", 5) == (b"", 5)
