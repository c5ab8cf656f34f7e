# Tensor creation and dtypes, in the style of D2L 2.1 "Data Manipulation".
import numpy as np
import torch

print(torch.zeros(2, 3))
print(torch.ones(2, 3, dtype=torch.int32))
print(torch.full((2, 2), 7))
print(torch.full((2, 2), 7.5))
print(torch.full((2,), True))
print(torch.eye(3))
print(torch.eye(2, 3, dtype=torch.int64))
print(torch.arange(5), torch.arange(1, 4), torch.arange(0, 1, 0.25))
print(torch.arange(10, 0, -3))
print(torch.linspace(0, 1, 5))
print(torch.linspace(-2, 2, steps=4))
print(torch.logspace(0, 2, 3))
print(torch.empty(2, 3).shape, torch.empty(0).numel())
x = torch.tensor([[1, 2], [3, 4]])
print(x.dtype, x.shape, x.size(), x.size(1), x.dim(), x.ndim)
print(torch.zeros_like(x), torch.ones_like(x, dtype=torch.float64))
print(torch.full_like(x, 3), torch.empty_like(x).shape)
print(torch.tensor(3), torch.tensor(3.0), torch.tensor(True), torch.tensor([]))
print(torch.tensor([1, 2.5]), torch.tensor([True, False]))
print(torch.tensor([1, 2], dtype=torch.float16))
print(torch.tensor([1.5, 2.5], dtype=torch.float64))
print(torch.tensor([[1.0, 2.0]], dtype=torch.int32))
for dt in [
    torch.float32,
    torch.float64,
    torch.float16,
    torch.int8,
    torch.uint8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.bool,
]:
    t = torch.tensor([0, 1, 2], dtype=dt)
    print(dt, t, t.dtype.is_floating_point, t.element_size(), t.is_floating_point())
a = torch.arange(6)
print(a.float(), a.double(), a.half(), a.long(), a.int(), a.bool())
print(a.to(torch.float32), a.type(torch.float64), a.to(dtype=torch.int16))
print(a.type())
print((a / 2).dtype, (a // 2).dtype, (a * 1.0).dtype, (a > 2).dtype)
print((torch.tensor([1], dtype=torch.int8) + torch.tensor([1], dtype=torch.uint8)).dtype)
print((torch.tensor([1], dtype=torch.int32) + 1.5).dtype)
print((torch.tensor([1.0], dtype=torch.float64) + torch.tensor([1.0])).dtype)
print((torch.tensor([1], dtype=torch.int32) + torch.tensor(5)).dtype)
print((torch.tensor([True]) + torch.tensor([True])).dtype)
print(torch.promote_types(torch.int32, torch.float16), torch.get_default_dtype())
print(torch.tensor(7).item(), type(torch.tensor(7).item()), torch.tensor(2.5).item())
print(torch.tensor([1, 2, 3]).tolist(), torch.tensor([[0.5, 1.5]]).tolist())

n = np.arange(6, dtype=np.float32).reshape(2, 3)
t = torch.from_numpy(n)
print(t, t.dtype)
n[0, 0] = 100.0
print(t)
print(torch.as_tensor([1, 2, 3]), torch.as_tensor(np.array([1.5, 2.0])))
print(torch.tensor(np.array([1, 2], dtype=np.int32)).dtype)
b = t.numpy()
print(type(b), b.dtype, b.shape)
print(torch.arange(12).reshape(3, -1).shape, torch.arange(12).view(2, 2, 3).shape)
print(torch.cat([torch.zeros(1, 2), torch.ones(2, 2)]), torch.stack([a, a]).shape)
print(torch.arange(6).reshape(2, 3).T.contiguous().view(-1))
print(torch.zeros(3, 1).expand(3, 4).shape, torch.ones(2).repeat(3))
print(torch.tensor([[1, 2], [3, 4]]).flatten(), torch.arange(4).unsqueeze(0).shape)
print(torch.zeros(1, 3, 1).squeeze().shape, torch.zeros(1, 3, 1).squeeze(0).shape)
print(
    torch.arange(6).reshape(2, 3).permute(1, 0), torch.arange(6).reshape(2, 3).transpose(0, 1).shape
)
print(torch.chunk(torch.arange(7), 3))
print(torch.split(torch.arange(7), [2, 5]))
print(torch.arange(4).flip(0), torch.tril(torch.ones(3, 3)), torch.triu(torch.ones(3, 3), 1))
print(torch.tensor([3, 1, 2]).sort(), torch.tensor([3, 1, 2]).argsort(descending=True))
print(torch.tensor([1.0, 5.0, 3.0]).topk(2))
print(torch.where(torch.tensor([1, -1, 2]) > 0, torch.tensor(1.0), torch.tensor(0.0)))
print(torch.clamp(torch.arange(-3, 4), min=-1, max=2))
print(torch.zeros(2, dtype=torch.float64).new_ones(3), torch.ones(2).new_tensor([7, 8]))
print(
    torch.tensor([1, 2, 3]).clone(),
    torch.tensor([1, 2]).repeat_interleave(2),
    torch.arange(3).tile((2,)),
)
print(torch.diag(torch.tensor([1, 2, 3])), torch.diag(torch.arange(9).reshape(3, 3)))
print(torch.tensor([0.1, 0.2], dtype=torch.float64), torch.tensor([0.1, 0.2]))
