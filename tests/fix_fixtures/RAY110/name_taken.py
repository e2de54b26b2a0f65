from multiprocessing import Pool

import ray

multiprocessing = None


@ray.remote
def featurize(paths):
    # `multiprocessing` names something else and cannot be imported: no fix
    with Pool(4) as pool:
        return pool.map(len, paths)
