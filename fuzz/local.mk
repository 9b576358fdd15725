# fuzz: every libFuzzer target of the library, built by
#   ./configure --enable-fuzz CC=clang && make
# configure then compiles everything (library included) with
# -fsanitize=fuzzer-no-link,address,undefined, so the parsers are
# instrumented; the targets below add libFuzzer's main when they link
# (FUZZ_LINK).  Run one with, e.g.,
#   fuzz/fuzz_bfv_corpus corpus && \
#   fuzz/fuzz_bfv_ciphertext -max_total_time=60 corpus/ciphertext
# (doc/09-serialization.md, "Fuzzing").
if ENABLE_FUZZ
FUZZ_LINK = -fsanitize=fuzzer $(AM_LDFLAGS)
FUZZ_LIBS = libveil.la
FUZZ_BFV_ENV = fuzz/bfv_fuzz_env.c fuzz/bfv_fuzz_env.h
FUZZ_LOLA_ENV = fuzz/lola_fuzz_env.c fuzz/lola_fuzz_env.h

noinst_PROGRAMS += \
	fuzz/fuzz_bfv_params fuzz/fuzz_bfv_crt_params \
	fuzz/fuzz_bfv_secret_key fuzz/fuzz_bfv_public_key \
	fuzz/fuzz_bfv_relin_key fuzz/fuzz_bfv_galois_keys \
	fuzz/fuzz_bfv_plaintext fuzz/fuzz_bfv_ciphertext \
	fuzz/fuzz_bfv_crt_ciphertext \
	fuzz/fuzz_nn_model fuzz/fuzz_nn_idx fuzz/fuzz_nn_features \
	fuzz/fuzz_mpc_chan fuzz/fuzz_mpc_circuit \
	fuzz/fuzz_lola_evalkeys fuzz/fuzz_lola_msg \
	fuzz/fuzz_bfv_corpus

# bfv deserializers (one target per object) on a small shared context
fuzz_fuzz_bfv_params_SOURCES = fuzz/fuzz_bfv_params.c $(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_params_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_params_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_bfv_crt_params_SOURCES = fuzz/fuzz_bfv_crt_params.c $(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_crt_params_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_crt_params_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_bfv_secret_key_SOURCES = fuzz/fuzz_bfv_secret_key.c $(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_secret_key_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_secret_key_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_bfv_public_key_SOURCES = fuzz/fuzz_bfv_public_key.c $(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_public_key_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_public_key_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_bfv_relin_key_SOURCES = fuzz/fuzz_bfv_relin_key.c $(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_relin_key_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_relin_key_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_bfv_galois_keys_SOURCES = fuzz/fuzz_bfv_galois_keys.c \
	$(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_galois_keys_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_galois_keys_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_bfv_plaintext_SOURCES = fuzz/fuzz_bfv_plaintext.c $(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_plaintext_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_plaintext_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_bfv_ciphertext_SOURCES = fuzz/fuzz_bfv_ciphertext.c $(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_ciphertext_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_ciphertext_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_bfv_crt_ciphertext_SOURCES = fuzz/fuzz_bfv_crt_ciphertext.c \
	$(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_crt_ciphertext_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_bfv_crt_ciphertext_LDADD = $(FUZZ_LIBS)

# nn: the model file and IDX parsers
fuzz_fuzz_nn_model_SOURCES = fuzz/fuzz_nn_model.c
fuzz_fuzz_nn_model_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_nn_model_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_nn_idx_SOURCES = fuzz/fuzz_nn_idx.c
fuzz_fuzz_nn_idx_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_nn_idx_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_nn_features_SOURCES = fuzz/fuzz_nn_features.c
fuzz_fuzz_nn_features_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_nn_features_LDADD = $(FUZZ_LIBS)

# mpc: the channel's frame parser and the circuit text parser
fuzz_fuzz_mpc_chan_SOURCES = fuzz/fuzz_mpc_chan.c
fuzz_fuzz_mpc_chan_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_mpc_chan_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_mpc_circuit_SOURCES = fuzz/fuzz_mpc_circuit.c
fuzz_fuzz_mpc_circuit_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_mpc_circuit_LDADD = $(FUZZ_LIBS)

# lola: the network formats, evaluation keys and messages
fuzz_fuzz_lola_evalkeys_SOURCES = fuzz/fuzz_lola_evalkeys.c $(FUZZ_LOLA_ENV)
fuzz_fuzz_lola_evalkeys_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_lola_evalkeys_LDADD = $(FUZZ_LIBS)
fuzz_fuzz_lola_msg_SOURCES = fuzz/fuzz_lola_msg.c $(FUZZ_LOLA_ENV)
fuzz_fuzz_lola_msg_LDFLAGS = $(FUZZ_LINK)
fuzz_fuzz_lola_msg_LDADD = $(FUZZ_LIBS)

# the bfv seed-corpus generator: an ordinary program (no libFuzzer main)
fuzz_fuzz_bfv_corpus_SOURCES = fuzz/fuzz_bfv_corpus.c $(FUZZ_BFV_ENV)
fuzz_fuzz_bfv_corpus_LDADD = $(FUZZ_LIBS)
endif
