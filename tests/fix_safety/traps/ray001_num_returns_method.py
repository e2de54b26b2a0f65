"""RAY001 trap: an actor method declared with `@ray.method(num_returns=2)`."""
import ray


@ray.remote(num_cpus=0)
class Splitter:
    @ray.method(num_returns=2)
    def split(self, word):
        return word[:2], word[2:]


def main():
    ray.init()
    splitter = Splitter.remote()
    parts = [ray.get(splitter.split.remote(w)) for w in ["alpha", "beta", "gamma"]]
    print(parts)


if __name__ == "__main__":
    main()
