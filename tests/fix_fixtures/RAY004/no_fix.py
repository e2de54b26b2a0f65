import functools

import ray


@ray.remote
class Counter:
    def __init__(self):
        self.total = 0

    def incr(self, x):
        self.total += x
        return self.total


@ray.remote
def double(x):
    return x * 2


@ray.remote
def add(a, b):
    return a + b


@ray.remote(num_returns=2)
def split(x):
    return x, -x


@ray.remote
@functools.lru_cache(maxsize=None)
def cached(x):
    return x + 1


ray.init()
counter = Counter.remote()

# actor fan-out: batching needs a new method on the actor
for x in range(20_000):
    counter.incr.remote(x)

# the refs are also waited on one by one
waited = [double.remote(i) for i in range(20_000)]
ready, _ = ray.wait(waited, num_returns=10)

# the refs go to another task
total = add.remote(sum([double.remote(i) for i in range(20_000)][:2]), 1)

# the element is not the first argument
shifted = [add.remote(1, i) for i in range(20_000)]

# two loops: one task per pair
pairs = [add.remote(i, j) for i in range(200) for j in range(100)]

# a filtered comprehension
filtered = [double.remote(i) for i in range(20_000) if i % 3]

# map(lambda ...)
mapped = list(map(lambda x: double.remote(x), range(50_000)))

# several results per task
halves = [split.remote(i) for i in range(20_000)]

# another decorator under @ray.remote
plus = [cached.remote(i) for i in range(20_000)]

# the loop variable is read after the loop
late = []
for k in range(20_000):
    late.append(double.remote(k))
print(k)

print(ray.get(shifted + pairs + filtered + mapped + plus + late), halves, total, ready)
