# nn module: MNIST data, float models and their file format, training,
# quantization, the exact integer evaluator and value ranges (doc/10-nn.md).
veilinclude_HEADERS += include/veil/nn.h

# LoLa: representations, kernels, planner, networks.
include nn/lola.mk
