"""RAY103 trap: the caller uses the refs a task returns as refs: as dict keys, and as arguments to
another task (which Ray resolves to their values). `return ray.put(block)` -> `return block` alone would
hand the caller blocks where it expects refs; the fix must rewrite the caller too, or not exist."""
import ray


@ray.remote(num_cpus=1)
def make_block(i):
    return ray.put([i] * 3)


@ray.remote(num_cpus=1)
def total(block):
    return sum(block)


def main():
    ray.init()
    owners = {ray.get(make_block.remote(i)): i for i in range(3)}
    sums = {owner: ray.get(total.remote(ref)) for ref, owner in owners.items()}
    print(sorted(sums.items()))
    print(sorted(ray.get(list(owners))))


if __name__ == "__main__":
    main()
