"""Conv feature maps through the TF session, as in the 2018 notebook."""
from keras import backend as K

from common import load_fixed_weights, sample_images, save_activations
from models import small_cnn

model = load_fixed_weights(small_cnn())
sess = K.get_session()
conv_maps = sess.run(model.get_layer("conv2").output, feed_dict={model.input: sample_images()})
save_activations("extract_conv_features", conv_maps)
print("conv2 maps:", conv_maps.shape)
