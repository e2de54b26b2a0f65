"""RAY003 control: a remote function with no resources; `num_cpus=1` is Ray's default for a task."""
import ray

# fix-safety: expect RAY003


@ray.remote
def add(a, b):
    return a + b


def main():
    ray.init()
    print(ray.get(add.remote(2, 3)))


if __name__ == "__main__":
    main()
