"""RAY102 trap: the body reads a global dict that the loop changes."""
import ray

SETTINGS = {"factor": 1}


def main():
    ray.init()
    results = []
    for factor in (2, 3, 4):
        SETTINGS["factor"] = factor

        @ray.remote(num_cpus=1)
        def apply(x):
            return x * SETTINGS["factor"]

        results.append(ray.get(apply.remote(5)))
    print(results)


if __name__ == "__main__":
    main()
