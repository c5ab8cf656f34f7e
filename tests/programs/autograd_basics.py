# Automatic differentiation (D2L 2.5, "A Gentle Introduction to torch.autograd").
import torch

x = torch.arange(4.0)
x.requires_grad_(True)
print(x.grad, x.requires_grad, x.is_leaf, x.grad_fn)
y = 2 * torch.dot(x, x)
print(y, type(y.grad_fn).__name__, y.is_leaf)
y.backward()
print(x.grad, x.grad == 4 * x)
x.grad.zero_()
y = x.sum()
y.backward()
print(x.grad)
x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))
print(x.grad)
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print(x.grad == u, u.requires_grad, y.requires_grad)
x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


a = torch.tensor(0.75, requires_grad=True)
d = f(a)
d.backward()
print(a.grad, a.grad == d / a)

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
Q = 3 * a**3 - b**2
print(Q, Q.grad_fn.name(), [(type(f).__name__, i) for f, i in Q.grad_fn.next_functions])
external_grad = torch.tensor([1.0, 1.0])
Q.backward(gradient=external_grad)
print(9 * a**2 == a.grad, -2 * b == b.grad, a.grad, b.grad)

w = torch.tensor([1.0, -1.0], requires_grad=True)
for step in range(3):
    loss = (w * torch.tensor([2.0, 3.0])).sum()
    loss.backward()
    print(step, w.grad)
w.grad = None
out = (w**2).sum()
out.backward(retain_graph=True)
print(w.grad)
out.backward()
print(w.grad)
try:
    out.backward()
except RuntimeError as e:
    print(type(e).__name__, str(e)[:60])

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
print(y, z, out, sep="\n")
out.backward()
print(x.grad)
with torch.no_grad():
    t = x * 2
print(t.requires_grad, t.grad_fn, torch.is_grad_enabled())
with torch.enable_grad():
    print((x * 2).requires_grad)
with torch.set_grad_enabled(False):
    print((x * 2).requires_grad)
print((x**2).requires_grad, x.detach().requires_grad, x.detach().is_leaf)


@torch.no_grad()
def doubler(v):
    return v * 2


print(doubler(x).requires_grad)
p = torch.randn(3, 3)
print(p.requires_grad, torch.zeros(3, requires_grad=True).sum().requires_grad)
s = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
r = s.exp()
h = r.register_hook(lambda g: print("hook got", g) or g * 10)
r.sum().backward()
print(s.grad)
h.remove()
s.grad = None
s.exp().sum().backward()
print(s.grad)
m = s * 2
m.retain_grad()
(m**2).sum().backward()
print(m.grad, s.grad, m.is_leaf)
leaf = torch.tensor([2.0], requires_grad=True)
print((leaf * 3).grad_fn.name(), (leaf.sum()).grad_fn.name(), type(leaf.pow(2).grad_fn).__name__)
print(torch.tensor([1.0]).requires_grad, torch.tensor([1, 2]).dtype)
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
q = v.clone()
q[0] = 10.0
print(q, type(q.grad_fn).__name__)
q.sum().backward()
print(v.grad)
