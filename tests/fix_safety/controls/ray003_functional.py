"""RAY003 control: the functional form on a function of this module; `num_cpus=1` is Ray's default for
a task, so the safe fix changes nothing but the declaration."""
import ray

# fix-safety: expect RAY003


def square(x):
    return x * x


square_remote = ray.remote(square)


def main():
    ray.init()
    print(ray.get([square_remote.remote(i) for i in range(4)]))


if __name__ == "__main__":
    main()
