import nn
from nn.datasets import moons

X, y = moons(300, noise=0.1, seed=0)
X_train, X_val, y_train, y_val = nn.train_val_split(X, y, val_fraction=0.2, seed=0)

model = nn.MLP(2, [16, 16, 1], seed=0)  # hidden ReLU layers, a linear output (a logit)
optimizer = nn.Adam(model.parameters(), lr=0.01)
history = nn.fit(
    model,
    nn.binary_cross_entropy_with_logits,  # the loss of one sample: (output, target) -> Value
    optimizer,
    nn.DataLoader(X_train, y_train, batch_size=32, seed=0),
    val_loader=nn.DataLoader(X_val, y_val, batch_size=60, shuffle=False),
    epochs=30,
    engine="compiled",  # or "scalar": the same numbers, one Value graph per sample
    progress=False,
)
print(f"validation accuracy: {history.val_accuracy[-1]:.3f}")
nn.save(model, "moons.json", optimizer=optimizer)
