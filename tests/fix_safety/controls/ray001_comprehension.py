"""RAY001 control: one object per task; one `ray.get` on the list gives the same list."""
import ray

# fix-safety: expect RAY001


@ray.remote(num_cpus=1)
def square(i):
    return i * i


def main():
    ray.init()
    print([ray.get(square.remote(i)) for i in range(6)])


if __name__ == "__main__":
    main()
