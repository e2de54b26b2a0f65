"""RAY102 control: a remote function defined in a loop that reads only its argument and a constant."""
import ray

OFFSET = 7

# fix-safety: expect RAY102


def main():
    ray.init()
    results = []
    for i in range(3):
        @ray.remote(num_cpus=1)
        def shift(x):
            return x + OFFSET

        results.append(ray.get(shift.remote(i)))
    print(results)


if __name__ == "__main__":
    main()
