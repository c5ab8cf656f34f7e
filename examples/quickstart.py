"""weifen in five minutes: the autograd tutorial that weifen started from, step by step.

    uv run python examples/quickstart.py

Every line is plain PyTorch: only the import differs. Each step prints what PyTorch prints
(shown in the comments) and says in one sentence why the gradient is what it is.
"""

import weifen as torch


def step(title: str) -> None:
    print(f"\n== {title}")


step("1. A gradient: y = 2 x.x")
x = torch.arange(4.0)
print("x =", x)  # x = tensor([0., 1., 2., 3.])
x.requires_grad_(True)  # same as torch.arange(4.0, requires_grad=True)
print("x.grad =", x.grad)  # x.grad = None: nothing has been computed yet
y = 2 * torch.dot(x, x)
print("y =", y)  # y = tensor(28., grad_fn=<MulBackward0>)
y.backward()
print("x.grad =", x.grad)  # x.grad = tensor([ 0.,  4.,  8., 12.])
print(x.grad == 4 * x)  # tensor([True, True, True, True])
print("Why: y = 2 xᵀx = 2 Σ xᵢ², so dy/dxᵢ = 4 xᵢ: the gradient is 4x.")

step("2. Gradients accumulate")
y = x.sum()
y.backward()
print(x.grad)  # tensor([ 1.,  5.,  9., 13.])
print("Why: backward() adds to x.grad, so the sum's gradient (all ones) landed on top of 4x.")
x.grad.zero_()
y = x.sum()
y.backward()
print(x.grad)  # tensor([1., 1., 1., 1.])
print("Why: after x.grad.zero_() only d(Σ xᵢ)/dxᵢ = 1 is left; zero the gradient first.")

step("3. backward() on a non-scalar")
x = torch.arange(4.0, requires_grad=True)
y = x * x
y.backward(torch.ones(len(x)))
print(x.grad)  # tensor([0., 2., 4., 6.])
print("Why: y is a vector, so backward needs a gradient v and computes vᵀ dy/dx; with v = 1")
print("     that is d(Σ xᵢ²)/dxᵢ = 2 xᵢ.")
x.grad.zero_()
y = x * x
y.sum().backward()
print(x.grad)  # tensor([0., 2., 4., 6.])
print("Why: y.sum().backward() is the same thing: summing is taking the dot with ones.")

step("4. detach() cuts the graph")
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print(x.grad == u)  # tensor([True, True, True, True])
print("Why: u = x*x detached is a constant to autograd, so d(Σ uᵢ xᵢ)/dxᵢ = uᵢ, not 3 xᵢ².")

step("5. Python control flow")


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = 2 * b
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


torch.manual_seed(0)
a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
print(a.grad == d / a)  # tensor(True)
print("Why: whatever path the loop and the if take, d = k·a for some constant k, so")
print("     dd/da = k = d/a: autograd follows the operations that actually ran.")
