"""The whole stack together: a real classifier learns the handwritten digits."""

import numpy as np

import tiny_grad as tg
from tiny_grad import Tensor, data, nn, optim
from tiny_grad import functional as F


def test_mlp_learns_the_digits_to_97_percent():
    images, labels = data.load_digits()
    X = images.reshape(len(images), -1)
    X_train, X_test, y_train, y_test = data.train_test_split(X, labels, test_fraction=0.2, seed=0)
    tg.manual_seed(0)
    model = nn.MLP(64, [64, 10])
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(0)
    for epoch in range(30):
        order = rng.permutation(len(X_train))
        for start in range(0, len(order), 32):
            batch = order[start:start + 32]
            loss = F.cross_entropy(model(Tensor(X_train[batch])), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with tg.no_grad():
        predicted = model(Tensor(X_test)).data.argmax(axis=1)
    accuracy = (predicted == y_test).mean()
    assert accuracy >= 0.97, f"test accuracy {accuracy:.3f}"
