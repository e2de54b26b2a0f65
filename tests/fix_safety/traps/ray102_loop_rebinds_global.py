"""RAY102 trap: the loop rebinds a module-level name that the remote function body reads."""
import ray

ray.init()
results = []
for offset in range(3):
    @ray.remote(num_cpus=1)
    def shifted(x):
        return x + offset

    results.append(ray.get(shifted.remote(100)))
print(results)
