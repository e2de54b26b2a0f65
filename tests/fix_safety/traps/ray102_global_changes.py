"""RAY102 trap: the remote function reads a global that a helper changes between iterations; each
definition in the loop is exported with the global's value at that time."""
import ray

SCALE = 1


def bump():
    global SCALE
    SCALE += 1


def main():
    ray.init()
    results = []
    for i in range(3):
        @ray.remote(num_cpus=1)
        def scaled(x):
            return x * SCALE

        results.append(ray.get(scaled.remote(10)))
        bump()
    print(results)


if __name__ == "__main__":
    main()
