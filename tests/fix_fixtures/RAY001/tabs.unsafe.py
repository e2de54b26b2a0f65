import ray


@ray.remote
def square(x):
	return x * x


def tabs(xs):
	out = []
	out.extend(ray.get([square.remote(x) for x in xs]))
	if xs:
		squares = ray.get([square.remote(x) for x in xs])
		out.extend(squares)
	return out
