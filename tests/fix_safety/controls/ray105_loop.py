"""RAY105 control: fetched in a loop and passed on; the driver waits for all consumers afterwards."""
import ray

# fix-safety: expect RAY105


@ray.remote(num_cpus=1)
def parse(text):
    return text.split(",")


@ray.remote(num_cpus=1)
def count(fields):
    return len(fields)


def count_all(lines):
    counts = []
    for line in lines:
        fields = ray.get(parse.remote(line))
        counts.append(count.remote(fields))
    return ray.get(counts)


def main():
    ray.init()
    print(count_all(["a,b", "c", "d,e,f"]))


if __name__ == "__main__":
    main()
