import multiprocessing
import os

import ray


@ray.remote
def daemonize():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return pid


@ray.remote
def explicit_fork(paths):
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return pool.map(len, paths)
