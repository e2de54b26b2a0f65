import numpy as np
import ray

NUM_FRAMES = 20_000


@ray.remote(num_cpus=1)
def render(i):
    return np.zeros((1024, 1024))


def whole_list():
    refs = [render.remote(i) for i in range(NUM_FRAMES)]
    frames = ray.get(refs)
    return frames


def inline():
    return [f.sum() for f in ray.get([render.remote(i) for i in range(NUM_FRAMES)])]


def with_break():
    refs = [render.remote(i) for i in range(NUM_FRAMES)]
    for frame in ray.get(refs):
        if frame.any():
            break


def with_else():
    refs = [render.remote(i) for i in range(NUM_FRAMES)]
    for frame in ray.get(refs):
        print(frame.sum())
    else:
        print("done")


def reads_refs():
    refs = [render.remote(i) for i in range(NUM_FRAMES)]
    for frame in ray.get(refs):
        print(len(refs), frame.sum())


def with_timeout():
    refs = [render.remote(i) for i in range(NUM_FRAMES)]
    for frame in ray.get(refs, timeout=60):
        print(frame.sum())


def lazy_generator():
    refs = [render.remote(i) for i in range(NUM_FRAMES)]
    sums = (frame.sum() for frame in ray.get(refs))
    return sums
