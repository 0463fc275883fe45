"""torch.utils, as far as tiny_grad has it: `from tiny_grad.utils.data import DataLoader`."""

from . import data

__all__ = ["data"]
