import ray

config = {"scale": 2}


@ray.remote(num_cpus=1)
def scaled(v):
    # reads a mutable global: Ray pickles it at the first export, so hoisting is unsafe
    return v * config["scale"]


def main(xs):
    out = []
    for x in xs:
        config["scale"] += 1
        out.append(ray.get(scaled.remote(x)))
    return out


def late_option(xs):
    for x in xs:
        # the decorator reads a name bound below this function: no fix
        @ray.remote(num_cpus=CPUS)
        def late(v):
            return v

        late.remote(x)


CPUS = 1
