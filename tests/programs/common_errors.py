# Common mistakes, caught and printed the way tutorials show them.
import torch


def attempt(label, fn):
    try:
        r = fn()
        print(label, "ok", r)
    except Exception as e:
        print(label, type(e).__name__, e)


a = torch.ones(2, 3)
b = torch.ones(3, 2)
attempt("add", lambda: a + b)
attempt("mm", lambda: torch.mm(a, a))
attempt("matmul", lambda: a @ a)
attempt("dot", lambda: torch.dot(torch.ones(3), torch.ones(4)))
attempt("view", lambda: a.view(4, 2))
attempt("reshape", lambda: torch.arange(6).reshape(4, -1))
attempt("view-nc", lambda: a.t().view(6))
attempt("cat", lambda: torch.cat([a, b]))
attempt("stack", lambda: torch.stack([a, b]))
attempt("index", lambda: a[2])
attempt("index2", lambda: a[0, 5])
attempt("dim", lambda: a.sum(dim=2))
attempt("item", lambda: a.item())
attempt("backward-nonscalar", lambda: (torch.ones(2, requires_grad=True) * 2).backward())
attempt("no-grad-tensor", lambda: torch.ones(2).sum().backward())
attempt("int-requires-grad", lambda: torch.tensor([1, 2], requires_grad=True))
attempt("leaf-inplace", lambda: torch.ones(2, requires_grad=True).add_(1))
attempt("numpy-grad", lambda: torch.ones(2, requires_grad=True).numpy())
attempt("squeeze", lambda: a.squeeze(5))
attempt("transpose", lambda: a.transpose(0, 3))
attempt("permute", lambda: a.permute(0))
attempt("expand", lambda: a.expand(4, 3))
attempt("float-index", lambda: a[torch.tensor([0.0])])
attempt("mask-shape", lambda: a[torch.tensor([True, False])])
attempt("bool-tensor", lambda: bool(torch.tensor([1, 2])))
attempt("int-of-many", lambda: int(torch.tensor([1, 2])))
attempt("len-0d", lambda: len(torch.tensor(3)))
attempt("iter-0d", lambda: list(torch.tensor(3)))
attempt("linear", lambda: torch.nn.Linear(4, 2)(torch.ones(3, 5)))
attempt(
    "ce-target",
    lambda: torch.nn.functional.cross_entropy(torch.ones(2, 3), torch.tensor([0.0, 1.0])),
)
attempt("mse", lambda: torch.nn.functional.mse_loss(torch.ones(2), torch.ones(2)))
attempt("cat-dtype", lambda: torch.cat([torch.ones(1), torch.ones(1, dtype=torch.int64)]))
attempt("tensor-ragged", lambda: torch.tensor([[1, 2], [3]]))
attempt("zeros-neg", lambda: torch.zeros(-1))
attempt("arange-step", lambda: torch.arange(0, 5, 0))
attempt("div-int", lambda: torch.tensor([5]) // 0)
attempt("inplace-type", lambda: torch.ones(2, dtype=torch.int64).add_(1.5))
attempt("conv", lambda: torch.nn.Conv2d(1, 2, 3)(torch.ones(1, 3, 5, 5)))


def leaf_inplace_under_graph():
    w = torch.ones(2, requires_grad=True)
    y = w.sigmoid()
    y.mul_(2)
    y.sum().backward()


attempt("modified-saved", leaf_inplace_under_graph)


def grad_twice():
    w = torch.ones(2, requires_grad=True)
    y = (w * w).sum()
    y.backward()
    y.backward()


attempt("grad-twice", grad_twice)
with torch.no_grad():
    attempt("no-grad-backward", lambda: (torch.ones(2, requires_grad=True) * 2).sum().backward())
x = torch.ones(3, requires_grad=True)
attempt("grad-of-nonleaf", lambda: (x * 2).grad)
attempt("detach-inplace", lambda: x.detach().zero_())
print(x)
