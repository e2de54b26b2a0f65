"""RAY003 trap: two worker actors and a logging actor on a two-CPU cluster (a tutorial's layout).

An actor needs a CPU to be placed but holds none while it runs. `num_cpus=1` on the three actors would
make them hold three CPUs for life: the third is never placed and the program never finishes. No safe
fix may add it (the logger may get `num_cpus=0`, an unsafe fix)."""
import ray


@ray.remote
class Logger:
    def __init__(self):
        self.lines = []

    def log(self, line):
        self.lines.append(line)

    def dump(self):
        return sorted(self.lines)


@ray.remote
class Worker:
    def __init__(self, name, logger):
        self.name = name
        self.logger = logger

    def work(self, values):
        total = 0
        for value in values:
            total += value * value
        ray.get(self.logger.log.remote(f"{self.name}: {total}"))
        return total


def main():
    ray.init()
    logger = Logger.remote()
    workers = [Worker.remote(f"worker-{i}", logger) for i in range(2)]
    print(ray.get([w.work.remote(range(10 * (i + 1))) for i, w in enumerate(workers)]))
    print(ray.get(logger.dump.remote()))


if __name__ == "__main__":
    main()
