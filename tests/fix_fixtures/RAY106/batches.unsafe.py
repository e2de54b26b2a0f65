import numpy as np
import ray

NUM_FRAMES = 20_000


@ray.remote(num_cpus=1)
def render(i):
    return np.zeros((1024, 1024))


@ray.remote(num_cpus=1)
def thumbnail(i):
    return np.zeros((64, 64, 4))


def write_frames(writer):
    refs = [render.remote(i) for i in range(NUM_FRAMES)]
    # one frame at a time, in order
    for start in range(0, len(refs), 100):
        for frame in ray.get(refs[start:start + 100]):
            writer.write(frame)
            if frame.any():
                continue


def summaries():
    refs = [thumbnail.remote(i) for i in range(NUM_FRAMES)]
    means = [image.mean() for start in range(0, len(refs), 1000) for image in ray.get(refs[start:start + 1000]) if image.size]
    return means, sum(image.max() for start in range(0, len(refs), 1000) for image in ray.get(refs[start:start + 1000]))


def taken(start):
    refs = [render.remote(i) for i in range(NUM_FRAMES)]
    return {frame.sum() for start_2 in range(0, len(refs), 100) for frame in ray.get(refs[start_2:start_2 + 100])}, start
