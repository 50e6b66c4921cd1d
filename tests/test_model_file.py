"""The model file: plain .npz, written atomically with a normal file mode, never
over a file that is not an nnbp model, and never unpickled on reading."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from nnbp import model
from nnbp.config import parse_config
from nnbp.errors import ModelError
from nnbp.network import Network
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.fixture
def nnbp_model(tmp_path):
    """A real model file, written the way ``nnbp train`` writes it."""
    (tmp_path / "xor.csv").write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    cfg = parse_config("data:\n  train: xor.csv\n  normalize: none\nnetwork:\n  layers: [2, 3, 1]\n"
                       "training:\n  epochs: 2\n", base=tmp_path, name="xor")
    run = prepare(cfg)
    trainer = GradientDescent(run, epochs=2, learning_rate=1.0, lam=0.0)
    for _ in trainer:
        pass
    path = tmp_path / "xor.npz"
    model.save_npz_atomic(path, trainer.model())
    return path


ARRAYS = {
    "Theta1": np.arange(6, dtype=np.float64).reshape(2, 3) / 7,
    "layers": np.array([2, 2, 1], dtype=np.int64),
    "classes": np.array(["cat", "dog"]),
    "nnbp_version": np.array("0.1.0"),
    "lambda": np.array(0.5),
}


def test_save_then_plain_numpy_load_gives_the_arrays_back(tmp_path):
    path = tmp_path / "m.npz"
    model.save_npz_atomic(path, ARRAYS)
    with np.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == sorted(ARRAYS)
        for k, v in ARRAYS.items():
            assert f[k].dtype == v.dtype, k
            np.testing.assert_array_equal(f[k], v)
    assert str(np.load(path, allow_pickle=False)["nnbp_version"]) == "0.1.0"


def test_read_npz_gives_the_arrays_back(tmp_path):
    path = tmp_path / "m.npz"
    model.save_npz_atomic(path, ARRAYS)
    got = model.read_npz(path)
    assert sorted(got) == sorted(ARRAYS)
    np.testing.assert_array_equal(got["Theta1"], ARRAYS["Theta1"])
    assert got["classes"].tolist() == ["cat", "dog"]


def test_no_temporary_file_is_left_behind(tmp_path):
    model.save_npz_atomic(tmp_path / "m.npz", ARRAYS)
    model.save_npz_atomic(tmp_path / "m.npz", ARRAYS)  # over itself
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    model.save_npz_atomic(path, ARRAYS)
    before = path.read_bytes()

    def broken_savez(f, **arrays):
        f.write(b"PK half a file")
        raise OSError("disk full")

    monkeypatch.setattr(model.np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        model.save_npz_atomic(path, {"Theta1": np.zeros((1, 1))})
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_the_file_mode_follows_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    path = tmp_path / "m.npz"
    model.save_npz_atomic(path, ARRAYS)
    got = stat.S_IMODE(os.stat(path).st_mode)
    assert got == mode
    assert got != 0o600  # not the private mode of a temporary file


def test_save_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model.save_npz_atomic("m.npz", ARRAYS)
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


# --- check_writable ----------------------------------------------------------

def test_check_writable_refuses_a_missing_folder(tmp_path):
    path = tmp_path / "no" / "m.npz"
    with pytest.raises(ModelError) as info:
        model.check_writable(path)
    assert str(info.value) == (f"{path}: cannot write the model: folder {tmp_path / 'no'} "
                               "does not exist")


def test_check_writable_refuses_a_directory(tmp_path):
    with pytest.raises(ModelError) as info:
        model.check_writable(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory; give a file name for the model"


def test_check_writable_refuses_a_text_file_and_leaves_it_alone(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my thesis\n")
    with pytest.raises(ModelError) as info:
        model.check_writable(path)
    assert str(info.value) == f"{path}: exists and is not an nnbp model; refusing to overwrite it"
    assert path.read_text() == "my thesis\n"


def test_check_writable_refuses_an_npz_that_is_not_an_nnbp_model(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, x=np.arange(3))
    before = path.read_bytes()
    with pytest.raises(ModelError) as info:
        model.check_writable(path)
    assert str(info.value) == f"{path}: exists and is not an nnbp model; refusing to overwrite it"
    assert path.read_bytes() == before


def test_check_writable_accepts_an_existing_nnbp_model(nnbp_model):
    assert model.check_writable(nnbp_model) == nnbp_model


def test_check_writable_accepts_a_new_file(tmp_path):
    assert model.check_writable(tmp_path / "new.npz") == tmp_path / "new.npz"


def test_check_writable_accepts_a_bare_name_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert str(model.check_writable("new.npz")) == "new.npz"


def test_a_trained_model_holds_what_the_spec_lists(nnbp_model):
    with np.load(nnbp_model, allow_pickle=False) as f:
        files = set(f.files)
        assert {"Theta1", "Theta2", "classes", "norm_kind", "norm_shift", "norm_scale",
                "config", "nnbp_version"} <= files
        assert f["Theta1"].shape == (3, 3) and f["Theta2"].shape == (1, 4)
        assert f["classes"].tolist() == [0, 1]
        assert str(f["format"]) == model.MODEL_FORMAT
        assert int(f["epochs"]) == 2
        config_text = str(f["config"])
    assert parse_config(config_text).training.epochs == 2


# --- read_npz ----------------------------------------------------------------

def test_read_npz_refuses_pickled_objects(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, a=np.array([object()], dtype=object))
    with pytest.raises(ModelError) as info:
        model.read_npz(path)
    assert str(info.value) == f"{path}: holds pickled Python objects; nnbp never loads those"


def test_read_npz_refuses_a_truncated_file(tmp_path, nnbp_model):
    path = tmp_path / "cut.npz"
    path.write_bytes(nnbp_model.read_bytes()[:300])
    with pytest.raises(ModelError) as info:
        model.read_npz(path)
    assert str(info.value) == f"{path}: is not a readable .npz model file (File is not a zip file)"


def test_read_npz_refuses_a_text_file(tmp_path):
    path = tmp_path / "model.npz"
    path.write_text("Theta1 = [[1, 2, 3]]\n")
    with pytest.raises(ModelError) as info:
        model.read_npz(path)
    # not "holds pickled Python objects": numpy takes any non-zip file for a pickle
    assert str(info.value) == f"{path}: is not a readable .npz model file (not a zip archive)"


@pytest.mark.parametrize("content", [b"", b"\x80\x04K\x01.", b"\x93NUMPY"])
def test_read_npz_refuses_empty_pickle_and_npy_files(tmp_path, content):
    path = tmp_path / "w.npz"
    path.write_bytes(content)
    with pytest.raises(ModelError) as info:
        model.read_npz(path, "weights")
    assert str(info.value) == f"{path}: is not a readable .npz weights file (not a zip archive)"


def test_read_npz_refuses_a_real_npy_file(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ModelError) as info:
        model.read_npz(path)
    assert str(info.value) == f"{path}: is not a readable .npz model file (not a zip archive)"


def test_read_npz_of_a_missing_file_and_a_folder(tmp_path):
    with pytest.raises(ModelError) as info:
        model.read_npz(tmp_path / "nope.npz")
    assert str(info.value) == f"{tmp_path / 'nope.npz'}: no such file"
    with pytest.raises(ModelError) as info:
        model.read_npz(tmp_path)
    assert str(info.value) == f"{tmp_path}: is not a file"


# --- check_weights -----------------------------------------------------------

NET = Network((2, 3, 1))  # Θ^(1): 3 × 3, Θ^(2): 1 × 4


def test_check_weights_accepts_the_right_shapes():
    Theta = model.check_weights({"Theta1": np.ones((3, 3)), "Theta2": [[1, 2, 3, 4]]}, NET,
                                "w.npz", np.float32)
    assert sorted(Theta) == [1, 2]
    assert Theta[1].dtype == np.float32 and Theta[2].dtype == np.float32
    np.testing.assert_array_equal(Theta[2], [[1, 2, 3, 4]])


def test_check_weights_names_a_missing_theta2():
    with pytest.raises(ModelError) as info:
        model.check_weights({"Theta1": np.ones((3, 3))}, NET, "w.npz")
    assert str(info.value) == ("w.npz: has no Theta2 (the network has 2 weight matrices; "
                               "found: Theta1)")


def test_check_weights_names_both_shapes_of_a_misshaped_theta1():
    with pytest.raises(ModelError) as info:
        model.check_weights({"Theta1": np.ones((3, 2)), "Theta2": np.ones((1, 4))}, NET, "w.npz")
    assert str(info.value) == ("w.npz: Theta1 has shape 3 × 2, the network needs 3 × 3 "
                               "(s_2 × (s_1 + 1))")


def test_check_weights_refuses_extra_matrices():
    with pytest.raises(ModelError) as info:
        model.check_weights({"Theta1": np.ones((3, 3)), "Theta2": np.ones((1, 4)),
                             "Theta3": np.ones((1, 2))}, NET, "w.npz")
    assert str(info.value) == "w.npz: has Theta3, more weight matrices than the network's 2"


def test_check_weights_refuses_non_finite_and_ragged_values():
    with pytest.raises(ModelError) as info:
        model.check_weights({"Theta1": np.full((3, 3), np.nan), "Theta2": np.ones((1, 4))},
                            NET, "w.npz")
    assert str(info.value) == "w.npz: Theta1 holds non-finite values"
    with pytest.raises(ModelError) as info:
        model.check_weights({"Theta1": [[1, 2, 3], [4]], "Theta2": np.ones((1, 4))}, NET, "w.npz")
    assert str(info.value) == "w.npz: Theta1 is not a matrix of numbers"
