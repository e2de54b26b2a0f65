# fixture-select: RAY002
# %%
import numpy as np
import ray

ray.init()

# %%
data = np.zeros((512, 512))


@ray.remote(num_cpus=1)
def total(block, i):
    return float(block.sum()) + i


# %% [cell 3]
data_ref = ray.put(data)
# the same array for every call
parts = [total.remote(data_ref, i) for i in range(4)]
print(sum(ray.get(parts)))

# %% [cell 4]
@ray.remote(num_cpus=1)
def scale(x):
    return x * 2


for step in range(3):
    print(ray.get(scale.remote(step)))
