# Layers and blocks, parameter management, custom layers, file I/O (D2L 6.1-6.6).
import os
import tempfile

import torch
from torch import nn
from torch.nn import functional as F

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
print(net)
for i, m in enumerate(net):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.1 * (i + 1))
        nn.init.zeros_(m.bias)
X = torch.arange(8.0).reshape(2, 4) / 8
print(net(X))
print(net[2].state_dict())
print(type(net[2].bias), net[2].bias, net[2].bias.data)
print(net[2].weight.grad is None)
print(*[(name, param.shape) for name, param in net[0].named_parameters()])
print(*[(name, param.shape) for name, param in net.named_parameters()])
print(net.state_dict()["2.bias"].data, list(net.state_dict().keys()))
print(sum(p.numel() for p in net.parameters()))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self.add_module(str(idx), module)

    def forward(self, X):
        for module in self.children():
            X = module(X)
        return X


class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.rand_weight = torch.ones((20, 20)) / 20
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


def init_det(m):
    if type(m) == nn.Linear:  # noqa: E721
        with torch.no_grad():
            m.weight.copy_(torch.linspace(-0.5, 0.5, m.weight.numel()).reshape(m.weight.shape))
        m.bias.data.fill_(0.01)


mlp = MLP()
print(mlp)
mlp.apply(init_det)
X = torch.sin(torch.arange(40.0)).reshape(2, 20)
print(mlp(X))
seq = MySequential(nn.Linear(20, 4), nn.ReLU(), nn.Linear(4, 2))
seq.apply(init_det)
print(seq, seq(X))
fixed = FixedHiddenMLP()
fixed.apply(init_det)
print(fixed(X))
shared = nn.Linear(8, 8)
chain = nn.Sequential(
    nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1)
)
print(chain[2].weight.data[0] == chain[4].weight.data[0])
chain[2].weight.data[0, 0] = 100
print(chain[2].weight.data[0] == chain[4].weight.data[0], chain[4].weight.data[0, 0])
print(len(list(chain.parameters())), len(chain.state_dict()))


class CenteredLayer(nn.Module):
    def forward(self, X):
        return X - X.mean()


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(in_units, units) * 0.5)
        self.bias = nn.Parameter(
            torch.zeros(
                units,
            )
        )

    def forward(self, X):
        return F.relu(torch.matmul(X, self.weight.data) + self.bias.data)


print(CenteredLayer()(torch.tensor([1.0, 2, 3, 4, 5])))
layer = MyLinear(5, 3)
print(layer.weight, layer(torch.arange(10.0).reshape(2, 5)))
print(dict((k, v.shape) for k, v in layer.state_dict().items()))
net2 = nn.Sequential(nn.Linear(8, 128), CenteredLayer())
nn.init.constant_(net2[0].weight, 0.125)
nn.init.constant_(net2[0].bias, 0.0)
print(net2(torch.ones(4, 8)).mean())
block = nn.Sequential()
for i in range(2):
    block.add_module(f"block {i}", nn.Sequential(nn.Linear(4, 8), nn.ReLU()))
print(block)
print(nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Tanh(), nn.Sigmoid(), nn.Softmax(dim=1)))
print(nn.Linear(3, 2, bias=False), nn.Linear(3, 2).weight.shape, nn.Linear(3, 2).bias.requires_grad)

with tempfile.TemporaryDirectory() as d:
    x = torch.arange(4)
    torch.save(x, os.path.join(d, "x-file"))
    x2 = torch.load(os.path.join(d, "x-file"))
    print(x2)
    y = torch.zeros(4)
    torch.save([x, y], os.path.join(d, "x-files"))
    print(torch.load(os.path.join(d, "x-files")))
    torch.save({"x": x, "y": y}, os.path.join(d, "mydict"))
    print(torch.load(os.path.join(d, "mydict")))
    torch.save(mlp.state_dict(), os.path.join(d, "mlp.params"))
    clone = MLP()
    print(clone.load_state_dict(torch.load(os.path.join(d, "mlp.params"))))
    clone.eval()
    print(clone(X) == mlp(X))
    print(clone.training, mlp.training)
