# nn module, part 2: LoLa message representations and HE kernels, the
# planner, the networks, and apps/mnist_lola.
veilinclude_HEADERS += include/veil/lola.h
