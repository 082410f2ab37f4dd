"""Run.log_image and Run.upload_file (Azure ML's names): files kept in the run's folder."""

from __future__ import annotations

import io

import pytest

from hypersweep import tracking
from hypersweep.tracking import MetricTypeError, MetricValueError


class Figure:
    """What log_image needs of a matplotlib figure (or pyplot)."""

    def savefig(self, target, format):
        with open(target, "wb") as fh:
            fh.write(b"\x89PNG " + format.encode())


def test_images_and_files_land_in_the_run_folder(channel, tmp_path):
    run = tracking.get_context()
    picture = tmp_path / "roc.jpg"
    picture.write_bytes(b"jpeg")
    run.log_image("ROC curve", path=str(picture))
    run.log_image("loss/epoch", plot=Figure())
    run.upload_file("model.pkl", str(picture))
    run.upload_file("outputs/deep/weights.bin", io.BytesIO(b"w"))
    run.upload_file("logs/notes.txt", str(picture))
    assert (tmp_path / "logs" / "images" / "ROC_curve.jpg").read_bytes() == b"jpeg"
    assert (tmp_path / "logs" / "images" / "loss_epoch.png").read_bytes() == b"\x89PNG png"
    assert (tmp_path / "outputs" / "model.pkl").read_bytes() == b"jpeg"  # not at the root
    assert (tmp_path / "outputs" / "deep" / "weights.bin").read_bytes() == b"w"
    assert (tmp_path / "logs" / "notes.txt").read_bytes() == b"jpeg"
    assert not channel.exists() or channel.read_text() == ""  # files are not metrics


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda r, f: r.upload_file("../escape", f), MetricValueError, "relative path inside"),
    (lambda r, f: r.upload_file("/etc/x", f), MetricValueError, "relative path inside"),
    (lambda r, f: r.upload_file("", f), MetricValueError, "1 to 255"),
    (lambda r, f: r.upload_file("m.pkl", f + ".missing"), MetricValueError, "no such file"),
    (lambda r, f: r.upload_file("m.pkl", 3), MetricTypeError, "path or a file object"),
    (lambda r, f: r.log_image("x"), MetricValueError, "exactly one of"),
    (lambda r, f: r.log_image("x", path=f, plot=Figure()), MetricValueError, "exactly one of"),
    (lambda r, f: r.log_image("x", plot="fig"), MetricTypeError, "savefig"),
    (lambda r, f: r.log_image("x", path=f + ".missing"), MetricValueError, "no such file"),
])
def test_bad_calls_raise_clearly_and_store_nothing(channel, tmp_path, call, error, words):
    source = tmp_path / "source.bin"
    source.write_bytes(b"x")
    with pytest.raises(error, match=words):
        call(tracking.get_context(), str(source))
    assert not (tmp_path / "outputs").exists() and not (tmp_path / "logs" / "images").exists()


def test_offline_files_are_announced_not_written(clean_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "a.png"
    source.write_bytes(b"x")
    run = tracking.get_context()
    run.log_image("curve", path=str(source))
    run.upload_file("model.pkl", str(source))
    out = capsys.readouterr().out
    assert f"[offline] image curve = {source}" in out
    assert f"[offline] file outputs/model.pkl = {source}" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]
