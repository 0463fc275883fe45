"""PyTorch code, run twice: on tiny_grad (`import tiny_grad as torch`) and, where PyTorch is
installed, on PyTorch itself. Each snippet is plain PyTorch as a tutorial writes it; it leaves
what it computed in a dict `out`, and the two runs must agree: values to 1e-6 where PyTorch's
tensor was float64, to 1e-4 where it was float32 (tiny_grad's default float is float64), and
always the kind of dtype (float, int, bool), exactly where the snippet chose it. Every snippet
also asserts what it knows, so without PyTorch the file still checks tiny_grad.
"""

import math
import importlib

import numpy as np
import pytest

SNIPPETS = {
    # ---- creation and dtypes ------------------------------------------------------------
    "tensor dtypes": """
a, b, c = torch.tensor([1, 2, 3]), torch.tensor([True, False]), torch.tensor([1.5, 2.0])
assert a.dtype == torch.int64 and b.dtype == torch.bool and c.is_floating_point()
out = dict(a=a, b=b, c=c, long=a.dtype == torch.long)""",
    "zeros ones full eye": """
out = dict(z=torch.zeros(2, 3), o=torch.ones((2,)), f=torch.full((2, 2), 7), e=torch.eye(3),
           fi=torch.full((3,), 2.5), zi=torch.zeros(2, dtype=torch.int64))
assert out["f"].dtype == torch.int64""",
    "arange and linspace": """
out = dict(a=torch.arange(5), b=torch.arange(1, 10, 3), c=torch.arange(0, 1, 0.25),
           d=torch.linspace(-1, 1, 5), e=torch.linspace(0, 10, steps=11))
assert out["a"].dtype == torch.int64 and out["c"].is_floating_point()""",
    "like constructors": """
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
out = dict(z=torch.zeros_like(x), o=torch.ones_like(x), shape=torch.randn_like(x).shape,
           i=torch.ones_like(torch.tensor([1, 2])))""",
    "random shapes and seeds": """
torch.manual_seed(0)
a = torch.randn(3, 4); b = torch.rand(2); c = torch.randint(0, 10, (5,))
torch.manual_seed(0)
a2 = torch.randn(3, 4)
assert torch.equal(a, a2) and (b >= 0).all() and (b < 1).all() and c.dtype == torch.int64
out = dict(shape=tuple(a.shape), c_ok=bool(((c >= 0) & (c < 10)).all()),
           w=torch.randn(2, 2, requires_grad=True).requires_grad)""",
    "conversions": """
x = torch.tensor([1.7, -2.2, 0.0])
out = dict(f=x.float(), d=x.double(), l=x.long(), b=x.bool(), t=x.to(torch.float32),
           same=x.float().dtype == torch.float32, kind=x.long().dtype == torch.int64)""",
    "promotion": """
i = torch.tensor([1, 2, 3])
out = dict(half=i * 0.5, plus=i + 1, div=i / 2, bsum=torch.tensor([True, True, False]).sum(),
           f32=(i + torch.tensor([0.5, 0.5, 0.5], dtype=torch.float32)).dtype == torch.float32,
           int_kind=(i + 1).dtype == torch.int64)""",
    # ---- functions ------------------------------------------------------------------------
    "elementwise functions": """
x = torch.tensor([0.5, 1.0, 2.0])
out = dict(exp=torch.exp(x), log=torch.log(x), sqrt=torch.sqrt(x), abs=torch.abs(-x),
           tanh=torch.tanh(x), sig=torch.sigmoid(x), relu=torch.relu(x - 1), sin=torch.sin(x),
           cos=torch.cos(x))""",
    "reductions": """
x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
out = dict(sum=torch.sum(x), sum0=x.sum(0), sum1k=x.sum(dim=1, keepdim=True), mean=torch.mean(x),
           mean1=x.mean(1), max=torch.max(x), min=torch.min(x), argmax=torch.argmax(x),
           argmax1=torch.argmax(x, dim=1))""",
    "max and min along a dim": """
x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
v, i = x.max(dim=1)
m = torch.min(x, 0)
out = dict(v=v, i=i, mv=m.values, mi=m.indices, k=x.max(1, keepdim=True)[0])""",
    "argmax argmin keepdim": """
x = torch.tensor([[3.0, 1.0], [0.0, 2.0], [5.0, 5.0]])
out = dict(a=x.argmax(dim=0), b=x.argmin(dim=1, keepdim=True), c=x.argmax())""",
    "matmul mm cat stack": """
a = torch.tensor([[1.0, 2.0], [3.0, 4.0]]); b = torch.tensor([[0.5], [1.5]])
out = dict(mm=a.mm(b), matmul=torch.matmul(a, b), at=a @ a.T, cat0=torch.cat([a, a]),
           cat1=torch.cat((a, b), dim=1), stack=torch.stack([a, a], dim=2))""",
    "where clamp maximum": """
x = torch.tensor([-2.0, -0.5, 0.5, 2.0])
out = dict(w=torch.where(x > 0, x, torch.zeros_like(x)), c=torch.clamp(x, -1, 1),
           cm=x.clamp(min=0), mx=torch.maximum(x, torch.tensor(0.0)))""",
    "softmax and log_softmax": """
x = torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
out = dict(s=torch.softmax(x, dim=1), ls=torch.log_softmax(x, dim=1), s0=torch.softmax(x, 0),
           f=F.softmax(x, dim=-1), rows=F.softmax(x, dim=1).sum(1))""",
    # ---- methods and shapes ---------------------------------------------------------------
    "shape methods": """
x = torch.arange(24).reshape(2, 3, 4)
out = dict(view=x.view(6, 4), v1=x.view(-1).shape, uns=x.unsqueeze(1).shape,
           sq=torch.zeros(1, 3, 1).squeeze().shape, sq0=torch.zeros(1, 3, 1).squeeze(0).shape,
           fl=x.flatten().shape, fl1=x.flatten(1).shape, perm=x.permute(2, 0, 1).shape,
           tr=x.transpose(0, 2).shape, trv=x.transpose(1, 2))""",
    "size numel dim": """
x = torch.zeros(2, 3, 4)
out = dict(size=tuple(x.size()), s1=x.size(1), sm=x.size(-1), numel=x.numel(), dim=x.dim(),
           shape0=x.shape[0], n=len(x))""",
    "t and T": """
m = torch.tensor([[1, 2, 3], [4, 5, 6]])
out = dict(t=m.t(), T=m.T, tt=m.t().t())""",
    "pow sin cos methods": """
x = torch.tensor([1.0, 2.0, 3.0])
out = dict(p=x.pow(2), p3=x ** 3, s=x.sin(), c=x.cos(), sq=x.sqrt(), e=x.exp(), n=-x)""",
    "clone tolist item numpy": """
x = torch.tensor([[1.5, 2.5]])
y = x.clone(); y[0, 0] = 9.0
out = dict(x=x, y=y, l=x.tolist(), i=x[0, 1].item(), np=x.numpy().sum().item())""",
    "indexing": """
x = torch.arange(12).reshape(3, 4)
out = dict(row=x[1], col=x[:, 2], s=x[1:, ::2], e=x[-1, -1], fancy=x[torch.tensor([0, 2])],
           pair=x[torch.arange(3), torch.tensor([0, 1, 3])])""",
    "iterate rows": """
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
out = dict(sums=[row.sum().item() for row in x], n=len([r for r in x]))""",
    # ---- comparisons and masks ----------------------------------------------------------------
    "comparisons": """
x = torch.tensor([-1.0, 0.0, 2.0])
out = dict(lt=x < 0, le=x <= 0, gt=x > 0, ge=x >= 0, eq=x == 0, ne=x != 0)""",
    "masks": """
x = torch.tensor([-1.0, 3.0, -2.0, 4.0])
m = x > 0
out = dict(pos=x[m], neg=x[~m], both=((x > -1.5) & (x < 3.5)), count=m.sum(), anyv=m.any())""",
    "accuracy": """
logits = torch.tensor([[2.0, 1.0, 0.1], [0.1, 0.2, 3.0], [1.0, 4.0, 0.0], [3.0, 0.0, 0.0]])
y = torch.tensor([0, 2, 2, 0])
pred = logits.argmax(dim=1)
out = dict(pred=pred, acc=(pred == y).float().mean(), correct=(pred == y).sum().item())""",
    "class indices pick": """
logp = torch.log_softmax(torch.tensor([[1.0, 2.0, 0.5], [0.3, 0.2, 0.1]]), dim=1)
y = torch.tensor([1, 0])
out = dict(picked=logp[torch.arange(2), y], nll=-logp[range(2), y].mean())""",
    "masked assignment": """
x = torch.tensor([[1.0, -2.0], [-3.0, 4.0]])
x[x < 0] = 0.0
out = dict(x=x)""",
    # ---- autograd ---------------------------------------------------------------------------
    "backward on a scalar": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 2).sum()
y.backward()
out = dict(y=y, g=x.grad, leaf=x.is_leaf, nonleaf=y.is_leaf)""",
    "chain rule": """
a = torch.tensor(2.0, requires_grad=True); b = torch.tensor(-3.0, requires_grad=True)
c = torch.tensor(6.5, requires_grad=True)
L = torch.tanh(a * b + c)
L.backward()
out = dict(L=L, ga=a.grad, gb=b.grad, gc=c.grad)""",
    "no_grad": """
w = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    y = w * 2
out = dict(req=y.requires_grad, y=y, req2=(w * 2).requires_grad)""",
    "detach and requires_grad_": """
x = torch.tensor([1.0, 2.0])
x.requires_grad_()
y = (x * 3).detach()
z = (x * x).sum(); z.backward()
out = dict(req=x.requires_grad, yreq=y.requires_grad, g=x.grad)""",
    "accumulation and zero_": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
(x * 3).sum().backward()
(x * x).sum().backward()
g1 = x.grad.clone()
x.grad.zero_()
(x * 5).sum().backward()
out = dict(g1=g1, g2=x.grad)""",
    "retain_graph": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x ** 3).sum()
y.backward(retain_graph=True)
y.backward()
out = dict(g=x.grad)""",
    "backward with a gradient": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
y.backward(torch.tensor([1.0, 0.5, 0.0]))
out = dict(g=x.grad)""",
    "second backward raises": """
x = torch.tensor([1.0], requires_grad=True)
y = (x * x).sum(); y.backward()
try:
    y.backward(); raised = False
except RuntimeError:
    raised = True
out = dict(raised=raised)""",
    "autograd.grad": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x ** 3).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
(h,) = torch.autograd.grad(g.sum(), x)
out = dict(g=g, h=h)""",
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
out = dict(g=x.grad)""",
    # ---- in-place -----------------------------------------------------------------------------
    "in-place under no_grad keeps the object": """
p = torch.tensor([1.0, 2.0], requires_grad=True)
before = id(p)
with torch.no_grad():
    p -= 0.5 * torch.tensor([1.0, 1.0]); p *= 2; p += 1; p /= 2
out = dict(p=p, same=id(p) == before, req=p.requires_grad, leaf=p.is_leaf)""",
    "in-place methods": """
x = torch.tensor([[1.0, -2.0], [3.0, -4.0]])
x.add_(1).mul_(2).sub_(1).div_(2)
a = x.clone()
x.clamp_(-1, 2)
b = x.clone()
x.fill_(3.0); c = x.clone(); x.zero_(); d = x.clone()
x.copy_(torch.tensor([5.0, 6.0]))
out = dict(a=a, b=b, c=c, d=d, e=x)""",
    "a leaf that requires grad refuses in-place": """
p = torch.tensor([1.0, 2.0], requires_grad=True)
try:
    p -= 0.1; raised = False
except RuntimeError:
    raised = True
out = dict(raised=raised, p=p.detach())""",
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
out = dict(raised=raised)""",
    "in-place on a result in the graph": """
a = torch.tensor([1.0, 2.0], requires_grad=True)
h = a * 3
h += 1
h *= a
h.sum().backward()
out = dict(h=h, g=a.grad)""",
    # ---- nn --------------------------------------------------------------------------------------
    "Linear with set weights": """
layer = nn.Linear(3, 2)
with torch.no_grad():
    layer.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.0, 0.5, -0.5]]))
    layer.bias.copy_(torch.tensor([0.01, -0.02]))
x = torch.tensor([[1.0, 2.0, 3.0]])
y = layer(x); y.sum().backward()
out = dict(y=y, gw=layer.weight.grad, gb=layer.bias.grad, shape=tuple(layer.weight.shape),
           names=[n for n, _ in layer.named_parameters()])""",
    "Sequential and activations": """
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Sigmoid())
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape))
x = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
out = dict(y=model(x), n=len(list(model.parameters())), tanh=nn.Tanh()(x),
           names=[n for n, _ in model.named_parameters()])""",
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
           isparam=isinstance(m.scale, nn.Parameter), istensor=isinstance(m.scale, torch.Tensor))""",
    "frozen parameter stays a parameter": """
m = nn.Linear(2, 2)
m.weight.requires_grad_(False)
out = dict(n=len(list(m.parameters())), keys=list(m.state_dict().keys()),
           req=[p.requires_grad for p in m.parameters()])""",
    "train eval and modules": """
model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.ReLU())
model.eval()
a = [m.training for m in model.modules()]
model.train()
b = [m.training for m in model.modules()]
x = torch.tensor([[1.0, 2.0]])
model.eval()
same = torch.equal(model[1](x), x)
out = dict(a=a, b=b, same=same, children=len(list(model.children())),
           named=[n for n, _ in model.named_modules()])""",
    "Flatten Identity Softmax LogSoftmax": """
x = torch.arange(12.0).reshape(2, 2, 3)
out = dict(f=nn.Flatten()(x).shape, i=nn.Identity()(x), s=nn.Softmax(dim=1)(x.flatten(1)),
           ls=nn.LogSoftmax(dim=-1)(x))""",
    "loss modules": """
logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
y = torch.tensor([0, 2])
p = torch.tensor([0.9, 0.2]); t = torch.tensor([1.0, 0.0])
out = dict(ce=nn.CrossEntropyLoss()(logits, y), nll=nn.NLLLoss()(torch.log_softmax(logits, 1), y),
           mse=nn.MSELoss()(p, t), l1=nn.L1Loss()(p, t), bce=nn.BCELoss()(p, t),
           bcel=nn.BCEWithLogitsLoss()(torch.tensor([2.0, -1.0]), t),
           sum=nn.CrossEntropyLoss(reduction="sum")(logits, y),
           smooth=nn.CrossEntropyLoss(label_smoothing=0.1)(logits, y))""",
    "functional": """
x = torch.tensor([[-1.0, 0.5], [2.0, -3.0]])
w = torch.tensor([[0.5, -0.5], [1.0, 1.0]]); b = torch.tensor([0.1, 0.2])
out = dict(relu=F.relu(x), tanh=F.tanh(x), sig=F.sigmoid(x), lin=F.linear(x, w, b),
           ce=F.cross_entropy(x, torch.tensor([1, 0])), mse=F.mse_loss(x, torch.zeros(2, 2)),
           oh=F.one_hot(torch.tensor([0, 2]), 3))""",
    "cross_entropy gradient": """
logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -0.3, 0.8]], requires_grad=True)
loss = F.cross_entropy(logits, torch.tensor([1, 2]))
loss.backward()
out = dict(loss=loss, g=logits.grad)""",
    "state_dict round trip": """
a = nn.Linear(2, 3); b = nn.Linear(2, 3)
b.load_state_dict(a.state_dict())
x = torch.tensor([[1.0, 2.0]])
out = dict(same=torch.allclose(a(x), b(x)), keys=list(a.state_dict()))""",
    # ---- optim ---------------------------------------------------------------------------------
    "SGD momentum steps": """
w = torch.tensor([1.0, -2.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
for _ in range(5):
    opt.zero_grad()
    loss = ((w - torch.tensor([0.5, 0.5])) ** 2).sum()
    loss.backward()
    opt.step()
out = dict(w=w.detach(), keys=sorted(opt.state_dict().keys()))""",
    "Adam and AdamW steps": """
ws = []
for make in (lambda p: torch.optim.Adam(p, lr=0.05), lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1)):
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = make([w])
    for _ in range(10):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
    ws.append(w.detach())
out = dict(adam=ws[0], adamw=ws[1])""",
    "param_groups lr change": """
w = torch.tensor([1.0], requires_grad=True); v = torch.tensor([1.0], requires_grad=True)
opt = torch.optim.SGD([{"params": [w]}, {"params": [v], "lr": 0.5}], lr=0.1)
(w * 2 + v * 2).sum().backward(); opt.step()
for g in opt.param_groups:
    g["lr"] = g["lr"] / 10
opt.zero_grad(); (w * 2 + v * 2).sum().backward(); opt.step()
out = dict(w=w.detach(), v=v.detach(), lrs=[g["lr"] for g in opt.param_groups])""",
    "zero_grad set_to_none": """
w = torch.tensor([1.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
(w * 3).sum().backward(); opt.zero_grad(set_to_none=False)
kept = w.grad is not None and w.grad.item() == 0.0
(w * 3).sum().backward(); opt.zero_grad()
out = dict(kept=kept, none=w.grad is None)""",
    "StepLR": """
w = torch.tensor([1.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=1.0)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
lrs = []
for epoch in range(6):
    opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
out = dict(lrs=lrs)""",
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
out = dict(same=torch.allclose(w, w10), w=w.detach())""",
    # ---- data -----------------------------------------------------------------------------------
    "TensorDataset and DataLoader": """
X = torch.arange(20.0).reshape(10, 2); y = torch.arange(10)
ds = TensorDataset(X, y)
dl = DataLoader(ds, batch_size=4)
batches = list(dl)
out = dict(n=len(ds), nb=len(dl), first=batches[0][0], ylast=batches[-1][1],
           item=ds[3][0], nd=len(DataLoader(ds, batch_size=4, drop_last=True)))""",
    "DataLoader shuffle covers every example": """
ds = TensorDataset(torch.arange(10))
seen = sorted(int(v) for (b,) in DataLoader(ds, batch_size=3, shuffle=True) for v in b)
out = dict(seen=seen)""",
    # ---- longer programs -----------------------------------------------------------------------
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
out = dict(loss=loss.item(), a=a.item(), b=b.item(), c=c.item(), d=d.item())""",
    "polynomial fit with grad.zero_()": """
x = torch.linspace(-math.pi, math.pi, 500)
y = torch.sin(x)
p = [torch.tensor(v, requires_grad=True) for v in (0.1, 0.2, -0.1, 0.05)]
for t in range(500):
    loss = (p[0] + p[1] * x + p[2] * x ** 2 + p[3] * x ** 3 - y).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        for q in p:
            q -= 4e-6 * q.grad
            q.grad.zero_()
out = dict(loss=loss.item(), p=[q.item() for q in p])""",
    "hand-written SGD on an MLP": """
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-0.3, 0.3, p.numel()).reshape(p.shape) * (1 + 0.1 * i))
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
losses = []
for step in range(50):
    loss = ((model(X) - Y) ** 2).mean()
    losses.append(loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
assert losses[-1] < losses[0]
out = dict(first=losses[0], last=losses[-1])""",
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
out = dict(loss=loss.item(), acc=acc)""",
}

LIBRARIES = {
    "tiny_grad": dict(torch="tiny_grad", nn="tiny_grad.nn", F="tiny_grad.nn.functional",
                      optim="tiny_grad.optim", data="tiny_grad.utils.data"),
    "torch": dict(torch="torch", nn="torch.nn", F="torch.nn.functional", optim="torch.optim",
                  data="torch.utils.data"),
}


def run(code, library):
    names = {k: importlib.import_module(v) for k, v in LIBRARIES[library].items()}
    data = names.pop("data")
    namespace = dict(names, DataLoader=data.DataLoader, TensorDataset=data.TensorDataset,
                     np=np, math=math)
    exec(code, namespace)
    return namespace["out"]


def plain(value):
    """A tensor (either library's) as (NumPy array, its dtype name); anything else as it is."""
    if hasattr(value, "detach") and hasattr(value, "shape"):
        array = np.asarray(value.detach().numpy())
        return array, str(array.dtype)
    if isinstance(value, (list, tuple)) and value and hasattr(value[0], "detach"):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return list(value)
    return value


def agree(ours, theirs, key):
    if isinstance(theirs, tuple) and len(theirs) == 2 and isinstance(theirs[0], np.ndarray):
        (a, a_dtype), (b, b_dtype) = ours, theirs
        assert a.shape == b.shape, (key, a.shape, b.shape)
        assert a.dtype.kind == b.dtype.kind, (key, a_dtype, b_dtype)
        tolerance = 1e-6 if b_dtype == "float64" else 1e-4
        np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=tolerance,
                                   atol=tolerance, err_msg=key)
    elif isinstance(theirs, list) and isinstance(ours, list) and len(ours) == len(theirs):
        for o, t in zip(ours, theirs):
            agree(o, t, key)
    elif isinstance(theirs, float):
        assert math.isclose(ours, theirs, rel_tol=1e-4, abs_tol=1e-6), (key, ours, theirs)
    else:
        assert ours == theirs, (key, ours, theirs)


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippet_runs_on_tiny_grad_as_on_pytorch(name):
    ours = run(SNIPPETS[name], "tiny_grad")
    assert ours, "a snippet records what it computed"
    try:
        import torch  # noqa: F401
    except ImportError:
        return  # (the snippet's own asserts have run on tiny_grad)
    theirs = run(SNIPPETS[name], "torch")
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        agree(plain(ours[key]), plain(theirs[key]), f"{name}: {key}")


def test_there_are_at_least_sixty_snippets():
    assert len(SNIPPETS) >= 60
