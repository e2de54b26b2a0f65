import json
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Pool as WorkerPool

import ray


def parse(path):
    return json.loads(path)


@ray.remote
def featurize(paths):
    with WorkerPool(os.cpu_count()) as pool:
        return pool.map(parse, paths)


@ray.remote
def featurize_executor(paths):
    with ProcessPoolExecutor(2) as executor:
        return list(executor.map(parse, paths))
