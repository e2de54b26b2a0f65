"""RAY001 control: a synchronous actor runs one call at a time in submission order, so submitting all
calls before one `ray.get` gives the same results."""
import ray

# fix-safety: expect RAY001


@ray.remote(num_cpus=0)
class Counter:
    def __init__(self):
        self.count = 0

    def add(self, n):
        self.count += n
        return self.count


def main():
    ray.init()
    counter = Counter.remote()
    print([ray.get(counter.add.remote(i)) for i in range(1, 6)])


if __name__ == "__main__":
    main()
