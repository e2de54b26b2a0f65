import multiprocessing as mp

import ray


def load(path):
    return path


@ray.remote
def count(blob):
    return len(blob)


def main(paths):
    ray.init()
    with mp.get_context("spawn").Pool(4) as pool:
        blobs = pool.map(load, paths)
    return ray.get([count.remote(b) for b in blobs])
