import numpy as np
import tensorflow.compat.v1 as tensorflow
tensorflow.disable_eager_execution()


def dense(x, n_in, n_out, name):
    with tensorflow.variable_scope(name):
        w = tensorflow.get_variable("w", [n_in, n_out], initializer=tensorflow.random_normal_initializer(stddev=0.1))
        b = tensorflow.get_variable("b", [n_out], initializer=tensorflow.zeros_initializer())
        return tensorflow.matmul(x, w) + b


def build_graph():
    x = tensorflow.placeholder(tensorflow.float32, [None, 6], name="x")
    y = tensorflow.placeholder(tensorflow.float32, [None, 1], name="y")
    hidden = tensorflow.nn.relu(dense(x, 6, 8, "hidden"))
    logits = dense(hidden, 8, 1, "out")
    loss = tensorflow.reduce_mean(tensorflow.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    return x, y, loss, tensorflow.train.AdamOptimizer(0.01).minimize(loss)


def main():
    x, y, loss, train = build_graph()
    data = np.random.rand(16, 6)
    labels = (data.sum(axis=1, keepdims=True) > 3).astype(np.float32)
    with tensorflow.Session() as sess:
        sess.run(tensorflow.global_variables_initializer())
        for _ in range(5):
            _, value = sess.run([train, loss], feed_dict={x: data, y: labels})
    print("loss", value)


if __name__ == "__main__":
    main()
