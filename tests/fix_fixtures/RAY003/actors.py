import asyncio

import numpy as np
import ray
from helpers import Worker, load


# a worker actor: what it needs only its author knows, so no fix
@ray.remote
class Trainer:
    def __init__(self, shape):
        self.weights = np.zeros(shape)

    def step(self, batch):
        for row in batch:
            self.weights += row
        return self.weights.sum()


# an async actor coordinates: num_cpus=0 (unsafe)
@ray.remote
class Gateway:
    async def forward(self, ref):
        return await ref


# a signal-like actor: num_cpus=0 (unsafe)
@ray.remote
class ReadySignal:
    def __init__(self):
        self.ready = False

    def send(self):
        self.ready = True

    def wait(self):
        return self.ready


# small state only: num_cpus=0 (unsafe)
@ray.remote
class Results:
    def __init__(self):
        self.rows = []

    def add(self, row):
        self.rows.append(row)

    def all(self):
        return list(self.rows)


# "Clock" is no coordination word, and the methods compute: no fix
@ray.remote
class ClockSimulation:
    def run(self, steps):
        return sum(i * i for i in range(steps))


# resources arrive through .options(...) where it is created: nothing to add
@ray.remote
class Shard:
    def __init__(self, data):
        self.data = load(data)


shards = [Shard.options(num_cpus=2).remote(i) for i in range(2)]
extra = Shard.remote(3)

# imported: a function or an actor class, the fix cannot tell
RemoteWorker = ray.remote(Worker)
remote_load = ray.remote(load)


async def main():
    await asyncio.sleep(0)
