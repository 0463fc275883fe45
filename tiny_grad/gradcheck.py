"""Check backward against the definition of a derivative.

A derivative is the slope you see when you nudge the input a little:

    df/dx  ≈  (f(x + eps) - f(x - eps)) / (2·eps)        (central difference)

`gradcheck` computes this *numeric* slope for every input and compares it with the
*analytic* gradient that backward produces. If an op's VJP were wrong, the two
would disagree, and the error says where and by how much.
"""

from . import autograd


class GradcheckError(AssertionError):
    """Backward's gradient and the numeric slope disagree."""


def _name(i, x):
    return f"input {i} ({x.label!r})" if getattr(x, "label", "") else f"input {i}"


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Compare backward's gradients of `fn(*inputs)` with central differences.

    Returns True, or raises GradcheckError naming the input, the element and both numbers.
    Each element passes when |analytic - numeric| <= atol + rtol·|numeric|.
    """
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    analytic = autograd.grad(fn(*inputs), inputs, allow_unused=True)
    for i, x in enumerate(inputs):
        a = 0.0 if analytic[i] is None else analytic[i].data
        n = _numeric_slope(fn, inputs, x, eps)
        if not abs(a - n) <= atol + rtol * abs(n):
            raise GradcheckError(
                f"gradcheck failed for {_name(i, x)}, element 0: backward gives {a!r}, "
                f"the central difference gives {n!r} (difference {abs(a - n):.3g}, "
                f"allowed {atol + rtol * abs(n):.3g})"
            )
    return True


def _numeric_slope(fn, inputs, x, eps):
    """(f(x + eps) - f(x - eps)) / (2·eps), putting x back afterwards whatever happens."""
    saved = x.data
    try:
        with autograd.no_grad():
            x.data = saved + eps
            plus = fn(*inputs).data
            x.data = saved - eps
            minus = fn(*inputs).data
    finally:
        x.data = saved
    return (plus - minus) / (2 * eps)
