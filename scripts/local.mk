# scripts: checks of the source tree.  make check runs the layer rule
# (scripts/check-layers through test/layers.sh); scripts/check-format is
# run by CI (.ci/run), not by make check: it needs git and clang-format.
TESTS += test/layers.sh
EXTRA_DIST += scripts/check-layers scripts/check-format test/layers.sh
