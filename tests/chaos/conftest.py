"""Fixtures of the chaos suite: the misbehaving script, and small filesystems to break.

``tmpfs`` and ``ext4_image`` mount a throw-away filesystem (root only) and always unmount
it; tests that need one are skipped, with the reason, where mounting is not permitted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chaos._support import SCRIPTS


@pytest.fixture
def faults_source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(SCRIPTS, src)
    return src


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def _mount_permitted() -> str | None:
    """None if this process may mount a tmpfs, else why not."""
    if os.geteuid() != 0:
        return "mounting a filesystem needs root"
    if shutil.which("mount") is None:
        return "no mount command"
    probe = tempfile.mkdtemp(prefix="hs-probe-")
    try:
        done = _run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe)
        if done.returncode != 0:
            return f"mount is not permitted here: {done.stderr.strip()}"
        _run("umount", probe)
        return None
    finally:
        os.rmdir(probe)


def _unmount(path: str) -> None:
    for _ in range(50):
        if _run("umount", path).returncode == 0 or not os.path.ismount(path):
            return
        import time

        time.sleep(0.1)
    _run("umount", "-l", path)  # last resort: never leave a mount behind


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator:
    """A factory: ``tmpfs("size=16M")`` mounts a small tmpfs and returns its path; every
    mount is undone at the end of the test."""
    reason = _mount_permitted()
    if reason:
        pytest.skip(reason)
    mounted: list[str] = []

    def mount(options: str = "size=16M") -> Path:
        mnt = tmp_path / f"small{len(mounted)}"
        mnt.mkdir()
        done = _run("mount", "-t", "tmpfs", "-o", f"{options},mode=0700", "tmpfs", str(mnt))
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
        mounted.append(str(mnt))
        return mnt

    try:
        yield mount
    finally:
        for path in reversed(mounted):
            _unmount(path)


class Ext4:
    """A 16 MB ext4 filesystem in a file, mounted through a loop device with
    ``errors=remount-ro``; :meth:`fail` makes the kernel turn it read-only as after an
    I/O error, :meth:`remount` unmounts, checks and mounts it again (an admin's repair)."""

    def __init__(self, image: Path, mnt: Path) -> None:
        self.image, self.mnt = image, mnt

    def mount(self) -> None:
        done = _run("mount", "-o", "loop,errors=remount-ro", str(self.image), str(self.mnt))
        if done.returncode != 0:
            raise RuntimeError(f"mount failed: {done.stderr}")

    @property
    def device(self) -> str:
        return _run("findmnt", "-n", "-o", "SOURCE", str(self.mnt)).stdout.strip()

    def fail(self) -> None:
        name = os.path.basename(self.device)
        os.sync()
        with open(f"/sys/fs/ext4/{name}/trigger_fs_error", "w") as fh:
            fh.write("hypersweep chaos test\n")

    def remount(self) -> None:
        _unmount(str(self.mnt))
        _run("e2fsck", "-fy", str(self.image))
        self.mount()


@pytest.fixture
def ext4_image(tmp_path: Path) -> Iterator[Ext4]:
    reason = _mount_permitted()
    if reason:
        pytest.skip(reason)
    if shutil.which("mkfs.ext4") is None or shutil.which("findmnt") is None:
        pytest.skip("mkfs.ext4 / findmnt are not installed")
    image, mnt = tmp_path / "ext4.img", tmp_path / "ext4"
    mnt.mkdir()
    with open(image, "wb") as fh:
        fh.truncate(16 * 1024 * 1024)
    if _run("mkfs.ext4", "-q", "-F", str(image)).returncode != 0:
        pytest.skip("mkfs.ext4 failed")
    fs = Ext4(image, mnt)
    try:
        fs.mount()
    except RuntimeError as exc:
        pytest.skip(f"cannot mount a loop device: {exc}")
    if not os.path.exists(f"/sys/fs/ext4/{os.path.basename(fs.device)}/trigger_fs_error"):
        _unmount(str(mnt))
        pytest.skip("this kernel has no ext4 trigger_fs_error")
    try:
        yield fs
    finally:
        with contextlib.suppress(Exception):
            _unmount(str(mnt))
