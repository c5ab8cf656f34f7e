# Indexing, slicing, assignment and broadcasting (D2L 2.1, 2.3).
import torch

X = torch.arange(24).reshape(2, 3, 4)
print(X[0], X[-1, -1], X[1, 2, 3])
print(X[:, 1], X[..., 0], X[0, :, 1:3])
print(X[:, ::2, ::3])
print(X[None].shape, X[:, None, :, None].shape)
print(X[0][1][2], X[0, 1, 2].item())
idx = torch.tensor([0, 2])
print(X[0, idx], X[1][:, idx])
print(X[0][[0, 1, 2], [3, 2, 1]])
mask = X[0] % 3 == 0
print(mask)
print(X[0][mask])
print(X[X > 20])
M = torch.zeros(3, 4)
M[1] = 1
M[:, 2] = torch.tensor([5.0, 6.0, 7.0])
M[0, 0] = -1
M[2, 1:3] = 9
print(M)
M[M > 4] = 0
print(M)
M[torch.tensor([0, 2])] = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
print(M)
M[..., -1] += 10
print(M)
v = torch.arange(10.0)
v[::3] = -1
print(v)
v[torch.tensor([True, False] * 5)] *= 2
print(v)
row = torch.arange(3).reshape(3, 1)
col = torch.arange(4)
print(row + col)
print(row * col)
print(torch.ones(2, 3, 1) + torch.arange(4))
print((torch.ones(2, 1, 3) * torch.arange(2).reshape(2, 1)).shape)
print(torch.arange(3).expand(2, 3))
a = torch.arange(6).reshape(2, 3).float()
print(a - a.mean(dim=0), a / a.sum(dim=1, keepdim=True))
print(a + 1, 2**a, a**0.5, 1 / (a + 1))
print(torch.tensor([[1, 2, 3]]) == torch.tensor([[1], [2]]))
print(a.view(3, 2), a.reshape(-1), a.unsqueeze(-1).shape)
b = a.view(6)
b[0] = 100
print(a)
c = a.clone()
c[0, 0] = -5
print(a[0, 0], c[0, 0])
print(torch.gather(a, 1, torch.tensor([[2, 0], [1, 1]])))
print(torch.index_select(a, 1, torch.tensor([0, 2])))
print(a.masked_fill(a > 3, 0.0), torch.masked_select(a, a > 3))
print(torch.tensor([0, 3, 0, 4]).nonzero(), torch.tensor([[0, 1], [2, 0]]).nonzero())
print(a.narrow(1, 1, 2), a.select(0, 1), a.unbind(0))
z = torch.zeros(3, 5)
z.scatter_(1, torch.tensor([[0], [2], [4]]), 1.0)
print(z)
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
y = torch.tensor([0, 2])
print(y_hat[[0, 1], y])
print(-torch.log(y_hat[range(len(y_hat)), y]))
print(y_hat.argmax(axis=1), y_hat.argmax(dim=1) == y)
print(X.shape[0], len(X), X.size(), X.stride(), X.T.shape if X.dim() == 2 else X.mT.shape)
print(
    torch.arange(12).reshape(3, 4)[1:, 1:].stride(),
    torch.arange(12).reshape(3, 4).t().is_contiguous(),
)
print(torch.arange(5)[torch.arange(5) >= 2].sum(), torch.arange(5)[-3:])
w = torch.arange(8).reshape(2, 4)
w[:, [0, 3]] = w[:, [3, 0]]
print(w)
print(torch.cat((w, w), dim=-1).shape, torch.stack((w, w), dim=1).shape)
