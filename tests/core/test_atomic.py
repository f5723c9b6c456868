"""Atomic writes and output locks (the SIGKILL test is in test_checkpoints.py)."""

import pytest

from vae_tutorial.atomic import (
    OutputLockedError,
    atomic_write,
    atomic_write_bytes,
    lock_path,
    output_lock,
)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    p = tmp_path / "out.json"
    atomic_write_bytes(p, b"old")

    def boom(f):
        f.write(b"half")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        atomic_write(p, boom)
    assert p.read_bytes() == b"old" and [x.name for x in tmp_path.iterdir()] == ["out.json"]


def test_a_directory_is_not_overwritten(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError):
        atomic_write_bytes(tmp_path / "d", b"x")


def test_the_lock_refuses_a_second_holder_and_leaves_nothing_behind(tmp_path):
    p = tmp_path / "r.json"
    with output_lock(p, "result"):
        assert lock_path(p).exists()
        with pytest.raises(OutputLockedError, match="already writing the result .*r.json"):
            with output_lock(p, "result"):
                pass
    assert not lock_path(p).exists()
    with output_lock(p):  # free again
        pass
