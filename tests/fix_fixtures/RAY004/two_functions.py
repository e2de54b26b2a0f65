import ray


@ray.remote
def double(x):
    return x * 2


def evens():
    # `double_inputs` is local to each function: no numbering
    return ray.get([double.remote(i) for i in range(0, 40_000, 2)])


def odds():
    return ray.get([double.remote(i) for i in range(1, 40_000, 2)])


def single():
    # another use of the remote task: it stays, the batch task calls a plain copy
    return ray.get(double.remote(1))


if __name__ == "__main__":
    ray.init()
    print(sum(evens()), sum(odds()), single())
