import ray

ray.init()
# the batches to score
batches = [1, 2, 3]
# score every batch
for batch in batches:
    @ray.remote(num_cpus=1)
    def score(x):
        return x * 2
    print(ray.get(score.remote(batch)))


class Pipeline:
    def run(self, batches):
        out = []
        # one helper per batch
        for batch in batches:
            @ray.remote(num_cpus=1)
            def double(x):
                return x * 2
            out.append(double.remote(batch))
        return ray.get(out)
