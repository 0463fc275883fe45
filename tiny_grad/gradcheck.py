"""Check backward against the definition of a derivative.

A derivative is the slope you see when you nudge the input a little:

    df/dx  ≈  (f(x + eps) - f(x - eps)) / (2·eps)        (central difference)

`gradcheck` computes this *numeric* slope for every input element and compares
it with the *analytic* gradient that backward produces. When a function has
several outputs, every output element is checked against every input element
(the whole Jacobian). If an op's VJP were wrong, the two would disagree, and the
error says where and by how much. `gradgradcheck` does the same one level up,
for the gradients of gradients.
"""

import warnings

import numpy as np

from . import autograd


class GradcheckError(AssertionError):
    """Backward's gradient and the numeric slope disagree."""


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _flat(x):
    """The data of a Value or Tensor as a flat float64 array (a copy)."""
    return np.array(x.data, dtype=np.float64).reshape(-1)


def _set_flat(x, flat):
    """Put a flat float64 array back as the data of a Value or Tensor."""
    if isinstance(x.data, float):
        x.data = float(flat[0])
    else:
        x.data = flat.reshape(np.shape(x.data)).copy()


def _checked(inputs, eps, op):
    """The inputs as a list, after checking what gradcheck needs: Values or Tensors, eps > 0."""
    inputs = list(autograd._nodes(inputs, f"{op}'s inputs"))
    if not eps > 0:
        raise ValueError(f"{op}: eps is the nudge of the central difference, a small number > 0, "
                         f"not {eps}")
    return inputs


def _in_float64(inputs):
    """float32 tensors are too coarse for central differences: check float64 copies of them."""
    result = []
    for i, x in enumerate(inputs):
        if getattr(x.data, "dtype", None) == np.float32:
            warnings.warn(f"gradcheck: input {i} is float32, too coarse for central differences; "
                          "checking a float64 copy of it instead", stacklevel=3)
            x = type(x)(x.data.astype(np.float64), requires_grad=x.requires_grad, label=x.label)
        result.append(x)
    return result


def _numeric_jacobian(fn, inputs, x, eps):
    """Columns (f(x + eps·e_j) - f(x - eps·e_j)) / (2·eps) for each element j of x.

    x's data is put back afterwards, whatever happens.
    """
    saved = _flat(x)
    columns = []
    try:
        for j in range(saved.size):
            nudged = saved.copy()
            nudged[j] = saved[j] + eps
            _set_flat(x, nudged)
            plus = _outputs_flat(fn(*inputs))
            nudged[j] = saved[j] - eps
            _set_flat(x, nudged)
            minus = _outputs_flat(fn(*inputs))
            columns.append((plus - minus) / (2 * eps))
    finally:
        _set_flat(x, saved)
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def _outputs_flat(outputs):
    return np.concatenate([_flat(y) for y in _as_list(outputs)])


def _analytic_jacobian(outputs, inputs):
    """Rows d(output element k)/d(inputs) from one backward per output element."""
    outputs = _as_list(outputs)
    sizes = [np.size(y.data) for y in outputs]
    rows = []
    for k in range(sum(sizes)):
        unit = np.zeros(sum(sizes))
        unit[k] = 1.0
        seeds, start = [], 0
        for y, n in zip(outputs, sizes):
            part = unit[start:start + n].reshape(np.shape(y.data))
            seeds.append(float(part) if isinstance(y.data, float) else part)
            start += n
        grads = autograd.grad(outputs, inputs, grad_outputs=seeds, retain_graph=True,
                              allow_unused=True)
        rows.append([np.zeros(np.size(x.data)) if g is None else _flat(g)
                     for x, g in zip(inputs, grads)])
    return rows


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Compare backward's gradients of `fn(*inputs)` with central differences.

    `inputs` are Values or Tensors (the ones to check have requires_grad=True); `fn`
    returns a Value or Tensor, or a tuple of them. Returns True, or raises
    GradcheckError naming the input, the element and both numbers. An element
    passes when |analytic - numeric| <= atol + rtol·|numeric|.
    """
    inputs = _in_float64(_checked(inputs, eps, "gradcheck"))
    checked = [x for x in inputs if x.requires_grad]
    rows = _analytic_jacobian(autograd._nodes(fn(*inputs), "what fn returns"), checked)
    for i, x in enumerate(checked):
        with autograd.no_grad():
            numeric = _numeric_jacobian(fn, inputs, x, eps)
        analytic = np.array([row[i] for row in rows]).reshape(numeric.shape)
        bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
        if bad.any():
            k, j = (int(n) for n in np.argwhere(bad)[0])
            a, n = float(analytic[k, j]), float(numeric[k, j])
            name = f"input {next(k for k, y in enumerate(inputs) if y is x)}" + (f" ({x.label!r})" if x.label else "")
            element = tuple(int(i) for i in np.unravel_index(j, np.shape(x.data)))  # (0, 2)
            output = f", output element {k}" if numeric.shape[0] > 1 else ""
            raise GradcheckError(
                f"gradcheck failed for {name}, element {element or 0}{output}: backward gives "
                f"{a!r}, the central difference gives {n!r} (difference {abs(a - n):.3g}, "
                f"allowed {atol + rtol * abs(n):.3g})"
            )
    return True


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """gradcheck of the gradients themselves: checks second derivatives.

    The gradients of ⟨fn(*inputs), v⟩ (v fixed and random) are a function of the
    inputs, computed by backward with create_graph=True; gradcheck checks that
    function's own backward against central differences.
    """
    inputs = _in_float64(_checked(inputs, eps, "gradgradcheck"))
    outputs = list(autograd._nodes(fn(*inputs), "what fn returns"))
    rng = np.random.default_rng(seed)
    v = [float(rng.standard_normal()) if isinstance(y.data, float)
         else rng.standard_normal(np.shape(y.data)) for y in outputs]

    def first_gradients(*xs):
        with autograd.enable_grad():  # gradcheck's numeric pass runs under no_grad
            ys = _as_list(fn(*xs))
            wanted = [x for x in xs if x.requires_grad]
            grads = autograd.grad(ys, wanted, grad_outputs=v, create_graph=True,
                                  allow_unused=True)
        return tuple(g for g in grads if g is not None and g.requires_grad)

    if not first_gradients(*inputs):
        raise ValueError("gradgradcheck: the gradients do not depend on the inputs "
                         "(fn is linear in them), so there is no second derivative to check")
    return gradcheck(first_gradients, inputs, eps, atol, rtol)
