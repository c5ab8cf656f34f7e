# Linear regression from scratch, in the style of "Dive into Deep Learning" 3.2, with
# deterministic data so that every number printed can be compared with PyTorch's.
import torch

true_w = torch.tensor([2, -3.4])
true_b = 4.2
n = 200
X = torch.stack([torch.linspace(-1, 1, n), torch.cos(torch.linspace(0, 6, n))], dim=1)
y = torch.matmul(X, true_w) + true_b
y = y.reshape((-1, 1))
print("features:", X[0], "\nlabel:", y[0])


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    indices = (
        indices[::7]
        + indices[1::7]
        + indices[2::7]
        + indices[3::7]
        + indices[4::7]
        + indices[5::7]
        + indices[6::7]
    )
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


w = torch.zeros(size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


lr = 0.03
num_epochs = 3
batch_size = 10
for epoch in range(num_epochs):
    for Xb, yb in data_iter(batch_size, X, y):
        l = squared_loss(linreg(Xb, w, b), yb)
        l.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = squared_loss(linreg(X, w, b), y)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):.4f}")
print(f"error in estimating w: {true_w - w.reshape(true_w.shape)}")
print(f"error in estimating b: {true_b - b}")
print(w, b)
print(w.grad, b.is_leaf, (w * 2).grad_fn.name(), w.requires_grad)

# softmax by hand, cross-entropy with fancy indexing
X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(X.sum(0, keepdim=True), X.sum(1, keepdim=True))


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


X_prob = softmax(X)
print(X_prob, X_prob.sum(1))
y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


print(cross_entropy(y_hat, y))


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


print(accuracy(y_hat, y) / len(y))
W = torch.linspace(-1, 1, 12).reshape(4, 3).requires_grad_(True)
Xs = torch.linspace(0, 1, 8).reshape(2, 4)
loss = cross_entropy(softmax(Xs @ W), y).mean()
loss.backward()
print(loss, W.grad)
