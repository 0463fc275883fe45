"""Saving and loading a model's numbers: `tg.save(model.state_dict(), path)`, `tg.load(path)`.

A checkpoint is a NumPy `.npz` file: a zip archive holding one `.npy` file per
parameter, named by its dotted name ("layers.0.weight.npy"). NumPy, or any tool that
reads zip and .npy files, can open it.

Two promises:

* **Loading never runs code.** Python's pickle (what torch.save uses) can run any
  code while loading, so a checkpoint from a stranger could do anything. Here arrays
  are read with `allow_pickle=False`: a file that is not plain numbers is refused.
* **Saving never leaves a half-written file.** The bytes go to a temporary file in the
  same folder, which is then renamed over the target in one step (`os.replace`). If
  saving stops half-way (an error, Ctrl-C, a full disk), the previous checkpoint is
  still there, whole, and the temporary file is removed.
"""

import os
import secrets
import zipfile
from collections import OrderedDict

import numpy as np

from .tensor import Tensor


def save(state_dict, path):
    """Write `state_dict` (name -> NumPy array or Tensor) to `path`, exactly that name.

    (np.savez would add ".npz" to a name without it; this writes the name you give.)
    """
    if not hasattr(state_dict, "items"):
        raise TypeError(f"save() takes a dict of name -> array, such as model.state_dict(), "
                        f"not {type(state_dict).__name__}")
    arrays = OrderedDict()
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save(): names must be strings, got {name!r}")
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.kind not in "biufc":
            raise ValueError(f"save(): {name!r} holds {array.dtype} data; a checkpoint holds "
                             "numbers only")
        arrays[name] = array

    path = os.fspath(path)
    folder, filename = os.path.split(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save to {path}: the folder {folder} does not exist")
    # A new file beside the target ("x" mode: never an existing one, and the usual
    # permissions, unlike tempfile.mkstemp's private 0600), hidden by its leading dot.
    temporary = os.path.join(folder, f".{filename}.{secrets.token_hex(8)}.tmp")
    file = open(temporary, "xb")
    try:
        with file:
            _write_npz(file, arrays)
            file.flush()
            os.fsync(file.fileno())  # the bytes are on disk before the rename
        os.replace(temporary, path)  # one step: the old file or the new one, never half of one
    except BaseException:  # also Ctrl-C: take the partial file away, then stop as asked
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


def _write_npz(file, arrays):
    """What np.savez(file, **arrays) does, written out: a zip with one .npy per array.

    Written by hand so any name works (np.savez reserves "file" and "allow_pickle" as
    argument names) and so nothing is ever pickled.
    """
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            with zf.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def load(path, weights_only=True, map_location=None):
    """Read a checkpoint written by `save`: an OrderedDict name -> NumPy array. (PyTorch's
    weights_only= and map_location= are taken and change nothing: no pickle is ever read.)

    A missing file raises FileNotFoundError; a file that is not a whole checkpoint
    (truncated, corrupted, a text file, a pickle) raises ValueError naming the path.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path}: the file does not exist")
    with open(path, "rb") as file:
        start = file.read(8)
        file.seek(0)
        if not start.startswith(b"PK"):  # every zip file, so every .npz, starts with "PK"
            raise ValueError(f"{path} is not a tiny_grad checkpoint (a NumPy .npz file): "
                             f"{_what_it_is(start)}")
        try:
            state = OrderedDict()
            with np.load(file, allow_pickle=False) as contents:
                for name in contents.files:
                    array = contents[name]
                    if not isinstance(array, np.ndarray):  # a zip entry that is no .npy file
                        raise ValueError(f"its entry {name!r} is not a NumPy array")
                    state[name] = array
        except Exception as error:  # whatever broke while reading, the file is not usable
            raise ValueError(f"{path} is not a readable tiny_grad checkpoint (a NumPy .npz "
                             f"file): it is cut short, damaged or not made by tg.save "
                             f"({type(error).__name__}: {error})") from error
    return state


def _what_it_is(start):
    """A guess, from a file's first bytes, at what it holds instead of a checkpoint."""
    if not start:
        return "the file is empty"
    if start.startswith(b"\x93NUMPY"):
        return "it is a single .npy array (np.save), not a set of named arrays"
    if start.startswith(b"\x80"):
        return ("it looks like a Python pickle (as pickle.dump or an old torch.save write); "
                "tiny_grad never loads pickles, because loading one can run any code")
    return "it is not a zip archive of .npy arrays"
