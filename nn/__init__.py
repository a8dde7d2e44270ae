"""chainrule's Keras-style neural-network layer, built on `autograd`."""
