"""RAY001 control: refs kept in a list, fetched one by one into another list."""
import ray

# fix-safety: expect RAY001


@ray.remote(num_cpus=1)
def label(i):
    return f"item-{i}"


def main():
    ray.init()
    refs = [label.remote(i) for i in range(5)]
    names = []
    for ref in refs:
        names.append(ray.get(ref))
    print(names)


if __name__ == "__main__":
    main()
