"""House price regression driven by command-line options: the best weights are kept by a
checkpoint callback, read back for evaluation, and the final model is saved and reloaded."""
import argparse
import os

import keras
import numpy as np


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--fine-tune-rate", type=float, default=1e-4)
    parser.add_argument("--checkpoint", default=os.path.join("checkpoints", "best.weights.h5"))
    parser.add_argument("--output", default="house_prices.keras")
    return parser.parse_args()


def build_model(features, learning_rate):
    inputs = keras.Input((features,))
    x = keras.layers.Dense(32, activation="relu")(inputs)
    x = keras.layers.Dense(16, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", metrics=["mae"])
    return model


def main():
    args = parse_args()
    (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data()
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-6
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

    model = build_model(x_train.shape[1], args.learning_rate)
    callbacks = [
        keras.callbacks.ModelCheckpoint(args.checkpoint, monitor="val_loss", save_best_only=True,
                                        save_weights_only=True),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=20),
    ]
    model.fit(x_train, y_train, validation_split=0.2, epochs=args.epochs, batch_size=args.batch_size,
              callbacks=callbacks, verbose=2)
    model.load_weights(args.checkpoint)
    print("best weights, test mae:", model.evaluate(x_test, y_test, verbose=0)[1])

    model.optimizer.learning_rate.assign(args.fine_tune_rate)
    model.fit(x_train, y_train, epochs=max(1, args.epochs // 10), batch_size=args.batch_size, verbose=0)
    model.save(args.output)
    restored = keras.models.load_model(args.output)
    np.testing.assert_allclose(restored.predict(x_test[:4], verbose=0), model.predict(x_test[:4], verbose=0), rtol=1e-5)


if __name__ == "__main__":
    main()
