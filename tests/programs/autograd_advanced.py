# Higher-order gradients, custom autograd.Function, torch.autograd.functional (PyTorch tutorials).
import torch
from torch.autograd import Function, grad
from torch.autograd.functional import hessian, jacobian, jvp, vjp

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x**3).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
print(g, g.requires_grad, g.grad_fn.name())
(g2,) = torch.autograd.grad(g.sum(), x)
print(g2)
z = torch.tensor(2.0, requires_grad=True)
f = torch.sin(z) * z**2
d1 = grad(f, z, create_graph=True)[0]
d2 = grad(d1, z, create_graph=True)[0]
d3 = grad(d2, z)[0]
print(d1, d2, d3, sep="\n")
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0], requires_grad=True)
out = (a * b).sum()
ga, gb = torch.autograd.grad(out, [a, b], retain_graph=True)
print(ga, gb)
print(torch.autograd.grad(out, a, grad_outputs=torch.tensor(2.0), retain_graph=True))
c = torch.tensor([5.0], requires_grad=True)
print(torch.autograd.grad(out, [a, c], allow_unused=True))
try:
    torch.autograd.grad(out, c)
except RuntimeError as e:
    print(type(e).__name__, e)


class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MulConstant(Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


t = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
e = Exp.apply(t)
print(e, e.grad_fn.name() if hasattr(e.grad_fn, "name") else None)
e.sum().backward()
print(t.grad)
inp = torch.arange(6.0).reshape(2, 3).requires_grad_()
w = torch.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]], requires_grad=True)
bias = torch.tensor([0.1, -0.1], requires_grad=True)
o = LinearFunction.apply(inp, w, bias)
print(o)
o.sum().backward()
print(inp.grad, w.grad, bias.grad, sep="\n")
m = MulConstant.apply(t, 5.0)
m.backward(torch.ones(3))
print(m, t.grad)
print(
    torch.autograd.gradcheck(
        Exp.apply, (torch.tensor([0.5, 1.0], dtype=torch.double, requires_grad=True),)
    )
)


def exp_reducer(x):
    return x.exp().sum(dim=1)


inputs = torch.arange(4.0).reshape(2, 2) / 4
print(jacobian(exp_reducer, inputs))
print(jacobian(lambda u: u**2, torch.tensor([1.0, 2.0, 3.0])))
print(jacobian(lambda p, q: p * q, (torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))))


def pow_reducer(x):
    return x.pow(3).sum()


print(hessian(pow_reducer, torch.tensor([1.0, 2.0])))
print(hessian(lambda v: (v[0] * v[1]) ** 2, torch.tensor([1.0, 3.0])))
print(vjp(exp_reducer, inputs, torch.ones(2)))
print(jvp(exp_reducer, inputs, torch.ones(2, 2)))
x = torch.tensor(3.0, requires_grad=True)
y = x**2
y.backward(create_graph=True)
print(x.grad.detach(), x.grad.requires_grad)
gx = x.grad
x.grad = None
gx.backward()
print(x.grad)
