"""Short PyTorch programs, as a learner or a tutorial writes them, for tests/test_pytorch_snippets.py.

Each snippet uses only the names `torch`, `nn`, `F`, `optim`, `DataLoader`, `TensorDataset`, `np`
and `math`, leaves what it computed in a dict `out` and asserts what it knows (so that it checks
something even where torch is not installed). Random numbers never go into `out`: the two
libraries draw different ones; their shapes, dtypes and ranges do, and the fact that one seed
repeats within one library.
"""

SNIPPETS = {
    # ---- creation --------------------------------------------------------------------------
    "tensor dtypes": """
a, b, c = torch.tensor([1, 2, 3]), torch.tensor([True, False]), torch.tensor([1.5, 2.0])
assert a.dtype == torch.int64 and b.dtype == torch.bool and c.is_floating_point()
out = dict(a=a, b=b, c=c, long=a.dtype == torch.long, adt=a.dtype, bdt=b.dtype)""",
    "zeros ones full eye": """
out = dict(z=torch.zeros(2, 3), o=torch.ones((2,)), f=torch.full((2, 2), 7), e=torch.eye(3),
           fi=torch.full((3,), 2.5), zi=torch.zeros(2, dtype=torch.int64), e23=torch.eye(2, 3))
assert out["f"].dtype == torch.int64 and out["f"].tolist() == [[7, 7], [7, 7]]
assert out["e"].sum().item() == 3.0 and out["z"].shape == (2, 3)""",
    "creation with dtype= and requires_grad=": """
a = torch.zeros(3, requires_grad=True)
b = torch.ones(2, 2, dtype=torch.float64)
c = torch.arange(5, dtype=torch.float32)
d = torch.full((2,), 1.5, dtype=torch.float64, requires_grad=True)
e = torch.tensor([1, 2], dtype=torch.float32)
f = torch.tensor([0.7, 1.2], dtype=torch.long)
g = torch.ones(3, dtype=torch.bool)
assert a.requires_grad and not b.requires_grad and d.requires_grad
assert b.dtype == torch.float64 and c.dtype == torch.float32 and f.tolist() == [0, 1]
out = dict(a=a, b=b, c=c, d=d, e=e, f=f, g=g)""",
    "arange and linspace": """
out = dict(a=torch.arange(5), b=torch.arange(1, 10, 3), c=torch.arange(0, 1, 0.25),
           d=torch.linspace(-1, 1, 5), e=torch.linspace(0, 10, steps=11),
           f=torch.arange(0.0, 3.0), g=torch.arange(10, 0, -3))
assert out["a"].dtype == torch.int64 and out["c"].is_floating_point()
assert out["b"].tolist() == [1, 4, 7] and out["g"].tolist() == [10, 7, 4, 1]
assert out["d"].tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0] and out["f"].is_floating_point()""",
    "like constructors": """
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
r = torch.randn_like(x)
out = dict(z=torch.zeros_like(x), o=torch.ones_like(x), shape=r.shape, rdt=r.dtype == x.dtype,
           i=torch.ones_like(torch.tensor([1, 2])), f=torch.full_like(x, 0.5),
           zreq=torch.zeros_like(x, requires_grad=True))
assert out["i"].dtype == torch.int64 and out["z"].sum().item() == 0.0 and out["rdt"]""",
    "random shapes and seeds": """
torch.manual_seed(0)
a = torch.randn(3, 4); b = torch.rand(2); c = torch.randint(0, 10, (5,))
torch.manual_seed(0)
a2 = torch.randn(3, 4); b2 = torch.rand(2); c2 = torch.randint(0, 10, (5,))
assert torch.equal(a, a2) and torch.equal(b, b2) and torch.equal(c, c2)
assert (b >= 0).all() and (b < 1).all() and c.dtype == torch.int64
out = dict(shape=tuple(a.shape), c_ok=bool(((c >= 0) & (c < 10)).all()),
           w=torch.randn(2, 2, requires_grad=True).requires_grad, same=(a == a2).all().item(),
           bshape=b.shape, cshape=c.shape, adt=a.dtype, cdt=c.dtype)""",
    "random numbers: ranges and statistics": """
torch.manual_seed(42)
u = torch.rand(10000)
n = torch.randn(10000)
k = torch.randint(3, 7, (1000,))
assert 0.0 <= u.min().item() and u.max().item() < 1.0
assert abs(n.mean().item()) < 0.05 and abs(n.std().item() - 1.0) < 0.05
assert k.min().item() == 3 and k.max().item() == 6
out = dict(u_in=bool(((u >= 0) & (u < 1)).all()), mean_ok=abs(n.mean().item()) < 0.05,
           kmin=k.min().item(), kmax=k.max().item(), kdt=k.dtype, ndt=n.dtype,
           new=bool((torch.rand(3) != torch.rand(3)).all()))""",
    "from numpy arrays": """
ai = np.array([1, 2, 3]); af = np.array([0.5, 1.5]); a32 = np.array([1.0, 2.0], dtype=np.float32)
ti, tf, t32 = torch.tensor(ai), torch.tensor(af), torch.tensor(a32)
fr = torch.from_numpy(af)
assert ti.dtype == torch.int64 and tf.dtype == torch.float64 and t32.dtype == torch.float32
out = dict(ti=ti, tf=tf, t32=t32, fr=fr, cast=torch.tensor(af, dtype=torch.float32),
           back=tf.numpy(), backtype=type(tf.numpy()).__name__)""",
    # ---- dtypes -----------------------------------------------------------------------------
    "conversions": """
x = torch.tensor([1.7, -2.2, 0.0])
out = dict(f=x.float(), d=x.double(), l=x.long(), b=x.bool(), t=x.to(torch.float32),
           t64=x.to(torch.float64), tl=x.to(torch.long), tb=x.to(torch.bool),
           same=x.float().dtype == torch.float32, kind=x.long().dtype == torch.int64,
           fdt=x.float().dtype, ddt=x.double().dtype)
assert out["l"].tolist() == [1, -2, 0] and out["b"].tolist() == [True, True, False]
assert out["same"] and out["kind"] and out["ddt"] == torch.float64""",
    "promotion": """
i = torch.tensor([1, 2, 3])
out = dict(half=i * 0.5, plus=i + 1, div=i / 2, bsum=torch.tensor([True, True, False]).sum(),
           f32=(i + torch.tensor([0.5, 0.5, 0.5], dtype=torch.float32)).dtype == torch.float32,
           int_kind=(i + 1).dtype == torch.int64, ii=i + i, idivi=i / i, prod=i * i,
           pow=i ** 2, fdiv=i // 2, neg=-i, f64=(torch.ones(3, dtype=torch.float64) + i).dtype)
assert out["half"].is_floating_point() and out["plus"].dtype == torch.int64
assert out["div"].is_floating_point() and out["idivi"].is_floating_point()
assert out["bsum"].item() == 2 and out["bsum"].dtype == torch.int64 and out["ii"].dtype == torch.int64""",
    "float32 stays float32": """
x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float32)
y = (x * 2 + 1).exp().log().sum()
z = x @ x
w = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64) * x
assert y.dtype == torch.float32 and z.dtype == torch.float32 and w.dtype == torch.float64
out = dict(y=y, z=z, w=w, mean=x.mean(), sm=torch.softmax(x, dim=0), half=x * 0.5)""",
    "math on integer tensors gives floats": """
i = torch.tensor([1, 4, 9])
out = dict(sqrt=torch.sqrt(i), exp=torch.exp(torch.tensor([0, 1])), log=torch.log(i), sig=torch.sigmoid(i),
           mean=i.float().mean(), imax=i.max(), isum=i.sum(), iargmax=i.argmax())
assert out["sqrt"].tolist() == [1.0, 2.0, 3.0] and out["imax"].dtype == torch.int64
assert out["isum"].item() == 14 and out["iargmax"].item() == 2""",
    "mean of an integer tensor raises": """
i = torch.tensor([1, 2, 3, 4])
try:
    i.mean(); error = None
except RuntimeError:
    error = "RuntimeError"
except Exception as e:
    error = type(e).__name__
assert error == "RuntimeError", f"mean() of an int64 tensor gave {error}, not a RuntimeError"
out = dict(error=error, ok=i.float().mean().item(), okd=i.double().mean())""",
    "an integer tensor cannot require grad": """
try:
    torch.tensor([1, 2, 3], requires_grad=True); error = None
except RuntimeError:
    error = "RuntimeError"
except Exception as e:
    error = type(e).__name__
x = torch.tensor([1, 2, 3]).float().requires_grad_()
assert error == "RuntimeError" and x.requires_grad, f"requires_grad=True on int64 data gave {error}"
out = dict(error=error, x=x)""",
    # ---- functions -----------------------------------------------------------------------------
    "elementwise functions": """
x = torch.tensor([0.5, 1.0, 2.0])
out = dict(exp=torch.exp(x), log=torch.log(x), sqrt=torch.sqrt(x), abs=torch.abs(-x),
           tanh=torch.tanh(x), sig=torch.sigmoid(x), relu=torch.relu(x - 1), sin=torch.sin(x),
           cos=torch.cos(x))
assert np.allclose(out["exp"].tolist(), [math.exp(0.5), math.e, math.exp(2.0)], atol=1e-5)
assert out["relu"].tolist() == [0.0, 0.0, 1.0] and out["abs"].tolist() == [0.5, 1.0, 2.0]""",
    "reductions": """
x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
out = dict(sum=torch.sum(x), sum0=x.sum(0), sum1k=x.sum(dim=1, keepdim=True), mean=torch.mean(x),
           mean1=x.mean(1), max=torch.max(x), min=torch.min(x), argmax=torch.argmax(x),
           argmax1=torch.argmax(x, dim=1), sumall=x.sum(dim=(0, 1)), meank=x.mean(0, keepdim=True),
           tsum1=torch.sum(x, dim=1), tmean0=torch.mean(x, dim=0))
assert out["sum"].item() == 21.0 and out["sum0"].tolist() == [5.0, 8.0, 8.0]
assert out["sum1k"].shape == (2, 1) and out["argmax"].item() == 5 and out["argmax1"].tolist() == [1, 2]""",
    "std and normalisation": """
x = torch.tensor([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])
mu = x.mean(dim=0, keepdim=True)
sd = x.std(dim=0, keepdim=True)
z = (x - mu) / sd
assert np.allclose(sd.tolist(), [[2.0, 4.0]]) and np.allclose(z.mean(0).tolist(), [0.0, 0.0], atol=1e-6)
out = dict(mu=mu, sd=sd, z=z, var=x.var(dim=0), std=x.std())""",
    "max and min along a dim": """
x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
v, i = x.max(dim=1)
m = torch.min(x, 0)
r = torch.max(x, dim=1, keepdim=True)
out = dict(v=v, i=i, mv=m.values, mi=m.indices, k=x.max(1, keepdim=True)[0], rv=r.values,
           ri=r.indices, kind=type(m).__name__ != "Tensor")
assert v.tolist() == [5.0, 6.0] and i.tolist() == [1, 2] and i.dtype == torch.int64
assert m.values.tolist() == [1.0, 3.0, 2.0] and m.indices.tolist() == [0, 1, 0] and r.values.shape == (2, 1)""",
    "torch.max of two tensors and torch.maximum": """
a = torch.tensor([1.0, 5.0, -2.0]); b = torch.tensor([3.0, 2.0, -1.0])
out = dict(mx=torch.max(a, b), mn=torch.min(a, b), maximum=torch.maximum(a, b),
           relu=torch.maximum(a, torch.zeros_like(a)))
assert out["mx"].tolist() == [3.0, 5.0, -1.0] and out["mn"].tolist() == [1.0, 2.0, -2.0]""",
    "argmax argmin keepdim": """
x = torch.tensor([[3.0, 1.0], [0.0, 2.0], [5.0, 5.5]])
out = dict(a=x.argmax(dim=0), b=x.argmin(dim=1, keepdim=True), c=x.argmax(), d=x.argmin(),
           e=torch.argmax(x, dim=-1, keepdim=True), f=x.argmax(1).tolist())
assert out["a"].tolist() == [2, 2] and out["b"].tolist() == [[1], [0], [0]] and out["c"].item() == 5
assert out["e"].shape == (3, 1) and out["f"] == [0, 1, 1]""",
    "matmul mm cat stack": """
a = torch.tensor([[1.0, 2.0], [3.0, 4.0]]); b = torch.tensor([[0.5], [1.5]])
out = dict(mm=a.mm(b), matmul=torch.matmul(a, b), at=a @ a.T, cat0=torch.cat([a, a]),
           cat1=torch.cat((a, b), dim=1), stack=torch.stack([a, a], dim=2), st0=torch.stack([a, a]),
           mv=a @ torch.tensor([1.0, -1.0]), catneg=torch.cat([a, b], dim=-1).shape,
           bmm=torch.matmul(torch.stack([a, a]), b).shape)
assert out["mm"].tolist() == [[3.5], [7.5]] and out["stack"].shape == (2, 2, 2) and out["cat0"].shape == (4, 2)""",
    "where clamp maximum": """
x = torch.tensor([-2.0, -0.5, 0.5, 2.0])
out = dict(w=torch.where(x > 0, x, torch.zeros_like(x)), c=torch.clamp(x, -1, 1),
           cm=x.clamp(min=0), mx=torch.maximum(x, torch.tensor(0.0)), w0=torch.where(x > 0, x, 0 * x),
           ws=torch.where(x > 0, x, 0.0), cmax=torch.clamp(x, max=0.0), cmin=torch.clamp(x, min=-1.0))
assert out["w"].tolist() == [0.0, 0.0, 0.5, 2.0] and out["c"].tolist() == [-1.0, -0.5, 0.5, 1.0]
assert out["w0"].tolist() == out["w"].tolist() == out["ws"].tolist()""",
    "softmax and log_softmax": """
x = torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
out = dict(s=torch.softmax(x, dim=1), ls=torch.log_softmax(x, dim=1), s0=torch.softmax(x, 0),
           f=F.softmax(x, dim=-1), rows=F.softmax(x, dim=1).sum(1), fls=F.log_softmax(x, dim=1),
           ms=x.softmax(dim=1), mls=x.log_softmax(1))
assert np.allclose(out["rows"].tolist(), [1.0, 1.0]) and np.allclose(out["s"][1].tolist(), [1 / 3] * 3)""",
    "softmax of huge logits stays finite": """
x = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
s = torch.softmax(x, dim=1); ls = torch.log_softmax(x, dim=1)
sig = torch.sigmoid(torch.tensor([-1000.0, 1000.0]))
assert all(math.isfinite(v) for v in s.flatten().tolist() + ls[:, :2].flatten().tolist())
assert sig.tolist() == [0.0, 1.0]
out = dict(s=s, ls01=ls[:, :2], sig=sig, ce=F.cross_entropy(x, torch.tensor([0, 1])))""",
    "isfinite isnan isinf": """
x = torch.tensor([1.0, float("inf"), float("nan"), -float("inf")])
out = dict(fin=torch.isfinite(x), nan=torch.isnan(x), inf=torch.isinf(x), mfin=x.isfinite(), mnan=x.isnan(),
           clean=torch.where(torch.isnan(x), torch.zeros_like(x), x), anynan=torch.isnan(x).any().item())
assert out["fin"].tolist() == [True, False, False, False] and out["nan"].tolist() == [False, False, True, False]""",
    # ---- methods and shapes ------------------------------------------------------------------
    "shape methods": """
x = torch.arange(24).reshape(2, 3, 4)
out = dict(view=x.view(6, 4), v1=x.view(-1).shape, uns=x.unsqueeze(1).shape,
           sq=torch.zeros(1, 3, 1).squeeze().shape, sq0=torch.zeros(1, 3, 1).squeeze(0).shape,
           fl=x.flatten().shape, fl1=x.flatten(1).shape, perm=x.permute(2, 0, 1).shape,
           tr=x.transpose(0, 2).shape, trv=x.transpose(1, 2), un=x.unsqueeze(-1).shape,
           r2=x.reshape(-1, 2).shape, vr=x.view(2, -1).shape, sqm=torch.zeros(2, 1).squeeze(-1).shape,
           tf=torch.flatten(x), rs=torch.reshape(x, (4, 6)).shape, tt=torch.transpose(x, 0, 1).shape)
assert out["view"].shape == (6, 4) and out["perm"] == (4, 2, 3) and out["tr"] == (4, 3, 2)
assert out["trv"][0, 1, 2].item() == 9 and out["sq"] == (3,) and out["fl1"] == (2, 12)""",
    "size numel dim": """
x = torch.zeros(2, 3, 4)
out = dict(size=tuple(x.size()), s0=x.size(0), s1=x.size(1), sm=x.size(-1), numel=x.numel(),
           dim=x.dim(), shape0=x.shape[0], n=len(x), eqsize=x.size() == (2, 3, 4),
           eqshape=x.shape == torch.Size([2, 3, 4]), ndim=x.ndim, shape=x.shape, sz=x.size())
assert out["s0"] == 2 and out["numel"] == 24 and out["dim"] == 3 and out["eqsize"] and out["eqshape"]""",
    "t and T": """
m = torch.tensor([[1, 2, 3], [4, 5, 6]])
out = dict(t=m.t(), T=m.T, tt=m.t().t(), tf=torch.t(m))
assert out["t"].tolist() == [[1, 4], [2, 5], [3, 6]] and out["T"].tolist() == out["t"].tolist()""",
    "pow sin cos methods": """
x = torch.tensor([1.0, 2.0, 3.0])
out = dict(p=x.pow(2), p3=x ** 3, s=x.sin(), c=x.cos(), sq=x.sqrt(), e=x.exp(), n=-x,
           tp=torch.pow(x, 0.5), rp=2 ** x, a=x.abs(), l=x.log(), th=x.tanh(), sg=x.sigmoid(), r=(x - 2).relu())
assert out["p"].tolist() == [1.0, 4.0, 9.0] and out["rp"].tolist() == [2.0, 4.0, 8.0]
assert np.allclose((out["s"] ** 2 + out["c"] ** 2).tolist(), [1.0, 1.0, 1.0])""",
    "clone tolist item numpy": """
x = torch.tensor([[1.5, 2.5]])
y = x.clone(); y[0, 0] = 9.0
i = torch.tensor([[1, 2], [3, 4]])
out = dict(x=x, y=y, l=x.tolist(), i=x[0, 1].item(), np=x.numpy().sum().item(), il=i.tolist(),
           ii=i[1, 0].item(), bl=(i > 2).tolist(), bi=(i > 2).any().item(), fl=float(x[0, 0]),
           it=int(i[0, 1]), sc=torch.tensor(3.5).item(), arr=x.numpy())
assert out["l"] == [[1.5, 2.5]] and out["i"] == 2.5 and out["ii"] == 3 and out["bl"] == [[False, False], [True, True]]
assert type(out["ii"]) is int and type(out["bi"]) is bool and type(out["i"]) is float""",
    "indexing": """
x = torch.arange(12).reshape(3, 4)
idx = torch.tensor([0, 2])
out = dict(row=x[1], col=x[:, 2], s=x[1:, ::2], e=x[-1, -1], fancy=x[idx], lst=x[[0, 2]],
           pair=x[torch.arange(3), torch.tensor([0, 1, 3])], ell=x[..., 1], new=x[None].shape,
           cols=x[:, idx])
assert out["row"].tolist() == [4, 5, 6, 7] and out["e"].item() == 11 and out["fancy"].shape == (2, 4)
assert out["pair"].tolist() == [0, 5, 11] and out["cols"].tolist() == [[0, 2], [4, 6], [8, 10]]""",
    "iterate rows": """
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
out = dict(sums=[row.sum().item() for row in x], n=len([r for r in x]), rows=list(x))
assert out["sums"] == [3.0, 7.0] and out["n"] == 2""",
    "broadcasting": """
a = torch.arange(3.0).reshape(3, 1); b = torch.arange(4.0).reshape(1, 4)
pts = torch.tensor([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]])
d = ((pts.unsqueeze(0) - pts.unsqueeze(1)) ** 2).sum(-1).sqrt()
out = dict(ab=a + b, shape=(a * b).shape, d=d, rowbias=torch.ones(2, 3) + torch.tensor([1.0, 2.0, 3.0]))
assert out["shape"] == (3, 4) and d[0, 1].item() == 5.0 and d.shape == (3, 3)""",
    "mismatched shapes raise": """
errors = []
for f in (lambda: torch.ones(2, 3) + torch.ones(4, 3), lambda: torch.ones(2, 3) @ torch.ones(2, 3),
          lambda: torch.ones(2, 3).view(4, 2)):
    try:
        f(); errors.append(None)
    except RuntimeError:
        errors.append("RuntimeError")
    except Exception as e:
        errors.append(type(e).__name__)
assert errors == ["RuntimeError"] * 3, f"shape errors raised {errors}, not RuntimeErrors"
out = dict(errors=errors)""",
    # ---- comparisons and masks ------------------------------------------------------------------
    "comparisons": """
x = torch.tensor([-1.0, 0.0, 2.0])
out = dict(lt=x < 0, le=x <= 0, gt=x > 0, ge=x >= 0, eq=x == 0, ne=x != 0, two=x == torch.tensor([-1.0, 1.0, 2.0]),
           rev=0 < x, ints=torch.tensor([1, 2, 3]) > 1)
assert out["lt"].dtype == torch.bool and out["ge"].tolist() == [False, True, True] and out["two"].tolist() == [True, False, True]""",
    "masks": """
x = torch.tensor([-1.0, 3.0, -2.0, 4.0])
m = x > 0
out = dict(pos=x[m], neg=x[~m], both=((x > -1.5) & (x < 3.5)), count=m.sum(), anyv=m.any(),
           direct=x[x > 0], either=(x < -1.5) | (x > 3.5), allv=m.all(), frac=m.float().mean(), cnt=int(m.sum()))
assert out["direct"].tolist() == [3.0, 4.0] and out["count"].item() == 2 and out["frac"].item() == 0.5""",
    "mask counts per row": """
x = torch.tensor([[1.0, -1.0, 2.0], [-3.0, -1.0, 0.5]])
pos = (x > 0).sum(dim=1)
out = dict(pos=pos, posdt=pos.dtype, rowany=(x > 1).any(dim=1), mean=(x > 0).float().mean(dim=0),
           masked=x * (x > 0), where=torch.where(x > 0, x, 0 * x))
assert pos.tolist() == [2, 1] and pos.dtype == torch.int64 and out["masked"].tolist() == out["where"].tolist()""",
    "accuracy": """
logits = torch.tensor([[2.0, 1.0, 0.1], [0.1, 0.2, 3.0], [1.0, 4.0, 0.0], [3.0, 0.0, 0.0]])
y = torch.tensor([0, 2, 2, 0])
pred = logits.argmax(dim=1)
out = dict(pred=pred, acc=(pred == y).float().mean(), correct=(pred == y).sum().item(),
           acc2=(logits.argmax(1) == y).float().mean().item())
assert out["correct"] == 3 and out["acc"].item() == 0.75 and out["acc"].dtype == torch.float32""",
    "class indices pick": """
logp = torch.log_softmax(torch.tensor([[1.0, 2.0, 0.5], [0.3, 0.2, 0.1]]), dim=1)
y = torch.tensor([1, 0])
out = dict(picked=logp[torch.arange(2), y], nll=-logp[range(2), y].mean())
assert out["picked"].shape == (2,) and out["nll"].item() > 0""",
    "cross-entropy by hand with integer positions": """
logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [1.0, 1.0, 3.0]], requires_grad=True)
y = torch.tensor([0, 2, 1])
n = logits.shape[0]
logp = logits - logits.exp().sum(dim=1, keepdim=True).log()
loss = -logp[torch.arange(n), y].mean()
loss.backward()
ref = F.cross_entropy(logits.detach(), y)
assert abs(loss.item() - ref.item()) < 1e-5
out = dict(loss=loss, g=logits.grad, ref=ref, picked=logits[torch.arange(n), y])""",
    "one-hot by indexing eye": """
y = torch.tensor([2, 0, 1, 2])
oh = torch.eye(3)[y]
out = dict(oh=oh, back=oh.argmax(dim=1), F1=F.one_hot(y, num_classes=3), Fdt=F.one_hot(y).dtype)
assert oh.sum().item() == 4.0 and out["back"].tolist() == [2, 0, 1, 2]""",
    "masked assignment": """
x = torch.tensor([[1.0, -2.0], [-3.0, 4.0]])
x[x < 0] = 0.0
v = torch.zeros(5)
v[1:3] = 1.0
v[torch.tensor([0, 4])] = torch.tensor([7.0, 8.0])
out = dict(x=x, v=v)
assert x.tolist() == [[1.0, 0.0], [0.0, 4.0]] and v.tolist() == [7.0, 1.0, 1.0, 0.0, 8.0]""",
    # ---- autograd ------------------------------------------------------------------------------------
    "backward on a scalar": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 2).sum()
y.backward()
out = dict(y=y, g=x.grad, leaf=x.is_leaf, nonleaf=y.is_leaf, req=y.requires_grad)
assert x.grad.tolist() == [2.0, 4.0, 6.0] and y.item() == 14.0""",
    "grad is None before backward": """
w = torch.tensor([1.0, 2.0], requires_grad=True)
before = w.grad is None
loss = (3 * w).sum(); loss.backward()
out = dict(before=before, after=w.grad, fn=loss.grad_fn is not None, leaf_fn=w.grad_fn is None)
assert before and w.grad.tolist() == [3.0, 3.0]""",
    "chain rule": """
a = torch.tensor(2.0, requires_grad=True); b = torch.tensor(-3.0, requires_grad=True)
c = torch.tensor(6.5, requires_grad=True)
L = torch.tanh(a * b + c)
L.backward()
out = dict(L=L, ga=a.grad, gb=b.grad, gc=c.grad)
t = math.tanh(0.5)
assert abs(c.grad.item() - (1 - t * t)) < 1e-5 and abs(a.grad.item() - (-3) * (1 - t * t)) < 1e-5""",
    "gradients of every function": """
x = torch.tensor([0.5, 1.5, -2.0], requires_grad=True)
grads = {}
for name, f in dict(exp=torch.exp, sin=torch.sin, cos=torch.cos, tanh=torch.tanh,
                    sigmoid=torch.sigmoid, relu=torch.relu, abs=torch.abs,
                    sq=lambda t: t.pow(2), cube=lambda t: t ** 3).items():
    x.grad = None
    f(x).sum().backward()
    grads[name] = x.grad.clone()
xp = torch.tensor([0.5, 1.5, 2.0], requires_grad=True)
(torch.log(xp) + torch.sqrt(xp)).sum().backward()
grads["log+sqrt"] = xp.grad
assert grads["relu"].tolist() == [1.0, 1.0, 0.0] and grads["abs"].tolist() == [1.0, 1.0, -1.0]
out = grads""",
    "relu and abs at zero": """
x = torch.tensor([0.0, 0.0], requires_grad=True)
(torch.relu(x) + torch.abs(x)).sum().backward()
out = dict(g=x.grad)
assert x.grad.tolist() == [0.0, 0.0]""",
    "gradients of reductions and broadcasting": """
x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]], requires_grad=True)
b = torch.tensor([0.5, -0.5, 1.0], requires_grad=True)
y = (x + b).mean() + x.max(dim=1).values.sum() + x.sum(dim=0).pow(2).sum()
y.backward()
out = dict(gx=x.grad, gb=b.grad, y=y)
assert np.allclose(b.grad.tolist(), [1 / 3] * 3)""",
    "matmul gradients": """
W = torch.tensor([[0.5, -1.0], [2.0, 0.25], [1.0, 1.0]], requires_grad=True)
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]], requires_grad=True)
y = (x @ W).tanh().sum() + (x.mm(W) ** 2).mean()
y.backward()
out = dict(y=y, gW=W.grad, gx=x.grad)
assert W.grad.shape == (3, 2) and x.grad.shape == (2, 3)""",
    "gradients through shape ops": """
x = torch.arange(6.0).reshape(2, 3).requires_grad_()
y = (x.t() * torch.tensor([[1.0, 2.0]])).reshape(-1)
z = torch.cat([y, x.flatten()]).view(3, 4).permute(1, 0).unsqueeze(0)
w = torch.stack([z.squeeze(0), z.squeeze(0)]).transpose(0, 2)[1:]
(w * torch.arange(float(w.numel())).reshape(w.shape)).sum().backward()
out = dict(g=x.grad, shape=w.shape)
assert x.grad.shape == (2, 3)""",
    "no_grad": """
w = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    y = w * 2
out = dict(req=y.requires_grad, y=y, req2=(w * 2).requires_grad, en=torch.is_grad_enabled())
assert not y.requires_grad and out["req2"]""",
    "no_grad as a decorator and set_grad_enabled": """
lin = nn.Linear(2, 1)
@torch.no_grad()
def predict(x):
    return lin(x)
p = predict(torch.ones(1, 2))
with torch.set_grad_enabled(False):
    q = lin(torch.ones(1, 2))
r = lin(torch.ones(1, 2))
assert not p.requires_grad and not q.requires_grad and r.requires_grad
out = dict(p=p.requires_grad, q=q.requires_grad, r=r.requires_grad, shape=p.shape)""",
    "detach and requires_grad_": """
x = torch.tensor([1.0, 2.0])
x.requires_grad_()
y = (x * 3).detach()
z = (x * x).sum(); z.backward()
out = dict(req=x.requires_grad, yreq=y.requires_grad, g=x.grad, y=y, yleaf=y.is_leaf)
assert x.grad.tolist() == [2.0, 4.0] and not y.requires_grad""",
    "detach shares the numbers": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
d = x.detach()
with torch.no_grad():
    x[0] = 10.0
out = dict(d=d, x=x)
assert d[0].item() == 10.0""",
    "numpy() of a detached tensor": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
a = x.detach().numpy()  # (PyTorch refuses x.numpy() here; tiny_grad gives the array: ch11)
assert a.tolist() == [1.0, 2.0]
out = dict(a=a)""",
    "item of a many-element tensor raises": """
try:
    torch.tensor([1.0, 2.0]).item(); error = None
except RuntimeError:
    error = "RuntimeError"
except Exception as e:
    error = type(e).__name__
assert error == "RuntimeError", f"item() of 2 elements gave {error}, not a RuntimeError"
out = dict(error=error, one=torch.tensor([[3.0]]).item())""",
    "backward of a non-scalar needs a gradient": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
try:
    (x * 2).backward(); error = None
except RuntimeError:
    error = "RuntimeError"
except Exception as e:
    error = type(e).__name__
assert error == "RuntimeError"
out = dict(error=error, grad=x.grad is None)""",
    "accumulation and zero_": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
(x * 3).sum().backward()
(x * x).sum().backward()
g1 = x.grad.clone()
x.grad.zero_()
zeroed = x.grad.clone()
(x * 5).sum().backward()
out = dict(g1=g1, g2=x.grad, zeroed=zeroed)
assert g1.tolist() == [5.0, 7.0] and x.grad.tolist() == [5.0, 5.0] and zeroed.tolist() == [0.0, 0.0]""",
    "gradient accumulation over mini-batches": """
w = torch.tensor([1.0, -1.0], requires_grad=True)
X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]); Y = torch.tensor([1.0, 2.0, 3.0, 4.0])
opt = optim.SGD([w], lr=0.01)
opt.zero_grad()
for xb, yb in ((X[:2], Y[:2]), (X[2:], Y[2:])):
    loss = ((xb @ w - yb) ** 2).mean() / 2
    loss.backward()
acc = w.grad.clone()
opt.step()
w2 = torch.tensor([1.0, -1.0], requires_grad=True)
((X @ w2 - Y) ** 2).mean().backward()
assert torch.allclose(acc, w2.grad)
out = dict(acc=acc, full=w2.grad, w=w.detach())""",
    "retain_graph": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x ** 3).sum()
y.backward(retain_graph=True)
y.backward()
out = dict(g=x.grad)
assert x.grad.tolist() == [6.0, 24.0]""",
    "backward with a gradient": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
y.backward(torch.tensor([1.0, 0.5, 0.0]))
out = dict(g=x.grad)
assert x.grad.tolist() == [2.0, 2.0, 0.0]""",
    "second backward raises": """
x = torch.tensor([1.0], requires_grad=True)
y = (x * x).sum(); y.backward()
try:
    y.backward(); raised = False
except RuntimeError:
    raised = True
out = dict(raised=raised, g=x.grad)
assert raised""",
    "autograd.grad": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x ** 3).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
(h,) = torch.autograd.grad(g.sum(), x)
out = dict(g=g, h=h, untouched=x.grad is None)
assert g.tolist() == [3.0, 12.0] and h.tolist() == [6.0, 12.0]""",
    "custom autograd Function": """
class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g
x = torch.tensor([1.0, -3.0], requires_grad=True)
Square.apply(x).sum().backward()
out = dict(g=x.grad)
assert x.grad.tolist() == [2.0, -6.0]""",
    # ---- in-place --------------------------------------------------------------------------------
    "in-place under no_grad keeps the object": """
p = torch.tensor([1.0, 2.0], requires_grad=True)
before = id(p)
with torch.no_grad():
    p -= 0.5 * torch.tensor([1.0, 1.0]); p *= 2; p += 1; p /= 2
out = dict(p=p, same=id(p) == before, req=p.requires_grad, leaf=p.is_leaf)
assert out["same"] and p.tolist() == [1.0, 2.0]""",
    "in-place on a plain tensor keeps the object": """
x = torch.tensor([1.0, 2.0, 3.0])
ids = {id(x)}
x += 1; ids.add(id(x)); x -= 0.5; ids.add(id(x)); x *= 2; ids.add(id(x)); x /= 4; ids.add(id(x))
i = torch.tensor([1, 2, 3]); j = i
i += 1; i *= 2
out = dict(x=x, one=len(ids) == 1, i=i, alias=j is i, jv=j)
assert x.tolist() == [0.75, 1.25, 1.75] and i.tolist() == [4, 6, 8] and out["one"]""",
    "in-place methods": """
x = torch.tensor([[1.0, -2.0], [3.0, -4.0]])
x.add_(1).mul_(2).sub_(1).div_(2)
a = x.clone()
x.clamp_(-1, 2)
b = x.clone()
x.fill_(3.0); c = x.clone(); x.zero_(); d = x.clone()
x.copy_(torch.tensor([5.0, 6.0]))
r = x.add_(1)
out = dict(a=a, b=b, c=c, d=d, e=x, ret=r is x)
assert a.tolist() == [[1.5, -1.5], [3.5, -3.5]] and b.tolist() == [[1.5, -1.0], [2.0, -1.0]]
assert x.tolist() == [[6.0, 7.0], [6.0, 7.0]] and out["ret"]""",
    "a leaf that requires grad refuses in-place": """
p = torch.tensor([1.0, 2.0], requires_grad=True)
try:
    p -= 0.1; raised = False
except RuntimeError:
    raised = True
out = dict(raised=raised, p=p.detach())
assert raised and p.tolist() == [1.0, 2.0]""",
    "p -= lr * p.grad without no_grad raises": """
p = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (p ** 2).sum(); loss.backward()
lr = 0.1
try:
    p -= lr * p.grad; error = None
except RuntimeError:
    error = "RuntimeError"
except Exception as e:
    error = type(e).__name__
errors = {}
for name, f in dict(add_=lambda: p.add_(1.0), zero_=lambda: p.zero_(), mul_=lambda: p.mul_(2.0),
                    fill_=lambda: p.fill_(0.0), clamp_=lambda: p.clamp_(0, 1)).items():
    try:
        f(); errors[name] = None
    except RuntimeError:
        errors[name] = "RuntimeError"
    except Exception as e:
        errors[name] = type(e).__name__
assert error == "RuntimeError"
out = dict(error=error, p=p.detach(), errors=errors, g=p.grad)""",
    "a changed saved tensor makes backward raise": """
w = torch.tensor([1.0, 2.0], requires_grad=True)
x = torch.tensor([3.0, 4.0], requires_grad=True)
loss = (w * x).sum()
with torch.no_grad():
    w += 1
try:
    loss.backward(); raised = False
except RuntimeError:
    raised = True
out = dict(raised=raised, g=w.grad is None)
assert raised""",
    "a changed input (no grad needed) makes backward raise": """
x = torch.tensor([3.0, 4.0])
w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (x * w).sum()
x += 1
try:
    loss.backward(); error = None
except RuntimeError:
    error = "RuntimeError"
except Exception as e:
    error = type(e).__name__
assert error == "RuntimeError"
out = dict(error=error)""",
    "changing a non-leaf saved for backward raises": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
a = x * 2
b = a * a
a.add_(1)
try:
    b.sum().backward(); error = None
except RuntimeError:
    error = "RuntimeError"
except Exception as e:
    error = type(e).__name__
assert error == "RuntimeError"
out = dict(error=error)""",
    "changing exp's output then backward raises": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.exp()
z = y.sum()
y.add_(1)
try:
    z.backward(); error = None
except RuntimeError:
    error = "RuntimeError"
except Exception as e:
    error = type(e).__name__
assert error == "RuntimeError"
out = dict(error=error, y=y.detach())""",
    "in-place on a result in the graph": """
a = torch.tensor([1.0, 2.0], requires_grad=True)
h = a * 3
h += 1
h *= a
h.sum().backward()
out = dict(h=h, g=a.grad)
assert h.tolist() == [4.0, 14.0] and a.grad.tolist() == [7.0, 13.0]""",
    # ---- nn -----------------------------------------------------------------------------------------
    "Linear with set weights": """
layer = nn.Linear(3, 2)
with torch.no_grad():
    layer.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.0, 0.5, -0.5]]))
    layer.bias.copy_(torch.tensor([0.01, -0.02]))
x = torch.tensor([[1.0, 2.0, 3.0]])
y = layer(x); y.sum().backward()
out = dict(y=y, gw=layer.weight.grad, gb=layer.bias.grad, shape=tuple(layer.weight.shape),
           names=[n for n, _ in layer.named_parameters()], inf=layer.in_features, outf=layer.out_features)
assert np.allclose(y.tolist(), [[0.61, -0.52]]) and layer.weight.grad.tolist() == [[1.0, 2.0, 3.0]] * 2""",
    "Linear weights from numpy arrays": """
W = np.array([[0.2, -0.1], [0.4, 0.3], [-0.5, 0.6]]); b = np.array([0.1, 0.0, -0.1])
layer = nn.Linear(2, 3)
with torch.no_grad():
    layer.weight.copy_(torch.tensor(W))
    layer.bias.copy_(torch.tensor(b))
x = torch.tensor([[1.0, 2.0], [-1.0, 0.5]])
y = layer(x)
ref = x @ layer.weight.T + layer.bias
assert torch.allclose(y, ref) and np.allclose(y.detach().numpy(), x.numpy() @ W.T + b)
nob = nn.Linear(2, 3, bias=False)
out = dict(y=y, ref=ref, nob=len(list(nob.parameters())), nobias=nob.bias is None,
           fl=F.linear(x, layer.weight, layer.bias))""",
    "Sequential and activations": """
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Sigmoid())
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape))
x = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
out = dict(y=model(x), n=len(list(model.parameters())), tanh=nn.Tanh()(x),
           names=[n for n, _ in model.named_parameters()], first=model[0].weight.shape, length=len(model),
           relu=nn.ReLU()(x), sig=nn.Sigmoid()(x), count=sum(p.numel() for p in model.parameters()))
assert out["n"] == 4 and out["count"] == 13 and out["names"][0] == "0.weight" and out["length"] == 4""",
    "custom Module with Parameters": """
class Affine(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor([2.0, 3.0]))
        self.shift = nn.Parameter(torch.tensor(0.5))
    def forward(self, x):
        return x * self.scale + self.shift
m = Affine()
y = m(torch.tensor([1.0, -1.0])).sum(); y.backward()
out = dict(y=y, gs=m.scale.grad, gh=m.shift.grad, names=[n for n, _ in m.named_parameters()],
           isparam=isinstance(m.scale, nn.Parameter), istensor=isinstance(m.scale, torch.Tensor),
           req=m.scale.requires_grad, prod_is_param=isinstance(m.scale * 2, nn.Parameter))
assert y.item() == 0.0 and m.scale.grad.tolist() == [1.0, -1.0] and m.shift.grad.item() == 2.0""",
    "custom Module with layers": """
class Net(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(n_hidden, n_out)
    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))
net = Net(4, 3, 2)
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.cos(torch.arange(float(p.numel()))).reshape(p.shape) * 0.5)
y = net(torch.ones(5, 4))
assert y.shape == (5, 2)
out = dict(y=y, names=[n for n, _ in net.named_parameters()], mods=[type(m).__name__ for m in net.modules()],
           named=[n for n, _ in net.named_modules()], kids=[type(c).__name__ for c in net.children()],
           total=sum(p.numel() for p in net.parameters()), keys=list(net.state_dict().keys()))""",
    "nn.Parameter": """
p = nn.Parameter(torch.zeros(2, 3))
q = nn.Parameter(torch.ones(2), requires_grad=False)
out = dict(req=p.requires_grad, qreq=q.requires_grad, shape=p.shape, leaf=p.is_leaf,
           tensor=isinstance(p, torch.Tensor), sumreq=(p + 1).requires_grad, dt=p.dtype)
assert p.requires_grad and not q.requires_grad""",
    "frozen parameter stays a parameter": """
m = nn.Linear(2, 2)
m.weight.requires_grad_(False)
out = dict(n=len(list(m.parameters())), keys=list(m.state_dict().keys()),
           req=[p.requires_grad for p in m.parameters()],
           trainable=sum(p.numel() for p in m.parameters() if p.requires_grad))
assert out["n"] == 2 and out["req"] == [False, True] and out["trainable"] == 2""",
    "freezing a layer: the optimizer leaves it alone": """
model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
with torch.no_grad():
    for p in model.parameters():
        p.fill_(0.5)
for p in model[0].parameters():
    p.requires_grad_(False)
opt = optim.SGD(model.parameters(), lr=0.1)
loss = model(torch.tensor([[1.0, 2.0]])).sum()
loss.backward(); opt.step()
out = dict(w0=model[0].weight, w1=model[1].weight, g0=model[0].weight.grad is None)
assert model[0].weight.tolist() == [[0.5, 0.5], [0.5, 0.5]] and out["g0"]""",
    "train eval and modules": """
model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.ReLU())
model.eval()
a = [m.training for m in model.modules()]
model.train()
b = [m.training for m in model.modules()]
x = torch.tensor([[1.0, 2.0]])
model.eval()
same = torch.equal(model[1](x), x)
ret = model.train() is model
out = dict(a=a, b=b, same=same, children=len(list(model.children())),
           named=[n for n, _ in model.named_modules()], ret=ret, training=model.training)
assert a == [False] * 4 and b == [True] * 4 and same and ret""",
    "Flatten Identity Softmax LogSoftmax": """
x = torch.arange(12.0).reshape(2, 2, 3)
out = dict(f=nn.Flatten()(x).shape, i=nn.Identity()(x), s=nn.Softmax(dim=1)(x.flatten(1)),
           ls=nn.LogSoftmax(dim=-1)(x), fs=nn.Flatten(0)(x).shape)
assert out["f"] == (2, 6) and out["fs"] == (12,) and torch.equal(out["i"], x)""",
    "classifier head with Flatten and LogSoftmax": """
model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.LogSoftmax(dim=1))
with torch.no_grad():
    model[1].weight.copy_(torch.tensor([[0.1, 0.2, 0.3, 0.4], [-0.1, 0.0, 0.1, 0.0], [0.5, -0.5, 0.5, -0.5]]))
    model[1].bias.zero_()
x = torch.tensor([[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [0.0, 1.0]]])
logp = model(x)
loss = nn.NLLLoss()(logp, torch.tensor([0, 2]))
loss.backward()
out = dict(logp=logp, loss=loss, g=model[1].weight.grad, psum=logp.exp().sum(1))
assert np.allclose(out["psum"].tolist(), [1.0, 1.0])""",
    "loss modules": """
logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
y = torch.tensor([0, 2])
p = torch.tensor([0.9, 0.2]); t = torch.tensor([1.0, 0.0])
out = dict(ce=nn.CrossEntropyLoss()(logits, y), nll=nn.NLLLoss()(torch.log_softmax(logits, 1), y),
           mse=nn.MSELoss()(p, t), l1=nn.L1Loss()(p, t), bce=nn.BCELoss()(p, t),
           bcel=nn.BCEWithLogitsLoss()(torch.tensor([2.0, -1.0]), t),
           sum=nn.CrossEntropyLoss(reduction="sum")(logits, y),
           none=nn.CrossEntropyLoss(reduction="none")(logits, y),
           smooth=nn.CrossEntropyLoss(label_smoothing=0.1)(logits, y),
           msesum=nn.MSELoss(reduction="sum")(p, t))
assert abs(out["mse"].item() - 0.025) < 1e-6 and abs(out["l1"].item() - 0.15) < 1e-6
assert abs(out["ce"].item() - out["nll"].item()) < 1e-6 and out["none"].shape == (2,)""",
    "loss gradients": """
p = torch.tensor([0.9, 0.2, 0.6], requires_grad=True)
t = torch.tensor([1.0, 0.0, 1.0])
z = torch.tensor([2.0, -1.0, 0.0], requires_grad=True)
q = torch.tensor([[1.0, 2.0], [0.5, -0.5]], requires_grad=True)
loss = (nn.BCELoss()(p, t) + nn.BCEWithLogitsLoss()(z, t) + nn.MSELoss()(q, torch.zeros(2, 2))
        + nn.L1Loss()(q, torch.ones(2, 2)) + F.mse_loss(p, t))
loss.backward()
manual = -(t * torch.log(torch.sigmoid(z)) + (1 - t) * torch.log(1 - torch.sigmoid(z))).mean()
assert abs(manual.item() - nn.BCEWithLogitsLoss()(z, t).item()) < 1e-5
out = dict(loss=loss, gp=p.grad, gz=z.grad, gq=q.grad)""",
    "soft-label cross entropy": """
logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]], requires_grad=True)
probs = torch.tensor([[0.7, 0.2, 0.1], [0.0, 0.0, 1.0]])
loss = F.cross_entropy(logits, probs)
loss.backward()
five = -(probs * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
assert abs(loss.item() - five.item()) < 1e-5
out = dict(loss=loss, g=logits.grad, same_as_index=F.cross_entropy(logits, probs.argmax(1))[None])""",
    "functional": """
x = torch.tensor([[-1.0, 0.5], [2.0, -3.0]])
w = torch.tensor([[0.5, -0.5], [1.0, 1.0]]); b = torch.tensor([0.1, 0.2])
out = dict(relu=F.relu(x), tanh=F.tanh(x), sig=F.sigmoid(x), lin=F.linear(x, w, b),
           ce=F.cross_entropy(x, torch.tensor([1, 0])), mse=F.mse_loss(x, torch.zeros(2, 2)),
           oh=F.one_hot(torch.tensor([0, 2]), 3), l1=F.l1_loss(x, torch.zeros(2, 2)),
           nll=F.nll_loss(F.log_softmax(x, dim=1), torch.tensor([1, 0])), sm=F.softmax(x, dim=1),
           bce=F.binary_cross_entropy(torch.sigmoid(x), torch.ones(2, 2)),
           bcel=F.binary_cross_entropy_with_logits(x, torch.ones(2, 2)), nob=F.linear(x, w))
assert out["relu"].tolist() == [[0.0, 0.5], [2.0, 0.0]] and np.allclose(out["lin"].tolist(), [[-0.65, -0.3], [2.6, -0.8]])
assert abs(out["mse"].item() - 3.5625) < 1e-6 and out["oh"].dtype == torch.int64""",
    "cross_entropy gradient": """
logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -0.3, 0.8]], requires_grad=True)
loss = F.cross_entropy(logits, torch.tensor([1, 2]))
loss.backward()
out = dict(loss=loss, g=logits.grad)
expected = (torch.softmax(logits.detach(), 1) - torch.eye(3)[torch.tensor([1, 2])]) / 2
assert torch.allclose(logits.grad, expected, atol=1e-6)""",
    "state_dict round trip": """
a = nn.Linear(2, 3); b = nn.Linear(2, 3)
b.load_state_dict(a.state_dict())
x = torch.tensor([[1.0, 2.0]])
sd = a.state_dict()
out = dict(same=torch.allclose(a(x), b(x)), keys=list(sd), shapes=[tuple(v.shape) for v in sd.values()])
assert out["same"] and out["keys"] == ["weight", "bias"]  # (the values: NumPy arrays in tiny_grad, ch11)""",
    # ---- optim --------------------------------------------------------------------------------------
    "SGD steps": """
w = torch.tensor([1.0, -2.0], requires_grad=True)
opt = optim.SGD([w], lr=0.1)
trace = []
for _ in range(3):
    opt.zero_grad()
    loss = ((w - torch.tensor([0.5, 0.5])) ** 2).sum()
    loss.backward()
    opt.step()
    trace.append(w.tolist())
assert np.allclose(trace[0], [0.9, -1.5])
out = dict(trace=trace, w=w)""",
    "SGD momentum steps": """
w = torch.tensor([1.0, -2.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
for _ in range(5):
    opt.zero_grad()
    loss = ((w - torch.tensor([0.5, 0.5])) ** 2).sum()
    loss.backward()
    opt.step()
out = dict(w=w.detach(), keys=sorted(opt.state_dict().keys()))
assert out["keys"] == ["param_groups", "state"]""",
    "SGD nesterov and weight decay": """
ws = []
for kw in (dict(momentum=0.9, nesterov=True), dict(weight_decay=0.1), dict(momentum=0.5, dampening=0.5, weight_decay=0.01)):
    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    opt = optim.SGD([w], lr=0.05, **kw)
    for _ in range(6):
        opt.zero_grad()
        (w ** 4).sum().backward()
        opt.step()
    ws.append(w.detach())
assert all(abs(v).max().item() < 2.0 for v in ws)
out = dict(ws=ws)""",
    "Adam and AdamW steps": """
ws = []
for make in (lambda p: torch.optim.Adam(p, lr=0.05), lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1),
             lambda p: optim.Adam(p, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1), lambda p: optim.AdamW(p)):
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = make([w])
    for _ in range(10):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
    ws.append(w.detach())
out = dict(adam=ws[0], adamw=ws[1], adam_wd=ws[2], adamw_default=ws[3])
assert ws[0][0].item() < 1.0""",
    "Adam's first step moves by lr": """
w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
opt = optim.Adam([w], lr=0.01)
(w * torch.tensor([5.0, -0.1, 100.0])).sum().backward()
opt.step()
state = opt.state_dict()["state"]
out = dict(w=w, keys=sorted(state[0].keys()), nstate=len(state), groups=len(opt.state_dict()["param_groups"]),
           lr=opt.param_groups[0]["lr"], params=opt.state_dict()["param_groups"][0]["params"])
assert np.allclose(w.tolist(), [0.99, -1.99, 2.99], atol=1e-6)""",
    "param_groups lr change": """
w = torch.tensor([1.0], requires_grad=True); v = torch.tensor([1.0], requires_grad=True)
opt = torch.optim.SGD([{"params": [w]}, {"params": [v], "lr": 0.5}], lr=0.1)
(w * 2 + v * 2).sum().backward(); opt.step()
for g in opt.param_groups:
    g["lr"] = g["lr"] / 10
opt.zero_grad(); (w * 2 + v * 2).sum().backward(); opt.step()
out = dict(w=w.detach(), v=v.detach(), lrs=[g["lr"] for g in opt.param_groups], n=len(opt.param_groups))
assert np.allclose(out["lrs"], [0.01, 0.05]) and np.allclose(w.tolist(), [0.78])""",
    "zero_grad set_to_none": """
w = torch.tensor([1.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
(w * 3).sum().backward(); opt.zero_grad(set_to_none=False)
kept = w.grad is not None and w.grad.item() == 0.0
(w * 3).sum().backward(); opt.zero_grad()
default_none = w.grad is None
(w * 3).sum().backward(); opt.zero_grad(set_to_none=True)
model = nn.Linear(2, 1)
model(torch.ones(1, 2)).sum().backward(); model.zero_grad()
out = dict(kept=kept, none=w.grad is None, default_none=default_none, model_none=model.weight.grad is None)
assert kept and w.grad is None""",
    "StepLR": """
w = torch.tensor([1.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=1.0)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
lrs, group = [sched.get_last_lr()[0]], []
for epoch in range(6):
    opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0]); group.append(opt.param_groups[0]["lr"])
out = dict(lrs=lrs, group=group, last=sched.get_last_lr())
assert lrs == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]""",
    "optimizer state_dict resume": """
def run(n, resume=False):
    w = torch.tensor([1.0, -1.0], requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1)
    for _ in range(n):
        opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
    return w, opt
w10, _ = run(10)
w5, opt5 = run(5)
w = torch.tensor(w5.detach().tolist(), requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1); opt.load_state_dict(opt5.state_dict())
for _ in range(5):
    opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
out = dict(same=torch.allclose(w, w10), w=w.detach())
assert out["same"]""",
    # ---- data -------------------------------------------------------------------------------------
    "TensorDataset and DataLoader": """
X = torch.arange(20.0).reshape(10, 2); y = torch.arange(10)
ds = TensorDataset(X, y)
dl = DataLoader(ds, batch_size=4)
batches = list(dl)
out = dict(n=len(ds), nb=len(dl), first=batches[0][0], ylast=batches[-1][1],
           item=ds[3][0], nd=len(DataLoader(ds, batch_size=4, drop_last=True)),
           sizes=[xb.shape[0] for xb, yb in dl], pair=type(ds[0]).__name__)
assert out["n"] == 10 and out["nb"] == 3 and out["nd"] == 2 and out["sizes"] == [4, 4, 2]""",
    "DataLoader batches: shapes, dtypes, drop_last": """
X = torch.tensor(np.arange(14.0).reshape(7, 2), dtype=torch.float32)
y = torch.tensor([0, 1, 0, 1, 1, 0, 1])
loader = DataLoader(TensorDataset(X, y), batch_size=3, shuffle=False, drop_last=True)
shapes, dtypes, labels = [], [], []
for i, (xb, yb) in enumerate(loader):
    shapes.append((tuple(xb.shape), tuple(yb.shape)))
    dtypes.append((xb.dtype == torch.float32, yb.dtype == torch.int64))
    labels.append(yb.tolist())
again = [yb.tolist() for _, yb in loader]
assert len(loader) == 2 and shapes == [((3, 2), (3,))] * 2 and labels == again
out = dict(n=len(loader), shapes=shapes, dtypes=dtypes, labels=labels, i=i, last=xb)""",
    "DataLoader shuffle covers every example": """
ds = TensorDataset(torch.arange(10))
torch.manual_seed(0)
seen = sorted(int(v) for (b,) in DataLoader(ds, batch_size=3, shuffle=True) for v in b)
out = dict(seen=seen)
assert seen == list(range(10))""",
    "device boilerplate": """
device = "cuda" if torch.cuda.is_available() else "cpu"
model = nn.Linear(3, 1).to(device)
x = torch.ones(2, 3).to(device)
with torch.no_grad():
    model.weight.fill_(0.5); model.bias.fill_(-1.0)
y = model(x)
assert device == "cpu" and y.tolist() == [[0.5], [0.5]]
out = dict(device=device, y=y, same=model.to(device) is model, xdev=x.to(device).shape)""",
    "evaluation loop counting correct": """
X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.5], [0.5, 2.0], [1.0, 1.1], [3.0, 0.0], [0.0, 0.2]])
y = torch.tensor([0, 1, 0, 1, 1, 0, 0])
model = nn.Linear(2, 2)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[1.0, -1.0], [-1.0, 1.0]])); model.bias.zero_()
loader = DataLoader(TensorDataset(X, y), batch_size=3)
model.eval()
correct, total, losses = 0, 0, []
with torch.no_grad():
    for xb, yb in loader:
        logits = model(xb)
        losses.append(F.cross_entropy(logits, yb, reduction="sum").item())
        pred = logits.argmax(dim=1)
        correct += (pred == yb).sum().item()
        total += yb.size(0)
acc = correct / total
assert total == 7 and correct == 6 and type(correct) is int
out = dict(correct=correct, total=total, acc=acc, loss=sum(losses) / total, single=model(X[0].unsqueeze(0)).squeeze())""",
    # ---- longer programs ------------------------------------------------------------------------
    "polynomial fit (PyTorch's autograd tutorial)": """
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
a = torch.tensor(0.1, requires_grad=True); b = torch.tensor(0.2, requires_grad=True)
c = torch.tensor(-0.1, requires_grad=True); d = torch.tensor(0.05, requires_grad=True)
learning_rate = 1e-6
first = None
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if first is None:
        first = loss.item()
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None; b.grad = None; c.grad = None; d.grad = None
assert loss.item() < first / 100
out = dict(first=first, loss=loss.item(), a=a.item(), b=b.item(), c=c.item(), d=d.item())""",
    "polynomial fit with grad.zero_()": """
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
a = torch.tensor(0.1, requires_grad=True); b = torch.tensor(0.2, requires_grad=True)
c = torch.tensor(-0.1, requires_grad=True); d = torch.tensor(0.05, requires_grad=True)
learning_rate = 1e-6
losses = []
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad.zero_(); b.grad.zero_(); c.grad.zero_(); d.grad.zero_()
assert losses[-1] < losses[0] / 100
out = dict(loss=losses[-1], at100=losses[100], p=[a.item(), b.item(), c.item(), d.item()], ga=a.grad)""",
    "hand-written SGD on an MLP": """
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-0.3, 0.3, p.numel()).reshape(p.shape) * (1 + 0.1 * i))
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
losses = []
lr = 0.1
for step in range(50):
    loss = ((model(X) - Y) ** 2).mean()
    losses.append(loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
assert losses[-1] < losses[0]
out = dict(first=losses[0], last=losses[-1], pred=model(X))""",
    "linear regression with nn.Linear, MSELoss and SGD": """
X = torch.linspace(-1, 1, 21).unsqueeze(1)
Y = 3 * X - 0.5 + 0.1 * torch.sin(7 * X)
model = nn.Linear(1, 1)
with torch.no_grad():
    model.weight.fill_(0.0); model.bias.fill_(0.0)
loss_fn = nn.MSELoss()
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
for epoch in range(100):
    opt.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    opt.step()
assert abs(model.weight.item() - 3.0) < 0.1 and abs(model.bias.item() + 0.5) < 0.05
out = dict(loss=loss.item(), w=model.weight.item(), b=model.bias.item(), pred=model(X[:3]))""",
    "classifier with optim and DataLoader": """
g = np.random.default_rng(0)
Xn = g.normal(size=(64, 4)); yn = (Xn[:, 0] + Xn[:, 1] > 0).astype(np.int64)
X = torch.tensor(Xn, dtype=torch.float32); y = torch.tensor(yn)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.tensor(np.cos(np.arange(p.numel()) + i).reshape(tuple(p.shape)) * 0.3))
opt = optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(5):
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=16):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
with torch.no_grad():
    acc = (model(X).argmax(1) == y).float().mean().item()
out = dict(loss=loss.item(), acc=acc)
assert acc > 0.8""",
    "Adam on an MLP with F.relu and F.cross_entropy": """
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(2, 6)
        self.l2 = nn.Linear(6, 3)
    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))
model = MLP()
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.sin(torch.arange(float(p.numel())) * 1.7 + i).reshape(p.shape) * 0.5)
X = torch.tensor([[0.0, 1.0], [1.0, 0.0], [-1.0, 0.5], [0.5, -1.0], [1.0, 1.0], [-1.0, -1.0]])
y = torch.tensor([0, 1, 2, 1, 0, 2])
opt = optim.Adam(model.parameters(), lr=0.05)
sched = optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
first = None
for step in range(30):
    opt.zero_grad()
    loss = F.cross_entropy(model(X), y)
    if first is None:
        first = loss.item()
    loss.backward()
    opt.step()
    sched.step()
model.eval()
with torch.no_grad():
    pred = model(X).argmax(dim=1)
assert loss.item() < first
out = dict(first=first, loss=loss.item(), pred=pred, lr=sched.get_last_lr(), training=model.training)""",
}
