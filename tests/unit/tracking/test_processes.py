"""The client in real processes: killed mid-logging, two writers on one channel, and the
modules a training script pays for when it imports the client."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HYPERSWEEP_", "AZUREML_"))}
    return {**env, **extra}


def test_sigkill_mid_logging_loses_nothing_that_was_logged(tmp_path):
    """The script reports on stdout each value whose log() call has returned; after a
    SIGKILL every reported value is in the channel, and only the last line may be torn."""
    path = tmp_path / "metrics.jsonl"
    code = ("import os\n"
            "from hypersweep.tracking import get_context\n"
            "run = get_context()\n"
            "for i in range(100_000):\n"
            "    run.log('acc', i)\n"
            "    run.log_row('curve', step=i, note='x' * (i % 97))\n"
            "    if i % 500 == 0:\n"
            "        os.write(1, b'%d\\n' % i)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            env=_env(HYPERSWEEP_METRICS_PATH=str(path)))
    reported = [int(proc.stdout.readline()) for _ in range(8)]
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    proc.stdout.close()

    lines = path.read_bytes().split(b"\n")
    complete, last = lines[:-1], lines[-1]  # at most the very last line may be partial
    parsed = [json.loads(x) for x in complete]
    accs = [r["value"] for r in parsed if r["kind"] == "metric"]
    steps = [r["row"]["step"] for r in parsed if r["kind"] == "row"]
    assert accs == list(range(len(accs))) and steps == list(range(len(steps)))
    assert len(accs) - len(steps) in (0, 1)
    assert reported[-1] == 3500 and len(steps) > reported[-1]  # nothing logged was lost
    assert len(accs) < 100_000  # killed mid-way
    assert last == b"" or not last.endswith(b"}")


def test_two_processes_on_one_channel_never_interleave_within_a_line(tmp_path):
    path = tmp_path / "metrics.jsonl"
    code = ("import sys\n"
            "from hypersweep.tracking import get_context\n"
            "run, me = get_context(), sys.argv[1]\n"
            "for i in range(5_000):\n"
            "    run.log(me, me * (1 + i % 4000))\n"
            "    run.log(me + '_i', i)\n")
    env = _env(HYPERSWEEP_METRICS_PATH=str(path))
    procs = [subprocess.Popen([sys.executable, "-c", code, w], env=env) for w in "ab"]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]

    seen: dict[str, list] = {"a": [], "b": [], "a_i": [], "b_i": []}
    for line in path.read_text().splitlines():
        record = json.loads(line)  # a torn or interleaved line would not parse
        seen[record["name"]].append(record["value"])
    for w in "ab":
        assert seen[w] == [w * (1 + i % 4000) for i in range(5_000)]
        assert seen[w + "_i"] == list(range(5_000))


def test_the_client_imports_only_the_standard_library(tmp_path):
    code = ("import sys\n"
            "before = set(sys.modules)\n"
            "from hypersweep.tracking import get_context\n"
            "run = get_context()\n"
            "run.log('acc', 0.5); run.log_table('t', {'a': [1]}); run.tag('k', 'v')\n"
            "print(' '.join(sorted(set(sys.modules) - before)))\n")
    for env in (_env(), _env(HYPERSWEEP_METRICS_PATH=str(tmp_path / "m.jsonl"))):
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True, cwd=tmp_path).stdout
        loaded = set(out.splitlines()[-1].split())
        ours = {m for m in loaded if m.split(".")[0] == "hypersweep"}
        others = {m for m in loaded - ours if m.split(".")[0] not in sys.stdlib_module_names}
        assert others == set(), f"non-standard-library modules imported: {others}"
        assert ours <= {"hypersweep", "hypersweep.tracking", "hypersweep.tracking._run",
                        "hypersweep.tracking._channel", "hypersweep.tracking._values"}
        heavy = loaded & {"json", "typing", "re", "enum", "collections", "contextlib"}
        assert heavy == set(), f"slow standard-library modules imported: {heavy}"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_does_not_stop_the_script(tmp_path):
    """Every write to /dev/full fails with ENOSPC: log() holds the values, the script goes
    on to its end, and at exit (after HYPERSWEEP_FLUSH_SECONDS) it says how many were lost;
    other write errors still raise."""
    code = ("from hypersweep.tracking import get_context\n"
            "run = get_context()\n"
            "for i in range(1000):\n"
            "    run.log('acc', i)\n"
            "print('went on', flush=True)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=_env(HYPERSWEEP_RUN_ID="r", HYPERSWEEP_METRICS_PATH="/dev/full",
                                   HYPERSWEEP_FLUSH_SECONDS="0.2"), timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "went on\n"
    assert done.stderr.count("cannot write the metrics channel (No space left") == 1
    assert "1000 metrics-channel write(s) lost: the disk stayed full" in done.stderr


def test_held_lines_are_written_in_order_once_space_returns(tmp_path, monkeypatch):
    """While writes fail with ENOSPC lines are held; the first write that succeeds writes
    them first, in order, then the new one."""
    import errno

    from hypersweep.tracking import _channel

    path = tmp_path / "metrics.jsonl"
    channel = _channel.Channel(str(path))
    real_write, full = os.write, {"on": True}

    def write(fd, data):
        if full["on"] and fd == channel._fd:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(_channel.os, "write", write)
    for i in range(5):
        channel.write(b"%d\n" % i)
    assert path.read_bytes() == b"" and len(channel._held) == 5
    full["on"] = False
    channel.write(b"5\n")
    assert path.read_bytes() == b"0\n1\n2\n3\n4\n5\n" and not channel._held
    monkeypatch.setattr(_channel.os, "write", lambda fd, data: (_ for _ in ()).throw(
        OSError(errno.EBADF, "Bad file descriptor")))
    with pytest.raises(OSError, match="Bad file descriptor"):
        channel.write(b"6\n")
    channel.close()
