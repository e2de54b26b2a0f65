import ray


@ray.remote
def double(x):
    return x * 2


ray.init()
evens = [double.remote(i) for i in range(0, 40_000, 2)]
odds = [double.remote(i) for i in range(1, 40_000, 2)]
print(sum(ray.get(evens)), sum(ray.get(odds)))
