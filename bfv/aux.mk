# bfv module, part 2: CRT-composed plaintext modulus (bfv_crt), serialization,
# static noise estimator, libFuzzer targets.
