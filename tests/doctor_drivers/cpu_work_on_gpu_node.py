"""DOC007: tasks that ask for no GPU placed on the GPU node."""

import time

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy


@ray.remote(num_cpus=1)
def preprocess(x):
    return x


ray.init()
gpu_node = next(n["NodeID"] for n in ray.nodes() if n["Alive"] and n["Resources"].get("GPU"))
strategy = NodeAffinitySchedulingStrategy(gpu_node, soft=False)
print(sum(ray.get([preprocess.options(scheduling_strategy=strategy).remote(i) for i in range(5)])))
time.sleep(2)
