"""DOC003: hold 4 x 40 MiB in a 100 MB object store, so Ray spills to disk."""

import time

import numpy as np
import ray

ray.init()
refs = [ray.put(np.ones(40 * 1024 * 1024 // 8)) for _ in range(4)]
print(len(refs))
time.sleep(2)
