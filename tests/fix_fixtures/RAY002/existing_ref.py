import numpy as np
import ray

ray.init()
data = np.zeros((512, 512))
data_ref = ray.put(data)


@ray.remote(num_cpus=1)
def total(block, i):
    return float(block.sum()) + i


# an equivalent ref already exists: it is passed, no second put
parts = [total.remote(data, i) for i in range(4)]
print(sum(ray.get(parts)))



def elsewhere():
    # a ref of the same value in another function is not visible here: a put of its own
    return ray.get([total.remote(data, i) for i in range(4, 8)])

