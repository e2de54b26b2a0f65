import ray


@ray.remote(num_cpus=1)
def square(x):
    return x * x


@ray.remote(num_cpus=1)
def total(scale, refs):
    return scale * sum(ray.get(refs))


@ray.remote(num_cpus=1)
def weighted(refs, *, weight=1):
    values = ray.get(refs)
    return [weight * v for v in values]


@ray.remote(num_cpus=1)
def first(refs):
    # an element: no fix
    return ray.get(refs[0])


def main():
    ray.init()
    refs = [square.remote(x) for x in range(4)]
    print(ray.get(total.remote(2, refs)))
    print(ray.get(total.remote(3, [square.remote(x) for x in range(3)])))
    print(ray.get(weighted.remote(refs, weight=2)))
    print(ray.get(first.remote(refs)))


if __name__ == "__main__":
    main()
