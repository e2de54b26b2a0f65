import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import ray


def parse(path):
    return path.upper()


@ray.remote
def featurize(paths):
    with multiprocessing.get_context("spawn").Pool(8) as pool:  # eight workers
        return pool.map(parse, paths)


@ray.remote
def writer(path):
    process = multiprocessing.get_context("spawn").Process(target=parse, args=(path,))
    process.start()
    process.join()


@ray.remote
class Scorer:
    def __init__(self):
        self.executor = ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn"))
        self.sized = ProcessPoolExecutor(max_workers=4, mp_context=multiprocessing.get_context("spawn"))
        self.tall = ProcessPoolExecutor(
            max_workers=4,
            initializer=os.nice,
            initargs=(5,),
            mp_context=multiprocessing.get_context("spawn"),
        )
        self.commented = ProcessPoolExecutor(  # CPU-bound scoring
            max_workers=2,
            mp_context=multiprocessing.get_context("spawn"),
        )

    def score(self, batch):
        return list(self.executor.map(parse, batch))
