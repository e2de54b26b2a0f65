import ray as r


def pipeline(scale):
    # a task defined inside the function that fans it out
    @r.remote(
        num_cpus=0.5,  # light
        max_retries=0,
    )
    def mul(x, k=2):
        return x * k

    out = []
    print("starting")
    for x in range(50_000):
        out.append(mul.remote(x, k=scale))
    evens = [x for x in range(10) if x % 2]
    return r.get(out), evens
