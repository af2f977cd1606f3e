"""A small GAN on Fashion-MNIST trained by a custom loop over a tf.data pipeline, with a
checkpoint every other epoch and sample images saved along the way."""
import time

import matplotlib.pyplot as plt
import tensorflow as tf

BUFFER_SIZE = 60000
BATCH_SIZE = 64
EPOCHS = 50
NOISE_DIM = 16

(train_images, _), (_, _) = tf.keras.datasets.fashion_mnist.load_data()
train_images = (train_images.reshape(-1, 28, 28, 1).astype("float32") - 127.5) / 127.5
dataset = tf.data.Dataset.from_tensor_slices(train_images).shuffle(BUFFER_SIZE).batch(BATCH_SIZE)


def make_generator():
    return tf.keras.Sequential([
        tf.keras.Input((NOISE_DIM,)),
        tf.keras.layers.Dense(7 * 7 * 16, use_bias=False),
        tf.keras.layers.LeakyReLU(),
        tf.keras.layers.Reshape((7, 7, 16)),
        tf.keras.layers.Conv2DTranspose(8, 5, strides=2, padding="same", use_bias=False),
        tf.keras.layers.LeakyReLU(),
        tf.keras.layers.Conv2DTranspose(1, 5, strides=2, padding="same", activation="tanh"),
    ])


def make_discriminator():
    return tf.keras.Sequential([
        tf.keras.Input((28, 28, 1)),
        tf.keras.layers.Conv2D(8, 5, strides=2, padding="same"),
        tf.keras.layers.LeakyReLU(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(1),
    ])


generator = make_generator()
discriminator = make_discriminator()
cross_entropy = tf.keras.losses.BinaryCrossentropy(from_logits=True)
generator_optimizer = tf.keras.optimizers.Adam(1e-4)
discriminator_optimizer = tf.keras.optimizers.Adam(1e-4)

checkpoint_dir = "./training_checkpoints"
checkpoint = tf.train.Checkpoint(generator_optimizer=generator_optimizer,
                                 discriminator_optimizer=discriminator_optimizer,
                                 generator=generator, discriminator=discriminator)
manager = tf.train.CheckpointManager(checkpoint, checkpoint_dir, max_to_keep=3)
seed = tf.random.normal([16, NOISE_DIM])


@tf.function
def train_step(images):
    noise = tf.random.normal([tf.shape(images)[0], NOISE_DIM])
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        generated = generator(noise, training=True)
        real_output = discriminator(images, training=True)
        fake_output = discriminator(generated, training=True)
        gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
        disc_loss = (cross_entropy(tf.ones_like(real_output), real_output)
                     + cross_entropy(tf.zeros_like(fake_output), fake_output))
    generator_optimizer.apply_gradients(
        zip(gen_tape.gradient(gen_loss, generator.trainable_variables), generator.trainable_variables))
    discriminator_optimizer.apply_gradients(
        zip(disc_tape.gradient(disc_loss, discriminator.trainable_variables), discriminator.trainable_variables))
    return gen_loss, disc_loss


def save_samples(epoch):
    images = generator(seed, training=False)
    fig = plt.figure(figsize=(4, 4))
    for i in range(images.shape[0]):
        plt.subplot(4, 4, i + 1)
        plt.imshow(images[i, :, :, 0] * 127.5 + 127.5, cmap="gray")
        plt.axis("off")
    plt.savefig(f"image_at_epoch_{epoch:04d}.png")
    plt.close(fig)


for epoch in range(EPOCHS):
    start = time.time()
    for image_batch in dataset:
        gen_loss, disc_loss = train_step(image_batch)
    save_samples(epoch + 1)
    if (epoch + 1) % 2 == 0:
        manager.save()
    print(f"epoch {epoch + 1}: {time.time() - start:.1f} s, generator loss {float(gen_loss):.3f}")

checkpoint.restore(manager.latest_checkpoint)
