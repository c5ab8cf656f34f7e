# Softmax regression and linear regression, concise versions (D2L 3.3, 4.5) with deterministic
# synthetic data, a DataLoader without shuffling, and SGD / Adam / weight decay.
import torch
from torch import nn
from torch.utils import data

n, d, k = 60, 4, 3
X = torch.stack([torch.sin(torch.arange(n) * (j + 1) * 0.3) for j in range(d)], dim=1)
y = torch.arange(n) * 7 % k
print(X.shape, y.shape, y[:10], y.dtype)


def load_array(data_arrays, batch_size, is_train=False):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


dataset = data.TensorDataset(X, y)
print(len(dataset), dataset[0], dataset[1][1])
loader = load_array((X, y), 16)
print(len(loader))
for i, (Xb, yb) in enumerate(loader):
    print(i, Xb.shape, yb)
first = next(iter(loader))
print(type(first), len(first), first[0][0])
drop = data.DataLoader(dataset, batch_size=16, drop_last=True)
print(len(drop), [b[1].shape[0] for b in drop])

net = nn.Sequential(nn.Flatten(), nn.Linear(d, k))
with torch.no_grad():
    net[1].weight.copy_(torch.arange(k * d, dtype=torch.float32).reshape(k, d) / 10 - 0.5)
    net[1].bias.fill_(0.0)
loss = nn.CrossEntropyLoss(reduction="none")
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
print(trainer)


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


for epoch in range(3):
    total, correct, count = 0.0, 0.0, 0
    for Xb, yb in loader:
        l = loss(net(Xb), yb)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
        total += float(l.sum())
        correct += accuracy(net(Xb), yb)
        count += yb.numel()
    print(f"epoch {epoch + 1}, loss {total / count:.4f}, acc {correct / count:.3f}")
print(net[1].weight.data, net[1].bias.data)
print(nn.CrossEntropyLoss()(net(X[:4]), y[:4]))
print(nn.functional.softmax(net(X[:2]), dim=1))

w_true = torch.tensor([2.0, -3.4])
Xr = torch.stack([torch.linspace(-1, 1, 40), torch.cos(torch.linspace(0, 3, 40))], dim=1)
yr = (Xr @ w_true + 4.2).reshape(-1, 1)
lin = nn.Sequential(nn.Linear(2, 1))
lin[0].weight.data.fill_(0.0)
lin[0].bias.data.fill_(0.0)
mse = nn.MSELoss()
opt = torch.optim.SGD(lin.parameters(), lr=0.03)
for epoch in range(3):
    for Xb, yb in load_array((Xr, yr), 10):
        l = mse(lin(Xb), yb)
        opt.zero_grad()
        l.backward()
        opt.step()
    print(f"epoch {epoch + 1}, loss {mse(lin(Xr), yr):.4f}")
print(lin[0].weight.data, lin[0].bias.data, w_true - lin[0].weight.data.reshape(w_true.shape))
print(lin[0].weight.grad)

wd = nn.Linear(2, 1)
nn.init.constant_(wd.weight, 1.0)
nn.init.constant_(wd.bias, 0.5)
opt_wd = torch.optim.SGD([{"params": wd.weight, "weight_decay": 0.1}, {"params": wd.bias}], lr=0.1)
for _ in range(2):
    opt_wd.zero_grad()
    nn.MSELoss()(wd(Xr), yr).backward()
    opt_wd.step()
print(wd.weight.data, wd.bias.data, opt_wd.param_groups[0]["weight_decay"])

p = nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
adam = torch.optim.Adam([p], lr=0.1)
mom = nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
sgdm = torch.optim.SGD([mom], lr=0.1, momentum=0.9)
sched = torch.optim.lr_scheduler.StepLR(sgdm, step_size=2, gamma=0.5)
for step in range(4):
    for o, q in ((adam, p), (sgdm, mom)):
        o.zero_grad()
        (q**2).sum().backward()
        o.step()
    sched.step()
    print(step, p.data, mom.data, sgdm.param_groups[0]["lr"])
print(sorted(adam.state_dict()["state"][0].keys()), adam.state_dict()["param_groups"][0]["lr"])
print(p.grad, mom.grad)
sgdm.zero_grad()
print(mom.grad)
