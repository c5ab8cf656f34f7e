# MLP from scratch, activations and their gradients, weight decay, dropout, numerical
# stability (D2L 5.1-5.6), deterministic parameters throughout.
import torch
from torch import nn

x = torch.arange(-4.0, 4.0, 1.0, requires_grad=True)
y = torch.relu(x)
print(y)
y.backward(torch.ones_like(x), retain_graph=True)
print(x.grad)
y = torch.sigmoid(x)
x.grad.data.zero_()
y.backward(torch.ones_like(x), retain_graph=True)
print(y.detach(), x.grad)
y = torch.tanh(x)
x.grad.data.zero_()
y.backward(torch.ones_like(x), retain_graph=True)
print(x.grad)
print(nn.functional.leaky_relu(x, 0.1), nn.functional.softplus(x.detach()))
print(
    nn.functional.elu(x.detach()),
    nn.functional.silu(x.detach()),
    nn.functional.hardtanh(x.detach()),
)


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


num_inputs, num_hiddens, num_outputs = 6, 5, 3
W1 = nn.Parameter(torch.linspace(-1, 1, num_inputs * num_hiddens).reshape(num_inputs, num_hiddens))
b1 = nn.Parameter(torch.zeros(num_hiddens))
W2 = nn.Parameter(
    torch.linspace(1, -1, num_hiddens * num_outputs).reshape(num_hiddens, num_outputs)
)
b2 = nn.Parameter(torch.zeros(num_outputs))
params = [W1, b1, W2, b2]


def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)
    return H @ W2 + b2


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


X = torch.cos(torch.arange(24.0)).reshape(4, 6)
y = torch.tensor([0, 1, 2, 1])
probs = softmax(net(X))
print(probs, probs.sum(1))
l = cross_entropy(probs, y)
print(l)
l.mean().backward()
print(W1.grad.shape, b2.grad)
updater = torch.optim.SGD(params, lr=0.1)
updater.step()
print(b2.data)
print(nn.CrossEntropyLoss(reduction="none")(net(X), y))


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


w = torch.ones((3, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
Xw = torch.arange(12.0).reshape(4, 3) / 10
yw = torch.tensor([[1.0], [0.0], [1.0], [0.0]])
for lambd in [0, 3]:
    w.data.fill_(1.0)
    b.data.zero_()
    for _epoch in range(5):
        l = ((Xw @ w + b - yw) ** 2 / 2) + lambd * l2_penalty(w)
        l.sum().backward()
        with torch.no_grad():
            for param in (w, b):
                param -= 0.05 * param.grad / 4
                param.grad.zero_()
    print(lambd, "L2 norm of w:", torch.norm(w).item() > 0, round(torch.norm(w).item(), 4))


def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print(X)
print(dropout_layer(X, 0.0))
print(dropout_layer(X, 1.0))
d = dropout_layer(X, 0.5)
print(d.shape, bool(((d == 0) | (d == 2 * X)).all()))
drop = nn.Dropout(0.5)
drop.eval()
print(drop(X), drop.training)
drop.train()
print(drop(X).shape, drop)

x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))
print(x.grad.max(), x.grad[0], x.grad[-1])
M = torch.ones(4, 4) * 1.5
for _ in range(10):
    M = torch.mm(M, torch.ones(4, 4) * 1.5)
print(M[0, 0], M.dtype)
print(torch.exp(torch.tensor([100.0, 1000.0])), torch.log(torch.tensor([0.0, 1e-45])))
print(torch.softmax(torch.tensor([1000.0, 1000.0]), 0), torch.tensor([1e38]) * 10)
z = torch.tensor([1000.0, 0.0])
print(z.exp() / z.exp().sum(), torch.log_softmax(z, 0), torch.logsumexp(z, 0))
print(torch.tensor(2.0**24) + 1, torch.tensor(0.1) + torch.tensor(0.2))
print(torch.tensor(1e-8, dtype=torch.float16), torch.tensor(70000.0).half())
