# mediasoup-sys 0.2.5 vendors a gyp that predates Python 3.10 and still reads
# `collections.MutableSet` and friends. Put the `collections.abc` names back on
# `collections` for the Python processes of the build (loaded through PYTHONPATH).
import collections
import collections.abc

for _name in collections.abc.__all__:
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
