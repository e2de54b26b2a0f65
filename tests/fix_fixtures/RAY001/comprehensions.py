import ray


@ray.remote
def square(x):
    return x * x


@ray.remote
class Replica:
    def ping(self):
        return True


def list_comprehension(xs):
    return [ray.get(square.remote(x)) for x in xs]


def filtered_and_nested(xs, ys):
    evens = [ray.get(square.remote(x)) for x in xs if x % 2 == 0]
    products = [ray.get(square.remote(x * y)) for x in xs for y in ys]
    return evens, products


def set_comprehension(xs):
    return {ray.get(square.remote(x)) for x in xs}


def consumed_generators(xs):
    total = sum(ray.get(square.remote(x)) for x in xs)
    peak = max((ray.get(square.remote(x)) for x in xs), default=0)
    ordered = sorted(ray.get(square.remote(x)) for x in xs)
    return total, peak, ordered


def short_circuit(replicas):
    # `any()` stops at the first true result: after the fix every replica is pinged (unsafe)
    return any(ray.get(h.ping.remote()) for h in replicas)


def element_is_not_the_get(xs):
    # the `ray.get` is inside the element, not the element: no fix
    return [ray.get(square.remote(x)) + 1 for x in xs]


def lazy_generator(xs):
    # a generator kept for later is lazy; a list would not be: no fix
    squares = (ray.get(square.remote(x)) for x in xs)
    return next(squares)


def dict_comprehension(xs):
    # dict comprehensions: no fix
    return {x: ray.get(square.remote(x)) for x in xs}
