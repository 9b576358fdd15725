# bfv module: library sources, headers, tests, apps, docs.
