"""08 · A real classifier: handwritten digits, with cross-entropy and SGD built by hand.

Everything so far comes together. 1,797 small pictures of handwritten digits (8x8
pixels each) go into a two-layer network, nn.MLP(64, [64, 10]): 64 pixels in, 64
hidden units, 10 scores out, one per digit. Cross-entropy is assembled from its five
pieces, backward fills every gradient, and SGD takes small steps. A fifth of the
pictures is kept aside: the model never trains on them, so they tell us how well it
does on handwriting it has not seen.

    python examples/08_digits_classifier.py [--out DIR] [--fast]

Figures: digits_sample.png, training_progress.png, confusion_matrix.png, misclassified.png
"""

import numpy as np

import tiny_grad as tg
from tiny_grad import Tensor, data, nn, optim
from tiny_grad import functional as F

from _common import parse_args, progress, pyplot, save_figure

NAME = "08_digits_classifier"


def cross_entropy_by_hand(logits, labels):
    """CE = −Σ_k t_k · log p_k, averaged over the batch, from the five pieces.

    log_softmax is softmax followed by log (pieces 1 and 2) written the stable way of
    example 05; the rest is the one-hot answers, a sum, and a minus sign.
    """
    log_p = F.log_softmax(logits, axis=1)        # 1 + 2: distribution and log
    t = tg.one_hot(labels, logits.shape[1])      # 3: the answers, one-hot
    return -(t * log_p).sum(axis=1).mean()       # 4: sum (then mean over the batch), 5: minus


def predict(model, X):
    """The digit with the highest score, for every row of X (no graph needed)."""
    with tg.no_grad():
        return model(Tensor(X)).data.argmax(axis=1)


def main(argv=None):
    args = parse_args(NAME, argv, __doc__)
    plt = pyplot()
    out = args.out
    figures = []

    # ---- the data ------------------------------------------------------------------------------
    images, labels = data.load_digits()                  # (1797, 8, 8) in [0, 1], and 0..9
    X = images.reshape(len(images), -1)                  # one row of 64 pixels per picture
    X_train, X_test, y_train, y_test = data.train_test_split(X, labels, test_fraction=0.2,
                                                             seed=0)
    print(f"{len(images):,} digits: {len(X_train):,} to train on, {len(X_test)} kept aside "
          "for the test.")

    fig, axes = plt.subplots(2, 10, figsize=(10, 2.4))
    for digit in range(10):
        for row in range(2):
            ax = axes[row, digit]
            ax.imshow(images[np.flatnonzero(labels == digit)[row]], cmap="gray_r")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[0, digit].set_title(str(digit))
    fig.suptitle("Some of the 8x8 digits", y=1.02)
    figures.append(save_figure(fig, out, "digits_sample.png"))

    # ---- the model, the loss, the optimizer ---------------------------------------------
    tg.manual_seed(0)                                    # the same starting weights every run
    model = nn.MLP(64, [64, 10])                         # Linear(64, 64) -> ReLU -> Linear(64, 10)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    batch_size = 32
    epochs = 12 if args.fast else 30

    # The hand-built loss and the library's agree (checked once, on the untrained model):
    first = Tensor(X_train[:batch_size])
    hand = cross_entropy_by_hand(model(first), y_train[:batch_size]).item()
    library = F.cross_entropy(model(first), y_train[:batch_size]).item()
    print(f"Cross-entropy of the untrained model on one batch: by hand {hand:.6f}, "
          f"F.cross_entropy {library:.6f}")
    print(f"(about log 10 = {np.log(10):.4f}: ten digits, no idea yet, 1/10 each)\n")

    # ---- training ------------------------------------------------------------------------------
    rng = np.random.default_rng(0)
    n_batches = -(-len(X_train) // batch_size)
    history = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(X_train))           # a new shuffle every epoch
        total = 0.0
        for i, start in enumerate(range(0, len(X_train), batch_size)):
            idx = order[start:start + batch_size]
            loss = cross_entropy_by_hand(model(Tensor(X_train[idx])), y_train[idx])
            opt.zero_grad()                              # forget the last batch's gradients
            loss.backward()                              # every weight's share of the gap
            opt.step()                                   # a small step against it
            total += loss.item() * len(idx)
            progress("training on the digits", (epoch - 1) * n_batches + i + 1,
                     epochs * n_batches, epoch=epoch, loss=loss.item())
        history["loss"].append(total / len(X_train))
        history["train_accuracy"].append(float((predict(model, X_train) == y_train).mean()))
        history["test_accuracy"].append(float((predict(model, X_test) == y_test).mean()))
        print(f"   epoch {epoch:2d}: loss {history['loss'][-1]:.4f}, right on "
              f"{history['train_accuracy'][-1]:6.1%} of the training digits and "
              f"{history['test_accuracy'][-1]:6.1%} of the test digits")

    predicted = predict(model, X_test)
    test_accuracy = float((predicted == y_test).mean())
    wrong = np.flatnonzero(predicted != y_test)
    print(f"\nTest accuracy: {test_accuracy:.1%} ({len(y_test) - len(wrong)} of {len(y_test)} "
          "digits it had never seen).")

    # The confusion matrix counts (true digit, predicted digit) pairs: the diagonal is right.
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (y_test, predicted), 1)
    mixups = sorted(((confusion[a, b], a, b) for a in range(10) for b in range(10)
                     if a != b and confusion[a, b]), reverse=True)
    if mixups:
        print("Its mistakes, true digit → what it said: " + ", ".join(
            f"{a}→{b}" + (f" ({n} times)" if n > 1 else "") for n, a, b in mixups))
    print()

    # ---- figures -----------------------------------------------------------------------------
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    ep = np.arange(1, epochs + 1)
    ax1.plot(ep, history["loss"], "o-", lw=2)
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy (training)")
    ax1.set_title("The loss falls")
    ax2.plot(ep, np.array(history["train_accuracy"]) * 100, "o-", lw=2, label="training digits")
    ax2.plot(ep, np.array(history["test_accuracy"]) * 100, "s-", lw=2, label="test digits")
    ax2.set_ylim(80, 100.5)
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy (%)")
    ax2.set_title(f"Accuracy: {test_accuracy:.1%} on unseen digits")
    ax2.legend(loc="lower right")
    figures.append(save_figure(fig, out, "training_progress.png"))

    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(confusion, cmap="Blues")
    for a in range(10):
        for b in range(10):
            if confusion[a, b]:
                ax.text(b, a, confusion[a, b], ha="center", va="center", fontsize=9,
                        color="white" if confusion[a, b] > confusion.max() / 2 else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (test digits)")
    figures.append(save_figure(fig, out, "confusion_matrix.png"))

    shown = wrong[:8]
    fig, axes = plt.subplots(1, max(len(shown), 1), figsize=(1.5 * max(len(shown), 1), 2.1),
                             squeeze=False)
    with tg.no_grad():
        probs = F.softmax(model(Tensor(X_test[shown])), axis=1).data if len(shown) else None
    for k, ax in enumerate(axes[0]):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= len(shown):
            ax.set_title("none wrong!")
            continue
        i = shown[k]
        ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r")
        ax.set_title(f"true {y_test[i]}\nsaid {predicted[i]} ({probs[k, predicted[i]]:.0%})",
                     fontsize=9)
    fig.suptitle("Some test digits it got wrong", y=1.08)
    figures.append(save_figure(fig, out, "misclassified.png"))

    return {
        "test_accuracy": test_accuracy, "history": history, "confusion": confusion,
        "hand_ce": hand, "library_ce": library, "n_wrong": int(len(wrong)),
        "epochs": epochs,
        "figures": figures,
    }


if __name__ == "__main__":
    main()
