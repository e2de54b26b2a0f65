import ray


@ray.remote
def fit(features, alpha):
    return sum(features) * alpha


def sweep(features, alphas):
    models = [
        ray.get(
            fit.options(num_cpus=2).remote(
                features,
                alpha,
            )
        )
        for alpha in alphas
    ]
    return models


def total_score(features, alphas):
    return sum(
        ray.get(fit.remote(features, a))
        for a in alphas
    )


def appended(features, alphas):
    out = []
    for alpha in sorted(
        alphas,
        reverse=True,
    ):
        out.append(ray.get(fit.remote(
            features,
            alpha,
        )))
    return out
