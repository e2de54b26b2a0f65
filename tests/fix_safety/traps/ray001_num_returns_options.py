"""RAY001 trap: `.options(num_returns=2)` at the call site makes each submission two refs."""
import ray


@ray.remote(num_cpus=1)
def pair(i):
    return i, -i


def main():
    ray.init()
    out = []
    for i in range(3):
        out.append(ray.get(pair.options(num_returns=2).remote(i)))
    print(out)


if __name__ == "__main__":
    main()
