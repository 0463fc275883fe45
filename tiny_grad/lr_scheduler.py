"""Learning-rate schedules (torch.optim.lr_scheduler): a smaller step as training goes on.

    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch()
        scheduler.step()            # lr: 0.1 for epochs 0-29, 0.01 for 30-59, ...

A scheduler changes each group's "lr" in optimizer.param_groups, once per `step()`, with
PyTorch's rules: made, it counts epoch 0 (last_epoch = 0) and remembers each group's lr as
"initial_lr"; get_last_lr() gives the lrs it set last.
"""


class LRScheduler:
    """What every schedule shares: the epoch count and writing the new lrs into the groups."""

    def __init__(self, optimizer, last_epoch=-1):
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def get_lr(self):
        """The lrs for epoch self.last_epoch, from the groups' current ones (each schedule's rule)."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def step(self):
        """One epoch on: each group's lr becomes the schedule's lr for it."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The lr of each group, as the last step() set it."""
        return list(self._last_lr)

    def state_dict(self):
        """The schedule's numbers (not the optimizer), to resume it."""
        return {k: v for k, v in vars(self).items() if k != "optimizer" and not callable(v)}

    def load_state_dict(self, state_dict):
        vars(self).update(state_dict)


class StepLR(LRScheduler):
    """lr × gamma every step_size epochs: lr, ..., lr·γ, ..., lr·γ², ..."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        due = self.last_epoch != 0 and self.last_epoch % self.step_size == 0
        return [g["lr"] * self.gamma if due else g["lr"] for g in self.optimizer.param_groups]


class MultiStepLR(LRScheduler):
    """lr × gamma at each epoch named in milestones."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones, self.gamma = sorted(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        times = self.milestones.count(self.last_epoch)
        return [g["lr"] * self.gamma ** times for g in self.optimizer.param_groups]


class ExponentialLR(LRScheduler):
    """lr × gamma every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        factor = 1 if self.last_epoch == 0 else self.gamma
        return [g["lr"] * factor for g in self.optimizer.param_groups]


class LambdaLR(LRScheduler):
    """lr = initial lr × lr_lambda(epoch) (one function, or one per group)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = len(optimizer.param_groups)
        self.lr_lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * f(self.last_epoch) for base, f in zip(self.base_lrs, self.lr_lambdas)]
