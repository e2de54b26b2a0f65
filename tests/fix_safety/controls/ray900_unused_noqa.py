"""RAY900 control: a `noqa` that silences nothing; removing a comment changes nothing."""
import ray

# fix-safety: expect RAY900


@ray.remote(num_cpus=1)
def one():
    return 1


def main():
    ray.init()
    print(ray.get(one.remote()))  # noqa: RAY001


if __name__ == "__main__":
    main()
