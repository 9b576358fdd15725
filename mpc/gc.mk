# mpc module, part 2: circuits, half-gates garbling, ReLU, offline/online.
